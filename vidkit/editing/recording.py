"""Scenes made from a raw recording: attach it, transcribe it, tighten it, edit it by text.

::

    rec = ws.import_asset("demo", "session.webm", kind="screen_capture")
    use_recording(ws, "demo", scene.id, rec.id)              # the whole recording, own voice
    report = tighten(ws, "demo", scene.id)                    # pauses, fillers, restarts cut
    print(report.summary())                                   # "10:02 → 6:41, 212 cuts, 9 sped up"
    words = transcript(ws, "demo", scene.id)                  # every word, kept or cut and why
    tighten(ws, "demo", scene.id, delete=[(40, 52)])          # cut words 40..52 by text
    undo(ws, "demo", scene.id)                                # and bring them back

Every change is stored as a new version of the scene's edit in the catalogue, so it is undone
step by step; the cut list is part of the scene's render key, so a render after an edit
re-renders that scene only. Transcription and analysis are cached by the recording's
content: several scenes cut from one recording share them.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vidkit.cuts import REASONS, CutList
from vidkit.errors import InvalidInput, NotFound
from vidkit.media import check_decodes, probe
from vidkit.model import Asset, Scene, SceneEdit
from vidkit.pipeline.cache import NotCached
from vidkit.pipeline.events import Progress
from vidkit.pipeline.graph import Recorded, SceneGraph
from vidkit.recordings.analysis import Analysis
from vidkit.recordings.rules import TightenRules, plan_cuts, rules_from
from vidkit.workspace import Workspace

__all__ = [
    "RecordingView",
    "TightenReport",
    "TranscriptWord",
    "WordRange",
    "drop_recording",
    "recording_edit",
    "recording_view",
    "set_cuts",
    "split_recording",
    "tighten",
    "transcript",
    "undo",
    "use_recording",
]

#: Rules that cut nothing by themselves: only the user's text edits apply.
MANUAL_ONLY = TightenRules(
    min_silence_ms=1 << 40, cut_fillers=False, cut_unworded=False, cut_restarts=False,
    speed_typing=False,
)  # fmt: skip

#: Words by their index in the scene's transcript: one index, or an inclusive (first, last).
WordRange = int | tuple[int, int]


@dataclass(frozen=True, slots=True)
class TranscriptWord:
    """One word of a recorded scene: where it was said (source ms), and whether it plays.
    ``reason`` says why a cut word is cut (a key of :data:`vidkit.cuts.REASONS`)."""

    index: int
    text: str
    start_ms: int
    end_ms: int
    confidence: float
    kept: bool
    reason: str = ""


@dataclass(frozen=True)
class RecordingView:
    """Everything an editor shows of a recorded scene: its words (kept or cut), the cut list,
    the analysis (speech, idle screen, activity curve, waveform) and the edit it comes from."""

    scene_id: int
    edit: SceneEdit
    cuts: CutList
    words: tuple[TranscriptWord, ...]
    analysis: Analysis | None = None
    language: str = ""

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words if w.kept)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scene_id": self.scene_id,
            "edit": self.edit.to_dict(),
            "cuts": self.cuts.to_dict(),
            "language": self.language,
            "words": [
                {
                    "index": w.index,
                    "text": w.text,
                    "start_ms": w.start_ms,
                    "end_ms": w.end_ms,
                    "confidence": round(w.confidence, 3),
                    "kept": w.kept,
                    "reason": w.reason,
                }
                for w in self.words
            ],
            "analysis": None if self.analysis is None else self.analysis.to_dict(),
        }

    def _repr_html_(self) -> str:
        parts = []
        for w in self.words:
            text = html.escape(w.text)
            if w.kept:
                parts.append(text)
            else:
                why = html.escape(REASONS.get(w.reason, w.reason))
                parts.append(f"<s title='{why}' style='color:#b55'>{text}</s>")
        return (
            f"<div class='vidkit-transcript'><b>{html.escape(self.cuts.summary())}</b>"
            f"<p style='line-height:1.6'>{' '.join(parts)}</p></div>"
        )


@dataclass(frozen=True)
class TightenReport:
    """What tightening did (or, with ``dry_run``, would do): lengths before and after, and
    every cut or speed-up with its reason and the words it removes."""

    scene_id: int
    before_ms: int
    after_ms: int
    cuts: CutList
    edit: SceneEdit | None
    dry_run: bool = False
    changes: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        return self.cuts.summary()

    def to_dict(self) -> dict[str, Any]:
        return {
            "scene_id": self.scene_id,
            "before_ms": self.before_ms,
            "after_ms": self.after_ms,
            "dry_run": self.dry_run,
            "summary": self.summary(),
            "changes": self.changes,
            "cuts": self.cuts.to_dict(),
            "version": self.edit.version if self.edit else None,
        }

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{c['start_ms'] / 1000:.2f}–{c['end_ms'] / 1000:.2f} s</td>"
            f"<td>{html.escape(c['what'])}</td><td>{html.escape(c['text'])}</td></tr>"
            for c in self.changes[:200]
        )
        head = html.escape(self.summary()) + (" (dry run)" if self.dry_run else "")
        return f"<div><b>{head}</b><table>{rows}</table></div>"


def _changes(cuts: CutList) -> list[dict[str, Any]]:
    out = []
    for span in cuts.changes():
        what = REASONS.get(span.reason, span.reason or "cut")
        if span.action == "speed":
            what = f"{what} ({span.speed:.1f}×)"
        out.append(
            {"start_ms": cuts.ms(span.start), "end_ms": cuts.ms(span.end), "action": span.action,
             "reason": span.reason, "what": what, "speed": span.speed, "text": span.text}
        )  # fmt: skip
    return out


def _scene(ws: Workspace, slug: str, scene_id: int) -> Scene:
    return ws.scene(slug, scene_id)


def _recorded(
    ws: Workspace, slug: str, scene: Scene, progress: Progress | None
) -> tuple[SceneGraph, Recorded]:
    graph = SceneGraph(ws, slug, progress=progress)
    recorded = graph.recorded(scene)
    if recorded is None:
        raise InvalidInput(
            f"scene {scene.position} is not made from a recording yet: choose a recording for "
            "it first",
            field="recording_id",
        )
    return graph, recorded


def _recording_of(ws: Workspace, slug: str, recording_id: int) -> Asset:
    """The project's recording ``recording_id``, or a clear error for another project's asset
    or one that is not a recording."""
    recording = ws.catalogue.asset(recording_id)
    if recording.project_id != ws.project(slug).id:
        raise NotFound(f"this project has no asset with id {recording_id}")
    if recording.kind != "screen_capture":
        name = recording.metadata.get("filename", f"asset {recording_id}")
        raise InvalidInput(
            f"{name} is a {recording.kind.replace('_', ' ')}, not a recording: import the "
            "recording as a screen_capture",
            field="recording_id",
        )
    return recording


def use_recording(
    ws: Workspace,
    slug: str,
    scene_id: int,
    recording_id: int,
    *,
    in_ms: int = 0,
    out_ms: int | None = None,
    voice: str = "own",
) -> SceneEdit:
    """Make the scene from a recording (a ``screen_capture`` asset of the project), from
    ``in_ms`` to ``out_ms`` (None: its end), voiced by the speaker (``"own"``) or re-voiced
    in the project voice (``"project"``). A new recording or window starts untightened; the
    same one in another voice keeps its cuts.
    A recording with no picture, or one that does not play to its end, is refused with
    :class:`~vidkit.errors.MediaError` and nothing changes."""
    recording = _recording_of(ws, slug, recording_id)
    name = str(recording.metadata.get("filename", recording.path))
    path = ws.asset_path(recording)
    check_decodes(path, probe(path, name=name), name=name)
    length = int(recording.duration_ms or 0)
    if out_ms is not None and out_ms > length:
        raise InvalidInput(
            f"the out point ({out_ms} ms) is past the end of the recording ({length} ms)",
            field="out_ms",
        )
    if in_ms >= (out_ms if out_ms is not None else length):
        raise InvalidInput(
            f"the in point ({in_ms} ms) must come before the out point", field="in_ms"
        )
    current = ws.catalogue.scene_edit(slug, scene_id)
    if current is not None and (current.recording_id, current.in_ms, current.out_ms) == (
        recording_id, in_ms, out_ms,
    ):  # fmt: skip
        if current.voice == voice:
            return current
        # The same stretch in another voice: the cuts and text edits stay.
        return ws.catalogue.save_scene_edit(slug, scene_id, voice=voice, note=f"voice: {voice}")
    return ws.catalogue.save_scene_edit(
        slug, scene_id, recording_id=recording_id, in_ms=in_ms, out_ms=out_ms, voice=voice,
        deleted=(), restored=(), cuts=None, note="recording chosen",
    )  # fmt: skip


def _words(recorded: Recorded, cuts: CutList) -> tuple[TranscriptWord, ...]:
    if recorded.transcript is None:
        return ()
    end = recorded.edit.out_ms if recorded.edit.out_ms is not None else 1 << 62
    inside = [
        w
        for w in recorded.transcript.words
        if recorded.edit.in_ms <= (w.start_ms + w.end_ms) / 2 < end
    ]
    reasons = {}
    for span in cuts.spans:
        if span.action == "cut":
            reasons[(cuts.ms(span.start), cuts.ms(span.end))] = span.reason
    out = []
    for i, w in enumerate(inside):
        middle = (w.start_ms + w.end_ms) / 2
        kept = cuts.to_output(middle) is not None
        reason = ""
        if not kept:
            reason = next((r for (a, b), r in reasons.items() if a <= middle < b), "deleted")
        out.append(TranscriptWord(i, w.text, w.start_ms, w.end_ms, w.confidence, kept, reason))
    return tuple(out)


def transcript(
    ws: Workspace, slug: str, scene_id: int, *, progress: Progress | None = None
) -> RecordingView:
    """The recorded scene's words (transcribing and analysing the recording first if that is
    not done yet), each kept or cut, with the cut list and the analysis."""
    scene = _scene(ws, slug, scene_id)
    graph, recorded = _recorded(ws, slug, scene, progress)
    analysis = graph.analysis(recorded.recording, scene).analysis
    return RecordingView(
        scene.id, recorded.edit, recorded.cuts, _words(recorded, recorded.cuts), analysis,
        recorded.transcript.language if recorded.transcript else "",
    )  # fmt: skip


def recording_edit(ws: Workspace, slug: str, scene_id: int) -> SceneEdit | None:
    """The scene's current recording edit (its recording, window, voice, text edits and cut
    list), or None when the scene is not made from a recording."""
    return ws.catalogue.scene_edit(slug, scene_id)


def drop_recording(ws: Workspace, slug: str, scene_id: int) -> None:
    """The scene is no longer made from a recording (its edits and their history go too)."""
    ws.catalogue.clear_scene_edit(slug, scene_id)


def recording_view(ws: Workspace, slug: str, scene_id: int) -> RecordingView | None:
    """The view of a recorded scene from the cache alone (None: not a recorded scene, or its
    transcript is not made yet); never transcribes or analyses."""
    scene = _scene(ws, slug, scene_id)
    graph = SceneGraph(ws, slug, lookup_only=True)
    try:
        recorded = graph.recorded(scene)
        if recorded is None:
            return None
        if recorded.transcript is None and recorded.recording.metadata.get("has_audio"):
            return None  # not transcribed yet
        analysed = graph.analysis(recorded.recording)
    except NotCached:
        return None
    return RecordingView(
        scene.id, recorded.edit, recorded.cuts, _words(recorded, recorded.cuts),
        analysed.analysis,
        recorded.transcript.language if recorded.transcript else "",
    )  # fmt: skip


def _spans_of(
    ranges: Sequence[WordRange], words: tuple[TranscriptWord, ...], field: str
) -> list[tuple[int, int]]:
    out = []
    for item in ranges:
        first, last = (item, item) if isinstance(item, int) else item
        if not (0 <= first <= last < len(words)):
            raise InvalidInput(
                f"word {first if first == last else f'{first}..{last}'} is not in this scene's "
                f"transcript (words 0..{len(words) - 1})",
                field=field,
            )
        out.append((words[first].start_ms, words[last].end_ms))
    return out


def _without(intervals: Sequence[tuple[int, int]], remove: Sequence[tuple[int, int]]
             ) -> list[tuple[int, int]]:  # fmt: skip
    return [i for i in intervals if not any(i[0] < b and a < i[1] for a, b in remove)]


def tighten(
    ws: Workspace,
    slug: str,
    scene_id: int,
    *,
    delete: Sequence[WordRange] = (),
    restore: Sequence[WordRange] = (),
    rules: TightenRules | None = None,
    automatic: bool = True,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> TightenReport:
    """Plan the scene's cut list from its recording's analysis and transcript, with the
    words in ``delete`` cut and those in ``restore`` kept (indices in :func:`transcript`'s
    words), and store it (``dry_run``: only say what it would do). ``rules`` default to the
    config's ``[tighten]``; ``automatic=False`` applies only the text edits (nothing is cut
    for pauses, fillers or restarts, nothing sped up)."""
    scene = _scene(ws, slug, scene_id)
    graph, recorded = _recorded(ws, slug, scene, progress)
    analysed = graph.analysis(recorded.recording, scene).analysis
    project = ws.project(slug)
    words = _words(recorded, recorded.cuts)
    deleted_now = _spans_of(delete, words, "delete")
    restored_now = _spans_of(restore, words, "restore")
    edit = recorded.edit
    deleted = _without(edit.deleted, restored_now) + deleted_now
    restored = _without(edit.restored, deleted_now) + restored_now
    out_ms = edit.out_ms if edit.out_ms is not None else analysed.duration_ms
    cuts = plan_cuts(
        fps=project.fps, in_ms=edit.in_ms, out_ms=out_ms,
        words=list(recorded.transcript.words if recorded.transcript else ()),
        speech=analysed.speech, idle=analysed.idle,
        rules=(rules or rules_from(ws.config.tighten)) if automatic else MANUAL_ONLY,
        deleted=deleted, restored=restored,
        has_audio=analysed.has_audio,
    )  # fmt: skip
    note = "tightened"
    if delete or restore:
        note = f"deleted {len(delete)} and restored {len(restore)} word range(s)"
    saved = None
    if not dry_run:
        saved = ws.catalogue.save_scene_edit(
            slug, scene_id, deleted=deleted, restored=restored, cuts=cuts, note=note
        )
    return TightenReport(
        scene.id, out_ms - edit.in_ms, cuts.output_ms, cuts, saved, dry_run, _changes(cuts)
    )


def set_cuts(
    ws: Workspace,
    slug: str,
    scene_id: int,
    cuts: CutList | dict[str, Any],
    *,
    note: str = "cut list edited",
) -> SceneEdit:
    """Store a cut list edited by hand (a :class:`CutList` or its ``to_dict`` form) as a new
    version of the scene's edit; ``note`` says where the edit came from in its history."""
    cut_list = cuts if isinstance(cuts, CutList) else CutList.from_dict(cuts)
    if cut_list.fps != ws.project(slug).fps:
        raise InvalidInput(
            f"the cut list's frame rate ({cut_list.fps}) is not the project's", field="cuts"
        )
    edit = ws.catalogue.scene_edit(slug, scene_id)
    if edit is None:
        raise InvalidInput("this scene has no recording yet: choose one first", field="cuts")
    length = int(ws.catalogue.asset(edit.recording_id).duration_ms or 0)
    if cut_list.end > CutList.frame_at(length, cut_list.fps) + 1:
        raise InvalidInput(
            f"the cut list runs to {cut_list.ms(cut_list.end) / 1000:.2f} s, past the end of "
            f"the recording ({length / 1000:.2f} s)",
            field="cuts",
        )
    return ws.catalogue.save_scene_edit(slug, scene_id, cuts=cut_list, note=note)


