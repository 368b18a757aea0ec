"""``vidkit render``: a whole project (or chosen scenes) to video, with a progress bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import typer

from vidkit.cli._common import JsonFlag, session
from vidkit.cli._output import duration, print_json

if TYPE_CHECKING:
    from vidkit.pipeline import Event, RenderResult


class _Bar:
    """One progress bar over all scenes: each scene's stages weigh what they usually cost."""

    WEIGHTS: ClassVar[dict[str, float]] = {"speak": 0.15, "animate": 0.25, "compose": 0.6}

    def __init__(self, scenes: int, enabled: bool) -> None:
        self.scenes = max(1, scenes)
        self.parts: dict[tuple[str, int | None], float] = {}
        self.enabled = enabled
        self.shown = -1

    def __call__(self, event: Event) -> None:
        weight = self.WEIGHTS.get(event.stage, 0.0)
        if weight == 0 or event.total <= 0:
            return
        self.parts[(event.stage, event.position)] = weight * min(1.0, event.done / event.total)
        percent = int(100 * sum(self.parts.values()) / self.scenes)
        if self.enabled and percent != self.shown:
            self.shown = percent
            filled = percent * 30 // 100
            label = f"scene {event.position} {event.stage}" if event.position else event.stage
            typer.echo(
                f"\rrender [{'#' * filled}{'.' * (30 - filled)}] {percent:3d}%  {label:<20}",
                nl=False,
                err=True,
            )

    def close(self) -> None:
        if self.enabled and self.shown >= 0:
            typer.echo(err=True)


def _summary(result: RenderResult) -> dict[str, Any]:
    return {
        "project": result.project,
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
    as_json: JsonFlag = False,
) -> None:
    """Render a project to an MP4 with captions and chapters (cached scenes are reused)."""
    import sys

    from vidkit.pipeline import render as run

    ws = session(ctx).workspace()
    count = len(scene) if scene else len(ws.scenes(slug))
    bar = _Bar(count, enabled=not as_json and sys.stderr.isatty())
    try:
        result = run(ws, slug, positions=scene or None, workers=workers, progress=bar)
    finally:
        bar.close()
    if as_json:
        print_json(_summary(result))
        return
    for s in result.scenes:
        state = "cached" if all(s.cached.values()) else "rendered"
        typer.echo(
            f"scene {s.position}  {state:8}  {duration(s.report.get('duration_ms'))}  "
            f"{s.title}  [{s.report.get('fit', 'exact')}]"
        )
        typer.echo(f"          {ws.store.resolve(s.video.path)}")
    hits = result.cache_hits
    typer.echo(f"{len(result.scenes)} scene(s), {hits} from cache, in {result.seconds:.1f} s")
    if result.final is not None:
        typer.echo(f"video:    {result.final} ({duration(result.report.get('duration_ms'))})")
        for name, path in sorted(result.sidecars.items()):
            typer.echo(f"{name + ':':9} {path}")
