"""Recordings made for real, with the truth about them, and instruments that measure any output.

Builders (each returns or writes a file whose ground truth is *measured*, not just planned):

- :func:`speech_with_gaps`: real Piper speech, one synthesis per spoken item, with pauses of
  near-digital silence (-60 dBFS seeded noise) and spoken fillers at known times.
- :func:`typing_recording`: headless Chromium, driven by Playwright, typing code into a dark
  page while Playwright records the screen; the page's and Python's clocks are tied to the
  video's by a white marker at the start.
- :func:`mux`: a recording's video with a WAV as its audio.
- :func:`flash_beep`: a lavfi clip with a full-white frame and a 1 kHz beep of one frame at
  each planned instant, for audio/video sync.
- :func:`encode_variant`: one source re-encoded the ways people's recordings come (H.264/HEVC/
  VP9/AV1, AAC/Opus/MP3 or no audio, odd sizes, portrait, variable frame rate).

Instruments: :func:`flash_times_ms`, :func:`beep_times_ms`, :func:`decode_audio`,
:func:`max_jump_at`, :func:`typical_jump_in_speech`, :func:`frame_stats`, :func:`gray_frames`,
:func:`packet_times_ms`, :func:`changed_pixels`.

All times are milliseconds on the file's own clock (ffmpeg's, after it subtracts the file's
start time, the same for audio and video).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from vidkit.audio import read_wav, write_wav
from vidkit.media import ffmpeg_exe

__all__ = [
    "FILLERS",
    "FrameStat",
    "RecordedScreen",
    "SpokenTruth",
    "beep_times_ms",
    "changed_pixels",
    "decode_audio",
    "encode_variant",
    "flash_beep",
    "flash_times_ms",
    "frame_stats",
    "gray_frames",
    "max_jump_at",
    "mux",
    "packet_times_ms",
    "speech_with_gaps",
    "typical_jump_in_speech",
    "typing_recording",
    "voiced_span",
]

Span = tuple[int, int]
TimedText = tuple[str, int, int]
PlanItem = tuple[str, str | int]
Floats = npt.NDArray[np.float32]

FILLERS = ("um", "uh", "erm", "you know")
VOICED_DBFS = -40.0  # a 10 ms window louder than this is voiced; the pause noise is -60 dBFS
EDGE_MS = 40  # Piper's own lead-in and tail kept around each spoken item's voiced samples
WHITE = 200  # mean luma (0-255, full range) of a frame that counts as a white flash
DARK = 100


def _ffmpeg(*args: str, timeout: float = 300.0) -> subprocess.CompletedProcess[bytes]:
    """Run the bundled ffmpeg; raise with the end of its log if it fails."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", *args]
    result = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    if result.returncode != 0:
        log = result.stderr.decode("utf-8", "replace")[-3000:]
        raise RuntimeError(f"ffmpeg failed ({result.returncode}): {' '.join(cmd)}\n{log}")
    return result


# --- speech with gaps ------------------------------------------------------------------------


@dataclass(frozen=True)
class SpokenTruth:
    """A WAV of real speech and what is in it, measured on the joined file.

    ``words``: every word of the "say" items, from Piper's word timings moved onto the joined
    clock and kept inside the item's voiced samples. ``fillers``: each filler item from its
    first to its last voiced sample. ``pauses``: each run of pause items, from the last voiced
    sample before it to the first after it (so Piper's own quiet lead-in and tail, up to
    :data:`EDGE_MS` each, count as pause, as they would for a listener).
    ``speech``: the voiced span of every spoken item, in plan order, as (kind, text, start, end).
    """

    wav: Path
    rate: int
    duration_ms: int
    words: tuple[TimedText, ...]
    fillers: tuple[TimedText, ...]
    pauses: tuple[Span, ...]
    speech: tuple[tuple[str, str, int, int], ...]

    @property
    def speech_spans(self) -> tuple[Span, ...]:
        return tuple((start, end) for _, _, start, end in self.speech)


