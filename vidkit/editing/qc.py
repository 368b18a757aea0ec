"""The QC reports of a project's rendered scenes and of its film, for the CLI and the studio,
found through the pipeline's graph in lookup-only mode: nothing is rendered or checked here.

A scene's report is the one the ``qc`` stage made for its current video (so a scene edited
since its render has none until it is rendered again); the film's is judged from the newest
assembled video's own measurements (:func:`vidkit.qc.check_film`).

:func:`qc_summary` is what a scene badge shows: each scene's worst status and the sentences
of its amber and red items. :func:`require_no_red` is ``render --strict``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vidkit.config import QcConfig
from vidkit.editing.status import cached_presenter, quiet_lookups
from vidkit.errors import Hint, QualityError
from vidkit.pipeline.events import RenderResult
from vidkit.pipeline.graph import peek_scene
from vidkit.qc import QcReport, Status, check_film
from vidkit.workspace import Workspace

__all__ = ["SceneQc", "film_qc", "qc_reports", "qc_summary", "require_no_red"]


@dataclass(frozen=True, slots=True)
class SceneQc:
    """A scene's QC: its worst ``status`` and the sentences of its amber and red items;
    ``status`` None when the scene's current video is not rendered (or not checked) yet."""

    scene_id: int
    position: int
    title: str
    status: Status | None
    sentences: tuple[str, ...] = ()
    report: QcReport | None = None

    @property
    def badge(self) -> str:
        """The status in one word for a badge: ``green``, ``amber``, ``red`` or ``unchecked``."""
        return self.status or "unchecked"


def qc_reports(
    ws: Workspace, slug: str, *, positions: Sequence[int] | None = None
) -> list[SceneQc]:
    """Each scene's QC (only those at ``positions``, if given), in scene order."""
    out: list[SceneQc] = []
    with ws.catalogue.session(), quiet_lookups():
        presenter, ready, _ = cached_presenter(ws, slug)
        for scene in ws.scenes(slug):
            if positions and scene.position not in positions:
                continue
            peek = peek_scene(ws, slug, scene, presenter, whole=ready, checks=True)
            if peek.qc is None:
                out.append(SceneQc(scene.id, scene.position, scene.title, None))
                continue
            report = peek.qc.report
            sentences = tuple(f"{i.check}: {i.sentence}" for i in report.flagged())
            out.append(
                SceneQc(scene.id, scene.position, scene.title, report.status, sentences, report)
            )
    return out


def qc_summary(ws: Workspace, slug: str) -> dict[int, SceneQc]:
    """Scene id → its QC (worst status and the amber and red sentences), for badges."""
    return {found.scene_id: found for found in qc_reports(ws, slug)}


def film_qc(ws: Workspace, slug: str) -> QcReport | None:
    """The checks of the project's newest assembled video, or None if it was never
    assembled."""
    films = ws.assets(slug, kind="final_video")
    if not films:
        return None
    film = max(films, key=lambda a: a.id)
    report = dict(film.metadata.get("report", {}))
    return check_film(report, ws.config.qc)


def require_no_red(result: RenderResult, limits: QcConfig) -> None:
    """Raise :class:`~vidkit.errors.QualityError` naming the first scene (or the film) and
    check that ``result`` (a render) has red, as ``render --strict`` asks."""
    found: list[tuple[str, str, int | None]] = []  # (where, check: sentence, position)
    for scene in result.scenes:
        qc = scene.report.get("qc") or {}
        for item in qc.get("flagged", ()):
            if item.get("status") == "red":
                where = f"scene {scene.position} ({scene.title!r})"
                found.append((where, f"{item['check']} — {item['sentence']}", scene.position))
    if result.final is not None:
        for film_item in check_film(result.report, limits).flagged(at_least="red"):
            found.append(("the film", f"{film_item.check} — {film_item.sentence}", None))
    if not found:
        return
    where, what, position = found[0]
    more = f" (and {len(found) - 1} more red item(s))" if len(found) > 1 else ""
    show = f" --scene {position}" if position is not None else ""
    raise QualityError(
        f"{where} failed its quality checks: {what}{more}",
        hint=Hint(
            "show_qc",
            cli=f"`vidkit qc {result.project}{show}` shows the whole report",
            studio="the scene's badge lists what failed",
        ),
    )
