"""``vidkit export`` and ``vidkit import-edit``: a rendered project to an editor, and back.

``export`` writes the project as the render made it — OTIO, FCP X XML, FCP 7 XML or a CMX
3600 EDL (:mod:`vidkit.export.formats`) — beside the rendered video unless ``--out`` says
where. ``import-edit`` reads an edited ``.otio`` export back: the scene order, and a recorded
scene's trims as a new version of its cut list; what it cannot bring back is listed, never
guessed (:mod:`vidkit.export.back`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vidkit.cli._common import JsonFlag, session
from vidkit.cli._output import print_json

__all__ = ["export", "import_edit"]

_FORMATS = "otio, fcpxml, fcp7xml or edl"


def export(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The project (rendered).")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"The file format: {_FORMATS}.")
    ] = "otio",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write it (default: beside the video)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Export the rendered project's timeline for an editor (Resolve, Premiere, Final Cut)."""
    from vidkit.export.build import export_timeline
    from vidkit.export.formats import FORMATS, default_path, write_timeline

    ws = session(ctx).workspace()
    fmt = fmt.lower()
    path = out.expanduser() if out is not None else default_path(ws, slug, fmt)
    timeline = export_timeline(ws, slug)
    written = write_timeline(timeline, fmt, path)
    seconds = timeline.duration().to_seconds()
    scenes = len(timeline.metadata["vidkit"]["scenes"])
    tracks = [t.name for t in timeline.tracks if fmt != "edl" or t.name == "Screen"]
    if as_json:
        print_json({"path": str(written), "format": fmt, "scenes": scenes,
                    "duration_s": round(seconds, 3), "tracks": tracks})  # fmt: skip
        return
    typer.echo(f"{written}")
    typer.echo(
        f"{FORMATS[fmt].title}: {scenes} scene(s), {seconds:.2f} s at "
        f"{timeline.duration().rate:g} fps; tracks {', '.join(tracks)}"
        + (" (an EDL holds the screen track only)" if fmt == "edl" else "")
    )


def import_edit(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The project the file was exported from.")],
    file: Annotated[Path, typer.Argument(help="The edited .otio file.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would change.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Bring an edited OTIO export back: the scene order and trims of recorded scenes."""
    from vidkit.export.back import import_edit as bring_back

    ws = session(ctx).workspace()
    report = bring_back(ws, slug, file.expanduser(), dry_run=dry_run)
    if as_json:
        print_json(report.to_dict())
        return
    for line in report.lines():
        typer.echo(line)
    if report.changed and not dry_run:
        typer.echo(f"render again to see it: {session(ctx).command('render', slug)}")
