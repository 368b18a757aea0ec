"""The talking-head service animator against loopback stand-ins that speak Duix's and a
HeyGen-style wire format, including the ways such a service fails."""

from __future__ import annotations

import subprocess
import wave
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from tests.backends.service_servers import StandIn, stand_in
from vidkit.backends.animator import frame_count
from vidkit.backends.animator.duix import DuixDialect
from vidkit.backends.animator.heygen import HeyGenDialect
from vidkit.backends.animator.service import ServiceAnimator, split_points
from vidkit.errors import BackendError
from vidkit.media import ffmpeg_exe
from vidkit.timing import Timings, WordTiming

FPS = Fraction(25)


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("video") / "talk.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
         "testsrc=size=64x48:rate=25", "-t", "1", "-pix_fmt", "yuv420p", "-c:v", "mpeg4",
         str(out)],
        check=True,
    )  # fmt: skip
    return out


def _wav(path: Path, ms: int) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * (16 * ms))
    return path


def _portrait() -> np.ndarray:
    portrait = np.zeros((48, 64, 4), np.uint8)
    portrait[..., :3] = 90
    portrait[8:40, 16:48, 3] = 255
    return portrait


def _timings(ms: int, words: tuple[WordTiming, ...] = ()) -> Timings:
    return Timings(duration_ms=ms, words=words)


@pytest.fixture
def duix(video: Path, tmp_path: Path) -> Iterator[StandIn]:
    shared = tmp_path / "shared"
    shared.mkdir()
    with stand_in(video, shared) as server:
        yield server


def _duix_animator(server: StandIn, **kwargs: float) -> ServiceAnimator:
    assert server.shared_dir is not None
    dialect = DuixDialect(server.url, shared_dir=server.shared_dir, timeout_s=5)
    options = {"poll_s": 0.01, "timeout_s": 10.0, **kwargs}
    return ServiceAnimator(dialect, None, **options)


def _heygen_animator(server: StandIn, **kwargs: float) -> ServiceAnimator:
    dialect = HeyGenDialect(server.url, api_key="sekrit", timeout_s=5)
    options = {"poll_s": 0.01, "timeout_s": 10.0, **kwargs}
    return ServiceAnimator(dialect, None, **options)


def _run(animator: ServiceAnimator, tmp_path: Path, ms: int = 1500, words=()) -> list:
    wav = _wav(tmp_path / "narration.wav", ms)
    return list(animator.frames(_portrait(), None, wav, _timings(ms, words), FPS))  # type: ignore[arg-type]


def test_duix_job_submits_polls_and_returns_matted_frames(duix: StandIn, tmp_path: Path) -> None:
    frames = _run(_duix_animator(duix), tmp_path, 1500)
    assert len(frames) == frame_count(1500, FPS)  # a 1 s clip held to 1.5 s
    assert all(f.shape == (48, 64, 4) and f.dtype == np.uint8 for f in frames)
    assert np.array_equal(frames[0][..., 3], _portrait()[..., 3])  # the portrait's alpha
    assert frames[0][..., :3].std() > 10  # the service's picture, not the grey portrait
    submit = next(s for s in duix.seen if s.path == "/easy/submit")
    job = submit.json()
    assert job["code"].startswith("vidkit-") and job["video_url"].endswith("-face.mp4")
    assert submit.files_present == {"audio_url": True, "video_url": True}
    assert duix.paths("GET").count("/easy/query") == 2  # processing, then done
    assert list(duix.shared_dir.iterdir()) == []  # inputs and result cleaned away


def test_heygen_job_uploads_generates_polls_and_downloads(video: Path, tmp_path: Path) -> None:
    with stand_in(video) as server:
        frames = _run(_heygen_animator(server), tmp_path, 800)
    assert len(frames) == frame_count(800, FPS)
    assert server.paths() == [
        "/v1/talking_photo", "/v1/asset", "/v2/video/generate",
        "/v1/video_status.get", "/v1/video_status.get", "/files/video.mp4",
    ]  # fmt: skip
    photo, audio, generate = server.seen[:3]
    assert photo.headers["Content-Type"] == "image/png" and photo.body[:4] == b"\x89PNG"
    assert audio.headers["Content-Type"] == "audio/mpeg"
    assert audio.body[:3] == b"ID3" or audio.body[0] == 0xFF  # an MP3 (ID3 tag or frame sync)
    assert all(s.headers.get("X-Api-Key") == "sekrit" for s in server.seen[:5])
    (clip,) = generate.json()["video_inputs"]
    assert clip["character"] == {"type": "talking_photo", "talking_photo_id": "tp1"}
    assert clip["voice"] == {"type": "audio", "audio_asset_id": "audio1"}


def _words(*spec: tuple[str, int, int]) -> tuple[WordTiming, ...]:
    return tuple(WordTiming(w, a, b) for w, a, b in spec)


def test_long_narration_is_split_at_sentence_ends() -> None:
    words = _words(
        ("One", 0, 300), ("two.", 300, 700), ("Three", 900, 1200), ("four", 1300, 1600),
        ("five", 1900, 2300), ("six.", 2300, 2800), ("Seven", 3000, 3400),
    )  # fmt: skip
    # the sentence end at 700-900 beats the longer pause at 1600-1900
    # then no sentence end within 2 s of 800: the longest pause, 1600-1900
    assert split_points(_timings(3500, words), 2000) == [800, 1750]
    # no sentence end in reach: the longest pause
    plain = _words(("a", 0, 500), ("b", 600, 1000), ("c", 1400, 1900), ("d", 2000, 2600))
    assert split_points(_timings(2600, plain), 2000) == [1200]
    assert split_points(_timings(4500), 2000) == [2000, 4000]  # no words at all
    assert split_points(_timings(1500, words), 2000) == []


