"""A preview and a render come from the same graph: they show the same picture."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from vidkit import editing
from vidkit.media import ffmpeg_exe
from vidkit.pipeline import render
from vidkit.workspace import Workspace

pytestmark = pytest.mark.slow

WIDTH, HEIGHT = 640, 360


def _frame(path: Path, seconds: float) -> np.ndarray:
    raw = subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-ss", f"{seconds:.3f}", "-i", str(path),
         "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(HEIGHT, WIDTH, 3).astype(int)


def test_presenter_dragged_over_the_title_card_looks_the_same_previewed_and_rendered(
    render_ws: Workspace,
) -> None:
    [first, _] = render_ws.scenes("tiny")
    render_ws.update_scene("tiny", first.id, avatar_x=0.5, avatar_y=0.45, avatar_scale=0.6)
    [result] = render(render_ws, "tiny", positions=[1], workers=1).scenes
    video = render_ws.asset_path(result.video)

    draft = editing.draft(render_ws, "tiny", first.id)
    assert draft.avatar == "animated" and draft.spoken
    card = draft.timeline.cards[0]
    assert card.duration > 10, "the project's title card is up for the first frames"
    x, y, w, h = draft.avatar_box(size=(WIDTH, HEIGHT))  # type: ignore[misc]
    assert abs(x + w / 2 - WIDTH / 2) < 4, "the presenter was dragged to the middle"

    for at in (0.2, 0.6):  # both while the card is up
        previewed = draft.frame(at, size=(WIDTH, HEIGHT)).astype(int)
        rendered = _frame(video, at)
        # measured: 3.7 the same; 8.6 with the card left out of the preview
        assert np.abs(previewed - rendered).mean() < 6, f"whole frame differs at {at} s"
        face = (slice(y + h // 4, y + h // 2), slice(x + w // 3, x + 2 * w // 3))
        assert np.abs(previewed[face] - rendered[face]).mean() < 20, f"presenter at {at} s"
        # Under the presenter there is no card text, in either picture (the card is drawn
        # under the presenter): the face region is not the card's flat band colour.
        assert rendered[face].std() > 8 and previewed[face].std() > 8
