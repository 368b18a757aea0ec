"""Every ``$ vidkit ...`` line in docs/cli.md's console blocks runs, in order, and succeeds;
where the page shows output under a command, the command prints exactly that."""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO
from vidkit.cli import main

DOC = REPO / "docs" / "cli.md"
_BLOCK_RE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(kind: str) -> list[str]:
    return [body for k, body in _BLOCK_RE.findall(DOC.read_text(encoding="utf-8")) if k == kind]


def examples() -> list[tuple[str, list[str]]]:
    """(command, the output lines the page shows under it) for every console line."""
    found: list[tuple[str, list[str]]] = []
    for body in blocks("console"):
        for line in body.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            else:
                found[-1][1].append(line.rstrip())
    return found


def test_every_console_example_runs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    make_media: Callable[..., Path],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VIDKIT_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    for body in blocks("toml"):  # files the page shows, named in their first line
        name = body.splitlines()[0].removeprefix("# ")
        (tmp_path / name).write_text(body, encoding="utf-8")
    (tmp_path / "loops.txt").write_text("A loop repeats its body.\n", encoding="utf-8")
    shutil.copy(make_media("video", seconds=2.0), tmp_path / "recording.mp4")

    commands = examples()
    assert len(commands) >= 20
    for command, shown in commands:
        argv = shlex.split(command)
        assert argv[0] == "vidkit"
        status = main(argv[1:])
        out, err = capsys.readouterr()
        assert status == 0, (command, err)
        if shown:
            assert out.rstrip("\n").splitlines() == shown, command
