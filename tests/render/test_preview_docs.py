"""The Python examples in docs/render-preview.md run and print what the page says."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO

DOC = REPO / "docs" / "render-preview.md"


def test_the_python_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 3, "docs/render-preview.md lost its examples"
    done = subprocess.run(
        [sys.executable, "-c", "\n".join(blocks)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "1.6 exact sped up 1.6×"
    assert lines[1] == "slowed to 0.5× and froze the last frame for 3.2 s"
    assert lines[2] == "played at 2× and cut the last 41 s"
    assert lines[3].startswith("setpts=(PTS-STARTPTS)/1.6,fps=30/1,tpad=")
    assert lines[4:] == ["(540, 960, 3) uint8", "True"]
