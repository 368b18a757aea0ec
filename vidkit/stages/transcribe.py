"""transcribe: a recording → a transcript asset (words with times and confidences).

The whole recording is transcribed once, keyed by its content, so every scene cut from it
shares one transcript. Its audio is decoded to 16 kHz mono first (what whisper listens at).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from vidkit.backends.transcribe import Transcriber
from vidkit.errors import MediaError
from vidkit.media import ffmpeg_exe
from vidkit.model import Asset
from vidkit.stages.step import Outputs, Progress, Step, Stored
from vidkit.timing import Transcript
from vidkit.workspace import Workspace

__all__ = ["STAGE", "VERSION", "Transcribed", "transcribe"]

STAGE = "transcribe"
VERSION = 1


@dataclass(frozen=True)
class Transcribed:
    asset: Asset  # kind "transcript", JSON
    transcript: Transcript
    cached: bool = False


def transcribe(
    ws: Workspace,
    recording: Asset,
    transcriber: Transcriber,
    *,
    language: str | None = None,
    progress: Progress | None = None,
) -> Step[Transcribed]:
    """Transcribe ``recording`` (a ``screen_capture`` asset) with ``transcriber``."""
    name = str(recording.metadata.get("filename", recording.path))

    def work(folder: Path) -> Outputs:
        report = progress or (lambda _d, _t: None)
        out = folder / "transcript.json"
        if not recording.metadata.get("has_audio", True):
            transcript = Transcript(int(recording.duration_ms or 0), language or "")
        else:
            report(0, 2)
            wav = folder / "audio16k.wav"
            args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-i", str(ws.asset_path(recording)), "-map", "0:a:0", "-ac", "1",
                    "-ar", "16000", "-c:a", "pcm_s16le", str(wav)]  # fmt: skip
            proc = subprocess.run(args, capture_output=True, text=True, errors="replace")
            if proc.returncode != 0:
                reason = (proc.stderr.strip().splitlines() or ["no message"])[-1]
                raise MediaError(f"cannot decode the sound of {name}: {reason}")
            report(1, 2)
            try:
                transcript = transcriber.transcribe(wav, language=language)
            finally:
                wav.unlink(missing_ok=True)
            report(2, 2)
        out.write_text(transcript.to_json(), encoding="utf-8")
        return {"transcript": (out, "transcript")}

    def read(stored: Stored) -> Transcribed:
        text = ws.asset_path(stored.asset).read_text(encoding="utf-8")
        return Transcribed(stored.asset, Transcript.from_json(text), stored.cached)

    return Step(
        stage=STAGE,
        version=VERSION,
        fingerprint=transcriber.fingerprint(),
        inputs=[recording.sha256],
        params={"language": language or ""},
        work=work,
        read=read,
        metadata={"recording_asset_id": recording.id},
    )
