"""Helpers for driving the studio widgets from Python: a fast render config, FileUpload values,
ipyevents mouse events, and another process holding the catalogue."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_config
from vidkit.api import Workspace
from vidkit.config import load_config

FAST = '[avatar]\nmatting = "mediapipe"\n[render]\npreset = "ultrafast"\nworkers = 1\n'
NARRATION = "Here is a loop you have probably written a hundred times before today."


def fast_workspace(folder: Path, *, lock_timeout_s: float | None = None) -> Workspace:
    """A workspace in ``folder`` that renders quickly (ultrafast x264, mediapipe matting)."""
    config = write_config(folder, FAST)
    if lock_timeout_s is not None:
        text = config.read_text().replace(
            "lock_timeout_s = 60.0", f"lock_timeout_s = {lock_timeout_s}"
        )
        config.write_text(text)
    return Workspace(load_config(config))


@pytest.fixture
def fast_ws(tmp_path: Path) -> Workspace:
    return fast_workspace(tmp_path / "ws")


@pytest.fixture
def demo(fast_ws: Workspace) -> tuple[Workspace, int]:
    """A 1920×1080 project with one narrated scene; returns the scene's id."""
    fast_ws.create_project("demo", "Demo video")
    return fast_ws, fast_ws.add_scene("demo", "First", narration=NARRATION).id


@pytest.fixture
def small_demo(fast_ws: Workspace) -> tuple[Workspace, int]:
    """A small project (640×360 at 25 fps, quick to render) with one narrated scene."""
    fast_ws.create_project("demo", "Demo video", width=640, height=360, fps=25)
    return fast_ws, fast_ws.add_scene("demo", "First", narration=NARRATION).id


def upload(name: str, content: bytes) -> tuple[dict[str, Any], ...]:
    """What ipywidgets 8 puts in ``FileUpload.value`` for one chosen file."""
    return (
        {
            "name": name,
            "type": "",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime.now(UTC),
        },
    )


def mouse(kind: str, x: float, y: float, *, buttons: int = 1) -> dict[str, Any]:
    """An ipyevents mouse event on the preview at (x, y) preview pixels."""
    return {
        "event": kind,
        "type": kind,
        "dataX": x,
        "dataY": y,
        "relativeX": x / 2,
        "relativeY": y / 2,
        "boundingRectWidth": 480,
        "boundingRectHeight": 270,
        "buttons": buttons,
    }


@contextmanager
def catalogue_held(ws: Workspace) -> Iterator[None]:
    """Another process holding the catalogue (as a long CLI command would)."""
    lock = ws.catalogue.path.with_name(ws.catalogue.path.name + ".lock")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys\n"
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "sys.stdin.read()\n",
            str(lock),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
