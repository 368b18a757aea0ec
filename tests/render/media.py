"""Scene MP4s for assembly tests, made with ffmpeg's lavfi sources in the renderer's format.

The format is what :mod:`vidkit.render.compose` writes: H.264 High, yuv420p, constant frame
rate, AAC 160 kb/s 48 kHz mono, ``+faststart``. Tiny frames keep generation fast.

Tone scenes carry markers that survive assembly: the first frame of every scene is white
(the "flash"), the others a grey level of the scene's own; the audio is a sine of the
scene's own frequency (a whole number of cycles per second, so every scene starts at phase
zero and the joined tones are continuous) whose amplitude ramps in 5 ms from the previous
scene's level to this scene's. Where the level changes is where the scene's audio starts.
"""

from __future__ import annotations

import subprocess
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vidkit.media import ffmpeg_exe

RATE = 48000
RAMP_S = 0.005
LEVELS = (0.5, 0.1, 0.25)
Samples = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ToneScene:
    """One generated scene: ``frames`` frames, a flash on the first, a ``tone_hz`` sine."""

    frames: int = 30
    tone_hz: int = 440
    amplitude: float = 0.3
    ramp_from: float = 0.0
    gray: int = 32
    audio: bool = True
    fps: int = 30
    size: tuple[int, int] = (64, 36)
    codec: str = "libx264"
    preset: str = "veryfast"

    @property
    def seconds(self) -> float:
        return self.frames / self.fps


def film_specs(count: int, frames: int = 30) -> list[ToneScene]:
    """``count`` scenes with distinct tones, grey levels and cycling amplitudes."""
    specs = []
    for k in range(count):
        level = LEVELS[k % len(LEVELS)]
        previous = LEVELS[(k - 1) % len(LEVELS)] if k else 0.0
        specs.append(
            ToneScene(
                frames, tone_hz=400 + 5 * k, amplitude=level, ramp_from=previous, gray=16 + 2 * k
            )
        )
    return specs


def output_args(spec: ToneScene, audio: bool = True) -> list[str]:
    """The renderer's output options (see vidkit.render.compose)."""
    video = ["-c:v", spec.codec, "-pix_fmt", "yuv420p", "-r", str(spec.fps), "-fps_mode", "cfr"]
    if spec.codec == "libx264":
        video += ["-preset", spec.preset, "-profile:v", "high", "-threads", "1"]
    video += ["-frames:v", str(spec.frames)]
    sound = ["-c:a", "aac", "-b:a", "160k", "-ar", str(RATE), "-ac", "1"] if audio else ["-an"]
    return [*video, *sound, "-movflags", "+faststart"]


