"""``vidkit captions``: a scene's captions listed with their times; one edited in place (same
times), put back to the words, a stale edit forgotten; mistakes are one line."""

from __future__ import annotations

from tests.cli.conftest import Cli, assert_user_error
from vidkit.api import Workspace

NARRATION = "We keep the orders in a table. Then we read them back whenever a customer asks."


def _project(workspace: Workspace) -> int:
    workspace.create_project("demo", "Demo", width=320, height=180, fps=10)
    workspace.add_scene("demo", "Intro", narration="Hello.")
    return workspace.add_scene("demo", "Orders", narration=NARRATION).id


def test_captions_are_listed_edited_and_put_back(cli: Cli, workspace: Workspace) -> None:
    scene_id = _project(workspace)
    listed = cli("captions", "demo", "--scene", "2")
    assert listed.ok, listed
    assert listed.stdout.splitlines()[0].split() == [
        "#",
        "seconds",
        "caption",
        "said",
        "(where",
        "it",
        "differs)",
    ]
    assert "We keep the orders in a table." in listed.stdout
    assert "times: estimated" in listed.stdout
    before = cli("captions", "demo", "--scene", "2", "--json").json()
    first = before["captions"][0]

    edited = cli(
        "captions", "demo", "--scene", "2", "--edit", "1", "Orders live in a table.", "--json"
    )
    row = edited.json()["captions"][0]
    assert row["shown"] == "Orders live in a table." and row["edited"]
    assert (row["start_ms"], row["end_ms"]) == (first["start_ms"], first["end_ms"])
    assert workspace.scene("demo", scene_id).caption_edits[0].text == "Orders live in a table."
    assert "✎ Orders live in a table." in cli("captions", "demo", "--scene", "2").stdout

    back = cli("captions", "demo", "--scene", "2", "--reset", "1", "--json").json()
    assert back["captions"][0]["shown"] == first["shown"]
    assert workspace.scene("demo", scene_id).caption_edits == ()


def test_a_stale_edit_is_reported_and_dropped(cli: Cli, workspace: Workspace) -> None:
    scene_id = _project(workspace)
    assert cli("captions", "demo", "--scene", "2", "--edit", "1", "Orders, kept.").ok
    workspace.update_scene("demo", scene_id, narration="Different words now.")
    listed = cli("captions", "demo", "--scene", "2")
    assert "stale edit: no caption reads 'We keep the orders in a table.' any more" in listed.stdout
    dropped = cli("captions", "demo", "--scene", "2", "--drop-stale", "--json").json()
    assert dropped["stale_edits"] == []
    assert workspace.scene("demo", scene_id).caption_edits == ()


def test_mistakes_are_one_line_and_change_nothing(cli: Cli, workspace: Workspace) -> None:
    scene_id = _project(workspace)
    assert_user_error(cli("captions", "demo", "--scene", "9"), "there is no scene 9")
    assert_user_error(
        cli("captions", "demo", "--scene", "2", "--edit", "7", "x"), "there is no caption 7"
    )
    assert_user_error(
        cli("captions", "demo", "--scene", "2", "--edit", "1", "x" * 600), "at most 500"
    )
    assert workspace.scene("demo", scene_id).caption_edits == ()
