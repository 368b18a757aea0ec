"""A recording with no sound at all, tightened end to end: only the idle screen is cut (down to
the kept pause, reason "silence"), nothing is cut as a filler, and the scene renders at the
cut list's length."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

import vidkit
from tests.conftest import write_config
from vidkit.api import Workspace
from vidkit.editing.recording import TightenReport, tighten, transcript, use_recording
from vidkit.media import ffmpeg_exe, probe

IDLE_MS, ACTIVE_MS = 3000, 1200  # idle, then the screen changes, then idle again
FRAME_MS = 1000 / 30


@dataclass(frozen=True)
class Silent:
    ws: Workspace
    scene_id: int
    report: TightenReport


def _silent_recording(out: Path) -> Path:
    idle_s, active_s = IDLE_MS / 1000, ACTIVE_MS / 1000
    graph = (
        f"color=c=0x336699:s=320x180:r=30:d={idle_s}[a];"
        f"testsrc2=s=320x180:r=30:d={active_s}[b];"
        f"color=c=0x336699:s=320x180:r=30:d={idle_s}[c];"
        "[a][b][c]concat=n=3:v=1:a=0,format=yuv420p[v]"
    )
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-filter_complex", graph,
         "-map", "[v]", "-c:v", "libx264", "-preset", "veryfast", str(out)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def silent(tmp_path_factory: pytest.TempPathFactory) -> Silent:
    folder = tmp_path_factory.mktemp("tighten-silent")
    recording = _silent_recording(folder / "silent.mp4")
    ws = vidkit.open(write_config(folder / "ws", "[render]\ntitle_cards = false\n"))
    ws.create_project("mute", "No sound", width=320, height=180)
    scene = ws.add_scene("mute", "Idle and busy")
    asset = ws.import_asset("mute", recording, kind="screen_capture")
    assert not asset.metadata.get("has_audio")
    use_recording(ws, "mute", scene.id, asset.id)
    return Silent(ws, scene.id, tighten(ws, "mute", scene.id))


def test_only_the_idle_screen_is_cut_down_to_the_kept_pause(silent: Silent) -> None:
    config = silent.ws.config.tighten
    cuts = silent.report.cuts
    found = [(cuts.ms(s.start), cuts.ms(s.end), s.reason) for s in cuts.changes()]
    assert [r for _, _, r in found] == ["silence", "silence"], found
    assert not [s for s in cuts.spans if s.action == "speed"]
    half = config.keep_pause_ms / 2
    (a0, b0, _), (a1, b1, _) = found
    # The scene's own start and end need no pause; the busy stretch keeps half a pause each side.
    assert a0 == 0 and b0 == pytest.approx(IDLE_MS - half, abs=120)
    # The packet-size screen analysis sees x264 still refining the still for a few frames after
    # the busy stretch ends, so the idle screen may start up to a few frames late, never early.
    assert IDLE_MS + ACTIVE_MS + half - 2 * FRAME_MS <= a1 <= IDLE_MS + ACTIVE_MS + half + 200
    assert b1 == pytest.approx(2 * IDLE_MS + ACTIVE_MS, abs=2 * FRAME_MS)
    expected = ACTIVE_MS + config.keep_pause_ms
    assert silent.report.after_ms == pytest.approx(expected, abs=200)
    assert silent.report.before_ms == pytest.approx(2 * IDLE_MS + ACTIVE_MS, abs=2 * FRAME_MS)
    assert silent.report.after_ms == cuts.output_ms


def test_no_filler_cut_and_no_words(silent: Silent) -> None:
    cuts = silent.report.cuts
    assert all(s.reason != "filler" for s in cuts.spans if s.action == "cut")
    assert all(c["reason"] == "silence" for c in silent.report.changes)
    view = transcript(silent.ws, "mute", silent.scene_id)
    assert not view.words
    assert view.analysis is not None and not view.analysis.has_audio


def test_the_scene_renders_at_the_cut_lists_length(silent: Silent) -> None:
    result = vidkit.render(silent.ws, "mute", workers=1)
    assert result.final is not None
    info = probe(result.final)
    assert (info.width, info.height) == (320, 180)
    assert info.duration_ms is not None
    assert info.duration_ms == pytest.approx(silent.report.cuts.output_ms, abs=2 * FRAME_MS + 5)
