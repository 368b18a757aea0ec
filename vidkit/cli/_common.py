"""What every command shares: the session (config and workspace, loaded on first use),
shared options, confirmation of destructive steps, and how a user error is reported."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from vidkit.config import Config
    from vidkit.model import Scene
    from vidkit.workspace import Workspace

__all__ = [
    "JsonFlag",
    "SceneOption",
    "Session",
    "YesFlag",
    "confirm",
    "error_line",
    "fail",
    "given",
    "scene_at",
    "session",
]

JsonFlag = Annotated[
    bool,
    typer.Option("--json", help="Print JSON with the HTTP API's field names instead of text."),
]
YesFlag = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
SceneOption = Annotated[
    int,
    typer.Option(
        "--scene", min=1, help="The scene's position (1 is the first; `vidkit scenes list`)."
    ),
]


@dataclass
class Session:
    """The ``-c/--config-file`` choice of one invocation; config and workspace load lazily, so
    ``--help`` and ``init`` work without a config file."""

    config_path: Path | None = None
    _config: Config | None = field(default=None, repr=False)
    _workspace: Workspace | None = field(default=None, repr=False)

    def config(self) -> Config:
        if self._config is None:
            from vidkit.config import load_config

            self._config = load_config(self.config_path)
        return self._config

    def workspace(self) -> Workspace:
        if self._workspace is None:
            from vidkit.workspace import Workspace

            self._workspace = Workspace(self.config())
        return self._workspace

    def command(self, *args: str) -> str:
        """A ``vidkit`` command line to suggest, with ``-c`` when the user gave one."""
        prefix = ["vidkit", "-c", str(self.config_path)] if self.config_path else ["vidkit"]
        return shlex.join([*prefix, *args])


def session(ctx: typer.Context) -> Session:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Session) else Session()


def scene_at(ws: Workspace, slug: str, position: int) -> Scene:
    """The project's scene at ``position``, or one line saying which there are."""
    from vidkit.errors import InvalidInput

    scenes = ws.scenes(slug)
    found = next((s for s in scenes if s.position == position), None)
    if found is None:
        have = f"scenes 1..{len(scenes)}" if scenes else "no scenes yet"
        raise InvalidInput(
            f"project {slug!r} has {have}; there is no scene {position}", field="scene"
        )
    return found


def error_line(message: str) -> str:
    """``error: <message>`` on one line, however many lines the message had."""
    return "error: " + " ".join(part.strip() for part in message.splitlines() if part.strip())


def fail(message: str) -> NoReturn:
    """Report a user error the way ``main`` reports a :class:`VidkitError`, and exit 1."""
    typer.echo(error_line(message), err=True)
    raise typer.Exit(1)


def given(**options: Any) -> dict[str, Any]:
    """The options the user actually passed (those not left at ``None``)."""
    return {key: value for key, value in options.items() if value is not None}


def confirm(question: str, *, yes: bool, action: str) -> None:
    """Ask before a destructive step. Without a terminal to ask on, refuse unless ``--yes``."""
    if yes:
        return
    if not sys.stdin.isatty():
        fail(f"refusing to {action} without confirmation: pass --yes (stdin is not a terminal)")
    if not typer.confirm(question, default=False):
        typer.echo("cancelled; nothing was deleted", err=True)
        raise typer.Exit(1)
