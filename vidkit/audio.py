"""Small WAV helpers: mono PCM16 in and out, atomic writes, streaming concatenation, loudness.

Speech in vidkit is always mono 16-bit PCM WAV. Reading and writing use the stdlib ``wave``
module and numpy; anything else (another format, a stereo or float WAV) is converted with the
ffmpeg binary from ``imageio-ffmpeg`` by :func:`convert_to_pcm16`.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vidkit.errors import MediaError

__all__ = [
    "Pcm16Writer",
    "WavInfo",
    "atomic_output",
    "convert_to_pcm16",
    "envelope",
    "read_wav",
    "wav_info",
    "write_wav",
]

Samples = npt.NDArray[np.int16]
_BLOCK_FRAMES = 1 << 16


@dataclass(frozen=True, slots=True)
class WavInfo:
    """Format and length of a WAV file."""

    sample_rate: int
    channels: int
    sample_width: int
    frames: int

    @property
    def duration_ms(self) -> int:
        return round(self.frames * 1000 / self.sample_rate) if self.sample_rate else 0

    @property
    def is_mono_pcm16(self) -> bool:
        return self.channels == 1 and self.sample_width == 2


def wav_info(path: Path) -> WavInfo:
    """Read a WAV header, or raise :class:`MediaError` if the file is no PCM WAV."""
    try:
        with wave.open(str(path), "rb") as wav:
            return WavInfo(
                wav.getframerate(), wav.getnchannels(), wav.getsampwidth(), wav.getnframes()
            )
    except (wave.Error, EOFError) as exc:
        raise MediaError(f"{path.name} is not a PCM WAV file ({exc})") from exc
    except OSError as exc:
        raise MediaError(f"cannot read {path}: {exc}") from exc


def read_wav(path: Path) -> tuple[Samples, int]:
    """The samples and sample rate of a mono PCM16 WAV file."""
    info = wav_info(path)
    if not info.is_mono_pcm16:
        raise MediaError(
            f"{path.name} has {info.channels} channel(s) of {8 * info.sample_width}-bit samples; "
            "vidkit expects mono 16-bit PCM (convert it with vidkit.audio.convert_to_pcm16)"
        )
    with wave.open(str(path), "rb") as wav:
        raw = wav.readframes(info.frames)
    return np.frombuffer(raw, dtype="<i2").astype(np.int16), info.sample_rate


def write_wav(path: Path, samples: Samples, sample_rate: int) -> None:
    """Write mono PCM16 samples to ``path`` (atomically: a temporary name, then a rename)."""
    with atomic_output(path) as tmp, Pcm16Writer(tmp, sample_rate) as out:
        out.write(samples)


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it into place only if the block succeeds.

    On any error the temporary file is removed, so no half-written file is left behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=f".part{path.suffix}", dir=path.parent
    )
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class Pcm16Writer:
    """Streams mono PCM16 samples into a WAV file: samples, silence, or other WAV files."""

    def __init__(self, path: Path, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.frames = 0
        self._wav = wave.open(str(path), "wb")  # noqa: SIM115 - closed by close()/__exit__
        self._wav.setnchannels(1)
        self._wav.setsampwidth(2)
        self._wav.setframerate(sample_rate)

    def __enter__(self) -> Pcm16Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def duration_ms(self) -> int:
        return round(self.frames * 1000 / self.sample_rate)

    def write(self, samples: Samples) -> None:
        self._wav.writeframes(np.asarray(samples, dtype="<i2").tobytes())
        self.frames += len(samples)

    def write_silence(self, ms: int) -> None:
        self.write(np.zeros(round(ms * self.sample_rate / 1000), dtype=np.int16))

    def append_file(self, path: Path) -> None:
        """Copy a mono PCM16 WAV of the same rate, block by block (memory stays bounded)."""
        info = wav_info(path)
        if not info.is_mono_pcm16 or info.sample_rate != self.sample_rate:
            raise MediaError(
                f"cannot append {path.name}: it is {info.channels} ch / {info.sample_rate} Hz / "
                f"{8 * info.sample_width}-bit, the output is mono / {self.sample_rate} Hz / 16-bit"
            )
        with wave.open(str(path), "rb") as src:
            while block := src.readframes(_BLOCK_FRAMES):
                self._wav.writeframes(block)
                self.frames += len(block) // 2

    def close(self) -> None:
        self._wav.close()


def convert_to_pcm16(src: Path, dst: Path, *, sample_rate: int, timeout_s: float = 120.0) -> None:
    """Convert any audio file ffmpeg can read into mono PCM16 WAV at ``sample_rate``."""
    from vidkit.media import ffmpeg_exe

    with atomic_output(dst) as tmp:
        cmd = [
            ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(src),
            "-vn", "-ac", "1", "-ar", str(sample_rate), "-c:a", "pcm_s16le", "-f", "wav", str(tmp),
        ]  # fmt: skip
        try:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise MediaError(f"converting {src.name} to WAV took over {timeout_s:.0f} s") from exc
        if done.returncode != 0:
            detail = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise MediaError(f"{src.name} is not readable audio: {detail}")
        if wav_info(tmp).frames == 0:
            raise MediaError(f"{src.name} holds no audio samples")


def envelope(samples: Samples, sample_rate: int, hz: float) -> npt.NDArray[np.float32]:
    """RMS loudness in ``hz`` frames per second, scaled to 0..1 (1 = the loudest frame)."""
    if hz <= 0:
        raise ValueError("hz must be positive")
    hop = sample_rate / hz
    count = int(np.ceil(len(samples) / hop)) if len(samples) else 0
    out = np.zeros(count, dtype=np.float32)
    data = samples.astype(np.float32) / 32768.0
    for i in range(count):
        frame = data[round(i * hop) : round((i + 1) * hop)]
        if len(frame):
            out[i] = float(np.sqrt(np.mean(frame * frame)))
    peak = float(out.max()) if count else 0.0
    return out / peak if peak > 0 else out
