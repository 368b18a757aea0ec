"""A rendered project as an OpenTimelineIO timeline: one track per layer, clips of the asset
store's files, captions and chapters as markers, a tightened recording as real cuts.

::

    Screen     (video)  the recording piece by piece as its cut list plays it (a sped-up piece
                        with a LinearTimeWarp, a held last frame with a FreezeFrame), a still,
                        a captured screen, or — for code typed out at render time, which has
                        no file of its own — the rendered scene's video
    Presenter  (video)  the presenter's animation (RGBA, FFV1 in Matroska)
    Narration  (audio)  the spoken narration; a recording's own voice as the same cuts of the
                        recording's sound; caption and chapter markers on its clips
    Music      (audio)  the project's music, from its start in every scene, looped as rendered

Every scene lasts exactly the frames it was rendered with, at the project's frame rate, on
every track. Clips and the timeline carry ``metadata["vidkit"]``: the scene each clip belongs
to, what it was exported as, and the cut-list span it plays; :mod:`vidkit.export.back` reads
them to bring an editor's reorder and trims back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from vidkit.export.rendered import RenderedScene, rendered_scenes
from vidkit.export.shots import Shot, recording_shots, sound_shots, source_frames
from vidkit.model import Asset, Project
from vidkit.render.chapters import chapters_from_scenes
from vidkit.timeline import ImageSource, RecordingSource, ms_to_frames
from vidkit.workspace import Workspace

__all__ = ["KEY", "LAYERS", "SCHEMA", "export_timeline", "frames_of", "marks"]

#: The tracks, top to bottom in an editor's stack order: (layer, track name, kind).
LAYERS = (
    ("screen", "Screen", "Video"),
    ("presenter", "Presenter", "Video"),
    ("narration", "Narration", "Audio"),
    ("music", "Music", "Audio"),
)
#: The metadata namespace of everything vidkit writes into a timeline.
KEY = "vidkit"
SCHEMA = 1


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [_plain(v) for v in value]
    return value


def marks(item: Any) -> dict[str, Any]:
    """What vidkit wrote into an OpenTimelineIO object's metadata, as plain Python ({}:
    nothing)."""
    found = _plain(item.metadata.get(KEY))
    return found if isinstance(found, dict) else {}


def frames_of(time: Any, fps: Fraction) -> int:
    """An OpenTimelineIO ``RationalTime`` as whole frames at ``fps``."""
    value: float = time.value_rescaled_to(float(fps))
    return round(value)


class _Builder:
    """Clips and gaps at one frame rate."""

    def __init__(self, fps: Fraction) -> None:
        import opentimelineio as otio

        self.otio, self.fps, self.rate = otio, fps, float(fps)

    def time(self, frames: int | float) -> Any:
        return self.otio.opentime.RationalTime(frames, self.rate)

    def range(self, start: int | float, duration: int | float) -> Any:
        return self.otio.opentime.TimeRange(self.time(start), self.time(duration))

    def ref(self, path: Path, frames: int | None) -> Any:
        available = self.range(0, frames) if frames else None
        return self.otio.schema.ExternalReference(
            target_url=path.resolve().as_uri(), available_range=available
        )

    def clip(
        self, name: str, path: Path, start: int, frames: int, available: int | None,
        meta: dict[str, Any], scalar: Fraction = Fraction(1),
    ) -> Any:  # fmt: skip
        clip = self.otio.schema.Clip(
            name=name, media_reference=self.ref(path, available),
            source_range=self.range(start, frames),
        )  # fmt: skip
        if scalar == 0:
            clip.effects.append(self.otio.schema.FreezeFrame())
        elif scalar != 1:
            clip.effects.append(self.otio.schema.LinearTimeWarp(time_scalar=float(scalar)))
        clip.metadata[KEY] = {**meta, "exported": [start, frames, str(scalar)]}
        return clip

    def gap(self, frames: int, meta: dict[str, Any]) -> Any:
        gap = self.otio.schema.Gap(source_range=self.range(0, frames))
        gap.metadata[KEY] = meta
        return gap

    def marker(self, name: str, start: int | float, frames: int | float, kind: str) -> Any:
        colours = {"chapter": "PURPLE", "caption": "YELLOW"}
        marker = self.otio.schema.Marker(
            name=" ".join(name.split()), marked_range=self.range(start, frames),
            color=colours[kind],
        )  # fmt: skip
        marker.metadata[KEY] = {"kind": kind}
        return marker


def _span_meta(shot: Shot) -> dict[str, Any]:
    span = shot.span
    if shot.hold:
        return {"hold": True}
    if span is None:
        return {}
    return {"span": [span.start, span.end, span.action, span.speed, span.reason]}


def _screen(b: _Builder, rs: RenderedScene, meta: dict[str, Any]) -> list[Any]:
    layer, n, title = rs.timeline.screen, rs.frames, rs.scene.title
    source = layer.source if layer is not None else None
    if layer is None or source is None:
        return [b.gap(n, meta)]
    if isinstance(source, ImageSource):
        return [b.clip(f"{title}: {source.path.name}", source.path, 0, n, n, meta)]
    if isinstance(source, RecordingSource):
        available = source_frames(source.duration_ms, b.fps)
        name = str(rs.shown.metadata.get("filename", source.path.name)) if rs.shown else ""
        return [
            b.clip(f"{title}: {name or source.path.name}" + (" (held)" if s.hold else ""),
                   source.path, s.source, s.frames, available, {**meta, **_span_meta(s)},
                   s.scalar)
            for s in recording_shots(source, layer.fit, n, b.fps)
        ]  # fmt: skip
    # Code typed out (or frames from Python) exist only in the rendered scene.
    what = "code typing" if rs.shown is None else str(rs.shown.metadata.get("filename", "code"))
    return [b.clip(f"{title}: {what} (as rendered)", rs.video, 0, n, n, {**meta, "rendered": True})]


def _presenter(b: _Builder, rs: RenderedScene, meta: dict[str, Any]) -> list[Any]:
    if rs.presenter is None:
        return [b.gap(rs.frames, meta)]
    available = ms_to_frames(rs.presenter_ms, b.fps) if rs.presenter_ms else rs.frames
    layout = rs.scene.layout
    extra = {"corner": layout.corner, "scale": layout.scale, "x": layout.x, "y": layout.y}
    return [
        b.clip(f"{rs.scene.title}: presenter", rs.presenter, 0, rs.frames,
               max(available, rs.frames), {**meta, "layout": extra})
    ]  # fmt: skip


def _narration(
    b: _Builder, rs: RenderedScene, meta: dict[str, Any]
) -> tuple[list[Any], list[Shot]]:
    rec = rs.recorded
    if rec is not None and rec.edit.voice == "own" and rs.timeline.screen is not None:
        source = rs.timeline.screen.source
        assert isinstance(source, RecordingSource)
        shots = sound_shots(recording_shots(source, rs.timeline.screen.fit, rs.frames, b.fps))
        available = source_frames(source.duration_ms, b.fps)
        clips = [
            b.clip(f"{rs.scene.title}: own voice", source.path, s.source, s.frames, available,
                   {**meta, **_span_meta(s)})
            for s in shots
        ]  # fmt: skip
        covered = shots[-1].at + shots[-1].frames if shots else 0
        if covered < rs.frames:
            clips.append(b.gap(rs.frames - covered, meta))
        return clips, shots
    available = max(rs.frames, ms_to_frames(rs.narration_ms, b.fps))
    clip = b.clip(f"{rs.scene.title}: narration", rs.narration, 0, rs.frames, available, meta)
    return [clip], [Shot(0, rs.frames, 0, Fraction(1))]


def _music(b: _Builder, rs: RenderedScene, music: Asset | None, meta: dict[str, Any]) -> list[Any]:
    audio = rs.timeline.audio
    if music is None or audio is None or audio.music is None:
        return [b.gap(rs.frames, meta)]
    length = (
        max(1, int(Fraction(music.duration_ms or 0) * b.fps / 1000))
        if music.duration_ms
        else rs.frames
    )
    clips, at = [], 0
    extra = {"gain_db": audio.music_gain_db, "ducked": audio.duck}
    while at < rs.frames:
        take = min(length, rs.frames - at)
        clips.append(
            b.clip(f"{rs.scene.title}: music", audio.music, 0, take, length, {**meta, **extra})
        )
        at += take
    return clips


def _mark(
    b: _Builder, clips: list[Any], shots: list[Shot], text: str, kind: str, at: int, frames: int
) -> None:
    """A marker from scene frame ``at`` lasting ``frames``, on the clip playing then (in that
    clip's own media time), or else on the last clip before it."""
    chosen = [(c, s) for c, s in zip(clips, shots, strict=False) if s.at <= at] or [
        (clips[0], shots[0])
    ]
    clip, shot = chosen[-1]
    offset = min(at - shot.at, shot.frames - 1)
    inside = max(0, min(frames, shot.frames - offset))
    clip.markers.append(b.marker(text, shot.source + offset, inside, kind))


def export_timeline(ws: Workspace, slug: str) -> Any:
    """The project as the render made it, as an ``opentimelineio.schema.Timeline`` (see the
    module docs); raises :class:`~vidkit.errors.NotFound` when a scene is not rendered as it
    is now."""
    import opentimelineio as otio

    project, scenes = rendered_scenes(ws, slug)
    b = _Builder(project.fps)
    music_assets = ws.assets(slug, kind="music")
    music = music_assets[-1] if music_assets else None
    tracks = {
        layer: otio.schema.Track(name=name, kind=getattr(otio.schema.TrackKind, kind))
        for layer, name, kind in LAYERS
    }
    for layer, track in tracks.items():
        track.metadata[KEY] = {"layer": layer}
    chapters = chapters_from_scenes([rs.scene.title for rs in scenes], [rs.frames for rs in scenes])
    starts, at = {}, 0
    for rs in scenes:
        starts[rs.scene.id] = at
        at += rs.frames
    manifest = []
    for rs in scenes:
        meta = {"scene_id": rs.scene.id}
        screen = _screen(b, rs, meta)
        narration, shots = _narration(b, rs, meta)
        begin = starts[rs.scene.id]
        for chapter in chapters:  # chapters_from_scenes ran on frames, so these are frames
            if chapter.start_ms == begin:
                _mark(b, narration, shots, chapter.title, "chapter", 0, 0)
        for start_ms, end_ms, text in rs.cues:
            start = min(rs.frames - 1, ms_to_frames(start_ms, b.fps))
            end = min(rs.frames, max(start + 1, ms_to_frames(end_ms, b.fps)))
            _mark(b, narration, shots, text, "caption", start, end - start)
        parts = {
            "screen": screen,
            "presenter": _presenter(b, rs, meta),
            "narration": narration,
            "music": _music(b, rs, music, meta),
        }
        for layer, items in parts.items():
            for index, item in enumerate(i for i in items if isinstance(i, otio.schema.Clip)):
                item.metadata[KEY]["index"] = index  # its place in the scene, to see moves
            tracks[layer].extend(items)
        edit = rs.recorded.edit if rs.recorded is not None else None
        fit = rs.timeline.screen.fit.speed if rs.timeline.screen is not None else 1.0
        manifest.append({
            "scene_id": rs.scene.id, "position": rs.scene.position, "title": rs.scene.title,
            "frames": rs.frames, "video": str(rs.video),
            "edit_version": edit.version if edit is not None else None,
            "fit_speed": fit,
            "clips": {layer: sum(1 for i in items if isinstance(i, otio.schema.Clip))
                      for layer, items in parts.items()},
        })  # fmt: skip
    timeline = otio.schema.Timeline(name=project.title, global_start_time=b.time(0))
    timeline.tracks.extend(tracks.values())
    timeline.metadata[KEY] = _header(project, manifest)
    return timeline


def _header(project: Project, manifest: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "project": project.slug,
        "fps": str(project.fps),
        "width": project.width,
        "height": project.height,
        "scenes": manifest,
    }
