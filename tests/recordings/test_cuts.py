"""Cut lists as data: spans, pieces on the output clock, time mapping, editing, JSON."""

from __future__ import annotations

from fractions import Fraction

import pytest

from vidkit.cuts import CutList, Span
from vidkit.errors import InvalidInput

FPS = Fraction(30)


def test_a_whole_list_plays_everything() -> None:
    cuts = CutList.whole(30, 330, FPS)
    assert (cuts.source_frames, cuts.output_frames, cuts.output_ms) == (300, 300, 10_000)
    assert cuts.to_output(1000) == 0.0
    assert cuts.to_output(999) is None  # before the in point
    assert cuts.summary() == "0:10 → 0:10, 0 cuts"


def test_cuts_and_speed_ups_place_pieces_back_to_back() -> None:
    cuts = CutList.whole(0, 300, FPS).with_action(30, 60, "cut", "silence")
    cuts = cuts.with_action(90, 150, "speed", "typing", 4.0)
    assert [s.action for s in cuts.spans] == ["keep", "cut", "keep", "speed", "keep"]
    pieces = cuts.pieces()
    assert [(p.start, p.end, p.out_start, p.out_frames) for p in pieces] == [
        (0, 30, 0, 30), (60, 90, 30, 30), (90, 150, 60, 15), (150, 300, 75, 150),
    ]  # fmt: skip
    assert cuts.output_frames == 225
    assert cuts.joins() == [30, 60, 75]
    assert cuts.to_output(1500) is None  # in the cut
    assert cuts.to_output(2000) == pytest.approx(1000.0)  # frame 60 plays at output frame 30
    assert cuts.to_output(4000) == pytest.approx((60 + 30 / 4) * 1000 / 30)
    assert cuts.source_frame(30) == 60 and cuts.source_frame(61) == 94
    assert cuts.summary() == "0:10 → 0:08, 1 cut, 1 sped up"


def test_editing_splits_and_merges_spans() -> None:
    cuts = CutList.whole(0, 100, FPS).with_action(10, 20, "cut", "filler")
    again = cuts.with_action(15, 30, "cut", "filler")
    assert [(s.start, s.end, s.action) for s in again.spans] == [
        (0, 10, "keep"), (10, 30, "cut"), (30, 100, "keep"),
    ]  # fmt: skip
    restored = again.with_action(10, 30, "keep")
    assert restored.spans == (Span(0, 100),)


def test_json_round_trips_and_bad_lists_are_refused() -> None:
    cuts = CutList.whole(0, 90, FPS).with_action(30, 45, "cut", "deleted")
    assert CutList.from_json(cuts.to_json()) == cuts
    with pytest.raises(InvalidInput, match="without gaps"):
        CutList(FPS, (Span(0, 10), Span(12, 20)))
    with pytest.raises(InvalidInput, match="cuts everything"):
        CutList(FPS, (Span(0, 10, "cut"),))
    with pytest.raises(InvalidInput, match="speed above 1"):
        CutList(FPS, (Span(0, 10, "speed", speed=0.5),))
    with pytest.raises(InvalidInput, match="fps and spans"):
        CutList.from_dict({"spans": []})
    with pytest.raises(InvalidInput, match="JSON"):
        CutList.from_json("{nope")
