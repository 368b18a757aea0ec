"""``vidkit projects``: the whole life of a project, text and JSON output, and imports."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import Cli, assert_user_error, cli_env
from vidkit.api import Workspace
from vidkit.cli._output import text_width


def test_create_list_show_rename_delete(cli: Cli, workspace: Workspace) -> None:
    args = "projects create --slug intro-py --title Intro --subtitle Sub --width 1280 --height 720"
    project = cli(*args.split(), "--fps", "25", "--json").json()
    assert (project["slug"], project["subtitle"], project["width"], project["fps"]) == (
        "intro-py",
        "Sub",
        1280,
        "25",
    )

    listed = cli("projects", "list", "--json").json()
    assert listed == [p.to_dict() for p in workspace.projects()]
    assert [p["slug"] for p in listed] == ["intro-py"]

    shown = cli("projects", "show", "intro-py", "--json").json()
    assert shown == {"project": workspace.project("intro-py").to_dict(), "scenes": []}

    renamed = cli("projects", "update", "intro-py", "--slug", "python-intro", "--title", "Py")
    assert renamed.ok
    assert "python-intro" in renamed.stdout
    assert_user_error(cli("projects", "show", "intro-py"), "no project", "projects list")

    table = cli("projects", "list")
    assert table.ok
    header, row = table.stdout.splitlines()
    assert header.split() == ["SLUG", "TITLE", "SCENES", "UPDATED"]
    assert row.split()[:3] == ["python-intro", "Py", "0"]

    assert_user_error(cli("projects", "delete", "python-intro"), "pass --yes")
    assert cli("projects", "delete", "python-intro", "--yes").ok
    assert cli("projects", "list", "--json").json() == []
    assert "no projects yet" in cli("projects", "list").stdout


def test_update_chooses_the_voice(
    cli: Cli, workspace: Workspace, make_media: Callable[..., Path]
) -> None:
    workspace.create_project("p", "P")
    assert "backend default" in cli("projects", "show", "p").stdout
    refused = cli("projects", "update", "p", "--voice", "Ada")
    assert_user_error(refused, "no voice profile named 'Ada'", "add a voice profile first")
    assert workspace.project("p").voice == ""

    workspace.add_voice(
        "p", "Ada", make_media("audio", 1.0), transcript="x", consent="Ada agreed in writing"
    )
    assert cli("projects", "update", "p", "--voice", "Ada", "--json").json()["voice"] == "Ada"
    assert workspace.project("p").voice == "Ada"
    assert cli("projects", "show", "p", "--json").json()["project"]["voice"] == "Ada"
    shown = cli("projects", "show", "p").stdout.splitlines()
    assert ["voice", "Ada"] in [line.split() for line in shown]

    cleared = cli("projects", "update", "p", "--voice", "")
    assert cleared.ok
    assert "voice" in cleared.stdout
    assert workspace.project("p").voice == ""
    assert "backend default" in cli("projects", "show", "p").stdout
    assert_user_error(cli("projects", "update", "p"), "nothing to change", "--voice")


def test_delete_asks_on_a_terminal(config_file: Path, workspace: Workspace) -> None:
    workspace.create_project("keep", "Keep me")
    for answer, still_there in (("n", True), ("y", False)):
        controller, terminal = pty.openpty()
        os.write(controller, f"{answer}\n".encode())
        try:
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "vidkit.cli",
                    "-c",
                    str(config_file),
                    "projects",
                    "delete",
                    "keep",
                ],
                stdin=terminal,
                capture_output=True,
                text=True,
                env=cli_env(),
                timeout=60,
                check=False,
            )
        finally:
            os.close(terminal)
            os.close(controller)
        assert "Delete project keep (Keep me)" in proc.stdout
        assert (proc.returncode == 1) == still_there
        assert any(p.slug == "keep" for p in workspace.projects()) == still_there


def test_unicode_long_titles_and_big_descriptions(cli: Cli, workspace: Workspace) -> None:
    title = "Ünïcödé 🎬 タイトル — ok"
    description = "word " * 20_000  # 100 KB
    created = cli(
        "projects",
        "create",
        "--slug",
        "uni",
        "--title",
        title,
        "--description",
        description,
        "--json",
    )
    assert created.json()["title"] == title
    assert workspace.project("uni").description == description
    long_title = "A very long title that keeps going " * 5
    assert cli("projects", "create", "--slug", "long", "--title", long_title).ok

    listed = cli("projects", "list", "--json").json()
    assert {p["slug"]: p["title"] for p in listed} == {"uni": title, "long": long_title.strip()}
    table = cli("projects", "list").stdout
    assert title in table
    assert "A very long title" in table
    assert "…" in table
    assert all(text_width(line) <= 80 for line in table.splitlines())

    shown = cli("projects", "show", "uni")
    assert shown.ok
    assert title in shown.stdout
    assert "100,000 chars" in shown.stdout
    assert all(text_width(line) <= 80 for line in shown.stdout.splitlines())


PROJECT_FILE = """
[project]
slug = "from-file"
title = "From a file"

[[scenes]]
title = "One"
narration = "First words."

[[scenes]]
title = "Two"
"""


def test_import_a_project_file(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "project.toml"
    path.write_text(PROJECT_FILE, encoding="utf-8")
    imported = cli("projects", "import", path)
    assert imported.ok
    assert "imported project from-file" in imported.stdout
    assert "2 scene(s)" in imported.stdout

    assert_user_error(cli("projects", "import", path), "already exists", "--replace")
    path.write_text(PROJECT_FILE.replace('"Two"', '"Second"'), encoding="utf-8")
    replaced = cli("projects", "import", path, "--replace", "--json").json()
    assert replaced["scene_count"] == 2
    scenes = cli("projects", "show", "from-file", "--json").json()["scenes"]
    assert [s["title"] for s in scenes] == ["One", "Second"]
    assert_user_error(cli("projects", "import", tmp_path / "missing.toml"), "missing.toml")
