"""The recording toolkit tells the truth: each builder's reported facts are checked against
what is really in the file, with instruments that are themselves checked on known signals."""

from __future__ import annotations

import itertools
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.recordings.media import (
    EDGE_MS,
    PlanItem,
    RecordedScreen,
    SpokenTruth,
    beep_times_ms,
    changed_pixels,
    decode_audio,
    encode_variant,
    flash_beep,
    flash_times_ms,
    frame_stats,
    gray_frames,
    max_jump_at,
    mux,
    packet_times_ms,
    speech_with_gaps,
    typical_jump_in_speech,
    typing_recording,
)
from vidkit.audio import read_wav, wav_info, write_wav
from vidkit.media import ffmpeg_exe, probe
from vidkit.text import spoken_words

pytestmark = pytest.mark.slow

SPEECH_PLAN: list[PlanItem] = [
    ("say", "Let's write a function that adds two numbers."),
    ("pause", 1200),
    ("filler", "um"),
    ("pause", 300),
    ("say", "It takes a and b,"),
    ("filler", "you know"),
    ("say", "and returns their sum."),
    ("pause", 800),
    ("filler", "uh"),
    ("say", "Done."),
    ("pause", 400),
]
TYPING_SCRIPT: list[PlanItem] = [
    ("idle", 1000),
    ("type", "def add(a, b):\n    return a + b"),
    ("idle", 1500),
    ("type", "print(add(2, 3))"),
    ("idle", 800),
]
INSTANTS = [300, 1000, 1433, 2100, 2967, 3600]  # frame starts at 30 fps (1433.3, 2966.7)
CARET_PX = 35  # a blinking caret changes ~25 pixels at this size; a typed key moves it (~50)
FRAME_MS = 40  # Playwright's recorder writes 25 fps


@dataclass(frozen=True)
class Timed:
    value: object
    seconds: float


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> SpokenTruth:
    return speech_with_gaps(tmp_path_factory.mktemp("speech"), SPEECH_PLAN)


@pytest.fixture(scope="module")
def screen_timed(tmp_path_factory: pytest.TempPathFactory) -> Timed:
    start = time.monotonic()
    screen = typing_recording(tmp_path_factory.mktemp("screen"), script=TYPING_SCRIPT)
    return Timed(screen, time.monotonic() - start)


@pytest.fixture(scope="module")
def screen(screen_timed: Timed) -> RecordedScreen:
    assert isinstance(screen_timed.value, RecordedScreen)
    return screen_timed.value


@pytest.fixture(scope="module")
def sync_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return flash_beep(tmp_path_factory.mktemp("sync") / "sync.mp4", seconds=4, instants_ms=INSTANTS)


def dbfs(samples: np.ndarray) -> float:
    x = samples.astype(np.float64) / (32768.0 if samples.dtype == np.int16 else 1.0)
    return float(20 * np.log10(max(np.sqrt(np.mean(x**2)), 1e-9)))


def span(samples: np.ndarray, rate: int, start_ms: float, end_ms: float) -> np.ndarray:
    return samples[int(start_ms * rate / 1000) : int(end_ms * rate / 1000)]


# --- speech ----------------------------------------------------------------------------------


def test_speech_is_one_mono_16_bit_wav_of_every_item(speech: SpokenTruth) -> None:
    info = wav_info(speech.wav)
    assert info.is_mono_pcm16 and info.sample_rate == speech.rate
    assert abs(info.duration_ms - speech.duration_ms) <= 1
    said = [word for kind, text in SPEECH_PLAN if kind == "say" for word in spoken_words(str(text))]
    assert [w for w, _, _ in speech.words] == said
    assert [f for f, _, _ in speech.fillers] == ["um", "you know", "uh"]
    assert [kind for kind, *_ in speech.speech] == [k for k, _ in SPEECH_PLAN if k != "pause"]
    moments = [t for _, s, e in speech.words for t in (s, e)]
    assert moments == sorted(moments), "words overlap or are out of order"


