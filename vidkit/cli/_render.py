"""``vidkit render``: a whole project (or chosen scenes) to video, with a progress bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from vidkit.cli._common import JsonFlag, session
from vidkit.cli._logging import current as log_settings
from vidkit.cli._output import duration, print_json
from vidkit.cli._progress import Display, StageTally, mode_for

if TYPE_CHECKING:
    from vidkit.pipeline import RenderResult
    from vidkit.qc import QcReport
    from vidkit.workspace import Workspace


def _film(ws: Workspace, result: RenderResult) -> QcReport | None:
    """The film's quality checks, when the render assembled one."""
    from vidkit.qc import check_film

    return check_film(result.report, ws.config.qc) if result.final is not None else None


def _summary(result: RenderResult, film: QcReport | None) -> dict[str, Any]:
    return {
        "project": result.project,
        "qc": film.to_dict() if film is not None else None,
        "seconds": round(result.seconds, 2),
        "final": str(result.final) if result.final else None,
        "sidecars": {k: str(v) for k, v in result.sidecars.items()},
        "report": result.report,
        "scenes": [
            {"position": s.position, "scene_id": s.scene_id, "title": s.title,
             "video": s.video.path, "cached": s.cached, "report": s.report}
            for s in result.scenes
        ],
    }  # fmt: skip


def render(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The project.")],
    scene: Annotated[
        list[int] | None,
        typer.Option("--scene", help="Render only the scene at this position (repeatable)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Scenes at once (default: config).")
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Fail (exit status 1) when a quality check of a scene or the film is red.",
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Render a project to an MP4 with captions and chapters (cached scenes are reused), and
    check each scene (see `vidkit qc`)."""
    from vidkit.pipeline import render as run

    ws = session(ctx).workspace()
    count = len(scene) if scene else len(ws.scenes(slug))
    tally = StageTally(count, assemble=not scene)
    with Display(tally, mode_for(as_json=as_json, quiet=log_settings().quiet)) as show:
        result = run(ws, slug, positions=scene or None, workers=workers, progress=show)
    film = _film(ws, result)
    if as_json:
        print_json(_summary(result, film))
    else:
        _show(ws, result, film)
    if strict:
        from vidkit.editing.qc import require_no_red

        require_no_red(result, ws.config.qc)


def _show(ws: Workspace, result: RenderResult, film: QcReport | None) -> None:
    for s in result.scenes:
        state = "cached" if all(s.cached.values()) else "rendered"
        typer.echo(
            f"scene {s.position}  {state:8}  {duration(s.report.get('duration_ms'))}  "
            f"{s.title}  [{s.report.get('fit', 'exact')}]"
        )
        typer.echo(f"          {ws.store.resolve(s.video.path)}")
        qc = s.report.get("qc")
        if qc:
            flagged = "; ".join(f"{i['check']}: {i['sentence']}" for i in qc["flagged"][:2])
            typer.echo(f"          QC {qc['status']}" + (f" — {flagged}" if flagged else ""))
    hits = result.cache_hits
    typer.echo(f"{len(result.scenes)} scene(s), {hits} from cache, in {result.seconds:.1f} s")
    if result.final is not None:
        typer.echo(f"video:    {result.final} ({duration(result.report.get('duration_ms'))})")
        for name, path in sorted(result.sidecars.items()):
            typer.echo(f"{name + ':':9} {path}")
    if film is not None:
        said = "; ".join(i.sentence for i in film.items)
        typer.echo(f"film QC:  {film.status} — {said}")
