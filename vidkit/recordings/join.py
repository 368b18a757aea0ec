"""A recording's own audio, tightened: the kept pieces of a cut list joined without clicks.

The audio is cut at exactly the cut list's frame boundaries (so it stays in sync with the
picture at every join) and each join is a short linear crossfade centred on the boundary: the
piece before runs on for half the crossfade, the piece after starts half of it early, and the
two ramps sum to one. Nothing moves in time and the length is exactly the cut list's output
length. A sped-up span (typing without talking) keeps the first stretch of its sound, as long
as the span lasts on screen. Speech is then brought to a common level (its loud parts at
about -20 dBFS RMS, peaks under -1 dBFS), as Piper's speech is; the assembler normalises the
whole video to its loudness target afterwards.
"""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vidkit.audio import write_wav
from vidkit.cuts import CutList
from vidkit.errors import MediaError
from vidkit.media import ffmpeg_exe
from vidkit.timing import TranscribedWord

__all__ = ["RATE", "decode_window", "join_audio", "kept_words"]

RATE = 48_000
_TARGET_RMS = 0.1  # -20 dBFS
_PEAK = 0.89  # -1 dBFS

Samples = npt.NDArray[np.float32]


def decode_window(path: Path, start_s: float, end_s: float, *, name: str) -> Samples:
    """Mono float samples at :data:`RATE` of ``start_s..end_s`` (zeros where the file has no
    sound), exactly ``round((end_s - start_s) * RATE)`` long."""
    want = round((end_s - start_s) * RATE)
    lead = 0
    if start_s < 0:
        lead = round(-start_s * RATE)
        start_s = 0.0
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
            "-ss", f"{start_s:.6f}", "-i", str(path), "-t", f"{max(0.0, end_s - start_s):.6f}",
            "-map", "0:a:0", "-af", "aresample=async=1:first_pts=0", "-ac", "1",
            "-ar", str(RATE), "-f", "f32le", "-"]  # fmt: skip
    proc = subprocess.run(args, capture_output=True, check=False)
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
        raise MediaError(f"cannot decode the audio of {name}: {message[0]}")
    data = np.frombuffer(proc.stdout[: len(proc.stdout) // 4 * 4], np.float32)
    out = np.zeros(want, np.float32)
    n = max(0, min(len(data), want - lead))
    out[lead : lead + n] = data[:n]
    return out


def _sample(frame: int | Fraction, fps: Fraction) -> int:
    return round(Fraction(frame) * RATE / fps)


def join_audio(
    path: Path,
    cuts: CutList,
    out: Path,
    *,
    crossfade_ms: int = 15,
    name: str | None = None,
    has_audio: bool = True,
) -> int:
    """Write the tightened audio of ``path`` to ``out`` (a 48 kHz mono WAV; silence for a
    recording with no sound); returns its length in samples."""
    name = name or path.name
    fps = cuts.fps
    total = _sample(cuts.output_frames, fps)
    if not has_audio:
        write_wav(out, np.zeros(total, np.int16), RATE)
        return total
    half = round(crossfade_ms * RATE / 2000)
    origin = _sample(cuts.start, fps) - half
    source = decode_window(path, origin / RATE, (_sample(cuts.end, fps) + half) / RATE, name=name)
    mixed = np.zeros(total + 2 * half, np.float32)  # shifted by ``half`` to hold the ramps
    ramp = (np.arange(2 * half, dtype=np.float32) + 0.5) / (2 * half) if half else None
    pieces = cuts.pieces()
    for i, piece in enumerate(pieces):
        o0, o1 = _sample(piece.out_start, fps), _sample(piece.out_start + piece.out_frames, fps)
        s0 = _sample(piece.start, fps) - origin
        chunk = source[s0 - half : s0 + (o1 - o0) + half].copy()
        if len(chunk) < (o1 - o0) + 2 * half:
            chunk = np.pad(chunk, (0, (o1 - o0) + 2 * half - len(chunk)))
        if ramp is not None:
            joined_before = i > 0
            joined_after = i + 1 < len(pieces)
            if joined_before:
                chunk[: 2 * half] *= ramp
            else:
                chunk[:half] = 0.0
            if joined_after:
                chunk[-2 * half :] *= ramp[::-1]
            else:
                chunk[len(chunk) - half :] = 0.0
        mixed[o0 : o0 + len(chunk)] += chunk
    audio = mixed[half : half + total]
    pcm = np.clip(np.round(_level(audio) * 32767), -32768, 32767).astype(np.int16)
    write_wav(out, pcm, RATE)
    return total


def _level(audio: Samples) -> Samples:
    """Speech brought to about -20 dBFS RMS over its loud parts, peaks under -1 dBFS."""
    if not len(audio):
        return audio
    block = RATE // 20
    n = len(audio) // block * block
    if n == 0:
        return audio
    rms = np.sqrt((audio[:n].reshape(-1, block) ** 2).mean(axis=1))
    loud = rms[rms > max(1e-4, float(rms.max()) * 0.1)]
    if not len(loud):
        return audio
    gain = _TARGET_RMS / float(np.sqrt((loud**2).mean()))
    peak = float(np.abs(audio).max())
    gain = min(gain, _PEAK / peak if peak > 0 else gain, 30.0)
    return (audio * gain).astype(np.float32)


def kept_words(words: tuple[TranscribedWord, ...] | list[TranscribedWord],
               cuts: CutList) -> list[TranscribedWord]:  # fmt: skip
    """The words that play after ``cuts``, on the tightened clock (ms). A word whose start is
    cut is gone; one whose end runs into a cut ends where its piece ends."""
    out: list[TranscribedWord] = []
    pieces = cuts.pieces()
    for word in words:
        start = cuts.to_output(word.start_ms)
        if start is None:
            continue
        end = cuts.to_output(max(word.start_ms, word.end_ms - 1))
        if end is None:
            frame = Fraction(word.start_ms) * cuts.fps / 1000
            piece = next(p for p in pieces if p.start <= frame < p.end)
            end = float((piece.out_start + piece.out_frames) * 1000 / cuts.fps)
        out.append(TranscribedWord(word.text, round(start), max(round(start), round(end) + 1),
                                   word.confidence))  # fmt: skip
    return out
