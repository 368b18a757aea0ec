"""speak: a scene's narration → a WAV asset plus word and phoneme timings."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vidkit.workspace import Workspace
from vidkit.backends.tts import TTS, VoiceProfile
from vidkit.model import Asset
from vidkit.stages.cache import Outputs, run_cached
from vidkit.text.chunks import synthesize_long
from vidkit.text.lexicon import Lexicon
from vidkit.timing import Timings

__all__ = ["STAGE", "VERSION", "Speech", "speak"]

STAGE = "speak"
VERSION = 1

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Speech:
    """A scene's spoken narration: the audio asset and its timings."""

    audio: Asset
    timings: Timings
    cached: bool = False


def speak(
    ws: Workspace,
    slug: str,
    scene_id: int,
    tts: TTS,
    *,
    chunk_chars: int = 1200,
    voice: str | None = None,
    progress: Progress | None = None,
) -> Speech:
    """Speak the scene's narration with ``tts`` (a project voice profile by name, if given)."""
    scene = ws.scene(slug, scene_id)
    lexicon = Lexicon.default().updated(ws.lexicon(slug))
    inputs = [hashlib.sha256(scene.narration.encode()).hexdigest()]
    profile = None
    if voice is not None:
        record = ws.catalogue.voice(slug, voice)
        sample = ws.catalogue.asset(record.sample_asset_id)
        profile = VoiceProfile(
            record.name, ws.asset_path(sample), record.transcript, record.consent
        )
        inputs.append(sample.sha256)

    def work(folder: Path) -> Outputs:
        wav = folder / "speech.wav"
        timings = synthesize_long(
            tts,
            scene.narration,
            wav,
            chunk_chars=chunk_chars,
            voice=profile,
            progress=progress,
            lexicon=lexicon,
        )
        timings_file = folder / "timings.json"
        timings_file.write_text(timings.to_json(), encoding="utf-8")
        return {"audio": (wav, "tts_audio"), "timings": (timings_file, "timings")}

    result = run_cached(
        ws,
        slug,
        stage=STAGE,
        version=VERSION,
        fingerprint=tts.fingerprint(),
        inputs=inputs,
        params={"chunk_chars": chunk_chars, "lexicon": lexicon.to_json(), "voice": voice},
        work=work,
        scene_id=scene_id,
    )
    text = ws.asset_path(result.sidecars["timings"]).read_text(encoding="utf-8")
    return Speech(result.asset, Timings.from_json(text), result.cached)