def voiced_span(
    samples: npt.NDArray[Any],
    rate: int,
    *,
    threshold_dbfs: float = VOICED_DBFS,
    window_ms: int = 10,
) -> tuple[int, int] | None:
    """First and one-past-last voiced sample: the outermost samples louder than the threshold
    inside the first and last ``window_ms`` windows whose RMS is above it (None if silent)."""
    x = _as_float(samples)
    width = max(1, rate * window_ms // 1000)
    if len(x) < width:
        return None
    energy = np.concatenate([[0.0], np.cumsum(x.astype(np.float64) ** 2)])
    rms = np.sqrt(np.maximum(energy[width:] - energy[:-width], 0.0) / width)
    threshold = 10 ** (threshold_dbfs / 20)
    loud = np.flatnonzero(rms > threshold)
    if loud.size == 0:
        return None
    first, last = int(loud[0]), int(loud[-1])
    start = first + int(np.argmax(np.abs(x[first : first + width]) > threshold))
    tail = np.abs(x[last : last + width])[::-1] > threshold
    end = last + width - int(np.argmax(tail))
    return start, end


def _as_float(samples: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    if samples.dtype == np.int16:
        return samples.astype(np.float64) / 32768.0
    return samples.astype(np.float64)


def speech_with_gaps(
    folder: Path,
    plan: Sequence[PlanItem],
    *,
    noise_dbfs: float = -60.0,
    seed: int = 0,
    tts: Any = None,
) -> SpokenTruth:
    """Speak ``plan`` with real Piper into ``folder/speech.wav`` (16-bit mono, Piper's rate).

    Items: ``("say", text)``, ``("filler", "um")`` (or "uh", "erm", "you know"; one Piper
    synthesis per item, trimmed to :data:`EDGE_MS` around its voiced samples), and
    ``("pause", ms)`` (that much digital silence). Seeded noise at ``noise_dbfs`` (RMS) runs
    under the whole file, as a room would. ``tts`` defaults to the noise-free shared Piper
    (the same text gives the same samples on every run).
    """
    if tts is None:
        from tests.backends.tts_doubles import steady_piper

        tts = steady_piper()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    spoken: dict[int, tuple[npt.NDArray[np.int16], int, Any]] = {}
    rate = 0
    for index, (kind, value) in enumerate(plan):
        if kind == "pause":
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"item {index}: a pause is a positive whole number of ms")
            continue
        if kind not in ("say", "filler") or not isinstance(value, str) or not value.strip():
            raise ValueError(f"item {index}: expected ('say'|'filler', text) or ('pause', ms)")
        if kind == "filler" and value not in FILLERS:
            raise ValueError(f"item {index}: fillers are {FILLERS}, not {value!r}")
        part = folder / f"item{index:02d}.wav"
        timings = tts.synthesize(value, part)
        samples, item_rate = read_wav(part)
        if rate and item_rate != rate:
            raise ValueError(f"the voice changed sample rate mid-plan ({rate} → {item_rate})")
        rate = item_rate
        span = voiced_span(samples, rate)
        if span is None:
            raise ValueError(f"item {index}: Piper produced no voiced audio for {value!r}")
        edge = rate * EDGE_MS // 1000
        lo, hi = max(0, span[0] - edge), min(len(samples), span[1] + edge)
        spoken[index] = (samples[lo:hi], lo, timings)
    if not spoken:
        raise ValueError("the plan speaks nothing")

    pieces: list[npt.NDArray[np.int16]] = []
    placed: list[tuple[int, int, int]] = []  # (plan index, start sample, end sample)
    raw_words: list[tuple[int, str, float, float]] = []  # plan index, word, Piper's times
    cursor = 0
    for index, (kind, value) in enumerate(plan):
        if kind == "pause":
            assert isinstance(value, int)
            count = rate * value // 1000
            pieces.append(np.zeros(count, dtype=np.int16))
            cursor += count
            continue
        audio, trimmed, timings = spoken[index]
        pieces.append(audio)
        if kind == "say":
            shift = (cursor - trimmed) * 1000 / rate
            for word in timings.words:
                raw_words.append((index, word.word, word.start_ms + shift, word.end_ms + shift))
        placed.append((index, cursor, cursor + len(audio)))
        cursor += len(audio)

    clean = np.concatenate(pieces).astype(np.float64)
    noise = np.random.default_rng(seed).standard_normal(len(clean))
    mixed = clean + noise * (10 ** (noise_dbfs / 20) * 32768)
    samples = np.clip(np.round(mixed), -32768, 32767).astype(np.int16)
    wav = folder / "speech.wav"
    write_wav(wav, samples, rate)

    speech: list[tuple[str, str, int, int]] = []
    voiced: dict[int, tuple[int, int]] = {}
    for index, lo, hi in placed:
        span = voiced_span(samples[lo:hi], rate)
        assert span is not None
        voiced[index] = (lo + span[0], lo + span[1])
        kind, text = plan[index]
        speech.append((kind, str(text), _ms(lo + span[0], rate), _ms(lo + span[1], rate)))
    fillers = tuple((text, s, e) for kind, text, s, e in speech if kind == "filler")
    words: list[TimedText] = []
    for index, word, start, end in raw_words:  # Piper's times, kept inside the voiced samples
        lo, hi = (_ms(edge, rate) for edge in voiced[index])
        words.append((word, round(min(max(start, lo), hi)), round(min(max(end, lo), hi))))

    pauses: list[Span] = []
    index = 0
    while index < len(plan):
        if plan[index][0] != "pause":
            index += 1
            continue
        run_end = index
        while run_end < len(plan) and plan[run_end][0] == "pause":
            run_end += 1
        before = [voiced[i][1] for i in range(index) if i in voiced]
        after = [voiced[i][0] for i in range(run_end, len(plan)) if i in voiced]
        pauses.append((_ms(before[-1], rate) if before else 0, _ms(after[0], rate) if after else 0))
        if not after:
            pauses[-1] = (pauses[-1][0], _ms(len(samples), rate))
        index = run_end
    return SpokenTruth(
        wav=wav,
        rate=rate,
        duration_ms=_ms(len(samples), rate),
        words=tuple(words),
        fillers=fillers,
        pauses=tuple(pauses),
        speech=tuple(speech),
    )


def _ms(sample: int, rate: int) -> int:
    return round(sample * 1000 / rate)


# --- a typed screen recording ----------------------------------------------------------------

# How long the white marker page shows before the dark editor, per attempt: on a loaded machine
# Playwright's screencast can deliver its first frame after a short marker has gone, so a
# recording without the marker is made again with a longer one.
MARKER_MS = (400, 1500, 4000)
_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><style>
html, body { margin: 0; height: 100%; background: #fff; overflow: hidden; }
#ed { display: none; }
body.dark { background: #1e1e1e; }
body.dark #ed { display: block; box-sizing: border-box; width: 100%; height: 100%; margin: 0;
  border: 0; padding: 14px 18px; background: #1e1e1e; color: #d4d4d4; outline: none;
  resize: none; font: 22px/1.35 "DejaVu Sans Mono", "Liberation Mono", monospace; }
</style></head>
<body><textarea id="ed" spellcheck="false" autocomplete="off"></textarea>
<script>
  window.__vk = { keys: [], inputs: [] };
  document.addEventListener('keydown', () => window.__vk.keys.push(performance.now()), true);
  document.addEventListener('input', () => window.__vk.inputs.push(performance.now()), true);
</script></body></html>"""
_SWITCH = """() => {
  document.body.className = 'dark';
  document.getElementById('ed').focus();
  return performance.now();
}"""
# Resolves once the white page has been painted (two animation frames).
_PAINTED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
_COUNTS = "() => [window.__vk.keys.length, window.__vk.inputs.length]"
_EVENTS = "() => window.__vk"


@dataclass(frozen=True)
class RecordedScreen:
    """A screen recording of typing, with its typing and idle stretches on the video's clock.

    ``path``: the recording the tests use — by default Playwright's recording re-encoded the
    way browser recorders write (VP8 webm, variable frame rate: frames only when the screen
    changes, at least one a second); ``raw``: Playwright's own file (its version 1.65 writes
    VP9 at a constant 25 fps, repeating frames). Both share one clock. ``typing`` spans run
    from the first keydown to the last input event of each "type" item (the page's clock);
    ``idle`` is the rest after the marker. ``marker_ms``: the first dark frame, where the
    page's clock was tied to the video's; ``python_skew_ms``: the largest gaps (at the
    starts, at the ends) between the page's stretch edges and Python's wall clock around
    ``keyboard.type`` (a check on the page's clock; the ends include the delay Playwright
    waits after the last key)
    """

    path: Path
    raw: Path
    duration_ms: int
    typing: tuple[Span, ...]
    idle: tuple[Span, ...]
    marker_ms: int
    python_skew_ms: tuple[float, float]
    text: str


def typing_recording(
    folder: Path,
    *,
    script: Sequence[PlanItem],
    size: tuple[int, int] = (640, 360),
    chars_per_s: float = 12.0,
    form: Literal["vp8-vfr", "playwright"] = "vp8-vfr",
) -> RecordedScreen:
    """Record headless Chromium typing ``script`` (see :func:`_typing_recording`), in a thread
    of its own: Playwright's sync API refuses to start where an event loop runs, as it does
    for the rest of the session once the browser tests' Playwright has started."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="typing-recording") as pool:
        for attempt, marker_ms in enumerate(MARKER_MS, start=1):
            job = pool.submit(
                _typing_recording, folder, script=script, size=size, chars_per_s=chars_per_s,
                form=form, marker_ms=marker_ms,
            )  # fmt: skip
            try:
                return job.result()
            except MarkerMissing:
                if attempt == len(MARKER_MS):
                    raise
        raise AssertionError("unreachable")


class MarkerMissing(RuntimeError):
    """The recording holds no white marker followed by the dark page (it started too late)."""


def _typing_recording(
    folder: Path,
    *,
    script: Sequence[PlanItem],
    size: tuple[int, int] = (640, 360),
    chars_per_s: float = 12.0,
    form: Literal["vp8-vfr", "playwright"] = "vp8-vfr",
    marker_ms: int = MARKER_MS[0],
) -> RecordedScreen:
    """Record headless Chromium typing ``script`` into a dark editor page.

    ``script``: ``("idle", ms)`` and ``("type", text)`` (newlines press Enter; no tabs).
    ``form``: ``"vp8-vfr"`` re-encodes Playwright's file to VP8 at a variable frame rate
    (``RecordedScreen.path``); ``"playwright"`` returns Playwright's file as ``path`` too.
    """
    from playwright.sync_api import sync_playwright

    from tests.browser.support import CHROMIUM_ARGS, find_chromium

    for index, (kind, value) in enumerate(script):
        if kind == "idle" and isinstance(value, int) and value >= 0:
            continue
        if kind == "type" and isinstance(value, str) and value and "\t" not in value:
            continue
        raise ValueError(f"item {index}: expected ('idle', ms) or ('type', text without tabs)")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    video_dir = folder / "playwright-video"
    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("no Chromium: run `make chromium`")
    width, height = size
    delay_ms = 1000.0 / chars_per_s
    with _playwright_ffmpeg(folder):
        playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                record_video_dir=str(video_dir),
                record_video_size={"width": width, "height": height},
            )
            page = context.new_page()
            page.set_content(_PAGE)
            page.evaluate(_PAINTED)
            time.sleep(marker_ms / 1000)
            switch_page = float(page.evaluate(_SWITCH))
            switch_wall = time.monotonic()
            # (index of the first keydown, of the last input event, wall-clock start and end)
            stretches: list[tuple[int, int, float, float]] = []
            for kind, value in script:
                if kind == "idle":
                    assert isinstance(value, int)
                    time.sleep(value / 1000)
                    continue
                assert isinstance(value, str)
                keys_before, inputs_before = page.evaluate(_COUNTS)
                wall_start = time.monotonic()
                page.keyboard.type(value, delay=delay_ms)
                wall_end = time.monotonic()
                keys_after, inputs_after = page.evaluate(_COUNTS)
                if keys_after - keys_before != len(value) or inputs_after <= inputs_before:
                    raise RuntimeError(f"the page saw {keys_after - keys_before} keys of {value!r}")
                stretches.append((keys_before, inputs_after - 1, wall_start, wall_end))
            events = page.evaluate(_EVENTS)
            text = str(page.input_value("#ed"))
            video = page.video
            context.close()  # finalises the webm
            assert video is not None
            recorded = Path(video.path())
        finally:
            browser.close()
    finally:
        playwright.stop()

    raw = folder / "screen.playwright.webm"
    shutil.move(recorded, raw)
    shutil.rmtree(video_dir, ignore_errors=True)
    marker = _marker_end_ms(raw)
    keys: list[float] = events["keys"]
    inputs: list[float] = events["inputs"]
    typing: list[Span] = []
    skew_start = skew_end = 0.0
    for first_key, last_input, wall_start, wall_end in stretches:
        start_page, end_page = keys[first_key], inputs[last_input]
        start = marker + start_page - switch_page
        end = marker + end_page - switch_page
        wall_start_ms = marker + (wall_start - switch_wall) * 1000
        wall_end_ms = marker + (wall_end - switch_wall) * 1000
        skew_start = max(skew_start, abs(wall_start_ms - start))
        skew_end = max(skew_end, abs(wall_end_ms - end))
        typing.append((round(start), round(end)))

    if form == "playwright":
        path = raw
    else:
        path = folder / "screen.webm"
        _ffmpeg(
            "-i", str(raw), "-map", "0:v:0",
            "-vf", "mpdecimate=max=24", "-fps_mode", "vfr",
            "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M",
            "-auto-alt-ref", "0", str(path),
        )  # fmt: skip
    duration = _duration_ms(path)
    idle: list[Span] = []
    cursor = marker
    for start, end in typing:
        if start > cursor:
            idle.append((cursor, start))
        cursor = max(cursor, end)
    if duration > cursor:
        idle.append((cursor, duration))
    return RecordedScreen(
        path=path,
        raw=raw,
        duration_ms=duration,
        typing=tuple(typing),
        idle=tuple(idle),
        marker_ms=marker,
        python_skew_ms=(round(skew_start, 1), round(skew_end, 1)),
        text=text,
    )


@contextlib.contextmanager
def _playwright_ffmpeg(folder: Path) -> Iterator[None]:
    """Let Playwright record video when its own ffmpeg build is not installed.

    Playwright runs ``<browsers path>/ffmpeg-<revision>/ffmpeg-linux`` to encode the video;
    with Debian's Chromium nothing installs it, so this points ``PLAYWRIGHT_BROWSERS_PATH`` (for
    the driver process started inside the block only) at a folder where that name links to
    imageio-ffmpeg's binary. Playwright's own build is used when it is there.
    """
    import playwright

    browsers = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    revision = next(
        b["revision"] for b in json.loads(browsers.read_text())["browsers"] if b["name"] == "ffmpeg"
    )
    default = Path(
        os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache/ms-playwright"
    )
    if (default / f"ffmpeg-{revision}" / "ffmpeg-linux").exists():
        yield
        return
    shim = folder / ".playwright"
    link = shim / f"ffmpeg-{revision}" / "ffmpeg-linux"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(ffmpeg_exe())
    before = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    os.environ["PLAYWRIGHT_BROWSERS_PATH"] = str(shim)
    try:
        yield
    finally:
        if before is None:
            del os.environ["PLAYWRIGHT_BROWSERS_PATH"]
        else:
            os.environ["PLAYWRIGHT_BROWSERS_PATH"] = before


def _marker_end_ms(video: Path) -> int:
    """The time of the first dark frame after the white marker at the start."""
    frames = frame_stats(video)
    seen_white = False
    for frame in frames:
        if frame.mean >= WHITE:
            seen_white = True
        elif seen_white and frame.mean < DARK:
            return round(frame.pts_ms)
    raise MarkerMissing(f"{video.name}: no white marker followed by the dark page")


def _duration_ms(media: Path) -> int:
    from vidkit.media import probe

    info = probe(media)
    if info.duration_ms is None:
        raise RuntimeError(f"{media.name} reports no duration")
    return info.duration_ms


# --- muxing ----------------------------------------------------------------------------------

_AUDIO_FOR = {".webm": "libopus", ".mkv": "libopus", ".mp4": "aac", ".m4v": "aac", ".mov": "aac"}


def mux(video: Path, audio: Path, out: Path, *, audio_codec: str | None = None) -> Path:
    """``video``'s video stream (copied) with ``audio`` (encoded) as its sound, both from t=0.

    The codec follows ``out``'s extension (webm and mkv: Opus; mp4 and mov: AAC), at 48 kHz.
    Neither stream is cut: the file is as long as the longer of the two.
    """
    codec = audio_codec or _AUDIO_FOR.get(Path(out).suffix.lower())
    if codec is None:
        raise ValueError(f"no default audio codec for {Path(out).suffix!r}; pass audio_codec")
    _ffmpeg(
        "-i", str(video), "-i", str(audio), "-map", "0:v:0", "-map", "1:a:0",
        "-c:v", "copy", "-c:a", codec, "-ar", "48000", "-b:a", "128k", str(out),
    )  # fmt: skip
    return Path(out)


# --- flashes and beeps -----------------------------------------------------------------------

_FLASH_CODECS = {
    ".mp4": (["-c:v", "libx264", "-preset", "veryfast"], ["-c:a", "aac", "-b:a", "128k"]),
    ".mov": (["-c:v", "libx264", "-preset", "veryfast"], ["-c:a", "aac", "-b:a", "128k"]),
    ".mkv": (["-c:v", "libx264", "-preset", "veryfast"], ["-c:a", "libopus", "-b:a", "128k"]),
    ".webm": (
        ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M"],
        ["-c:a", "libopus", "-b:a", "128k"],
    ),
}


def flash_beep(
    out: Path,
    *,
    seconds: float,
    instants_ms: Sequence[int],
    size: tuple[int, int] = (320, 180),
    fps: int = 30,
    audio: bool = True,
) -> Path:
    """A sync clip: a full-white frame and a 1 kHz beep one frame long at each instant.

    The video is dark grey with a small grey box moving 4 px a frame (the screen is never
    frozen); the frame whose start time is the instant is full white. The audio (48 kHz mono)
    is uniform noise at -50 dBFS RMS with a -6 dBFS 1 kHz sine from the instant (phase 0) for
    one frame. Instants must be frame starts (to within 0.5 ms) at least 3 frames apart.
    Container and codecs by extension: mp4/mov H.264 + AAC, mkv H.264 + Opus, webm VP8 + Opus.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in _FLASH_CODECS:
        raise ValueError(f"flash_beep writes {sorted(_FLASH_CODECS)}, not {suffix!r}")
    frames: list[int] = []
    for instant in instants_ms:
        frame = round(instant * fps / 1000)
        if abs(frame * 1000 / fps - instant) >= 0.5:
            raise ValueError(f"{instant} ms is no frame start at {fps} fps")
        if not 0 <= frame < seconds * fps - 1:
            raise ValueError(f"{instant} ms is outside the {seconds:g} s clip")
        if frames and frame - frames[-1] < 3:
            raise ValueError("instants must be increasing and at least 3 frames apart")
        frames.append(frame)
    width, height = size
    flashes = "+".join(f"eq(n,{f})" for f in frames) or "0"
    graph = (
        f"color=c=0x303030:s={width}x{height}:r={fps}:d={seconds}[bg];"
        f"color=c=0x707070:s={height // 8}x{height // 8}:r={fps}[box];"
        f"[bg][box]overlay=x='mod(4*n,W-w)':y='(H-h)/2':shortest=1,"
        f"drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='{flashes}'[v]"
    )
    maps = ["-map", "[v]"]
    vcodec, acodec = _FLASH_CODECS[suffix]
    if audio:
        beeps = "+".join(
            f"gte(t,{f}/{fps})*lt(t,{f + 1}/{fps})*sin(2*PI*1000*(t-{f}/{fps}))" for f in frames
        )
        noise = 10 ** (-50 / 20) * 3**0.5  # uniform noise of this amplitude has -50 dBFS RMS
        graph += (
            f";aevalsrc='{noise:.6f}*(2*random(0)-1)+0.5*({beeps or '0'})':s=48000:d={seconds}[a]"
        )
        maps += ["-map", "[a]"]
    _ffmpeg(
        "-filter_complex", graph, *maps, *vcodec, "-pix_fmt", "yuv420p",
        *(acodec if audio else []), "-t", f"{seconds}", str(out),
    )  # fmt: skip
    return out


# --- instruments: video ----------------------------------------------------------------------


@dataclass(frozen=True)
class FrameStat:
    """One decoded frame: its presentation time, duration (if known) and mean luma (0-255)."""

    pts_ms: float
    duration_ms: float | None
    mean: float


_SHOWINFO = re.compile(
    r"n:\s*(\d+)\s+pts:\s*(-?\d+)\s+pts_time:\S+\s+duration:\s*(-?\d+|NOPTS)?.*?"
    r"s:(\d+)x(\d+).*?mean:\[([\d. ]+)\]"
)
_TIMEBASE = re.compile(r"config in time_base:\s*(\d+)/(\d+)")


def _showinfo(
    video: Path, vf: str, *, raw: bool
) -> tuple[list[tuple[int, float, float | None, float]], bytes, tuple[int, int]]:
    """Decode ``video``'s first video stream through ``vf`` and showinfo, every frame kept."""
    out = ["-f", "rawvideo", "-"] if raw else ["-f", "null", "-"]
    result = _ffmpeg(
        "-loglevel", "info", "-i", str(video), "-map", "0:v:0", "-an",
        "-vf", f"{vf},showinfo", "-fps_mode", "passthrough", *out,
    )  # fmt: skip
    log = result.stderr.decode("utf-8", "replace")
    base = _TIMEBASE.search(log)
    if base is None:
        raise RuntimeError(f"{video.name}: no video frames decoded")
    tb = Fraction(int(base.group(1)), int(base.group(2)))
    frames: list[tuple[int, float, float | None, float]] = []
    size = (0, 0)
    for m in _SHOWINFO.finditer(log):
        duration = None if m.group(3) in (None, "NOPTS") else float(int(m.group(3)) * tb * 1000)
        frames.append(
            (
                int(m.group(1)),
                float(int(m.group(2)) * tb * 1000),
                duration,
                float(m.group(6).split()[0]),
            )
        )
        size = (int(m.group(4)), int(m.group(5)))
    return frames, result.stdout, size


def frame_stats(video: Path, *, size: tuple[int, int] = (64, 36)) -> list[FrameStat]:
    """Every decoded frame's time, duration and mean luma (decoded small: cheap)."""
    frames, _, _ = _showinfo(video, f"scale={size[0]}:{size[1]}:flags=area,format=gray", raw=False)
    return [FrameStat(pts, duration, mean) for _, pts, duration, mean in frames]


def gray_frames(
    video: Path, *, size: tuple[int, int] | None = None
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float64]]:
    """All decoded frames as grey (N, H, W) and their times in ms (full size unless ``size``)."""
    scale = f"scale={size[0]}:{size[1]}:flags=area," if size else ""
    frames, data, (width, height) = _showinfo(video, f"{scale}format=gray", raw=True)
    pixels = np.frombuffer(data, dtype=np.uint8)
    count = len(pixels) // (width * height) if width and height else 0
    if count != len(frames):
        raise RuntimeError(f"{video.name}: {count} frames read but {len(frames)} reported")
    return pixels.reshape(count, height, width), np.array([f[1] for f in frames])


