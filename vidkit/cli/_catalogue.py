"""``vidkit catalogue``: back the catalogue up, list its backups, restore one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vidkit.cli._common import JsonFlag, YesFlag, confirm, session
from vidkit.cli._output import print_json

if TYPE_CHECKING:
    from vidkit.catalogue import Catalogue

app = typer.Typer(
    help="Back up the catalogue, list its backups and restore one.", no_args_is_help=True
)


def _catalogue(ctx: typer.Context) -> Catalogue:
    """The configured catalogue, not opened (a damaged one can still be restored)."""
    from vidkit.catalogue import Catalogue

    config = session(ctx).config()
    return Catalogue(config.catalogue.path, lock_timeout_s=config.catalogue.lock_timeout_s)


@app.command()
def backup(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="PATH",
            help="A new folder to write the backup into (default: "
            "<catalogue>.backups/<timestamp>/ beside the catalogue).",
        ),
    ] = None,
) -> None:
    """Export the whole catalogue (DuckDB EXPORT DATABASE) into a folder."""
    folder = _catalogue(ctx).backup(path)
    typer.echo(f"backed up the catalogue to {folder}")
    typer.echo(f"restore it with: {session(ctx).command('catalogue', 'restore', str(folder))}")


@app.command("backups")
def list_backups(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List the backups beside the catalogue, newest first."""
    catalogue = _catalogue(ctx)
    found = catalogue.backups()
    if as_json:
        print_json([str(p) for p in found])
    elif not found:
        hint = session(ctx).command("catalogue", "backup")
        typer.echo(f"no backups in {catalogue.backups_folder}; make one with: {hint}")
    else:
        for folder in found:  # whole paths, one a line, to copy into `restore`
            typer.echo(str(folder))


@app.command()
def restore(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH", help="A backup folder, as `vidkit catalogue backups` lists them."
        ),
    ],
    yes: YesFlag = False,
) -> None:
    """Replace the catalogue with a backup (DuckDB IMPORT DATABASE into a fresh file, swapped in
    at once); the old file is kept aside."""
    catalogue = _catalogue(ctx)
    confirm(
        f"Replace the catalogue {catalogue.path} with the backup {path}?",
        yes=yes,
        action="replace the catalogue",
    )
    aside = catalogue.restore(path)
    typer.echo(f"restored the catalogue {catalogue.path} from {path.absolute()}")
    if aside is not None:
        typer.echo(f"the old file is kept as {aside}")
