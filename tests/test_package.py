"""Package hygiene: lazy imports, no UI in the library, an explicit public API."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import vidkit

REPO = Path(__file__).resolve().parents[1]


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    return set(out.stdout.split())


def test_importing_vidkit_does_no_work() -> None:
    loaded = _modules_after("import vidkit")
    assert not {"duckdb", "fastapi", "pydantic", "imageio_ffmpeg", "typer"} & loaded


def test_library_never_imports_ui_packages() -> None:
    loaded = _modules_after(
        "import vidkit.api, vidkit.catalogue, vidkit.example, vidkit.models, vidkit.media, "
        "vidkit.cli, vidkit.http, vidkit.pipeline.runner, vidkit.editing, vidkit.authoring.script"
    )
    assert not {m for m in loaded if m.split(".")[0] in {"ipywidgets", "IPython", "ipykernel"}}


def test_public_api_is_sorted_and_resolves() -> None:
    assert list(vidkit.__all__) == sorted(vidkit.__all__)
    for name in vidkit.__all__:
        assert getattr(vidkit, name) is not None
    assert callable(vidkit.open)


def test_no_ui_imports_in_library_sources() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "vidkit").rglob("*.py")
        if any(
            word in path.read_text()
            for word in ("import ipywidgets", "from IPython", "import IPython")
        )
    ]
    assert offenders == []


def test_the_render_function_survives_the_renderer_being_imported() -> None:
    code = (
        "import vidkit, vidkit.render.compose\n"
        "from vidkit.render import captions\n"
        "assert callable(vidkit.render), vidkit.render\n"
        "assert vidkit.render.__module__ == 'vidkit.pipeline.runner'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_wheel_ships_every_package_and_its_data() -> None:
    """``[tool.setuptools] packages`` names every folder with an ``__init__.py`` (a package
    left out works in the editable install of ``make`` but is missing from a wheel)."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for top in ("vidkit", "widgets")
        for init in (REPO / top).rglob("__init__.py")
    }
    assert listed == found
    data = config["tool"]["setuptools"]["package-data"]["vidkit"]
    for pattern in data:
        assert list((REPO / "vidkit").glob(pattern)), f"package data {pattern!r} matches nothing"
