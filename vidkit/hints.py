"""Hints that many errors share (see :class:`vidkit.errors.Hint`): a missing package or model,
which only whoever set vidkit up can fix; choosing a voice; listing projects and scenes.

Each names the command for the CLI and, for the studio, what to do there in words::

    raise BackendError("Piper is not installed", hint=install("Piper", "piper-tts==1.8.0 onnx"))
"""

from __future__ import annotations

from typing import Final

from vidkit.errors import Hint

__all__ = [
    "CHOOSE_VOICE",
    "LIST_PROJECTS",
    "LIST_SCENES",
    "SETUP",
    "fetch_models",
    "install",
]

#: How the studio's hints for set-up problems begin: a non-coder cannot install anything.
SETUP: Final = "ask whoever set up vidkit on this machine to"


def install(what: str, spec: str, *, more: str = "") -> Hint:
    """Install the Python package ``spec`` (``what``: its name in words); ``more``: the rest of
    the CLI's advice (``" (or set [transcribe] backend = ...)"``)."""
    return Hint(
        "install_package", cli=f"run `pip install {spec}`{more}", studio=f"{SETUP} install {what}"
    )


def fetch_models(name: str | None = None) -> Hint:
    """Fetch the offline models (``name``: only that one)."""
    fetch = f"vidkit models fetch {name}" if name else "vidkit models fetch"
    return Hint(
        "fetch_models",
        cli=f"run `make models` (or `{fetch}`)",
        studio=f"{SETUP} fetch the offline models",
    )


CHOOSE_VOICE: Final = Hint(
    "choose_voice",
    cli="choose a voice profile for the project with `vidkit voices use NAME`",
    studio="choose a voice profile under “Voice” above",
)
LIST_PROJECTS: Final = Hint(
    "list_projects",
    cli="`vidkit projects list` shows them",
    studio="open one from the project list",
)
LIST_SCENES: Final = Hint(
    "list_scenes",
    cli="`vidkit scenes list` shows them",
    studio="choose one in the timeline",
)
