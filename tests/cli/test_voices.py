"""``vidkit voices``: add a checked reference with a consent record, list, use, remove."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.backends.tts_doubles import shared_piper
from tests.cli.conftest import Cli, assert_user_error
from vidkit.workspace import Workspace

SAID = "Hello, my name is Ada, and this is a sample of my voice for the course videos."
CONSENT = "I agree to my voice being cloned for these course videos"


def test_add_list_use_remove(
    cli: Cli, workspace: Workspace, tmp_path: Path, make_media: Callable[..., Path]
) -> None:
    workspace.create_project("p", "P")
    ref = tmp_path / "ada.wav"
    shared_piper().synthesize(SAID, ref)
    base = ("voices", "add", "p", "Ada")
    opts = ("--transcript", SAID, "--consent", CONSENT, "--consent-by", "Ada Lovelace")
    assert_user_error(cli(*base, make_media("audio", 1.0), *opts), "lasts 1.0 s", "at least 3 s")
    added = cli(*base, ref, *opts, "--json").json()
    assert (added["name"], added["consent_by"], added["consent"]) == (
        "Ada",
        "Ada Lovelace",
        CONSENT,
    )
    listed = cli("voices", "list", "p").stdout
    assert "Ada Lovelace" in listed and CONSENT[:20] in listed
    assert_user_error(cli("voices", "use", "p", "Bob"), "no voice profile named 'Bob'")
    assert cli("voices", "use", "p", "Ada").ok
    assert workspace.project("p").voice == "Ada"
    assert cli("voices", "list", "p", "--json").json()[0]["language"] == "en"
    assert_user_error(cli("voices", "remove", "p", "Ada"), "without confirmation", "--yes")
    assert cli("voices", "remove", "p", "Ada", "--yes").ok
    assert workspace.voices("p") == []
    assert workspace.project("p").voice == ""