def changed_pixels(frames: npt.NDArray[np.uint8], *, threshold: int = 24) -> npt.NDArray[np.int64]:
    """For each frame after the first: how many pixels differ from the previous frame by more
    than ``threshold`` grey levels."""
    diff = np.abs(np.diff(frames.astype(np.int16), axis=0)) > threshold
    counts: npt.NDArray[np.int64] = diff.reshape(len(diff), -1).sum(axis=1).astype(np.int64)
    return counts


def packet_times_ms(video: Path) -> list[float]:
    """The presentation times of the first video stream's packets, in order (no decoding)."""
    result = _ffmpeg(
        "-loglevel", "error", "-i", str(video), "-map", "0:v:0", "-c", "copy", "-f", "framecrc", "-"
    )
    text = result.stdout.decode()
    base = re.search(r"#tb 0: (\d+)/(\d+)", text)
    if base is None:
        raise RuntimeError(f"{video.name}: framecrc printed no time base")
    tb = Fraction(int(base.group(1)), int(base.group(2)))
    pts = [
        int(line.split(",")[2]) for line in text.splitlines() if line and not line.startswith("#")
    ]
    return sorted(float(p * tb * 1000) for p in pts)


def flash_times_ms(video: Path, *, threshold: float = WHITE) -> list[int]:
    """Start times (ms, rounded) of each run of consecutive near-white frames."""
    starts: list[int] = []
    previous = False
    for frame in frame_stats(video):
        white = frame.mean >= threshold
        if white and not previous:
            starts.append(round(frame.pts_ms))
        previous = white
    return starts