def test_pauses_are_silent_and_as_long_as_planned(speech: SpokenTruth) -> None:
    samples, rate = read_wav(speech.wav)
    planned = [int(v) for k, v in SPEECH_PLAN if k == "pause"]
    assert len(speech.pauses) == len(planned)
    for (start, end), ms in zip(speech.pauses, planned, strict=True):
        # Measured between voiced samples: the planned silence plus Piper's quiet edges.
        assert ms <= end - start <= ms + 2 * EDGE_MS + 10, (start, end, ms)
        assert dbfs(span(samples, rate, start, end)) < -50
        assert dbfs(span(samples, rate, start + EDGE_MS, end - EDGE_MS)) < -58  # the noise floor
        for _, ws, we in (*speech.words, *speech.fillers):
            assert we <= start or ws >= end, "a word inside a pause"
    # Each pause runs from one spoken item's last voiced sample to the next one's first (whose
    # edges the next test checks against the samples).
    ends = {e for *_, e in speech.speech} | {0}
    starts = {s for *_, s, _ in speech.speech} | {speech.duration_ms}
    assert all(s in ends and e in starts for s, e in speech.pauses), speech.pauses


def test_speech_items_words_and_fillers_are_voiced(speech: SpokenTruth) -> None:
    samples, rate = read_wav(speech.wav)
    for kind, text, start, end in speech.speech:
        assert dbfs(span(samples, rate, start, end)) > -25, (kind, text)
        # The edges are real: just outside them it is quiet, just inside it is not.
        assert dbfs(span(samples, rate, start - 15, start)) < -40, (kind, text, "onset")
        assert dbfs(span(samples, rate, end, end + 15)) < -40, (kind, text, "offset")
        assert np.abs(span(samples, rate, start, start + 5)).max() > 328
    for _, start, end in speech.fillers:
        assert dbfs(span(samples, rate, start, end)) > -25
    loud = [dbfs(span(samples, rate, s, e)) > -35 for _, s, e in speech.words]
    # Piper's word timings are good, not perfect: a short word fused with its neighbour can
    # be placed a few tens of ms off (here "a" in "write a function").
    assert sum(loud) >= 0.9 * len(loud)


def test_speech_is_the_same_on_every_run(speech: SpokenTruth, tmp_path: Path) -> None:
    again = speech_with_gaps(tmp_path, SPEECH_PLAN[:3])
    assert again.words == speech.words[: len(again.words)]
    assert again.fillers[0] == speech.fillers[0]
    assert again.pauses[0] == speech.pauses[0]


# --- the typed screen recording --------------------------------------------------------------


def test_typing_recording_is_a_vp8_webm_at_a_variable_frame_rate(screen_timed: Timed) -> None:
    screen = screen_timed.value
    assert isinstance(screen, RecordedScreen)
    assert screen_timed.seconds < 30, f"typing_recording took {screen_timed.seconds:.1f} s"
    assert screen.path.suffix == ".webm" and b"webm" in screen.path.open("rb").read(64)
    info = probe(screen.path)
    assert (info.video_codec, info.width, info.height, info.has_audio) == ("vp8", 640, 360, False)
    assert abs(info.duration_ms - screen.duration_ms) <= 1  # type: ignore[operator]
    durations = np.diff(packet_times_ms(screen.path))
    assert len(set(np.round(durations))) >= 3, sorted(set(durations))
    assert durations.min() <= 2 * FRAME_MS and durations.max() >= 400
    # Playwright's own file: webm, its codec (VP9 in Playwright 1.65), 25 fps.
    raw = probe(screen.raw)
    assert raw.video_codec in ("vp8", "vp9") and (raw.width, raw.height) == (640, 360)
    assert screen.text == "".join(str(v) for k, v in TYPING_SCRIPT if k == "type")


