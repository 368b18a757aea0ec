"""Is a recording fit to clone a voice from? Length, sample rate and speech, checked before a
voice profile is stored; the answer is cached by the file's content hash.

The length is read from the container's header first, so a two-hour file is refused in a
fraction of a second without decoding it; only references of a sane length are decoded, once,
for Silero VAD (the same detector recordings use). A silent file, noise, or instrumental music
has (next to) no speech and is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from vidkit.errors import InvalidInput, MediaError
from vidkit.media import ffmpeg_exe, probe

__all__ = [
    "MAX_MS",
    "MIN_MS",
    "MIN_RATE",
    "MIN_SPEECH_MS",
    "MIN_SPEECH_SHARE",
    "ReferenceCheck",
    "check_reference",
]

MIN_MS = 3_000
MAX_MS = 5 * 60_000
MIN_RATE = 16_000
MIN_SPEECH_MS = 2_000
MIN_SPEECH_SHARE = 0.4
_RATE_RE = re.compile(r"Audio: [^,]+, (\d+) Hz")


@dataclass(frozen=True, slots=True)
class ReferenceCheck:
    """What was measured: length and speech (ms), sample rate (Hz), and the content hash."""

    sha256: str
    duration_ms: int
    sample_rate: int
    speech_ms: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sample_rate(path: Path) -> int:
    done = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True, text=True, errors="replace", timeout=30, check=False,
    )  # fmt: skip
    found = _RATE_RE.search(done.stderr)
    return int(found.group(1)) if found else 0


def check_reference(
    path: str | Path, *, name: str | None = None, cache_dir: Path | None = None
) -> ReferenceCheck:
    """Measure ``path`` and raise :class:`InvalidInput` (field ``sample``) saying what to fix
    when it is too short, too long, sampled below 16 kHz, or has too little speech. Results
    (of references that pass) are cached in ``cache_dir`` by content hash."""
    path = Path(path)
    name = name or path.name
    try:
        info = probe(path, name=name)
    except MediaError as exc:
        raise InvalidInput(str(exc), field="sample") from exc
    if not info.has_audio:
        raise InvalidInput(f"{name} has no audio stream", field="sample")
    sha = _sha256(path)
    cached = cache_dir / f"{sha}.json" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        try:
            return ReferenceCheck(**json.loads(cached.read_text(encoding="utf-8")))
        except (ValueError, TypeError):
            pass
    duration = int(info.duration_ms or 0)
    if duration < MIN_MS:
        raise InvalidInput(
            f"{name} lasts {duration / 1000:.1f} s; a voice reference needs at least "
            f"{MIN_MS // 1000} s of clear speech (10 to 30 s is best)",
            field="sample",
        )
    if duration > MAX_MS:
        raise InvalidInput(
            f"{name} lasts {duration / 60000:.0f} min; a voice reference may last at most "
            f"{MAX_MS // 60000} min: cut out 10 to 30 s of clear speech",
            field="sample",
        )
    rate = _sample_rate(path)
    if rate < MIN_RATE:
        raise InvalidInput(
            f"{name} is sampled at {rate} Hz; record or export the reference at 16 kHz or more "
            "(44.1 or 48 kHz is best)",
            field="sample",
        )
    from vidkit.recordings.analysis import speech_spans

    try:
        spans, _ = speech_spans(path, duration, name=name)
    except MediaError as exc:
        raise InvalidInput(str(exc), field="sample") from exc
    speech = sum(b - a for a, b in spans)
    if speech < MIN_SPEECH_MS or speech < MIN_SPEECH_SHARE * duration:
        raise InvalidInput(
            f"{name} has {speech / 1000:.1f} s of speech in {duration / 1000:.1f} s: a voice "
            "reference must be mostly one person speaking (no silence, music or noise)",
            field="sample",
        )
    found = ReferenceCheck(sha, duration, rate, speech)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".part")
        tmp.write_text(json.dumps(asdict(found)), encoding="utf-8")
        tmp.replace(cached)
    return found
