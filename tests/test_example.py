"""Project files, and the example project `make demo` loads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from vidkit.api import Workspace
from vidkit.errors import Conflict, InvalidInput
from vidkit.example import example_project_file, load_project_file


def test_example_project_loads_with_code_per_scene(workspace: Workspace) -> None:
    project = load_project_file(workspace, example_project_file())
    assert project.slug == "list-comprehensions"
    scenes = workspace.scenes(project.slug)
    assert 3 <= len(scenes) <= 4
    for scene in scenes:
        assert scene.word_count > 20, "every scene has real narration"
        assert "\n" not in scene.narration
        [code] = workspace.assets(project.slug, scene_id=scene.id, kind="code_file")
        compile(workspace.asset_path(code).read_text(), code.metadata["filename"], "exec")


def test_reloading_needs_replace_and_keeps_scene_ids(workspace: Workspace, tmp_path: Path) -> None:
    first = load_project_file(workspace, example_project_file())
    ids = [s.id for s in workspace.scenes(first.slug)]
    with pytest.raises(Conflict, match="--replace"):
        load_project_file(workspace, example_project_file())
    load_project_file(workspace, example_project_file(), replace=True)
    assert [s.id for s in workspace.scenes(first.slug)] == ids
    assert len(workspace.assets(first.slug, kind="code_file")) == len(ids)


def test_replace_follows_an_edited_file(workspace: Workspace, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("a = 1\n")
    (tmp_path / "b.py").write_text("b = 2\n")
    path = tmp_path / "p.toml"
    path.write_text(
        '[project]\nslug = "t"\ntitle = "T"\n'
        '[[scenes]]\ntitle = "One"\ncode = "a.py"\n'
        '[[scenes]]\ntitle = "Two"\nnarration = """wrapped\n   text"""\n'
    )
    load_project_file(workspace, path)
    one, two = workspace.scenes("t")
    assert two.narration == "wrapped text"
    path.write_text(
        '[project]\nslug = "t"\ntitle = "T2"\n[[scenes]]\ntitle = "Uno"\ncode = "b.py"\n'
    )
    project = load_project_file(workspace, path, replace=True)
    assert project.title == "T2"
    [scene] = workspace.scenes("t")
    assert (scene.id, scene.title) == (one.id, "Uno")
    [code] = workspace.assets("t", kind="code_file")
    assert workspace.asset_path(code).read_text() == "b = 2\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[project]\nslug = "x"\ntitle = "X"\ncolour = 1\n', "unknown key"),
        (
            '[project]\nslug = "x"\ntitle = "X"\n[[scenes]]\ntitle = "S"\nvoice = 1\n',
            "scene 1 has unknown",
        ),
        (
            '[project]\nslug = "x"\ntitle = "X"\n[[scenes]]\ntitle = "S"\ncode = "nope.py"\n',
            "does not exist",
        ),
        ("[[scenes]]\ntitle = 'S'\n", r"no \[project\] table"),
        ("[project\n", "not valid TOML"),
        (
            '[project]\nslug = "x"\ntitle = "X"\n[[scenes]]\ntitle = "A"\n[[scenes]]\ntitle = ""\n',
            "scene 2: title is required",
        ),
        (
            '[project]\nslug = "x"\ntitle = "X"\n[[scenes]]\ntitle = "A"\navatar_scale = 9.0\n',
            "scene 1: avatar_scale",
        ),
        ('[project]\nslug = "X y"\ntitle = "X"\n', r"\[project\] slug"),
        ('[project]\nslug = "x"\ntitle = "X"\nvoice = 1\n', r"\[project\] voice must be"),
    ],
)
def test_bad_project_files_change_nothing(
    workspace: Workspace, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InvalidInput, match=message):
        load_project_file(workspace, path)
    assert workspace.projects() == []


def test_project_file_chooses_the_voice(
    workspace: Workspace, tmp_path: Path, make_media: Callable[..., Path]
) -> None:
    path = tmp_path / "p.toml"

    def write(project: str, scene: str = "S") -> Path:
        path.write_text(f'[project]\nslug = "t"\n{project}\n[[scenes]]\ntitle = "{scene}"\n')
        return path

    with pytest.raises(InvalidInput, match="add a voice profile first"):
        load_project_file(workspace, write('title = "T"\nvoice = "Ada"'))
    assert workspace.projects() == []

    assert load_project_file(workspace, write('title = "T"')).voice == ""
    workspace.add_voice(
        "t", "Ada", make_media("audio", 1.0), transcript="x", consent="Ada agreed in writing"
    )
    chosen = load_project_file(workspace, write('title = "T"\nvoice = "Ada"'), replace=True)
    assert chosen.voice == "Ada"
    left_out = load_project_file(workspace, write('title = "T2"'), replace=True)
    assert (left_out.title, left_out.voice) == ("T2", "Ada")
    cleared = load_project_file(workspace, write('title = "T"\nvoice = ""'), replace=True)
    assert cleared.voice == ""

    with pytest.raises(InvalidInput, match="its voices: Ada"):
        load_project_file(workspace, write('title = "T3"\nvoice = "Bob"', "X"), replace=True)
    assert workspace.project("t").title == "T"
    assert [s.title for s in workspace.scenes("t")] == ["S"]


def test_example_project_brings_its_presenter(workspace: Workspace) -> None:
    load_project_file(workspace, example_project_file())
    load_project_file(workspace, example_project_file(), replace=True)
    [avatar] = workspace.assets("list-comprehensions", kind="avatar_image")
    assert (avatar.metadata["width"], avatar.metadata["height"]) == (512, 512)


def test_unknown_sample_picture(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[project]\nslug = "t"\ntitle = "T"\navatar = "skimage:selfie_of_nobody"\n')
    with pytest.raises(InvalidInput, match="no sample picture"):
        load_project_file(workspace, path)
    assert workspace.projects() == []
