"""JSON views that tools and resources share: a project's QC report and a scene's transcript.
Nothing here renders, speaks or transcribes: it reads the catalogue and the cache."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vidkit.errors import InvalidInput
from vidkit.workspace import Workspace

__all__ = ["qc_view", "transcript_view"]


def qc_view(ws: Workspace, slug: str, *, positions: Sequence[int] | None = None) -> dict[str, Any]:
    """Each rendered scene's QC (only those at ``positions``, if given) and, for the whole
    project, the film's: what ``vidkit qc --json`` prints, plus each scene's flagged items."""
    from vidkit.editing import film_qc, qc_reports

    ws.project(slug)  # a clear error for an unknown project
    found = qc_reports(ws, slug, positions=positions or None)
    if positions:
        missing = sorted(set(positions) - {s.position for s in found})
        if missing:
            raise InvalidInput(f"project {slug!r} has no scene {missing[0]}", field="scenes")
    film = None if positions else film_qc(ws, slug)
    return {
        "project": slug,
        "scenes": [
            {"position": s.position, "scene_id": s.scene_id, "title": s.title,
             "status": s.status, "flagged": list(s.sentences),
             "report": s.report.to_dict() if s.report else None}
            for s in found
        ],
        "film": film.to_dict() if film is not None else None,
    }  # fmt: skip


def transcript_view(ws: Workspace, slug: str, scene_id: int) -> dict[str, Any]:
    """What the scene says, word by word with times (ms from the start of the scene, or of the
    recording for a recorded scene):

    - a scene made from a recording: its transcript, each word kept or cut (and why), once it
      is transcribed (``transcribed`` false before: tightening or rendering the scene does it);
    - a narrated scene: its narration, with the spoken timings once it is spoken (``spoken``),
      else estimated from the words.
    """
    from vidkit.editing import narration_words, recording_edit, recording_view

    scene = ws.scene(slug, scene_id)
    head: dict[str, Any] = {"scene_id": scene.id, "position": scene.position, "title": scene.title}
    if recording_edit(ws, slug, scene_id) is not None:
        view = recording_view(ws, slug, scene_id)
        if view is None:
            return {**head, "source": "recording", "transcribed": False, "text": "", "words": []}
        words = [
            {"text": w.text, "start_ms": w.start_ms, "end_ms": w.end_ms, "kept": w.kept,
             "reason": w.reason}
            for w in view.words
        ]  # fmt: skip
        return {
            **head, "source": "recording", "transcribed": True, "language": view.language,
            "text": view.text, "cuts": view.cuts.summary(), "words": words,
        }  # fmt: skip
    spoken = narration_words(ws, slug, scene_id)
    return {
        **head,
        "source": "narration",
        "spoken": spoken.spoken,
        "text": scene.narration,
        "duration_ms": spoken.duration_ms,
        "words": [
            {"text": w.word, "start_ms": w.start_ms, "end_ms": w.end_ms} for w in spoken.words
        ],
    }