def undo(ws: Workspace, slug: str, scene_id: int) -> SceneEdit:
    """Undo the scene's last edit (a tightening, a text edit, a new window or voice)."""
    return ws.catalogue.undo_scene_edit(slug, scene_id)


def split_recording(
    ws: Workspace,
    slug: str,
    recording_id: int,
    *,
    min_pause_ms: int = 3000,
    chapters: bool = True,
    title: str = "Part",
    voice: str = "own",
    progress: Progress | None = None,
) -> list[Scene]:
    """Add one scene per part of a long recording: at its chapter markers when it has them
    (and ``chapters``), else at pauses in the talk of at least ``min_pause_ms``. Each new
    scene uses its stretch of the recording (untightened)."""
    recording = _recording_of(ws, slug, recording_id)
    name = str(recording.metadata.get("filename", recording.path))
    path = ws.asset_path(recording)
    check_decodes(path, probe(path, name=name), name=name)  # before any scene is added
    graph = SceneGraph(ws, slug, progress=progress)
    analysis = graph.analysis(recording).analysis
    length = analysis.duration_ms
    parts: list[tuple[int, int, str]] = []
    if chapters and len(analysis.chapters) > 1:
        parts = [(c.start_ms, min(c.end_ms, length), c.title) for c in analysis.chapters]
    else:
        cuts_at = []
        talk = sorted(analysis.speech)
        for (_, end), (start, _) in itertools.pairwise(talk):
            if start - end >= min_pause_ms:
                cuts_at.append((start + end) // 2)
        edges = [0, *cuts_at, length]
        parts = [(a, b, "") for a, b in itertools.pairwise(edges) if b - a >= 500]
    scenes = []
    for number, (start, end, name) in enumerate(parts, 1):
        scene = ws.add_scene(slug, name or f"{title} {number}")
        last = number == len(parts)
        use_recording(ws, slug, scene.id, recording_id, in_ms=start,
                      out_ms=None if last else end, voice=voice)  # fmt: skip
        scenes.append(scene)
    return scenes
