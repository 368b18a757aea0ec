"""Dead-air analysis from packet sizes (and a small decode for intra-only video), chapters,
splitting a long recording at them, and recordings that are refused."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.bad_media import record_unchecked
from vidkit.api import Workspace
from vidkit.editing.recording import split_recording, use_recording
from vidkit.errors import MediaError
from vidkit.media import ffmpeg_exe
from vidkit.recordings.analysis import analyse

#: The screen changes only in these seconds of a 10 s recording.
ACTIVE = ((2, 4), (6, 7))


def _screen(out: Path, *codec: str, audio: bool = False) -> Path:
    busy = "+".join(f"between(t,{a},{b - 0.001})" for a, b in ACTIVE)
    video = (
        f"testsrc2=s=320x180:r=30:d=10,"
        f"drawbox=x=0:y=0:w=iw:h=ih:color=gray:t=fill:enable='not({busy})'"
    )
    args = [ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i", video]
    if audio:
        args += ["-f", "lavfi", "-i", "sine=f=200:d=10", "-c:a", "aac"]
    subprocess.run([*args, *codec, str(out)], check=True, timeout=120)
    return out


def test_idle_screen_is_found_to_the_frame_from_packet_sizes(tmp_path: Path) -> None:
    found = analyse(_screen(tmp_path / "screen.mp4", "-c:v", "libx264", "-g", "60"))
    assert found.meta["screen"] == "packets"
    assert not found.has_audio and found.speech == ()
    expected = [(0, 2000), (4000, 6000), (7000, 10_000)]
    assert len(found.idle) == len(expected)
    for (a, b), (ea, eb) in zip(found.idle, expected, strict=True):
        assert abs(a - ea) <= 67 and abs(b - eb) <= 67, found.idle
    assert len(found.activity) == 100 and max(found.activity[25:35]) > max(found.activity[:15])


def test_constant_bitrate_padding_is_not_read_as_activity(tmp_path: Path) -> None:
    cbr = ("-c:v", "libx264", "-g", "60", "-b:v", "300k", "-minrate", "300k", "-maxrate",
           "300k", "-bufsize", "300k", "-x264-params", "nal-hrd=cbr:filler=1")  # fmt: skip
    found = analyse(_screen(tmp_path / "obs-cbr.mp4", *cbr))
    expected = [(0, 2000), (4000, 6000), (7000, 10_000)]
    assert len(found.idle) == len(expected), found.idle
    for (a, b), (ea, eb) in zip(found.idle, expected, strict=True):
        assert abs(a - ea) <= 100 and abs(b - eb) <= 100, found.idle


def test_intra_only_video_is_decoded_small_instead(tmp_path: Path) -> None:
    found = analyse(_screen(tmp_path / "screen.avi", "-c:v", "mjpeg", "-q:v", "5"))
    assert found.meta["screen"] == "decode"
    starts = [a for a, _ in found.idle]
    assert len(found.idle) == 3 and abs(starts[1] - 4000) <= 300 and abs(starts[2] - 7000) <= 300


def test_chapters_are_read_and_split_a_recording_into_scenes(
    tmp_path: Path, workspace: Workspace
) -> None:
    plain = _screen(tmp_path / "plain.mp4", "-c:v", "libx264", audio=True)
    meta = tmp_path / "chapters.txt"
    meta.write_text(
        ";FFMETADATA1\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=4000\ntitle=Setting up\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=4000\nEND=10000\ntitle=The loop\n",
        encoding="utf-8",
    )
    marked = tmp_path / "marked.mkv"
    subprocess.run(
        [ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(plain), "-i", str(meta),
         "-map_metadata", "1", "-map_chapters", "1", "-c", "copy", str(marked)],
        check=True, timeout=60,
    )  # fmt: skip
    found = analyse(marked)
    assert [(c.start_ms, c.end_ms, c.title) for c in found.chapters] == [
        (0, 4000, "Setting up"), (4000, 10_000, "The loop"),
    ]  # fmt: skip
    workspace.create_project("long", "Long", width=320, height=180)
    rec = workspace.import_asset("long", marked, kind="screen_capture")
    scenes = split_recording(workspace, "long", rec.id)
    assert [s.title for s in scenes] == ["Setting up", "The loop"]
    edits = [workspace.catalogue.scene_edit("long", s.id) for s in scenes]
    assert [(e.in_ms, e.out_ms) for e in edits if e] == [(0, 4000), (4000, None)]


def test_recordings_that_cannot_be_used_are_refused_in_one_line(
    tmp_path: Path, workspace: Workspace
) -> None:
    workspace.create_project("bad", "Bad", width=320, height=180)
    scene = workspace.add_scene("bad", "Scene")
    good = _screen(tmp_path / "good.mp4", "-c:v", "libx264", "-movflags", "+faststart",
                   audio=True)  # fmt: skip
    cut_short = tmp_path / "cut-short.mp4"
    cut_short.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    sound = tmp_path / "sound.m4a"
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(good), "-vn", "-c:a",
                    "copy", str(sound)], check=True, timeout=60)  # fmt: skip
    for path, message in ((cut_short, "cannot be played to its end"),
                          (sound, "no video stream")):  # fmt: skip
        with pytest.raises(MediaError, match=message):  # refused at import now ...
            workspace.import_asset("bad", path, kind="screen_capture")
        # ... but a catalogue written before imports were checked may hold one
        asset = record_unchecked(workspace, "bad", path, kind="screen_capture")
        with pytest.raises(MediaError, match=message) as caught:
            use_recording(workspace, "bad", scene.id, asset.id)
        assert "\n" not in str(caught.value)
        assert workspace.catalogue.scene_edit("bad", scene.id) is None
    empty = tmp_path / "empty.webm"
    empty.write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        analyse(empty)
