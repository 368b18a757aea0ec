"""The Python examples in docs/studio.md run and print what the page says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, write_config

DOC = REPO / "docs" / "studio.md"


def test_the_python_examples_run(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 2, "docs/studio.md lost its examples"
    env = {**os.environ, "VIDKIT_CONFIG": str(write_config(tmp_path / "ws"))}
    done = subprocess.run(
        [sys.executable, "-c", "\n".join(blocks)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    printed = re.search(r"prints\n\n```\n(.*?)```", text, re.S)
    assert printed is not None
    assert done.stdout.splitlines() == printed.group(1).splitlines()
    assert done.stderr == ""
