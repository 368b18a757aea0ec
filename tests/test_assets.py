"""The content-addressed asset store and importing media through the workspace."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from vidkit.api import Workspace
from vidkit.assets import AssetStore
from vidkit.errors import AssetError, InvalidInput, MediaError, NotFound
from vidkit.media import parse_probe, probe


def test_same_content_is_stored_once(workspace: Workspace, make_media: Callable[..., Path]) -> None:
    workspace.create_project("p", "P")
    clip = make_media("video", 1.0)
    copy = clip.with_name("copy.mp4")
    copy.write_bytes(clip.read_bytes())
    first = workspace.import_asset("p", clip, kind="screen_capture")
    again = workspace.import_asset("p", copy, kind="screen_capture")
    assert again.id == first.id
    files = [p for p in (workspace.store.root / "objects").rglob("*") if p.is_file()]
    assert len(files) == 1
    assert workspace.asset_path(first).read_bytes() == clip.read_bytes()
    assert not list((workspace.store.root / "tmp").iterdir()), "no staging leftovers"


def test_media_duration_and_streams_are_recorded(
    workspace: Workspace, make_media: Callable[..., Path]
) -> None:
    workspace.create_project("p", "P")
    scene = workspace.add_scene("p", "S")
    video = workspace.import_asset(
        "p", make_media("video", 2.0), kind="screen_capture", scene_id=scene.id
    )
    assert video.duration_ms is not None and abs(video.duration_ms - 2000) <= 50
    assert video.metadata["has_video"] and video.metadata["has_audio"]
    assert (video.metadata["width"], video.metadata["height"]) == (160, 120)
    assert video.scene_id == scene.id
    audio = workspace.import_asset("p", make_media("audio", 1.5), kind="tts_audio")
    assert audio.duration_ms == 1500 and not audio.metadata["has_video"]
    image = workspace.import_asset("p", make_media("image"), kind="avatar_image")
    assert image.duration_ms is None and image.metadata["width"] == 64
    silent = workspace.import_asset("p", make_media("silent-video", 1.0), kind="screen_capture")
    assert silent.metadata["has_video"] and not silent.metadata["has_audio"]
    assert [a.kind for a in workspace.assets("p", kind="screen_capture")] == ["screen_capture"] * 2


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"\x00garbage" * 500, "not a readable audio, video or image file")],
)
def test_corrupt_or_empty_media_is_refused_and_nothing_kept(
    workspace: Workspace, tmp_path: Path, content: bytes, message: str
) -> None:
    workspace.create_project("p", "P")
    bad = tmp_path / "recording.mp4"
    bad.write_bytes(content)
    with pytest.raises(MediaError, match=message) as info:
        workspace.import_asset("p", bad, kind="screen_capture")
    assert "recording.mp4" in str(info.value)
    assert workspace.assets("p") == []
    assert not list((workspace.store.root / "tmp").iterdir())
    assert not (workspace.store.root / "objects").exists()


def test_text_file_as_code_is_fine_but_not_as_video(workspace: Workspace, tmp_path: Path) -> None:
    workspace.create_project("p", "P")
    notes = tmp_path / "notes.txt"
    notes.write_text("just some words\n")
    assert workspace.import_asset("p", notes, kind="document").duration_ms is None
    with pytest.raises(MediaError):
        workspace.import_asset("p", notes, kind="screen_capture")


def test_import_errors_name_the_problem(workspace: Workspace, tmp_path: Path) -> None:
    workspace.create_project("p", "P")
    with pytest.raises(AssetError, match="no such file"):
        workspace.import_asset("p", tmp_path / "missing.mp4", kind="screen_capture")
    with pytest.raises(AssetError, match="not a regular file"):
        workspace.import_asset("p", tmp_path, kind="screen_capture")
    code = tmp_path / "a.py"
    code.write_text("x = 1\n")
    with pytest.raises(InvalidInput, match="unknown asset kind"):
        workspace.import_asset("p", code, kind="spreadsheet")
    with pytest.raises(NotFound):
        workspace.import_asset("nope", code, kind="code_file")
    with pytest.raises(NotFound):
        workspace.import_asset("p", code, kind="code_file", scene_id=999)
    assert workspace.assets("p") == []


@pytest.mark.parametrize(
    "relpath", ["../escape.txt", "/etc/passwd", "objects/../../x", "C:/windows", "..\\x", ""]
)
def test_paths_that_escape_the_root_are_refused(tmp_path: Path, relpath: str) -> None:
    store = AssetStore(tmp_path / "assets")
    with pytest.raises(AssetError, match="outside the assets root"):
        store.resolve(relpath)


def test_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "assets"
    (root / "objects").mkdir(parents=True)
    (root / "objects" / "link").symlink_to(tmp_path)
    with pytest.raises(AssetError, match="leads outside"):
        AssetStore(root).resolve("objects/link/secret")


def test_stream_import_and_unsafe_suffix(workspace: Workspace) -> None:
    workspace.create_project("p", "P")
    asset = workspace.import_stream(
        "p", io.BytesIO(b"print('hi')\n"), filename="../../x.P Y", kind="code_file"
    )
    assert asset.path.startswith("objects/") and not asset.path.endswith("Y")
    assert asset.metadata["filename"] == "x.P Y"


def test_delete_asset_keeps_shared_files(workspace: Workspace, tmp_path: Path) -> None:
    workspace.create_project("p", "P")
    code = tmp_path / "a.py"
    code.write_text("x = 1\n")
    as_code = workspace.import_asset("p", code, kind="code_file")
    as_doc = workspace.import_asset("p", code, kind="document")
    workspace.delete_asset("p", as_code.id)
    assert workspace.asset_path(as_doc).is_file()
    workspace.delete_asset("p", as_doc.id)
    assert not workspace.asset_path(as_doc).exists()


def test_probe_parses_ffmpeg_banner() -> None:
    banner = (
        "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':\n"
        "  Duration: 01:02:03.45, start: 0.000000, bitrate: 1 kb/s\n"
        "  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), "
        "1920x1080 [SAR 1:1 DAR 16:9], 30 fps, 30 tbr, 15360 tbn (default)\n"
        "  Stream #0:1[0x2](eng): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo\n"
    )
    info = parse_probe(banner, name="x.mp4")
    assert info.duration_ms == 3_723_450
    assert (info.width, info.height, info.fps) == (1920, 1080, 30.0)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")


def test_probe_of_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="does not exist"):
        probe(tmp_path / "none.mp4")
