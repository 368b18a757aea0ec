"""Run the real ``vidkit`` command line in a subprocess, and check how it reports errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        assert self.returncode == 0, self
        return json.loads(self.stdout)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and "Traceback" not in self.stderr


def cli_env(**extra: str) -> dict[str, str]:
    """The test's environment, 80 columns wide, with no config chosen by the environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIDKIT_CONFIG", "COLUMNS")}
    return {**env, "COLUMNS": "80", **extra}


def run_cli(
    *args: str | Path,
    stdin: str = "",
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    exe: tuple[str, ...] = (sys.executable, "-m", "vidkit.cli"),
) -> Result:
    """``vidkit ARGS`` with stdin a pipe (not a terminal) holding ``stdin``."""
    argv = tuple(str(a) for a in args)
    proc = subprocess.run(
        [*exe, *argv],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env or cli_env(),
        cwd=cwd,
        timeout=120,
        check=False,
    )
    return Result(argv, proc.returncode, proc.stdout, proc.stderr)


def assert_user_error(result: Result, *phrases: str) -> str:
    """Exit status 1 and exactly one ``error: ...`` line on stderr holding every phrase."""
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr + result.stdout, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result
    assert lines[0].startswith("error: "), result
    for phrase in phrases:
        assert phrase in lines[0], (phrase, result)
    return lines[0]


Cli = Callable[..., Result]


@pytest.fixture
def cli(config_file: Path) -> Cli:
    """``vidkit -c <the test's config> ARGS``."""

    def run(*args: str | Path, **kwargs: Any) -> Result:
        return run_cli("-c", config_file, *args, **kwargs)

    return run