def test_each_piece_is_one_job_and_no_frame_is_lost(duix: StandIn, tmp_path: Path) -> None:
    words = _words(
        ("Hello", 0, 400), ("there.", 400, 900), ("More", 1100, 1600), ("now.", 1600, 2300)
    )
    frames = _run(_duix_animator(duix, max_seconds=1.5), tmp_path, 2400, words)
    assert len(frames) == frame_count(2400, FPS)
    jobs = [s.json() for s in duix.seen if s.path == "/easy/submit"]
    assert len(jobs) == 2


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("fail", "failed the job: no face detected"),
        ("http500", r"failed \(HTTP 500\): CUDA out of memory"),
        ("http400", r"rejected the request \(HTTP 400\): audio too long"),
        ("malformed", "not JSON"),
        ("not_video", "not a video"),
        ("never", "did not finish a clip in 1.5 s"),
    ],
)
def test_duix_failures_are_one_clear_error(
    duix: StandIn, tmp_path: Path, mode: str, message: str
) -> None:
    duix.mode = mode
    with pytest.raises(BackendError, match=message) as caught:
        _run(_duix_animator(duix, timeout_s=1.5, poll_s=0.05), tmp_path, 500)
    assert "[services.lipsync]" in str(caught.value) or mode in ("fail", "not_video")


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("fail", "failed the video: bad photo"),
        ("http500", "HTTP 500"),
        ("malformed", "not JSON"),
        ("not_video", "not a video"),
        ("never", "did not finish"),
    ],
)
def test_heygen_failures_are_one_clear_error(
    video: Path, tmp_path: Path, mode: str, message: str
) -> None:
    with stand_in(video) as server:
        server.mode = mode
        with pytest.raises(BackendError, match=message):
            _run(_heygen_animator(server, timeout_s=1.5, poll_s=0.05), tmp_path, 500)


def test_a_service_that_is_not_there(tmp_path: Path) -> None:
    dialect = HeyGenDialect("http://127.0.0.1:9", api_key=None, timeout_s=2)
    with pytest.raises(BackendError, match=r"cannot reach .*check \[services.lipsync\] url"):
        _run(ServiceAnimator(dialect, None), tmp_path, 500)


def test_capability_comes_from_each_dialect(duix: StandIn, video: Path) -> None:
    assert "animates (Duix" in _duix_animator(duix).capability()
    with stand_in(video) as server:
        assert "remaining quota 3600" in _heygen_animator(server).capability()
        assert server.paths() == ["/v2/user/remaining_quota"]
        server.mode = "malformed"
        with pytest.raises(BackendError, match="not JSON"):
            _heygen_animator(server).capability()


def test_doctor_reports_what_each_dialect_offers(
    duix: StandIn, video: Path, tmp_path: Path
) -> None:
    from tests.conftest import write_config
    from vidkit.config import load_config
    from vidkit.doctor import check_service_capabilities

    assert duix.shared_dir is not None
    text = f'[services.lipsync]\nurl = "{duix.url}"\nshared_dir = "{duix.shared_dir.as_posix()}"\n'
    (check,) = check_service_capabilities(load_config(write_config(tmp_path / "d", text)))
    assert check.ok and check.detail.startswith("animates (Duix")
    assert duix.paths() == ["/easy/query"]
    with stand_in(video) as server:
        text = f'[services.lipsync]\nurl = "{server.url}"\nprotocol = "heygen"\n'
        config = load_config(write_config(tmp_path / "h", text))
        (check,) = check_service_capabilities(config)
        assert check.ok and "remaining quota 3600" in check.detail
        server.mode = "http500"
        (check,) = check_service_capabilities(config)
        assert not check.ok and "HTTP 500" in check.detail
        assert check.fix.startswith("fix [services.lipsync]")


def test_the_registry_builds_it_and_mattes_every_frame(duix: StandIn, tmp_path: Path) -> None:
    """Through ``[services.lipsync]``: the service's video of a person on grey is cut out by
    the selfie segmenter, frame by frame, not given the portrait's alpha."""
    from tests.backends import portraits
    from tests.conftest import write_config
    from vidkit.backends.registry import build_animator
    from vidkit.config import load_config

    assert duix.shared_dir is not None
    person = tmp_path / "person.png"
    import cv2

    cv2.imwrite(str(person), portraits.astronaut()[::4, ::4, ::-1])
    duix.video = tmp_path / "person.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-loop", "1", "-i", str(person),
         "-t", "0.5", "-r", "25", "-pix_fmt", "yuv420p", "-c:v", "mpeg4", str(duix.video)],
        check=True,
    )  # fmt: skip
    text = (
        f'[services.lipsync]\nurl = "{duix.url}"\nshared_dir = "{duix.shared_dir.as_posix()}"\n'
        "poll_s = 0.01\n"
    )
    animator = build_animator(load_config(write_config(tmp_path / "ws", text)))
    assert isinstance(animator, ServiceAnimator) and isinstance(animator.dialect, DuixDialect)
    portrait = np.full((128, 128, 4), 255, np.uint8)  # opaque: the alpha must come from matting
    wav = _wav(tmp_path / "n.wav", 400)
    frames = list(animator.frames(portrait, None, wav, _timings(400), FPS))  # type: ignore[arg-type]
    assert len(frames) == frame_count(400, FPS)
    alpha = frames[0][..., 3]
    assert 0.1 < (alpha > 127).mean() < 0.9  # the person kept, the background cut