def make_scenes(folder: Path, specs: list[ToneScene], *, stem: str = "scene") -> list[Path]:
    """Write one MP4 per spec into ``folder``: two ffmpeg processes, many outputs each."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}{k:03d}.mp4" for k in range(len(specs))]
    batches = [list(range(len(specs)))[i::2] for i in range(2)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda b: _make_batch([specs[k] for k in b], [paths[k] for k in b]), batches))
    return paths


def _make_batch(specs: list[ToneScene], paths: list[Path]) -> None:
    if not specs:
        return
    graph: list[str] = []
    outputs: list[str] = []
    for k, (spec, path) in enumerate(zip(specs, paths, strict=True)):
        w, h = spec.size
        g = f"0x{spec.gray:02x}{spec.gray:02x}{spec.gray:02x}"
        graph.append(
            f"color=c={g}:s={w}x{h}:r={spec.fps}:d={spec.seconds + 1},"
            f"drawbox=c=white:t=fill:enable='eq(n,0)'[v{k}]"
        )
        outputs += ["-map", f"[v{k}]"]
        if spec.audio:
            a0, a1 = spec.ramp_from, spec.amplitude
            level = f"({a0}+({a1}-{a0})*min(t/{RAMP_S},1))"
            graph.append(
                f"aevalsrc='{level}*sin(2*PI*{spec.tone_hz}*t)':s={RATE}:d={spec.seconds}[a{k}]"
            )
            outputs += ["-map", f"[a{k}]"]
        outputs += [*output_args(spec, spec.audio), str(path)]
    _ffmpeg(["-filter_complex", ";".join(graph), *outputs])


def make_audio_scene(path: Path, samples: Samples, *, fps: int = 30, gray: int = 40) -> Path:
    """A scene whose audio is ``samples`` (mono, 48 kHz, -1..1) and whose video is as long."""
    wav = path.with_suffix(".wav")
    write_wav(wav, samples)
    spec = ToneScene(frames=round(len(samples) / RATE * fps), fps=fps, gray=gray)
    w, h = spec.size
    source = f"color=c=0x{gray:02x}{gray:02x}{gray:02x}:s={w}x{h}:r={fps}:d={spec.seconds + 1}"
    _ffmpeg(["-f", "lavfi", "-i", source, "-i", str(wav), *output_args(spec), str(path)])
    wav.unlink()
    return path


def speechlike(seconds: float, peak: float, *, seed: int = 1) -> Samples:
    """Something with speech's spectrum and rhythm: a buzz of harmonics and noise in
    syllable-long bursts, pauses between phrases, a few plosives; scaled to ``peak``. Its
    true peak is 18-20 dB over its loudness (as dual-mono stereo), as speech's often is, so
    bringing it to -16 LUFS with peaks under -1.5 dBTP needs a limiter."""
    rng = np.random.default_rng(seed)
    n = round(seconds * RATE)
    t = np.arange(n) / RATE
    phase = 2 * np.pi * np.cumsum(120 + 20 * np.sin(2 * np.pi * 0.3 * t)) / RATE
    voiced = sum(np.sin(h * phase) / h for h in range(1, 12))
    noise = np.convolve(rng.standard_normal(n), np.ones(8) / 8, mode="same")
    envelope = np.zeros(n)
    pos = 0
    while pos < n:
        length = round(RATE * rng.uniform(0.12, 0.3))
        burst = np.sin(np.linspace(0, np.pi, length)) ** 2 * rng.uniform(0.2, 1.0)
        envelope[pos : pos + length] = burst[: max(0, min(length, n - pos))]
        pos += length + round(RATE * rng.uniform(0.02, 0.08))
        if rng.random() < 0.15:  # a pause between phrases
            pos += round(RATE * rng.uniform(0.3, 0.6))
    signal = (voiced + 0.4 * noise) * envelope
    for at in rng.integers(0, n - 240, size=max(1, int(seconds))):  # plosives
        signal[at : at + 240] += rng.standard_normal(240) * np.hanning(240) * 0.9
    return np.asarray(signal / np.abs(signal).max() * peak, dtype=np.float64)


def write_wav(path: Path, samples: Samples) -> None:
    pcm = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())


def read_audio(path: Path) -> npt.NDArray[np.float64]:
    """The first audio channel of ``path`` at 48 kHz, as the player hears it (edit lists on)."""
    raw = _ffmpeg_out(["-i", str(path), "-map", "0:a:0", "-af", "pan=mono|c0=c0"], "f32le")
    return np.frombuffer(raw, np.float32).astype(np.float64)


def read_luma(path: Path) -> npt.NDArray[np.uint8]:
    """The mean luma of every frame of ``path``'s video."""
    raw = _ffmpeg_out(["-i", str(path), "-map", "0:v:0", "-vf", "scale=1:1", "-pix_fmt", "gray"])
    return np.frombuffer(raw, np.uint8)


def _ffmpeg(args: list[str]) -> None:
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args],
        check=True,
        timeout=120,
    )


def _ffmpeg_out(args: list[str], fmt: str = "rawvideo") -> bytes:
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", *args, "-f", fmt, "-"]
    if fmt == "f32le":
        cmd[-3:-3] = ["-ar", str(RATE)]
    return subprocess.run(cmd, capture_output=True, check=True, timeout=120).stdout
