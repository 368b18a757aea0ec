"""The worked examples in docs/architecture.md run and print what the page says."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO

DOC = REPO / "docs" / "architecture.md"


def test_the_worked_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 2, "docs/architecture.md lost its worked examples"
    done = subprocess.run(
        [sys.executable, "-c", "\n".join(blocks)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    width, height, crop = (int(v) for v in lines[0].split())
    assert width > 0 and height > 0 and crop == 4
    assert lines[1:] == ["False True False", "(160, 160)"]


def test_the_page_names_every_layer_of_the_layering_test() -> None:
    from tests.test_layers import LAYERS

    text = DOC.read_text(encoding="utf-8")
    for names in LAYERS:
        for name in names - {""}:
            assert re.search(rf"\b{name}\b", text), f"docs/architecture.md misses {name}"