def test_marker_ties_the_page_clock_to_the_video(screen: RecordedScreen) -> None:
    frames = frame_stats(screen.raw)
    before = [f.mean for f in frames if f.pts_ms < screen.marker_ms]
    at = next(f for f in frames if f.pts_ms >= screen.marker_ms)
    assert before and min(before) > 200 and at.mean < 100
    assert abs(at.pts_ms - screen.marker_ms) < 1
    start_skew, _ = screen.python_skew_ms
    assert start_skew < 60, "the page's and Python's clocks disagree"


@pytest.mark.parametrize("which", ["path", "raw"])
def test_typing_stretches_change_the_screen_and_idle_ones_do_not(
    screen: RecordedScreen, which: str
) -> None:
    frames, times = gray_frames(getattr(screen, which))
    change = changed_pixels(frames)
    when = times[1:]  # change[i] shows at frame i + 1
    typed = when[change > CARET_PX]
    assert len(screen.typing) == 2 and len(screen.idle) == 3
    for start, end in screen.typing:
        inside = typed[(typed >= start - FRAME_MS) & (typed <= end + 2 * FRAME_MS)]
        assert inside.size, (start, end)
        # The first and last keystrokes show within a frame or two of the reported edges.
        assert -FRAME_MS <= inside[0] - start <= 2 * FRAME_MS, (inside[0], start)
        assert abs(inside[-1] - end) <= 2 * FRAME_MS, (inside[-1], end)
        # ...and the screen keeps changing all the way through (12 keys a second).
        gaps = np.diff(np.concatenate([[start], inside, [end]]))
        assert gaps.max() <= 500, gaps.max()
    for start, end in screen.idle:
        quiet = (when > start + 3 * FRAME_MS) & (when < end - 3 * FRAME_MS)
        assert quiet.any() or end - start < 6 * FRAME_MS
        assert change[quiet].max(initial=0) <= CARET_PX, (start, end)
    # Idle stretches cover the rest: from the marker to the end, without overlap.
    edges = sorted([*screen.typing, *screen.idle])
    assert edges[0][0] == screen.marker_ms and edges[-1][1] == screen.duration_ms
    assert all(a[1] == b[0] for a, b in itertools.pairwise(edges))


# --- mux -------------------------------------------------------------------------------------


def test_mux_puts_the_speech_under_the_screen(
    screen: RecordedScreen, speech: SpokenTruth, tmp_path: Path
) -> None:
    out = mux(screen.path, speech.wav, tmp_path / "recording.webm")
    info = probe(out)
    assert (info.video_codec, info.audio_codec) == ("vp8", "opus")
    assert packet_times_ms(out) == packet_times_ms(screen.path)  # the video is copied
    audio = decode_audio(out)
    samples, rate = read_wav(speech.wav)
    assert abs(len(audio) / 48 - len(samples) * 1000 / rate) < 30
    for kind, _, start, end in speech.speech:
        assert dbfs(span(audio, 48000, start + 5, end - 5)) > -26, kind
    for start, end in speech.pauses:
        assert dbfs(span(audio, 48000, start + EDGE_MS, end - EDGE_MS)) < -55


@pytest.mark.parametrize("suffix", [".mp4", ".webm", ".mov", ".mkv"])
def test_mux_starts_the_audio_at_the_videos_zero(suffix: str, tmp_path: Path) -> None:
    picture = flash_beep(
        tmp_path / f"silent{suffix}", seconds=3, instants_ms=[500, 2000], audio=False
    )
    assert not probe(picture).has_audio
    beeps = flash_beep(tmp_path / "beeps.mp4", seconds=3, instants_ms=[500, 2000])
    wav = tmp_path / "beeps.wav"
    write_wav(wav, (decode_audio(beeps) * 32767).astype(np.int16), 48000)
    out = mux(picture, wav, tmp_path / f"muxed{suffix}")
    assert flash_times_ms(out) == [500, 2000]
    assert np.allclose(beep_times_ms(out), [500, 2000], atol=1.0)


