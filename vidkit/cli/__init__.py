"""The ``vidkit`` command line.

One module per command group (``_projects``, ``_scenes``, ``_assets``, ``_models``,
``_recordings`` with ``transcribe`` and ``tighten``, ``_capture`` with ``capture``,
``_catalogue`` with backups, ``_export`` with ``export`` and ``import-edit``) plus ``_system``
for ``init``, ``serve`` and ``doctor``.
Commands call the public :class:`~vidkit.workspace.Workspace`; the config is read only when a
command needs it, and heavy modules (DuckDB, FastAPI, pydantic) are imported inside the
commands, so ``vidkit --help`` stays quick.

:func:`main` turns every :class:`VidkitError` into one ``error: <message>; <hint>`` line on
stderr (the hint: its :class:`~vidkit.errors.Hint` for the CLI, when it has one) and exit
status 1; usage errors exit 2, Ctrl-C exits 130 without a traceback.

The root options ``-v``/``-q``/``--log-level``/``--log-file`` set up logging for every command
(:mod:`vidkit.cli._logging`); long commands show their progress through
:mod:`vidkit.cli._progress`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from typer.main import get_command

from vidkit.cli import (
    _assets,
    _author,
    _avatar,
    _captions,
    _capture,
    _catalogue,
    _export,
    _logging,
    _mcp,
    _models,
    _projects,
    _qc,
    _recordings,
    _render,
    _scenes,
    _system,
    _voices,
)
from vidkit.cli._common import Session, error_line
from vidkit.errors import VidkitError

__all__ = ["app", "main"]

app = typer.Typer(
    name="vidkit",
    help="Narrated, avatar-presented educational videos: projects, scenes and assets.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(_projects.app, name="projects")
app.add_typer(_scenes.app, name="scenes")
app.add_typer(_assets.app, name="assets")
app.add_typer(_recordings.app, name="recordings")
app.add_typer(_models.app, name="models")
app.add_typer(_catalogue.app, name="catalogue")
app.add_typer(_author.lexicon_app, name="lexicon")
app.add_typer(_voices.app, name="voices")
app.command()(_system.init)
app.command()(_system.serve)
app.command()(_mcp.mcp)
app.command()(_system.doctor)
app.command()(_avatar.avatar)
app.command("avatar-generate")(_avatar.avatar_generate)
app.command()(_avatar.speak)
app.command()(_avatar.animate)
app.command()(_render.render)
app.command()(_qc.qc)
app.command()(_export.export)
app.command("import-edit")(_export.import_edit)
app.command()(_recordings.transcribe)
app.command()(_recordings.tighten)
app.command()(_capture.capture)
app.command()(_captions.captions)
app.command()(_author.write)
app.command()(_author.plan)
app.command()(_author.revise)


def _show_version(value: bool) -> None:
    if value:
        from vidkit import __version__

        typer.echo(f"vidkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "-c",
            "--config-file",
            metavar="FILE",
            help="The config to use (default: $VIDKIT_CONFIG, else the nearest ./config.toml "
            "here or in a parent folder).",
        ),
    ] = None,
    verbose: Annotated[
        int,
        typer.Option(
            "-v",
            "--verbose",
            count=True,
            help="Say more: -v logs what vidkit does (info), -vv everything, other libraries' "
            "logs too (debug).",
        ),
    ] = 0,
    quiet: Annotated[
        bool,
        typer.Option("-q", "--quiet", help="Only errors: no warnings and no progress display."),
    ] = False,
    log_level: Annotated[
        str | None,
        typer.Option(
            "--log-level",
            metavar="LEVEL",
            help="debug, info, warning (the default) or error; overrides -v and -q.",
        ),
    ] = None,
    log_file: Annotated[
        Path | None,
        typer.Option(
            "--log-file",
            metavar="FILE",
            help="Also append the log records to FILE, with timestamps and tracebacks.",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    try:
        _logging.configure(
            _logging.settings_from(
                verbose=verbose, quiet=quiet, log_level=log_level, log_file=log_file
            )
        )
    except _logging.LoggingProblem as exc:
        typer.echo(error_line(str(exc)), err=True)
        raise typer.Exit(2 if exc.usage else 1) from None
    ctx.obj = Session(config_file)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    command = get_command(app)
    try:
        command.main(args=None if argv is None else list(argv), prog_name="vidkit")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except VidkitError as exc:
        _logging.failed(exc)
        typer.echo(error_line(exc.for_cli()), err=True)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        _logging.reset()
    return 0
