"""The content-addressed asset store and importing media through the workspace."""

from __future__ import annotations

import io
import resource
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.bad_media import png, truncated_faststart_mp4
from vidkit.api import Workspace
from vidkit.assets import AssetStore
from vidkit.errors import AssetError, InvalidInput, MediaError, NotFound
from vidkit.media import ffmpeg_exe, parse_probe, probe
from vidkit.model import AUDIO_KINDS, IMAGE_KINDS, MEDIA_KINDS, VIDEO_KINDS


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


# ---- imports check what they store (#12) ---------------------------------------------------


def _nothing_kept(ws: Workspace, slug: str) -> None:
    assert ws.assets(slug) == []
    assert not list((ws.store.root / "tmp").iterdir()), "no staging leftovers"
    objects = ws.store.root / "objects"
    assert not objects.exists() or not [p for p in objects.rglob("*") if p.is_file()]


def test_the_kinds_cover_every_media_kind() -> None:
    assert VIDEO_KINDS | AUDIO_KINDS | IMAGE_KINDS == MEDIA_KINDS
    assert not (VIDEO_KINDS & AUDIO_KINDS or VIDEO_KINDS & IMAGE_KINDS or AUDIO_KINDS & IMAGE_KINDS)


def test_a_video_cut_short_is_refused_though_its_header_is_whole(
    workspace: Workspace, tmp_path: Path
) -> None:
    workspace.create_project("p", "P")
    cut = truncated_faststart_mp4(tmp_path)
    assert probe(cut).duration_ms == 4000  # the header alone looks fine
    with pytest.raises(MediaError, match=r"^cut\.mp4 cannot be played to its \w+ .*again$"):
        workspace.import_asset("p", cut, kind="screen_capture")
    with pytest.raises(MediaError, match="cannot be played"):
        workspace.import_stream(
            "p", io.BytesIO(cut.read_bytes()), filename="x.mp4", kind="final_video"
        )
    _nothing_kept(workspace, "p")


def test_a_video_kind_needs_a_picture_and_an_audio_kind_a_sound(
    workspace: Workspace, tmp_path: Path, make_media: Callable[..., Path]
) -> None:
    workspace.create_project("p", "P")
    with pytest.raises(MediaError, match=r"tone\.wav has no video stream"):
        workspace.import_asset("p", make_media("audio", 1.0), kind="screen_capture")
    renamed = tmp_path / "song.wav"
    renamed.write_bytes(png(tmp_path, 100, 100).read_bytes())
    with pytest.raises(MediaError, match=r"^song\.wav has no audio stream; choose a sound file"):
        workspace.import_asset("p", renamed, kind="music")
    with pytest.raises(MediaError, match="has no audio stream"):
        workspace.import_asset("p", make_media("silent-video", 1.0), kind="voice_sample")
    _nothing_kept(workspace, "p")
    music = workspace.import_asset("p", make_media("video", 3.0), kind="music")  # its sound
    assert music.metadata["has_audio"]


def test_sound_cut_short_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    workspace.create_project("p", "P")
    whole = tmp_path / "whole.m4a"
    subprocess.run(
        [ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=5",
         "-c:a", "aac", "-movflags", "+faststart", str(whole)],
        check=True, timeout=60,
    )  # fmt: skip
    cut = tmp_path / "cut.m4a"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
    assert probe(cut).duration_ms == 5000  # the header still promises 5 s
    with pytest.raises(MediaError, match=r"^cut\.m4a cannot be played to its end"):
        workspace.import_asset("p", cut, kind="tts_audio")
    _nothing_kept(workspace, "p")
    workspace.import_asset("p", whole, kind="music")


@pytest.mark.parametrize(
    ("size", "error", "message"),
    [
        ((1, 1), InvalidInput, r"^tiny\.png is only 1 x 1 pixels; use a picture at least 64"),
        ((20000, 20000), InvalidInput, r"^tiny\.png has too many pixels .* scale it down"),
        ((12500, 12500), InvalidInput, r"^tiny\.png is 12500 x 12500 pixels, more than 150"),
    ],
)
def test_pictures_too_small_or_too_large_are_refused_without_decoding_them(
    workspace: Workspace, tmp_path: Path, size: tuple[int, int], error: type, message: str
) -> None:
    workspace.create_project("p", "P")
    picture = png(tmp_path, *size, name="tiny.png")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    for kind in ("avatar_image", "image", "avatar_cutout"):
        with pytest.raises(error, match=message):
            workspace.import_asset("p", picture, kind=kind)
    assert time.monotonic() - started < 5
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 100, "the picture was decoded"
    _nothing_kept(workspace, "p")


def test_a_picture_must_decode_whole_and_be_still(
    workspace: Workspace, tmp_path: Path, make_media: Callable[..., Path]
) -> None:
    workspace.create_project("p", "P")
    whole = png(tmp_path, 300, 300, name="whole.png").read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(MediaError, match=r"^cut\.png is not a readable image .* as PNG or JPEG$"):
        workspace.import_asset("p", cut, kind="avatar_image")
    with pytest.raises(MediaError, match=r"clip\.mp4 is not a readable image"):
        workspace.import_asset("p", make_media("video", 1.0), kind="image")
    _nothing_kept(workspace, "p")
    photo = workspace.import_asset("p", tmp_path / "whole.png", kind="avatar_image")
    assert (photo.metadata["width"], photo.metadata["height"]) == (300, 300)
