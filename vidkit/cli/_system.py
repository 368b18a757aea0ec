"""Top-level commands: ``init`` (a starter config), ``serve`` (the HTTP API) and ``doctor``."""

from __future__ import annotations

import os
import shlex
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from vidkit.cli._common import JsonFlag, fail, session
from vidkit.cli._logging import for_server
from vidkit.cli._output import print_json, report

__all__ = ["doctor", "init", "serve"]


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` under a temporary name in the same folder, then rename it into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _target(ctx: typer.Context, folder: Path | None) -> Path:
    """FOLDER/config.toml, else the -c/--config-file path, else ./config.toml."""
    chosen = session(ctx).config_path
    if folder is not None or chosen is None:
        return ((folder or Path()).expanduser() / "config.toml").absolute()
    return chosen.expanduser().absolute()


def init(
    ctx: typer.Context,
    folder: Annotated[
        Path | None,
        typer.Argument(
            metavar="FOLDER", help="Where to write config.toml (default: -c's path, else here)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing config.")] = False,
) -> None:
    """Write a starter config.toml and create its assets folder."""
    from vidkit.config import load_config, starter_config

    target = _target(ctx, folder)
    if target.is_dir():
        fail(f"{target} is a folder; give the folder to write config.toml into instead")
    if target.exists() and not force:
        fail(f"{target} already exists; pass --force to overwrite it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(target, starter_config())
        root = load_config(target).assets.root
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot write {exc.filename or target}: {exc.strerror or exc}")
    typer.echo(f"wrote {target}")
    typer.echo(f"created {root}")
    here = target == Path.cwd() / "config.toml" and "VIDKIT_CONFIG" not in os.environ
    prefix = "vidkit" if here else shlex.join(["vidkit", "-c", str(target)])
    typer.echo(f"next: {prefix} doctor")
    typer.echo(f"      {prefix} projects create --slug my-video --title 'My video'")


def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default: [server] host).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (default: [server] port; 0: any).")
    ] = None,
    require_token: Annotated[
        bool,
        typer.Option("--require-token", help="Require the bearer token on loopback too."),
    ] = False,
) -> None:
    """Run the HTTP API until interrupted (Ctrl-C); logs its address and every request (info
    level, unless -v/-q/--log-level say otherwise)."""
    from vidkit.http import serve as run_server

    config = session(ctx).config()
    for_server()
    run_server(config, host=host, port=port, require_token=require_token, configure_logging=False)


def doctor(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Check that ffmpeg, the catalogue, models and services work."""
    from vidkit.doctor import run_checks

    checks = run_checks(session(ctx).config())
    failed = [c for c in checks if not c.ok]
    if as_json:
        print_json([asdict(c) for c in checks])
    else:
        typer.echo(report(checks))
        typer.echo("")
        if failed:
            typer.echo(f"{len(failed)} of {len(checks)} checks failed")
        else:
            typer.echo(f"all {len(checks)} checks passed")
    if failed:
        raise typer.Exit(1)
