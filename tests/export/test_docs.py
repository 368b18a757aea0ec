"""docs/export.md: its Python example runs as shown on a rendered project, and its format
table names every export format."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO
from tests.export.conftest import Rendered
from vidkit.export import FORMATS

pytestmark = pytest.mark.slow

DOC = REPO / "docs" / "export.md"


def test_the_python_example_runs(rendered: Rendered, capsys: pytest.CaptureFixture[str]) -> None:
    (code,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    exec(compile(code, str(DOC), "exec"), {"ws": rendered.ws, "slug": rendered.slug})
    assert capsys.readouterr().out.splitlines() == [
        "['Screen', 'Presenter', 'Narration', 'Music']",
        "['nothing to change']",
    ]
    assert (rendered.ws.config.render.output_dir / "lesson.xml").is_file()


def test_every_format_is_described() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, fmt in FORMATS.items():
        assert f"| `{name}` | `{fmt.suffix}`" in text
