"""The typing schedule: pace, pauses, fast typing, whole lines, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import REPO
from vidkit.screen._pace import MAX_KEYS_PER_S, schedule
from vidkit.screen._text import normalise

EXAMPLE = normalise((REPO / "data" / "example" / "code" / "01_loop.py").read_text("utf-8"))


def test_the_same_code_types_the_same_way_and_other_code_differently() -> None:
    a, b = schedule(EXAMPLE, 1.0, 15.0), schedule(EXAMPLE, 1.0, 15.0)
    assert np.array_equal(a.times, b.times) and np.array_equal(a.chars, b.chars)
    other = schedule(EXAMPLE.replace("number", "value"), 1.0, 15.0)
    gaps, other_gaps = np.diff(a.times), np.diff(other.times)
    assert not np.allclose(gaps[:20], other_gaps[:20])


def test_events_fill_the_window_and_end_with_all_the_code() -> None:
    plan = schedule(EXAMPLE, 1.0, 15.0)
    assert plan.mode == "typing" and plan.note == ""
    assert plan.times[0] > 1.0 and plan.times[-1] == 15.0
    assert np.all(np.diff(plan.times) >= 0) and np.all(np.diff(plan.chars) > 0)
    assert plan.chars[-1] == len(EXAMPLE) and plan.typed_at(0.99) == 0
    assert 5.0 <= plan.keys_per_s <= 11.0


def test_indentation_arrives_with_the_newline() -> None:
    code = "for x in y:\n    pass\n"
    plan = schedule(code, 0.0, 10.0)
    revealed = [code[: int(n)] for n in plan.chars]
    assert "for x in y:\n    " in revealed  # Enter brings the indent
    assert "for x in y:\n " not in revealed
    assert len(plan.chars) == len(code) - 4


def test_spare_time_goes_to_pauses_at_line_ends() -> None:
    plan = schedule(EXAMPLE, 0.0, 40.0)
    gaps = np.diff(plan.times)
    enter = [EXAMPLE[: int(n)].rstrip(" ").endswith("\n") for n in plan.chars[:-1]]
    after_enter = [g for g, e in zip(gaps, enter, strict=True) if e]
    after_keys = [g for g, e in zip(gaps, enter, strict=True) if not e]
    assert len(after_enter) == 4
    assert min(after_enter) > 1.0 > max(after_keys)


def test_too_little_time_types_fast_then_shows_whole_lines() -> None:
    fast = schedule(EXAMPLE, 0.0, 4.0)
    assert fast.mode == "fast" and "keys/s" in fast.note
    assert 11 < fast.keys_per_s <= MAX_KEYS_PER_S
    brisk = schedule(EXAMPLE, 0.0, 8.5)  # a little short: shorter pauses, no note
    assert brisk.mode == "typing" and brisk.note == "" and brisk.keys_per_s <= 12.5
    lines = schedule(EXAMPLE, 0.0, 1.5)
    assert lines.mode == "lines" and "lines appear whole" in lines.note
    assert list(lines.chars) == [13, 42, 74, 75, 90]  # the empty last line adds nothing
    assert lines.times[-1] == 1.5


@pytest.mark.parametrize(
    ("code", "mode", "initial"),
    [("", "empty", 0), ("    ", "empty", 4), ("   x", "typing", 3)],
)
def test_edge_cases(code: str, mode: str, initial: int) -> None:
    plan = schedule(code, 0.0, 3.0)
    assert plan.mode == mode and plan.initial == initial
    assert plan.typed_at(3.0) == len(code)


def test_no_time_shows_everything_at_once() -> None:
    plan = schedule(EXAMPLE, 2.0, 2.0)
    assert plan.mode == "instant" and plan.typed_at(1.9) == 0 and plan.typed_at(2.0) == len(EXAMPLE)