# --- flashes and beeps -----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".mp4", ".webm"])
def test_flash_beep_marks_each_instant_in_picture_and_sound(suffix: str, tmp_path: Path) -> None:
    clip = flash_beep(tmp_path / f"clip{suffix}", seconds=4, instants_ms=INSTANTS)
    info = probe(clip)
    assert (info.width, info.height, info.fps, info.has_audio) == (320, 180, 30.0, True)
    assert flash_times_ms(clip) == INSTANTS
    frames = frame_stats(clip)
    assert sum(f.mean > 200 for f in frames) == len(INSTANTS)  # one white frame each
    beeps = beep_times_ms(clip)
    assert len(beeps) == len(INSTANTS)
    exact = [round(ms * 30 / 1000) * 1000 / 30 for ms in INSTANTS]  # the frames' start times
    assert np.abs(np.array(beeps) - exact).max() < 1.0, beeps
    # The picture never freezes, and between beeps there is only the -50 dBFS noise.
    grey, _ = gray_frames(clip)
    assert changed_pixels(grey, threshold=10).min() > 0
    audio = decode_audio(clip)
    assert -52 < dbfs(audio[48 * 1600 : 48 * 2000]) < -48
    assert -10 < dbfs(audio[48 * 1005 : 48 * 1030]) < -8.5  # a sine of 0.5 peak: -9 dBFS RMS


def test_beep_detector_finds_no_beeps_in_speech(speech: SpokenTruth) -> None:
    assert beep_times_ms(speech.wav) == []


def test_flash_detector_reads_frame_times_not_frame_counts(sync_clip: Path, tmp_path: Path) -> None:
    # Dropping frames irregularly leaves the kept frames at their times: a detector counting
    # frames would put the later flashes early.
    vfr = encode_variant(sync_clip, tmp_path / "vfr.mp4", vcodec="h264", acodec="aac", vfr=True)
    assert len(frame_stats(vfr)) < len(frame_stats(sync_clip))
    assert flash_times_ms(vfr) == INSTANTS


