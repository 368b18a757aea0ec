"""The Python examples in docs/backends/tts.md run."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO

DOC = REPO / "docs" / "backends" / "tts.md"


def test_the_python_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2, "docs/backends/tts.md lost its examples"
    done = subprocess.run(
        [sys.executable, "-c", "\n".join(blocks)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "chunk 1/1" in done.stdout
    assert "['Welcome', 'In', 'this', 'lesson'] True" in done.stdout
