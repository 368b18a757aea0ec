"""An edited OTIO file back into the catalogue: the scene order, and trims of recorded scenes.

The file must be one :func:`~vidkit.export.build.export_timeline` made (its clips carry
``metadata["vidkit"]``), edited in an editor or by a script. What comes back:

- **the scene order**, when every track that holds all the scenes agrees on it (a scene's
  clips kept together) — through :meth:`Workspace.reorder_scenes` (atomic);
- **trims of a recorded scene's screen clips** (shortened, split, deleted, sped up) — a new
  cut list for that scene only, stored as a new version of its edit
  (:func:`vidkit.editing.set_cuts`), so ``vidkit recordings undo`` takes it back and the next
  render re-renders that scene only.

Everything else (clips added in the editor, a scene trimmed that is not made from a
recording, a narration trimmed without its picture, tracks that disagree, a scene whose cut
list changed in vidkit since the export) is listed in the report's ``unmapped``, never
guessed at. Markers are not read back: captions and chapters come from the narration and
the scene titles.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from vidkit.editing.recording import set_cuts
from vidkit.errors import InvalidInput, NotFound
from vidkit.export.build import LAYERS, marks
from vidkit.export.trims import (
    Unmappable,
    clip_changed,
    cuts_from_clips,
    played_by,
    plays_alike,
)
from vidkit.model import Scene, SceneEdit
from vidkit.pipeline.sources import recorded_cuts
from vidkit.workspace import Workspace

__all__ = ["ImportReport", "SceneTrim", "import_edit"]


@dataclass(frozen=True, slots=True)
class SceneTrim:
    """A recorded scene's new cut list from the editor's trims (``version``: the edit's new
    version; None in a dry run)."""

    scene_id: int
    position: int
    title: str
    before_ms: int
    after_ms: int
    summary: str
    version: int | None


@dataclass(frozen=True)
class ImportReport:
    """What an import changed (``order``: the scene ids in their order now) and what it could
    not bring back (``unmapped``, in words)."""

    path: Path
    order: tuple[int, ...]
    titles: tuple[str, ...]
    reordered: bool
    trims: tuple[SceneTrim, ...]
    unmapped: tuple[str, ...]
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return self.reordered or bool(self.trims)

    def lines(self) -> list[str]:
        """The report in plain lines."""
        verb = "would be" if self.dry_run else ""
        out = []
        if self.reordered:
            out.append(f"scene order {verb or 'is now'}: " + ", ".join(self.titles))
        for t in self.trims:
            version = f" (edit version {t.version})" if t.version is not None else ""
            out.append(
                f"scene {t.position} ({t.title}): cut list {verb or 'trimmed'} "
                f"{t.before_ms / 1000:.2f} s → {t.after_ms / 1000:.2f} s, {t.summary}{version}"
            )
        if not self.changed:
            out.append("nothing to change")
        out += [f"not taken in: {why}" for why in self.unmapped]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "dry_run": self.dry_run,
            "order": list(self.order),
            "titles": list(self.titles),
            "reordered": self.reordered,
            "trims": [
                {"scene_id": t.scene_id, "position": t.position, "title": t.title,
                 "before_ms": t.before_ms, "after_ms": t.after_ms, "summary": t.summary,
                 "version": t.version}
                for t in self.trims
            ],
            "unmapped": list(self.unmapped),
        }  # fmt: skip


def read_timeline(path: Path) -> Any:
    """The timeline in ``path``, or one plain error saying why it cannot be read."""
    import opentimelineio as otio

    path = Path(path)
    if not path.is_file():
        raise NotFound(f"there is no file {path}")
    try:
        found = otio.adapters.read_from_file(str(path))
    except Exception as exc:  # the adapters raise anything, from JSON errors to KeyErrors
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise InvalidInput(
            f"{path.name} is not a timeline OpenTimelineIO can read ({first})", field="file"
        ) from None
    if not isinstance(found, otio.schema.Timeline):
        raise InvalidInput(f"{path.name} holds no single timeline", field="file")
    return found


def _header(timeline: Any, slug: str, fps: Fraction, name: str) -> dict[int, dict[str, Any]]:
    header = marks(timeline)
    if not header or not isinstance(header.get("scenes"), list):
        raise InvalidInput(
            f"{name} carries no vidkit scene marks: import an .otio file that vidkit exported "
            "(other formats, and some editors' own OTIO exports, drop them)",
            field="file",
        )
    if header.get("project") != slug:
        raise InvalidInput(
            f"{name} was exported from project {header.get('project')!r}, not {slug!r}",
            field="file",
        )
    if Fraction(str(header.get("fps"))) != fps:
        raise InvalidInput(
            f"{name} runs at {header.get('fps')} fps; the project now runs at {fps}: export "
            "it again",
            field="file",
        )
    return {int(s["scene_id"]): dict(s) for s in header["scenes"]}


def _clips(
    timeline: Any, scenes: dict[int, Scene], unmapped: list[str]
) -> dict[str, list[tuple[int, Any]]]:
    """Every vidkit clip, per layer, in track order, with its scene id."""
    import opentimelineio as otio

    names = {name: layer for layer, name, _ in LAYERS}
    out: dict[str, list[tuple[int, Any]]] = defaultdict(list)
    for track in timeline.tracks:
        layer = marks(track).get("layer") or names.get(track.name)
        clips = [c for c in track if isinstance(c, otio.schema.Clip)]
        if layer is None:
            if clips:
                unmapped.append(f"the track {track.name!r} is not one vidkit exported")
            continue
        for clip in clips:
            meta = marks(clip)
            if "scene_id" not in meta:
                unmapped.append(
                    f"the clip {clip.name!r} on the {layer} track was added in the editor"
                )
                continue
            if int(meta["scene_id"]) not in scenes:
                unmapped.append(
                    f"the clip {clip.name!r} belongs to a scene deleted since the export"
                )
                continue
            out[layer].append((int(meta["scene_id"]), clip))
    return out


def _order(
    clips: dict[str, list[tuple[int, Any]]], scenes: list[Scene], unmapped: list[str]
) -> list[int] | None:
    """The scene order all tracks agree on (None: keep the order as it is)."""
    everyone = {s.id for s in scenes}
    position = {s.id: s.position for s in scenes}
    orders: dict[str, list[int]] = {}
    for layer, found in clips.items():
        seen: list[int] = []
        for sid, _ in found:
            if seen and seen[-1] == sid:
                continue
            if sid in seen:
                unmapped.append(
                    f"scene {position[sid]}'s clips on the {layer} track are split by another "
                    "scene's; "
                    "its order is not read from that track"
                )
                break
            seen.append(sid)
        else:
            orders[layer] = seen
    full = [order for order in orders.values() if set(order) == everyone]
    if not full:
        unmapped.append("no track holds every scene, so the scene order was left as it is")
        return None
    chosen = full[0]
    for order in orders.values():
        if [sid for sid in chosen if sid in order] != order:
            shown = {k: ", ".join(str(position[i]) for i in v) for k, v in orders.items()}
            unmapped.append(
                "the tracks disagree on the scene order ("
                + "; ".join(f"{k}: {v}" for k, v in shown.items())
                + "), so it was left as it is"
            )
            return None
    return chosen


def _trim(
    ws: Workspace,
    slug: str,
    scene: Scene,
    exported: dict[str, Any],
    clips: dict[str, list[Any]],
    fps: Fraction,
    unmapped: list[str],
) -> tuple[Any, Any] | None:
    """The scene's (current, new) cut lists from its screen trims, or None when nothing of
    it changed that can come back (what cannot is added to ``unmapped``)."""
    counts = exported.get("clips", {})
    changed = {
        layer
        for layer, _, _ in LAYERS
        if [marks(c).get("index") for c in clips.get(layer, [])]
        != list(range(int(counts.get(layer, 0))))
        or any(clip_changed(c, fps) for c in clips.get(layer, []))
    }
    if not changed:
        return None
    name = f"scene {scene.position} ({scene.title})"
    edit = ws.catalogue.scene_edit(slug, scene.id)
    if edit is None or exported.get("edit_version") is None:
        unmapped.append(
            f"{name} was trimmed on the {', '.join(sorted(changed))} track(s), but it is not "
            "made from a recording: its length comes from its narration"
        )
        return None
    if "screen" not in changed:
        unmapped.append(
            f"{name} was trimmed on the {', '.join(sorted(changed))} track(s) only: a recorded "
            "scene's cuts are read from its screen clips (trim picture and sound together)"
        )
        return None
    base: SceneEdit | None = edit
    if edit.version != exported["edit_version"]:
        history = ws.catalogue.scene_edit_history(slug, scene.id)
        base = next((e for e in history if e.version == exported["edit_version"]), None)
        if base is None or base.recording_id != edit.recording_id:
            base = None
    if base is None:
        unmapped.append(
            f"{name}'s recording changed in vidkit since the export; export again and redo the trim"
        )
        return None
    recording = ws.catalogue.asset(edit.recording_id)
    old = recorded_cuts(base, recording, fps)
    screen = clips.get("screen", [])
    try:
        fit = float(exported.get("fit_speed", 1.0))
        found = [(c.name, played_by(c, fps, fit)) for c in screen]
        played = [p for _, p in found if p is not None]
        names = [n for n, p in found if p is not None]
        if not played:
            raise Unmappable("every clip of its screen was deleted; a cut list keeps a frame")
        new = cuts_from_clips(old, played, names=names)
    except Unmappable as exc:
        unmapped.append(f"{name}: {exc}")
        return None
    current = recorded_cuts(edit, recording, fps)
    if plays_alike(current, new):
        return None  # nothing to do (this file was taken in already)
    if base is not edit:
        unmapped.append(
            f"{name}'s cut list changed in vidkit since the export (version "
            f"{exported['edit_version']}, now {edit.version}); export again and redo the trim"
        )
        return None
    return current, new


def import_edit(
    ws: Workspace, slug: str, path: str | Path, *, dry_run: bool = False
) -> ImportReport:
    """Bring an edited OTIO export of ``slug`` back (see the module docs): the scene order and
    recorded scenes' trims are applied (``dry_run``: only reported); what cannot be is
    listed in the report."""
    path = Path(path)
    timeline = read_timeline(path)
    with ws.catalogue.session():
        project = ws.project(slug)
        scenes = ws.scenes(slug)
        exported = _header(timeline, slug, project.fps, path.name)
        by_id = {s.id: s for s in scenes}
        unmapped: list[str] = []
        added = [s for s in scenes if s.id not in exported]
        clips = _clips(timeline, by_id, unmapped)
        order = None
        if added:
            unmapped.append(
                "scene(s) " + ", ".join(str(s.position) for s in added) + " were added after the "
                "export, so the scene order was left as it is"
            )
        else:
            order = _order(clips, scenes, unmapped)
        per_scene: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for layer, found in clips.items():
            for sid, clip in found:
                per_scene[sid][layer].append(clip)
        planned = []
        for scene in scenes:
            if scene.id not in exported:
                continue
            cuts = _trim(ws, slug, scene, exported[scene.id], per_scene[scene.id],
                         project.fps, unmapped)  # fmt: skip
            if cuts is not None:
                planned.append((scene, *cuts))
        current = [s.id for s in scenes]
        reordered = order is not None and order != current
        trims = []
        for scene, old, new in planned:
            version = None
            if not dry_run:
                edit = set_cuts(ws, slug, scene.id, new, note=f"trimmed in an editor ({path.name})")
                version = edit.version
            summary = new.summary()
            trim = SceneTrim(
                scene.id,
                scene.position,
                scene.title,
                old.output_ms,
                new.output_ms,
                summary,
                version,
            )
            trims.append(trim)
        if reordered and not dry_run:
            assert order is not None
            ws.reorder_scenes(slug, order)
    final = tuple(order if reordered and order else current)
    return ImportReport(
        path, final, tuple(by_id[i].title for i in final), reordered, tuple(trims),
        tuple(unmapped), dry_run,
    )  # fmt: skip
