"""Pronunciation lexicon and voice profiles (with recorded consent) per project."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from vidkit.api import Workspace
from vidkit.errors import Conflict, InvalidInput, MediaError


def test_lexicon_round_trip_and_replace(workspace: Workspace) -> None:
    workspace.create_project("p", "P")
    assert workspace.lexicon("p") == {}
    workspace.set_lexicon("p", {"len": "length", "SQL": "  sequel "})
    assert workspace.lexicon("p") == {"SQL": "sequel", "len": "length"}
    workspace.set_lexicon("p", {"kubectl": "cube control"})
    assert workspace.lexicon("p") == {"kubectl": "cube control"}
    with pytest.raises(InvalidInput, match="pronounced"):
        workspace.set_lexicon("p", {"x": " "})
    assert workspace.lexicon("p") == {"kubectl": "cube control"}


def test_voice_profile_needs_consent_and_audio(
    workspace: Workspace, make_media: Callable[..., Path]
) -> None:
    workspace.create_project("p", "P")
    sample = make_media("audio", 2.0, name="ada.wav")
    with pytest.raises(InvalidInput, match="consent"):
        workspace.add_voice("p", "Ada", sample, transcript="Hello there.", consent="")
    assert workspace.assets("p") == []
    voice = workspace.add_voice(
        "p",
        "Ada",
        sample,
        transcript="Hello there.",
        consent="Ada agreed on 2026-11-25, for course videos",
    )
    assert voice.name == "Ada" and "agreed" in voice.consent
    [asset] = workspace.assets("p", kind="voice_sample")
    assert asset.id == voice.sample_asset_id and asset.duration_ms == 2000
    with pytest.raises(Conflict):
        workspace.add_voice(
            "p", "Ada", sample, transcript="Hi.", consent="Ada agreed again, same use"
        )
    assert [v.name for v in workspace.voices("p")] == ["Ada"]


def test_voice_sample_must_be_audio(
    workspace: Workspace, make_media: Callable[..., Path], tmp_path: Path
) -> None:
    workspace.create_project("p", "P")
    silent = make_media("silent-video", 1.0)
    with pytest.raises(InvalidInput, match="no audio"):
        workspace.add_voice("p", "V", silent, transcript="x", consent="V agreed in writing today")
    text = tmp_path / "v.wav"
    text.write_text("not audio")
    with pytest.raises(MediaError):
        workspace.add_voice("p", "V", text, transcript="x", consent="V agreed in writing today")
    assert workspace.voices("p") == []
    assert workspace.assets("p") == []


def test_deleting_a_project_removes_voices_and_lexicon(
    workspace: Workspace, make_media: Callable[..., Path]
) -> None:
    workspace.create_project("p", "P")
    workspace.set_lexicon("p", {"len": "length"})
    workspace.add_voice(
        "p", "V", make_media("audio", 1.0), transcript="x", consent="V agreed in writing today"
    )
    workspace.delete_project("p")
    workspace.create_project("p", "P again")
    assert workspace.lexicon("p") == {} and workspace.voices("p") == []


def test_project_voice_is_one_of_its_profiles_or_the_default(
    workspace: Workspace, make_media: Callable[..., Path]
) -> None:
    workspace.create_project("p", "P")
    assert workspace.project("p").voice == ""
    with pytest.raises(InvalidInput, match="add a voice profile first") as info:
        workspace.update_project("p", voice="Ada")
    assert info.value.field == "voice"
    assert "none yet" in str(info.value)
    assert workspace.project("p").voice == ""

    workspace.add_voice(
        "p", "Ada", make_media("audio", 1.0), transcript="x", consent="Ada agreed in writing"
    )
    assert workspace.update_project("p", voice=" Ada ").voice == "Ada"
    assert workspace.project("p").voice == "Ada"
    assert workspace.project("p").to_dict()["voice"] == "Ada"
    assert [p.voice for p in workspace.projects()] == ["Ada"]

    with pytest.raises(InvalidInput, match="its voices: Ada") as info:
        workspace.update_project("p", voice="Bob", title="Changed")
    assert info.value.field == "voice"
    assert (workspace.project("p").voice, workspace.project("p").title) == ("Ada", "P")
    for wrong in (None, 3, ["Ada"]):
        with pytest.raises(InvalidInput) as info:
            workspace.update_project("p", voice=wrong)
        assert info.value.field == "voice"

    # Another project's profiles are not this one's; renaming keeps the choice.
    workspace.create_project("q", "Q")
    with pytest.raises(InvalidInput, match="'Ada'"):
        workspace.update_project("q", voice="Ada")
    assert workspace.update_project("p", slug="p2").voice == "Ada"
    assert workspace.update_project("p2", voice="").voice == ""
    assert workspace.project("p2").voice == ""


def test_a_new_project_has_no_profiles_to_choose(workspace: Workspace) -> None:
    with pytest.raises(InvalidInput, match="add a voice profile first") as info:
        workspace.create_project("p", "P", voice="Ada")
    assert info.value.field == "voice"
    assert workspace.projects() == []
    assert workspace.create_project("p", "P", voice="").voice == ""