def test_flash_beep_refuses_instants_between_frames(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no frame start"):
        flash_beep(tmp_path / "x.mp4", seconds=2, instants_ms=[1010])


# --- the jump instruments --------------------------------------------------------------------


def test_max_jump_finds_a_spike_only_within_its_window() -> None:
    rate = 48000
    quiet = (np.sin(2 * np.pi * 200 * np.arange(rate) / rate) * 0.1).astype(np.float32)
    quiet[24000] += 0.5  # at 500 ms
    assert max_jump_at(quiet, rate, [502]) > 0.5
    assert max_jump_at(quiet, rate, [510]) < 0.03
    assert max_jump_at(quiet, rate, [510], window_ms=12) > 0.5
    assert typical_jump_in_speech(quiet, rate, [(0, 400)]) < 0.03


def test_a_hard_splice_clicks_and_a_crossfade_does_not(speech: SpokenTruth) -> None:
    samples, rate = read_wav(speech.wav)
    x = samples.astype(np.float64) / 32768
    first, third = speech.speech_spans[0], speech.speech_spans[2]
    # Join a positive peak of one phrase to a negative peak of another: the worst hard cut.
    a_lo, a_hi = (int(ms * rate / 1000) for ms in (first[0] + 300, first[0] + 400))
    b_lo, b_hi = (int(ms * rate / 1000) for ms in (third[0] + 300, third[0] + 400))
    a = a_lo + int(np.argmax(x[a_lo:a_hi])) + 1
    b = b_lo + int(np.argmin(x[b_lo:b_hi]))
    join_ms = a * 1000 / rate
    hard = np.concatenate([x[:a], x[b:]])
    n = rate * 15 // 1000
    fade = np.linspace(0.0, 1.0, n)
    soft = np.concatenate([x[: a - n], x[a - n : a] * fade[::-1] + x[b : b + n] * fade, x[b + n :]])
    spans = speech.speech_spans[:2]
    typical = typical_jump_in_speech(hard, rate, spans)
    assert max_jump_at(hard, rate, [join_ms]) > typical
    assert max_jump_at(soft, rate, [join_ms - 7.5], window_ms=8) < typical


# --- recordings in the formats people make ---------------------------------------------------

Expected = tuple[str | None, str | None, int | None, int | None]  # codecs, width, height
H264_AAC: dict[str, object] = {"vcodec": "h264", "acodec": "aac"}
VARIANTS: list[tuple[str, dict[str, object], Expected]] = [
    ("h264.mp4", H264_AAC, ("h264", "aac", 320, 180)),
    ("hevc.mov", {"vcodec": "hevc", "acodec": "aac"}, ("hevc", "aac", 320, 180)),
    ("vp9.mkv", {"vcodec": "vp9", "acodec": "opus"}, ("vp9", "opus", 320, 180)),
    ("av1.webm", {"vcodec": "av1", "acodec": "opus"}, ("av1", "opus", 320, 180)),
    ("voice.mp3", {"vcodec": None, "acodec": "mp3"}, (None, "mp3", None, None)),
    ("mute.mp4", {"vcodec": "h264"}, ("h264", None, 320, 180)),
    ("laptop.mp4", {**H264_AAC, "size": (1366, 768)}, ("h264", "aac", 1366, 768)),
    ("qhd.mp4", {**H264_AAC, "size": (2560, 1440), "seconds": 1.5}, ("h264", "aac", 2560, 1440)),
    ("portrait.mp4", {**H264_AAC, "size": (720, 1280)}, ("h264", "aac", 720, 1280)),
    ("vfr.mkv", {"vcodec": "h264", "acodec": "opus", "vfr": True}, ("h264", "opus", 320, 180)),
]


@pytest.mark.parametrize(("name", "options", "expected"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_variants_probe_as_intended_and_keep_sync(
    sync_clip: Path,
    tmp_path: Path,
    name: str,
    options: dict[str, object],
    expected: Expected,
) -> None:
    out = encode_variant(sync_clip, tmp_path / name, **options)  # type: ignore[arg-type]
    info = probe(out)
    assert (info.video_codec, info.audio_codec, info.width, info.height) == expected
    seconds = options.get("seconds", 4)
    assert isinstance(seconds, float | int)
    assert abs(info.duration_ms - seconds * 1000) <= 30  # type: ignore[operator]
    kept = [ms for ms in INSTANTS if ms < seconds * 1000]
    if info.has_video:
        assert flash_times_ms(out) == kept
    if info.has_audio:
        exact = [round(ms * 30 / 1000) * 1000 / 30 for ms in kept]
        assert np.abs(np.array(beep_times_ms(out)) - exact).max() < 1.0
    if options.get("vfr"):
        durations = np.round(np.diff(packet_times_ms(out)), 1)
        assert len(set(durations)) >= 3, sorted(set(durations))


def test_portrait_from_a_phone_is_stored_turned_and_displayed_upright(
    sync_clip: Path, tmp_path: Path
) -> None:
    def portrait(name: str, *, turned: bool) -> Path:
        return encode_variant(
            sync_clip, tmp_path / name, vcodec="h264", size=(720, 1280), seconds=1.2,
            rotate_portrait=turned,
        )  # fmt: skip

    upright, phone = portrait("upright.mp4", turned=False), portrait("phone.mp4", turned=True)
    banner = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(phone)], capture_output=True, text=True
    ).stderr
    assert ", 1280x720" in banner and "rotation of -90.00 degrees" in banner  # as stored
    info = probe(phone)
    assert (info.width, info.height) == (720, 1280)  # as shown
    shown, _ = gray_frames(phone)  # ffmpeg applies the display matrix when decoding
    expected, _ = gray_frames(upright)
    assert shown.shape == expected.shape == (36, 1280, 720)
    assert np.abs(shown.astype(int) - expected.astype(int)).mean() < 1.0
    assert flash_times_ms(phone) == [300, 1000]


def test_decode_audio_says_when_there_is_none(sync_clip: Path, tmp_path: Path) -> None:
    mute = encode_variant(sync_clip, tmp_path / "mute.mp4", vcodec="h264")
    with pytest.raises(ValueError, match="no audio"):
        decode_audio(mute)
