"""tighten: a recording's own voice, cut by its cut list → the scene's speech.

The audio is joined at the cut list's frame boundaries with short crossfades
(:mod:`vidkit.recordings.join`); the transcript's kept words, moved onto the tightened clock,
are its word timings (captions and the presenter's lip sync follow them).
"""

from __future__ import annotations

from pathlib import Path

from vidkit.cuts import CutList
from vidkit.model import Asset
from vidkit.recordings.join import join_audio, kept_words
from vidkit.stages.speak import Speech
from vidkit.stages.step import Outputs, Step, Stored, text_hash
from vidkit.timing import Timings, Transcript, WordTiming
from vidkit.workspace import Workspace

__all__ = ["STAGE", "VERSION", "tighten"]

STAGE = "tighten"
VERSION = 1


def tighten(
    ws: Workspace,
    scene_id: int,
    recording: Asset,
    cuts: CutList,
    transcript: Transcript,
    *,
    crossfade_ms: int = 15,
) -> Step[Speech]:
    """The speech of a recorded scene in the speaker's own voice, as ``cuts`` tightens it."""
    name = str(recording.metadata.get("filename", recording.path))

    def work(folder: Path) -> Outputs:
        wav = folder / "voice.wav"
        join_audio(
            ws.asset_path(recording), cuts, wav, crossfade_ms=crossfade_ms, name=name,
            has_audio=bool(recording.metadata.get("has_audio", True)),
        )  # fmt: skip
        words = kept_words(transcript.words, cuts)
        timings = Timings(
            cuts.output_ms,
            tuple(WordTiming(w.text, w.start_ms, w.end_ms) for w in words),
            meta={"source": "recording", "words": len(words)},
        )
        timings_file = folder / "timings.json"
        timings_file.write_text(timings.to_json(), encoding="utf-8")
        return {"audio": (wav, "recording_audio"), "timings": (timings_file, "timings")}

    def read(stored: Stored) -> Speech:
        text = ws.asset_path(stored.sidecars["timings"]).read_text(encoding="utf-8")
        return Speech(stored.asset, Timings.from_json(text), stored.cached)

    return Step(
        stage=STAGE,
        version=VERSION,
        fingerprint="vidkit-join:v1",
        inputs=[recording.sha256, text_hash(cuts.to_json()), text_hash(transcript.to_json())],
        params={"crossfade_ms": crossfade_ms},
        work=work,
        read=read,
        scene_id=scene_id,
    )
