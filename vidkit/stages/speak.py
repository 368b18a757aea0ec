"""speak: a scene's narration → a WAV asset plus word and phoneme timings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vidkit.backends.tts import TTS, VoiceProfile
from vidkit.backends.tts.long import synthesize_long
from vidkit.model import Asset
from vidkit.stages.step import Outputs, Progress, Step, Stored, text_hash
from vidkit.text.lexicon import Lexicon
from vidkit.timing import Timings
from vidkit.workspace import Workspace

__all__ = ["STAGE", "VERSION", "Speech", "Voice", "speak"]

STAGE = "speak"
VERSION = 1


@dataclass(frozen=True)
class Speech:
    """A scene's spoken narration: the audio asset and its timings."""

    audio: Asset
    timings: Timings
    cached: bool = False


@dataclass(frozen=True)
class Voice:
    """A project's voice profile, ready to speak with: the profile the backend clones and the
    content hash of its reference recording (the key must change when the recording does)."""

    profile: VoiceProfile
    sample_sha256: str


def speak(
    ws: Workspace,
    scene_id: int,
    narration: str,
    tts: TTS,
    *,
    lexicon: Lexicon,
    chunk_chars: int = 1200,
    voice: Voice | None = None,
    progress: Progress | None = None,
) -> Step[Speech]:
    """Speak ``narration`` with ``tts`` (in the project's ``voice`` profile, if it has one)."""

    def work(folder: Path) -> Outputs:
        wav = folder / "speech.wav"
        timings = synthesize_long(
            tts,
            narration,
            wav,
            chunk_chars=chunk_chars,
            voice=voice.profile if voice else None,
            progress=progress,
            lexicon=lexicon,
        )
        timings_file = folder / "timings.json"
        timings_file.write_text(timings.to_json(), encoding="utf-8")
        return {"audio": (wav, "tts_audio"), "timings": (timings_file, "timings")}

    def read(stored: Stored) -> Speech:
        text = ws.asset_path(stored.sidecars["timings"]).read_text(encoding="utf-8")
        return Speech(stored.asset, Timings.from_json(text), stored.cached)

    profile = None
    if voice is not None:
        profile = [voice.profile.name, voice.sample_sha256, text_hash(voice.profile.transcript)]
    return Step(
        stage=STAGE,
        version=VERSION,
        fingerprint=tts.fingerprint(),
        inputs=[text_hash(narration)],
        params={"chunk_chars": chunk_chars, "lexicon": lexicon.to_json(), "voice": profile},
        work=work,
        read=read,
        scene_id=scene_id,
    )
