"""A small real project: two short scenes with code, and the astronaut as presenter."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_config
from vidkit.api import Workspace
from vidkit.config import load_config

PROJECT = """
[project]
slug = "tiny"
title = "Tiny tutorial"
subtitle = "Two scenes"
width = 640
height = 360
fps = 25
avatar = "skimage:astronaut"

[[scenes]]
title = "A loop"
code = "a.py"
narration = "Maps make a list. Bob builds one, bit by bit."

[[scenes]]
title = "A comprehension"
code = "b.py"
avatar_corner = "top-right"
narration = "Now the same thing in one line."
"""

RENDER = """
[avatar]
matting = "mediapipe"
[render]
preset = "ultrafast"
workers = 2
"""


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "a.py").write_text("squares = []\nfor n in range(3):\n    squares.append(n * n)\n")
    (folder / "b.py").write_text("squares = [n * n for n in range(3)]\n")
    path = folder / "project.toml"
    path.write_text(PROJECT)
    return path


@pytest.fixture
def render_ws(tmp_path: Path, project_file: Path) -> Workspace:
    from vidkit.example import load_project_file

    config = write_config(tmp_path / "ws", RENDER)
    ws = Workspace(load_config(config))
    load_project_file(ws, project_file)
    return ws
