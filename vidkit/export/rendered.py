"""What the render made of each scene, found in the cache alone: the timeline it composed,
its rendered video and the files of each layer — the only thing an export is made from, so
the exported clips last exactly as long as the rendered scenes.

Nothing is made here: a scene whose video for its current content is not rendered is refused
(:func:`rendered_scenes` raises :class:`~vidkit.errors.NotFound` with a hint to render first).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vidkit.editing.status import cached_presenter, quiet_lookups
from vidkit.errors import Hint, NotFound
from vidkit.model import Asset, Project, Scene
from vidkit.pipeline.graph import Recorded, SceneGraph, avatar_layer, peek_scene
from vidkit.timeline import Timeline
from vidkit.workspace import Workspace

__all__ = ["RenderedScene", "render_first", "rendered_scenes"]


@dataclass(frozen=True)
class RenderedScene:
    """One rendered scene: the ``timeline`` its video was composed from (``timeline.duration``
    frames at the project's rate), that ``video``, its caption cues (ms on the scene's clock),
    the asset its screen shows, its narration's audio, the presenter's video (None without a
    presenter) and, for a scene made from a recording, its edit, recording and cut list."""

    scene: Scene
    timeline: Timeline
    video: Path
    cues: tuple[tuple[int, int, str], ...]
    shown: Asset | None
    narration: Path
    narration_ms: int
    presenter: Path | None
    presenter_ms: int | None
    recorded: Recorded | None

    @property
    def frames(self) -> int:
        return self.timeline.duration


def render_first(slug: str) -> Hint:
    """The hint for a project (or scene) that is not rendered as it is now."""
    return Hint(
        "render",
        cli=f"render it first with `vidkit render {slug}`",
        studio="render the project first",
    )


def rendered_scenes(ws: Workspace, slug: str) -> tuple[Project, list[RenderedScene]]:
    """The project and every scene as the render made it, in order; raises
    :class:`~vidkit.errors.NotFound` naming the first scene not rendered as it is now."""
    with ws.catalogue.session(), quiet_lookups():
        project = ws.project(slug)
        scenes = ws.scenes(slug)
        if not scenes:
            raise NotFound(
                f"project {slug!r} has no scenes to export",
                hint=Hint("add_scene", cli=f"add one with `vidkit scenes add {slug} ...`",
                          studio="add a scene first"),
            )  # fmt: skip
        presenter, ready, _ = cached_presenter(ws, slug)
        graph = SceneGraph(ws, slug, lookup_only=True)
        out = []
        for scene in scenes:
            peek = peek_scene(ws, slug, scene, presenter, whole=ready)
            if peek.rendered is None or peek.speech is None:
                why = f" ({peek.problem})" if peek.problem else ""
                raise NotFound(
                    f"scene {scene.position} ({scene.title!r}) is not rendered as it is now"
                    f"{why}, so there is nothing to export yet",
                    hint=render_first(slug),
                )
            avatar = None
            if presenter is not None and peek.animation is not None:
                avatar = avatar_layer(presenter, scene.layout, ws.asset_path(peek.animation.video))
            timeline, cues, shown = graph.timeline(
                project, scene, peek.speech, avatar, peek.captured
            )
            animation = peek.animation
            out.append(
                RenderedScene(
                    scene, timeline, ws.asset_path(peek.rendered.video),
                    tuple((a, b, t) for a, b, t in cues), shown,
                    ws.asset_path(peek.speech.audio), peek.speech.timings.duration_ms,
                    ws.asset_path(animation.video) if animation is not None else None,
                    animation.video.duration_ms if animation is not None else None,
                    graph.recorded(scene, project),
                )
            )  # fmt: skip
    return project, out