# --- instruments: audio ----------------------------------------------------------------------


def decode_audio(media: Path, rate: int = 48000) -> Floats:
    """The first audio stream as mono float32 at ``rate``, sample 0 at the file's time 0
    (a stream that starts late is padded with silence)."""
    try:
        result = _ffmpeg(
            "-loglevel", "error", "-i", str(media), "-map", "0:a:0", "-vn",
            "-af", f"aresample={rate}:async=1:first_pts=0", "-ac", "1", "-ar", str(rate),
            "-f", "f32le", "-",
        )  # fmt: skip
    except RuntimeError as exc:
        if "matches no streams" in str(exc):
            raise ValueError(f"{Path(media).name} has no audio stream") from exc
        raise
    return np.frombuffer(result.stdout, dtype="<f4").astype(np.float32)


def beep_times_ms(
    media: Path,
    *,
    hz: float = 1000.0,
    rate: int = 48000,
    samples: Floats | None = None,
) -> list[float]:
    """Onsets (ms, to a fraction of one) of the ``hz`` tone bursts in ``media``'s audio.

    The signal is mixed down by ``hz`` (so the tone sits at 0 Hz); a 10 ms moving average
    finds where the band around ``hz`` holds most of the energy (speech does not), and a
    one-period average (1 ms at 1 kHz, centred) gives an envelope that, for a tone starting at
    t0, crosses half its steady level exactly at t0: that crossing is the onset.
    """
    x = decode_audio(media, rate) if samples is None else samples
    if len(x) == 0:
        return []
    t = np.arange(len(x)) / rate
    z = x.astype(np.float64) * np.exp(-2j * np.pi * hz * t)

    def smooth(width: int) -> npt.NDArray[np.float64]:
        kernel = np.ones(width) / width
        re_ = np.convolve(z.real, kernel, mode="same")
        im_ = np.convolve(z.imag, kernel, mode="same")
        return np.asarray(2 * np.hypot(re_, im_))

    coarse_w = rate // 100
    coarse = smooth(coarse_w)
    power = np.convolve(x.astype(np.float64) ** 2, np.ones(coarse_w) / coarse_w, mode="same")
    purity = coarse / np.sqrt(2 * np.maximum(power, 1e-12))  # 1.0 for a pure tone
    peak = float(coarse.max())
    tone = (coarse >= max(0.2 * peak, 0.005)) & (purity >= 0.6)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], tone.astype(np.int8), [0]])))
    fine = smooth(max(2, round(rate / hz)))
    onsets: list[float] = []
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - start < rate // 400:  # shorter than 2.5 ms: not a burst
            continue
        middle = fine[start + (stop - start) // 4 : stop - (stop - start) // 4]
        level = float(np.median(middle)) if middle.size else float(fine[start:stop].max())
        lo = max(0, start - coarse_w)
        above = np.flatnonzero(fine[lo:stop] >= level / 2)
        if above.size == 0:
            continue
        i = lo + int(above[0])
        a, b = fine[i - 1] if i else 0.0, fine[i]
        frac = (level / 2 - a) / (b - a) if b > a else 0.0
        onsets.append(round(float((i - 1 + frac) * 1000 / rate), 2))
    return onsets


def max_jump_at(
    samples: npt.NDArray[Any], rate: int, points_ms: Sequence[float], window_ms: float = 3
) -> float:
    """The largest |x[i+1] - x[i]| within ``window_ms`` of any of ``points_ms`` (float scale)."""
    x = _as_float(samples)
    worst = 0.0
    for point in points_ms:
        lo = max(0, int((point - window_ms) * rate / 1000))
        hi = min(len(x), int(np.ceil((point + window_ms) * rate / 1000)) + 1)
        if hi - lo >= 2:
            worst = max(worst, float(np.abs(np.diff(x[lo:hi])).max()))
    return worst


def typical_jump_in_speech(
    samples: npt.NDArray[Any], rate: int, spans_ms: Sequence[Span], percentile: float = 99.9
) -> float:
    """The ``percentile`` of |x[i+1] - x[i]| inside the spans (where speech is)."""
    x = _as_float(samples)
    jumps = [
        np.abs(np.diff(x[int(s * rate / 1000) : int(e * rate / 1000)]))
        for s, e in spans_ms
        if e > s
    ]
    jumps = [j for j in jumps if j.size]
    if not jumps:
        raise ValueError("no speech inside the given spans")
    return float(np.percentile(np.concatenate(jumps), percentile))


# --- re-encoded variants ---------------------------------------------------------------------

_VCODECS: dict[str, list[str]] = {
    "h264": ["-c:v", "libx264", "-preset", "veryfast"],
    "hevc": [
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-x265-params",
        "log-level=error",
        "-tag:v",
        "hvc1",
    ],
    "vp8": ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M"],
    "vp9": [
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-row-mt",
        "1",
        "-b:v",
        "1M",
    ],
    "av1": [
        "-c:v",
        "libaom-av1",
        "-usage",
        "realtime",
        "-cpu-used",
        "8",
        "-row-mt",
        "1",
        "-b:v",
        "1M",
    ],
}
_ACODECS: dict[str, list[str]] = {
    "aac": ["-c:a", "aac", "-b:a", "128k"],
    "opus": ["-c:a", "libopus", "-b:a", "96k"],
    "mp3": ["-c:a", "libmp3lame", "-b:a", "128k"],
}
# Frames kept by vfr=True: every third frame (so flash_beep's instants at multiples of three
# frames survive) and an irregular selection of the others.
VFR_SELECT = "not(mod(n,3))+lt(mod(n*n+n,11),5)"


def encode_variant(
    src: Path,
    out: Path,
    *,
    vcodec: str | None,
    acodec: str | None = None,
    size: tuple[int, int] | None = None,
    vfr: bool = False,
    rotate_portrait: bool = False,
    seconds: float | None = None,
    fit: Literal["crop", "pad"] = "crop",
) -> Path:
    """Re-encode ``src`` as people's recordings come.

    ``vcodec``: h264, hevc, vp8, vp9, av1 (libaom, realtime, fast) or None (no video: an
    audio-only file such as .mp3). ``acodec``: aac, opus, mp3 or None (no audio). ``size``
    (1366x768, 2560x1440, 720x1280...): the picture scaled to fill it and cropped
    (``fit="crop"``, as a phone's portrait recording fills its frame) or to fit inside it and
    padded (``"pad"``). ``vfr``: drop frames irregularly (:data:`VFR_SELECT`) keeping the
    others' times, so frame durations vary.
    ``rotate_portrait``: store the picture turned a quarter and a display matrix that turns it
    back, as phones do (``size`` is then the upright, displayed size). ``seconds``: cut there.
    """
    if vcodec is None and acodec is None:
        raise ValueError("a variant needs video, audio or both")
    if vcodec is not None and vcodec not in _VCODECS:
        raise ValueError(f"vcodec is one of {sorted(_VCODECS)} or None")
    if acodec is not None and acodec not in _ACODECS:
        raise ValueError(f"acodec is one of {sorted(_ACODECS)} or None")
    out = Path(out)
    args: list[str] = ["-i", str(src)]
    if seconds is not None:
        args += ["-t", f"{seconds}"]
    if vcodec is None:
        args += ["-vn"]
    else:
        filters: list[str] = []
        if size is not None:
            w, h = size
            if fit == "crop":
                filters.append(
                    f"scale={w}:{h}:force_original_aspect_ratio=increase:flags=bilinear,"
                    f"crop={w}:{h},setsar=1"
                )
            else:
                filters.append(
                    f"scale={w}:{h}:force_original_aspect_ratio=decrease:flags=bilinear,"
                    f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=0x202020,setsar=1"
                )
        if vfr:
            filters.append(f"select='{VFR_SELECT}'")
        if rotate_portrait:
            filters.append("transpose=cclock")
        if filters:
            args += ["-vf", ",".join(filters)]
        args += ["-map", "0:v:0", *_VCODECS[vcodec], "-pix_fmt", "yuv420p"]
        if vfr:
            args += ["-fps_mode", "vfr"]
    if acodec is None:
        args += ["-an"]
    else:
        args += ["-map", "0:a:0", *_ACODECS[acodec], "-ar", "48000"]
    if not rotate_portrait:
        _ffmpeg(*args, str(out))
        return out
    turned = out.with_name(f".{out.stem}.turned{out.suffix}")
    try:
        _ffmpeg(*args, str(turned))
        # Played back, the display matrix turns the stored picture a quarter clockwise.
        _ffmpeg(
            "-display_rotation:v:0", "-90", "-i", str(turned), "-map", "0", "-c", "copy", str(out)
        )
    finally:
        turned.unlink(missing_ok=True)
    return out
