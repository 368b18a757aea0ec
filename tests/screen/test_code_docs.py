"""The examples in docs/screen.md and in vidkit.screen.code's docstring run and print what the
page says they print."""

from __future__ import annotations

import doctest
import re
import subprocess
import sys

import vidkit.screen.code
from tests.conftest import REPO

DOC = REPO / "docs" / "screen.md"


def test_the_python_examples_run_and_print_what_the_page_says() -> None:
    page = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, re.S)
    assert len(blocks) == 3, "docs/screen.md lost its examples"
    done = subprocess.run(
        [sys.executable, "-c", "\n".join(blocks)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    promised = re.findall(r"```\n\nprints `(.*?)`", page)
    assert done.stdout.splitlines() == promised


def test_the_module_docstring_example_runs() -> None:
    result = doctest.testmod(vidkit.screen.code)
    assert result.attempted >= 2 and result.failed == 0
