"""Errors carry their message and, apart, a hint per surface; no message names a command."""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import pytest

from tests.conftest import REPO
from vidkit.errors import Hint, InvalidInput, NotFound, VidkitError
from vidkit.hints import LIST_PROJECTS, fetch_models, install

#: A command line in a message: `vidkit …`, `make …`, pip install, or a vidkit subcommand
#: (not "a vidkit catalogue", which is a thing).
COMMAND = re.compile(
    r"`(vidkit|make|pip|ollama|python|apt|brew)\b[^`]*`|\bpip install\b|\bmake models\b"
    r"|(?<!a )(?<!the )\bvidkit (projects|scenes|assets|voices|avatar|avatar-generate|speak"
    r"|animate|render|transcribe|tighten|capture|write|plan|revise|lexicon|catalogue|models"
    r"|init|serve|doctor|recordings)\b"
)
#: Files whose messages their owners move to hints in their own change.
NOT_YET: set[str] = set()


def test_each_surface_gets_its_own_words() -> None:
    exc = NotFound("no project with slug 'x'", hint=LIST_PROJECTS)
    assert str(exc) == "no project with slug 'x'"
    assert exc.for_cli() == "no project with slug 'x'; `vidkit projects list` shows them"
    assert exc.for_studio() == "no project with slug 'x'; open one from the project list"
    assert LIST_PROJECTS.as_dict() == {
        "action": "list_projects",
        "cli": "`vidkit projects list` shows them",
        "studio": "open one from the project list",
    }
    plain = VidkitError("it broke")
    assert plain.hint is None and plain.for_cli() == plain.for_studio() == "it broke"
    only_cli = Hint("check_catalogue", cli="run `vidkit doctor`")
    assert only_cli.as_dict() == {"action": "check_catalogue", "cli": "run `vidkit doctor`"}
    assert VidkitError("bad", hint=only_cli).for_studio() == "bad"


@pytest.mark.parametrize("hint", [install("Piper", "piper-tts==1.8.0"), fetch_models("x")])
def test_set_up_hints_name_the_command_only_for_the_cli(hint: Hint) -> None:
    assert hint.cli is not None and COMMAND.search(hint.cli)
    assert hint.studio is not None and not COMMAND.search(hint.studio)
    assert hint.studio.startswith("ask whoever set up vidkit")


def test_a_hint_survives_pickling_with_its_field() -> None:
    exc = InvalidInput("bad title", field="title", hint=LIST_PROJECTS)
    again = pickle.loads(pickle.dumps(exc))
    assert (str(again), again.field, again.hint) == ("bad title", "title", LIST_PROJECTS)


def _messages(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of the first argument of every call of a name ending in Error, NotFound,
    Conflict, InvalidInput or Locked: the message of an error it builds."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if re.search(r"(Error|NotFound|Conflict|InvalidInput|Locked)$", name):
            parts = [
                n.value
                for n in ast.walk(node.args[0])
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
            found.append((node.lineno, "".join(parts)))
    return found


def test_no_error_message_in_vidkit_names_a_command() -> None:
    """Commands go in the hint's ``cli``, so that the studio never shows one."""
    offenders = []
    for path in sorted((REPO / "vidkit").rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if relative in NOT_YET or relative.startswith("vidkit/cli/"):
            continue  # the CLI's own messages are for the CLI
        for line, text in _messages(ast.parse(path.read_text(encoding="utf-8"))):
            if COMMAND.search(text.replace("``", "")):
                offenders.append(f"{relative}:{line}: {text[:100]}")
    assert not offenders, "\n".join(offenders)


def test_the_scan_finds_a_command_in_a_message() -> None:
    source = 'raise NotFound(f"no project {slug!r}; `vidkit projects list` shows them")'
    ((_, text),) = _messages(ast.parse(source))
    assert COMMAND.search(text)
    assert not COMMAND.search("project 'x' has no scenes yet: add one first")
    assert not COMMAND.search("this file is not a vidkit catalogue; `steps` must be a list")


def test_the_exceptions_module_lists_hint() -> None:
    import vidkit.errors

    assert "Hint" in vidkit.errors.__all__
    assert Path(vidkit.errors.__file__).read_text().count("class Hint") == 1


def test_a_file_that_is_no_media_says_so_in_its_reason(tmp_path: Path) -> None:
    from tests.backends.portraits import astronaut
    from vidkit.errors import MediaError
    from vidkit.imaging import check_image, save_png
    from vidkit.media import probe

    notes = tmp_path / "notes.txt"
    notes.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(MediaError) as caught:
        probe(notes, name="notes.txt")
    assert caught.value.reason == "not_media"
    with pytest.raises(MediaError) as caught:
        check_image(notes, name="notes.txt")
    assert caught.value.reason == "not_media"
    photo = save_png(astronaut(), tmp_path / "me.png")
    photo.write_bytes(photo.read_bytes()[:300])
    with pytest.raises(MediaError) as caught:
        check_image(photo, name="me.png")
    assert caught.value.reason == "unreadable"
    assert MediaError("x").reason == "invalid"
