"""The mistakes a new user makes: each gives exit status 1 and one helpful line, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Cli, assert_user_error, cli_env, run_cli
from tests.conftest import write_config
from vidkit.api import Workspace
from vidkit.cli import main

BAD_INPUTS = [
    ("projects create --slug demo --title Again", ["'demo' already exists", "another slug"]),
    ("projects create --slug ../x --title X", ["'../x' is invalid", "lowercase letters"]),
    ("projects create --slug x --title=", ["title is required"]),
    ("projects create --slug x --title X --fps fast", ["fps 'fast'", "30000/1001"]),
    ("projects update demo", ["nothing to change", "--title"]),
    ("scenes list nope", ["no project with slug 'nope'", "vidkit projects list"]),
    ("scenes update demo 999 --title X", ["no scene with id 999", "vidkit scenes list"]),
    ("scenes add demo --title X --avatar-corner middle", ["'middle'", "bottom-right"]),
    ("scenes add demo --title X --narration hi --narration-file {missing}", ["not both"]),
    ("scenes add demo --title X --narration-file {missing}", ["missing.txt does not exist"]),
    ("scenes delete demo {scene}", ["refusing to delete scene", "pass --yes"]),
    ("assets import demo {missing} --kind screen_capture", ["missing.txt: no such file"]),
    ("assets import demo {corrupt} --kind screen_capture", ["corrupt.mp4 is not a readable"]),
    ("assets import demo {corrupt} --kind sticker", ["unknown asset kind 'sticker'", "music"]),
    ("models fetch no-such-model", ["unknown model 'no-such-model'", "u2netp"]),
]


@pytest.mark.parametrize(("command", "phrases"), BAD_INPUTS, ids=[c for c, _ in BAD_INPUTS])
def test_bad_input_is_one_clear_line(
    cli: Cli, workspace: Workspace, tmp_path: Path, command: str, phrases: list[str]
) -> None:
    workspace.create_project("demo", "Demo")
    scene = workspace.add_scene("demo", "Only scene")
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    args = command.format(missing=tmp_path / "missing.txt", corrupt=corrupt, scene=scene.id)
    assert_user_error(cli(*args.split()), *phrases)
    assert [s.id for s in workspace.scenes("demo")] == [scene.id]


def test_config_problems_name_the_key_and_the_file(tmp_path: Path) -> None:
    missing = run_cli("-c", "/nonexistent/config.toml", "projects", "list")
    assert_user_error(missing, "/nonexistent/config.toml", "vidkit init")

    unknown = write_config(tmp_path / "unknown", "[server]\nbogus = 1\n")
    assert_user_error(run_cli("-c", unknown, "doctor"), str(unknown), "unknown key [server] bogus")

    wrong = write_config(tmp_path / "wrong", '[server]\nport = "8765"\n')
    assert_user_error(run_cli("-c", wrong, "projects", "list"), str(wrong), "[server] port")


def test_a_corrupt_catalogue_is_reported_and_left_alone(config_file: Path) -> None:
    catalogue = config_file.parent / "var" / "catalogue.duckdb"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_bytes(b"this is not a database\n" * 100)
    result = run_cli("-c", config_file, "projects", "create", "--slug", "x", "--title", "X")
    assert_user_error(result, "cannot open the catalogue", str(catalogue), "[catalogue] path")
    assert catalogue.read_bytes() == b"this is not a database\n" * 100


def test_usage_errors_exit_2_with_the_usage(cli: Cli) -> None:
    result = cli("projects", "create", "--title", "No slug")
    assert result.returncode == 2
    assert "Missing option '--slug'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_config_comes_from_the_environment(config_file: Path, workspace: Workspace) -> None:
    workspace.create_project("from-env", "From env")
    result = run_cli("projects", "list", "--json", env=cli_env(VIDKIT_CONFIG=str(config_file)))
    assert [p["slug"] for p in result.json()] == ["from-env"]


def test_ctrl_c_exits_130_quietly(
    config_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(self: Workspace) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Workspace, "projects", interrupted)
    assert main(["-c", str(config_file), "projects", "list"]) == 130
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_main_returns_the_exit_status(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-c", str(config_file), "projects", "list", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
    assert main(["-c", str(config_file), "projects", "show", "nope"]) == 1
    assert capsys.readouterr().err.startswith("error: no project with slug 'nope'")
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("vidkit ")
