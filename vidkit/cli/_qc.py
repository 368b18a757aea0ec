"""``vidkit qc``: the quality checks of a project's rendered scenes and of its film."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from vidkit.cli._common import JsonFlag, session
from vidkit.cli._output import print_json

if TYPE_CHECKING:
    from vidkit.qc import QcReport

_MARK = {"green": "ok", "amber": "WARN", "red": "FAIL", None: "-"}


def _lines(report: QcReport, *, every: bool) -> list[str]:
    items = report.items if every else report.flagged()
    return [f"  {_MARK[i.status]:5} {i.check:11} {i.sentence}" for i in items]


def qc(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The project.")],
    scene: Annotated[
        list[int] | None,
        typer.Option(
            "--scene", help="Only the scene at this position, with every check (repeatable)."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show the quality checks measured on the rendered scenes and the film (A/V offset,
    captions, loudness, clipping, silence, black or frozen picture, the presenter's face,
    the recording's fit); a scene not rendered since it changed has none yet."""
    from vidkit.editing.qc import film_qc, qc_reports

    ws = session(ctx).workspace()
    ws.project(slug)  # a clear error for an unknown project
    scenes = qc_reports(ws, slug, positions=scene or None)
    if scene:
        missing = sorted(set(scene) - {s.position for s in scenes})
        if missing:
            from vidkit.errors import InvalidInput

            raise InvalidInput(f"project {slug!r} has no scene {missing[0]}", field="scene")
    film = None if scene else film_qc(ws, slug)
    if as_json:
        data: dict[str, Any] = {
            "project": slug,
            "scenes": [
                {"position": s.position, "scene_id": s.scene_id, "title": s.title,
                 "status": s.status, "report": s.report.to_dict() if s.report else None}
                for s in scenes
            ],
            "film": film.to_dict() if film else None,
        }  # fmt: skip
        print_json(data)
        return
    for found in scenes:
        typer.echo(f"scene {found.position}  {found.badge:9} {found.title}")
        if found.report is None:
            typer.echo("  not checked yet: render the scene (vidkit render) to check it")
            continue
        for line in _lines(found.report, every=bool(scene)):
            typer.echo(line)
    if film is not None:
        typer.echo(f"film     {film.status:9} the newest assembled video")
        for line in _lines(film, every=True):
            typer.echo(line)
    counts = {s: sum(1 for f in scenes if f.status == s) for s in ("green", "amber", "red")}
    unchecked = sum(1 for f in scenes if f.status is None)
    typer.echo(
        f"{len(scenes)} scene(s): {counts['green']} green, {counts['amber']} amber, "
        f"{counts['red']} red" + (f", {unchecked} not checked" if unchecked else "")
    )
