"""Which scenes are rendered, how long each lasts, and a project's last render — found from
the pipeline's graph in lookup-only mode (:func:`vidkit.pipeline.graph.peek_scene`), so
nothing is ever made here."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vidkit.editing.stats import estimated_ms, speaking_rate
from vidkit.errors import VidkitError
from vidkit.model import Project, Scene
from vidkit.pipeline.cache import NotCached
from vidkit.pipeline.graph import Presenter, SceneGraph, peek_scene
from vidkit.workspace import Workspace

__all__ = [
    "LastRender",
    "ProjectSummary",
    "SceneStatus",
    "last_render",
    "prepare_presenter",
    "project_summaries",
    "scene_statuses",
    "use_example_presenter",
]

log = logging.getLogger("vidkit.editing")


@dataclass(frozen=True, slots=True)
class SceneStatus:
    """A scene as the timeline and render panel show it. ``spoken``: the duration is that of
    its cached speech; ``cached``: its video for the current content is already rendered;
    ``qc``: the worst status of that video's quality checks (``green``, ``amber``, ``red``;
    None: not checked), ``qc_notes`` the sentences of its amber and red items."""

    scene: Scene
    duration_ms: int
    spoken: bool = False
    cached: bool = False
    video: Path | None = None
    problem: str | None = None
    qc: str | None = None
    qc_notes: tuple[str, ...] = ()


_QUIET_LOCK = threading.Lock()
_QUIET: dict[str, Any] = {"depth": 0, "levels": []}


@contextmanager
def quiet_lookups() -> Iterator[None]:
    """Lookups log what they find and the pipeline warns about a missing photo: fine for a
    render, noise for a status check run after every edit. Safe across threads (the levels
    are restored when the last block ends)."""
    loggers = [logging.getLogger(name) for name in ("vidkit.stages", "vidkit.pipeline")]
    with _QUIET_LOCK:
        if _QUIET["depth"] == 0:
            _QUIET["levels"] = [logger.level for logger in loggers]
            for logger in loggers:
                logger.setLevel(logging.ERROR)
        _QUIET["depth"] += 1
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _QUIET["depth"] -= 1
            if _QUIET["depth"] == 0:
                for logger, level in zip(loggers, _QUIET["levels"], strict=True):
                    logger.setLevel(level)


def cached_presenter(ws: Workspace, slug: str) -> tuple[Presenter | None, bool, str | None]:
    """The project's presenter if it is already made, whether it is (a project without a
    photo has none, ready; a photo not cut out yet, or not usable, is not ready), and why it
    cannot be used, if that is known."""
    try:
        return SceneGraph(ws, slug, lookup_only=True).presenter(), True, None
    except NotCached:
        return None, False, None
    except VidkitError as exc:
        log.info("presenter of %s is not usable yet: %s", slug, exc)
        return None, False, str(exc)


def scene_statuses(ws: Workspace, slug: str) -> list[SceneStatus]:
    """Every scene's duration and whether it is already rendered, from the stage cache (no
    work is done). About 50 ms a scene once the backends are built (first call: ~1 s)."""
    wpm = speaking_rate(ws, slug)
    out: list[SceneStatus] = []
    with ws.catalogue.session(), quiet_lookups():
        presenter, ready, _ = cached_presenter(ws, slug)
        looker = SceneGraph(ws, slug, lookup_only=True)
        for scene in ws.scenes(slug):
            guess = estimated_ms(scene, wpm)
            recorded = looker.recorded(scene)
            if recorded is not None:
                guess = recorded.cuts.output_ms
            elif not scene.narration.strip():
                out.append(SceneStatus(scene, guess, problem="no narration yet"))
                continue
            peek = peek_scene(ws, slug, scene, presenter, whole=ready, checks=True)
            if peek.rendered is not None:
                duration = int(peek.rendered.report.get("duration_ms") or guess)
                video = ws.asset_path(peek.rendered.video)
                qc: str | None = None
                notes: tuple[str, ...] = ()
                if peek.qc is not None:
                    qc = peek.qc.report.status
                    notes = tuple(f"{i.check}: {i.sentence}" for i in peek.qc.report.flagged())
                out.append(SceneStatus(scene, duration, True, True, video, qc=qc, qc_notes=notes))
            elif peek.speech is not None:
                out.append(SceneStatus(scene, peek.speech.timings.duration_ms, spoken=True))
            else:
                out.append(SceneStatus(scene, guess, problem=peek.problem))
    return out


@dataclass(frozen=True, slots=True)
class LastRender:
    """When the project was last rendered: the whole video (``final`` is its file) or a
    scene."""

    finished_at: datetime
    what: str
    final: Path | None = None

    def summary(self) -> str:
        return f"{self.what}, {self.finished_at.astimezone().strftime('%Y-%m-%d %H:%M')}"


def last_render(ws: Workspace, slug: str) -> LastRender | None:
    """The project's latest render: its finished video in ``[render] output_dir``, or the
    latest scene rendered, whichever is newer; None if it was never rendered."""
    candidates: list[LastRender] = []
    final = ws.config.render.output_dir / f"{slug}.mp4"
    if final.is_file():
        stamp = datetime.fromtimestamp(final.stat().st_mtime, UTC)
        candidates.append(LastRender(stamp, "whole video", final))
    scenes = {s.id: s.position for s in ws.scenes(slug)}
    for job in ws.jobs(slug):
        if job.stage == "compose" and job.status == "done" and job.finished_at is not None:
            when = job.finished_at
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            position = scenes.get(job.scene_id or 0)
            what = f"scene {position}" if position else "a scene since deleted"
            candidates.append(LastRender(when, what))
    return max(candidates, key=lambda c: c.finished_at) if candidates else None


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    project: Project
    last_render: LastRender | None


def project_summaries(ws: Workspace) -> list[ProjectSummary]:
    """Every project with its last render, in one hold of the catalogue."""
    with ws.catalogue.session():
        return [ProjectSummary(p, last_render(ws, p.slug)) for p in ws.projects()]


def use_example_presenter(ws: Workspace, slug: str) -> None:
    """Give a project the example presenter photo (NASA's public-domain portrait of Eileen
    Collins, bundled with scikit-image), so a new project has a presenter from the start."""
    from PIL import Image
    from skimage import data

    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buffer, format="PNG")  # type: ignore[no-untyped-call]
    buffer.seek(0)
    ws.import_stream(slug, buffer, filename="astronaut.png", kind="avatar_image")


def prepare_presenter(ws: Workspace, slug: str) -> None:
    """Cut out the project's presenter photo and find its face now — the first steps of the
    first render, cached the same way — so drafts show the real presenter (a few seconds)."""
    from vidkit.errors import Hint, NotFound

    if not ws.assets(slug, kind="avatar_image"):
        raise NotFound(
            f"project {slug!r} has no presenter photo yet",
            hint=Hint(
                "add_photo",
                cli=f"add a portrait with `vidkit avatar {slug} --photo portrait.png`",
                studio="upload one with “Upload presenter photo”",
            ),
        )
    SceneGraph(ws, slug).presenter()
