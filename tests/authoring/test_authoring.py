"""Authoring steps on a real catalogue, with a deterministic LLM stand-in (and, for keys, a real
local OpenAI-compatible server)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.backends.llm.doubles import ScriptedLLM
from tests.backends.llm.servers import ChatServer, Status
from tests.conftest import write_config
from vidkit.api import Workspace
from vidkit.authoring import (
    latest_script,
    plan_scenes,
    revise_scene,
    save_script,
    suggest_lexicon,
    write_script,
)
from vidkit.backends.llm.openai_chat import OpenAIChat
from vidkit.backends.llm.prompt import load_prompt
from vidkit.backends.llm.protocol import Message
from vidkit.backends.llm.retry import LLMOutputError, RetryPolicy
from vidkit.backends.llm.terms import find_terms
from vidkit.config import load_config
from vidkit.errors import BackendError, Conflict, InvalidInput
from vidkit.text.lexicon import Lexicon

SLUG = "lc"
SCRIPT = (
    "Here is a loop you have written a hundred times. We square each number and append it.\n\n"
    "A list comprehension says the same thing in one line. Read it from the middle.\n\n"
    "Add a condition at the end to keep only the even numbers."
)


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    workspace.create_project(SLUG, "List comprehensions")
    return workspace


def user_text(llm: ScriptedLLM, call: int = -1) -> str:
    return llm.calls[call][0][-1]["content"]


def plan_answer(messages: Sequence[Message], schema: Mapping[str, Any]) -> dict[str, Any]:
    """One scene per paragraph of the script in the last message, as many as allowed."""
    text = messages[-1]["content"].split("Script:\n", 1)[1].rsplit("\n\nUse at most", 1)[0]
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    limit = schema["properties"]["scenes"]["maxItems"]
    scenes = [
        {"title": f"Part {n}", "narration": p, "screen": "an editor", "seconds": 5 + n}
        for n, p in enumerate(paragraphs[:limit], start=1)
    ]
    return {"scenes": scenes}


# write_script ---------------------------------------------------------------------------------


def test_write_script_stores_a_document_and_is_cached(ws: Workspace) -> None:
    llm = ScriptedLLM().push({"title": "Lists", "narration": "  First  line.\n\n\nSecond   one. "})
    seen: list[int] = []
    script = write_script(
        ws, SLUG, llm, topic="Python list comprehensions", audience="new coders", minutes=1,
        progress=lambda done, _total: seen.append(done),
    )  # fmt: skip
    assert (script.title, script.text, script.cached) == (
        "Lists",
        "First line.\n\nSecond one.",
        False,
    )
    assert seen == list(range(1, script.tokens + 1)) and script.tokens > 3
    assert script.asset.kind == "document" and script.asset.metadata["role"] == "script"
    prompt = user_text(llm)
    assert "Python list comprehensions" in prompt and "new coders" in prompt
    assert "about 150 words" in prompt and "Language: English" in prompt
    again = write_script(ws, SLUG, llm, topic="Python list comprehensions", audience="new coders",
                         minutes=1)  # fmt: skip
    assert again.cached and again.text == script.text and len(llm.calls) == 1
    assert latest_script(ws, SLUG) == replace(script, cached=True, notes=())
    assert [j.status for j in ws.jobs(SLUG)] == ["done"]


def test_a_new_prompt_version_or_backend_redoes_the_work(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = {"title": "T", "narration": "Words."}
    llm = ScriptedLLM(lambda _m, _s: answer)
    write_script(ws, SLUG, llm, topic="loops")
    write_script(ws, SLUG, ScriptedLLM(lambda _m, _s: answer, tag="v2"), topic="loops")
    original = load_prompt("write_script")
    monkeypatch.setattr(
        "vidkit.authoring.script.load_prompt", lambda name: replace(original, version=2)
    )
    write_script(ws, SLUG, llm, topic="loops")
    assert len(llm.calls) == 2  # the first run and the new prompt version; v2 ran its own


def test_each_project_gets_its_own_script(ws: Workspace) -> None:
    ws.create_project("other", "Other")
    llm = ScriptedLLM(lambda _m, _s: {"title": "T", "narration": "Same words."})
    write_script(ws, SLUG, llm, topic="loops")
    write_script(ws, "other", llm, topic="loops")
    mine, theirs = latest_script(ws, SLUG), latest_script(ws, "other")
    assert mine is not None and theirs is not None
    assert mine.asset.project_id != theirs.asset.project_id and mine.text == theirs.text


@pytest.mark.parametrize("topic", ["", "   \n\t "])
def test_empty_topic_is_refused_before_asking(ws: Workspace, topic: str) -> None:
    llm = ScriptedLLM()
    with pytest.raises(InvalidInput, match=r"nothing to write about: give a topic \(--topic"):
        write_script(ws, SLUG, llm, topic=topic)
    assert llm.calls == [] and ws.assets(SLUG) == []


def test_a_fifty_page_outline_is_cut_to_its_headings_with_a_note(ws: Workspace) -> None:
    chapters = []
    for n in range(1, 101):
        body = "\n".join(
            f"  - detail {n}.{k}: " + "lorem ipsum dolor sit amet " * 10 for k in range(5)
        )
        chapters.append(f"## Chapter {n}: topic {n}\n- key point {n}\n{body}\n" + "Prose. " * 20)
    outline = "\n\n".join(chapters)
    pages = round(len(outline.strip()) / 3000)
    assert 48 <= pages <= 55
    llm = ScriptedLLM(name="embedded", context_tokens=2048)
    llm.push({"title": "A long course", "narration": "An overview."})
    script = write_script(ws, SLUG, llm, outline=outline, minutes=1)
    (note,) = script.notes
    assert note.startswith(
        f"the outline has {len(outline.strip()):,} characters (about {pages} pages)"
    )
    assert "headings" in note and "[llm.embedded] context_tokens (now 2048)" in note
    prompt = user_text(llm)
    assert "## Chapter 1: topic 1" in prompt and "## Chapter 100: topic 100" in prompt
    assert "detail 1.1" not in prompt
    messages, _schema, max_tokens = llm.calls[0]
    prompt_tokens = sum(len(m["content"]) for m in messages) / 3
    assert prompt_tokens + max_tokens <= 2048
    assert script.asset.metadata["notes"] == [note]


def test_a_non_english_topic_is_asked_for_in_its_language_with_a_note(ws: Workspace) -> None:
    llm = ScriptedLLM(name="embedded").push({"title": "Списки", "narration": "Привет."})
    script = write_script(ws, SLUG, llm, topic="Списковые включения в Python")
    assert "Language: the language of the topic (Cyrillic)" in user_text(llm)
    (note,) = script.notes
    assert "not in English (Cyrillic)" in note
    assert "[voice] piper_voice = en_US-joe-medium reads English only" in note
    assert "the embedded model writes English best" in note
    assert script.text == "Привет."


def test_sources_are_given_to_the_model(ws: Workspace) -> None:
    llm = ScriptedLLM().push({"title": "T", "narration": "N."})
    code = "squares = [n * n for n in range(10)]\n"
    write_script(ws, SLUG, llm, topic="comprehensions", sources={"squares.py": code})
    assert f"Source material (squares.py):\n<<<\n{code.strip()}\n>>>" in user_text(llm)


def test_invalid_answers_are_retried_with_feedback_then_kept_for_inspection(
    ws: Workspace,
) -> None:
    llm = ScriptedLLM().push("{oops", {"title": "", "narration": "x"}, {"title": "T"})
    with pytest.raises(LLMOutputError) as info:
        write_script(ws, SLUG, llm, topic="loops", attempts=3)
    message = str(info.value)
    assert "gave 3 answer(s) for write_script that do not match the schema" in message
    assert "narration: Field required" in message
    raw = info.value.path
    assert raw is not None and raw.parent == ws.config.catalogue.path.parent / "llm-failures"
    assert str(raw) in message
    kept = raw.read_text(encoding="utf-8")
    assert "{oops" in kept and "not valid JSON" in kept and '"title": ""' in kept
    assert "not valid JSON" in user_text(llm, 1) and "at least 1 character" in user_text(llm, 2)
    assert ws.assets(SLUG) == []
    (job,) = ws.jobs(SLUG)
    assert job.status == "failed" and "LLMOutputError" in (job.error or "")


def test_bad_minutes_are_refused(ws: Workspace) -> None:
    with pytest.raises(InvalidInput, match=r"minutes must be between 0\.1 and 60"):
        write_script(ws, SLUG, ScriptedLLM(), topic="x", minutes=0)


# plan_scenes ----------------------------------------------------------------------------------


def test_plan_writes_the_latest_script_as_scenes(ws: Workspace) -> None:
    save_script(ws, SLUG, SCRIPT)
    llm = ScriptedLLM(plan_answer)
    plan = plan_scenes(ws, SLUG, llm)
    assert [s.title for s in ws.scenes(SLUG)] == ["Part 1", "Part 2"]
    first = ws.scenes(SLUG)[0]
    assert first.narration.startswith("Here is a loop")
    assert (first.notes, first.target_duration_ms) == ("screen: an editor", 6000)
    assert plan.asset.metadata["role"] == "plan" and plan.backup is None
    assert json.loads(ws.asset_path(plan.asset).read_text())["scenes"][1]["seconds"] == 7
    _messages, schema, _max = llm.calls[0]
    assert schema["properties"]["scenes"]["maxItems"] == 2  # 38 words: one scene a minute + 1
    assert schema["properties"]["scenes"]["items"]["required"] == ["title", "narration", "screen",
                                                                   "seconds"]  # fmt: skip


def test_plan_refuses_to_touch_existing_scenes_unless_told(ws: Workspace) -> None:
    ws.add_scene(SLUG, "Mine", narration="My own words.")
    llm = ScriptedLLM(plan_answer)
    with pytest.raises(Conflict, match=r"already has 1 scene.*--replace.*--append"):
        plan_scenes(ws, SLUG, llm, script=SCRIPT)
    assert llm.calls == [] and [s.title for s in ws.scenes(SLUG)] == ["Mine"]


def test_plan_append_adds_after_existing_scenes(ws: Workspace) -> None:
    ws.add_scene(SLUG, "Mine", narration="My own words.")
    plan_scenes(ws, SLUG, ScriptedLLM(plan_answer), script=SCRIPT, mode="append", max_scenes=3)
    assert [s.title for s in ws.scenes(SLUG)] == ["Mine", "Part 1", "Part 2", "Part 3"]


def test_plan_replace_keeps_ids_saves_the_old_scenes_and_drops_surplus(ws: Workspace) -> None:
    old = [ws.add_scene(SLUG, f"Old {n}", narration=f"Old words {n}.") for n in range(1, 5)]
    ws.update_scene(SLUG, old[0].id, avatar_corner="top-left")
    plan = plan_scenes(ws, SLUG, ScriptedLLM(plan_answer), script=SCRIPT, mode="replace",
                       max_scenes=3)  # fmt: skip
    scenes = ws.scenes(SLUG)
    assert [s.id for s in scenes] == [s.id for s in old[:3]]
    assert [s.title for s in scenes] == ["Part 1", "Part 2", "Part 3"]
    assert scenes[0].layout.corner == "top-left"  # layout is not the plan's business
    assert plan.backup is not None
    saved = json.loads(ws.asset_path(plan.backup).read_text(encoding="utf-8"))["scenes"]
    assert [s["title"] for s in saved] == ["Old 1", "Old 2", "Old 3", "Old 4"]
    assert saved[3]["narration"] == "Old words 4."


def test_plan_replace_never_deletes_a_scene_holding_imported_files(
    ws: Workspace, tmp_path: Path
) -> None:
    for n in range(1, 5):
        ws.add_scene(SLUG, f"Old {n}", narration=f"Old words {n}.")
    code = tmp_path / "demo.py"
    code.write_text("print('hi')\n", encoding="utf-8")
    last = ws.scenes(SLUG)[-1]
    ws.import_asset(SLUG, code, kind="code_file", scene_id=last.id)
    with pytest.raises(Conflict, match=r"scene 4 \('Old 4'.*holds files you imported \(code_file\)"
                       r".*nothing was changed"):  # fmt: skip
        plan_scenes(ws, SLUG, ScriptedLLM(plan_answer), script=SCRIPT, mode="replace",
                    max_scenes=3)  # fmt: skip
    assert [s.title for s in ws.scenes(SLUG)] == ["Old 1", "Old 2", "Old 3", "Old 4"]
    assert not [a for a in ws.assets(SLUG) if a.metadata.get("role") == "scenes-backup"]


def test_plan_without_a_script_says_how_to_get_one(ws: Workspace) -> None:
    with pytest.raises(InvalidInput, match=r"no script yet$") as caught:
        plan_scenes(ws, SLUG, ScriptedLLM())
    assert caught.value.for_cli().endswith('write one with `vidkit write lc --topic "..."`, '
                                           "or pass your own with --script FILE")  # fmt: skip
    assert caught.value.for_studio().endswith("write one under “Script” above first")


def test_a_long_script_is_planned_in_parts(ws: Workspace) -> None:
    paragraphs = [f"Paragraph {n} says " + "something useful " * 18 + "." for n in range(8)]
    llm = ScriptedLLM(plan_answer, context_tokens=1024)
    plan = plan_scenes(ws, SLUG, llm, script="\n\n".join(paragraphs))
    assert len(llm.calls) > 1
    assert "planned in" in plan.notes[0] and "parts" in plan.notes[0]
    narrations = [s.narration for s in ws.scenes(SLUG)]
    assert narrations[0].startswith("Paragraph 0") and narrations[-1].startswith("Paragraph 7")
    for messages, _schema, max_tokens in llm.calls:
        assert sum(len(m["content"]) for m in messages) / 3 + max_tokens <= 1024


def test_an_invalid_plan_writes_no_scene(ws: Workspace) -> None:
    bad = {"scenes": [{"title": "x", "narration": "y", "screen": "z", "seconds": 0}]}
    llm = ScriptedLLM(lambda _m, _s: bad)
    with pytest.raises(LLMOutputError, match=r"seconds: Input should be greater than or equal"):
        plan_scenes(ws, SLUG, llm, script=SCRIPT, attempts=2)
    assert ws.scenes(SLUG) == [] and len(llm.calls) == 2


# revise_scene ---------------------------------------------------------------------------------


def test_revise_changes_only_that_scene_and_keeps_the_old_text(ws: Workspace) -> None:
    scenes = [ws.add_scene(SLUG, f"S{n}", narration=f"Scene {n} says quite a lot here.")
              for n in range(1, 4)]  # fmt: skip
    llm = ScriptedLLM().push({"narration": "Short now."})
    revised = revise_scene(ws, SLUG, scenes[1].id, llm, ask="fit 20 s")
    assert revised.scene.narration == "Short now." and revised.before == scenes[1].narration
    assert revised.scene.target_duration_ms == 20_000
    prompt = user_text(llm)
    assert "Scene 2 of 3: S2" in prompt and "The scene before: S1" in prompt
    assert "about 50 words (20 seconds" in prompt and "Request: fit 20 s" in prompt
    after = ws.scenes(SLUG)
    assert [s.narration for s in after] == [scenes[0].narration, "Short now.", scenes[2].narration]
    assert [s.updated_at for s in (after[0], after[2])] == [scenes[0].updated_at,
                                                           scenes[2].updated_at]  # fmt: skip
    kept = json.loads(ws.asset_path(revised.asset).read_text(encoding="utf-8"))
    assert kept == {"ask": "fit 20 s", "before": scenes[1].narration, "after": "Short now."}
    assert revised.asset.scene_id == scenes[1].id


def test_revise_needs_a_request(ws: Workspace) -> None:
    scene = ws.add_scene(SLUG, "S", narration="Words.")
    with pytest.raises(
        InvalidInput, match=r'say how to change the narration, e\.g\. --ask "shorter"'
    ):
        revise_scene(ws, SLUG, scene.id, ScriptedLLM(), ask="  ")


# suggest_lexicon ------------------------------------------------------------------------------


def test_find_terms_spots_identifiers_and_acronyms_the_lexicon_lacks() -> None:
    text = (
        "Call `os.path.join` or snake_case_name. HTTP2 and JWTs matter; SQL and API are known. "
        "PyTorch is known too, but FastAPI and utf8 are not. I think so."
    )
    terms = find_terms(text, Lexicon.default())
    assert terms == ["os.path.join", "snake_case_name", "HTTP2", "JWTs", "FastAPI", "utf8"]


def test_suggest_lexicon_proposes_and_applies_only_when_asked(ws: Workspace) -> None:
    save_script(ws, SLUG, "We call snake_case_name and read JWTs over HTTP2.")
    ws.set_lexicon(SLUG, {"HTTP2": "H-T-T-P two"})
    answer = {"entries": [
        {"term": "snake_case_name", "say": "snake case name"},
        {"term": "JWTs", "say": "jots"},
        {"term": "invented", "say": "not asked for"},
        {"term": "HTTP2", "say": "http two"},
    ]}  # fmt: skip
    llm = ScriptedLLM(lambda _m, _s: answer)
    proposed = suggest_lexicon(ws, SLUG, llm)
    assert proposed.candidates == ("snake_case_name", "JWTs")  # HTTP2 is in the lexicon already
    assert proposed.entries == {"snake_case_name": "snake case name", "JWTs": "jots"}
    assert ws.lexicon(SLUG) == {"HTTP2": "H-T-T-P two"}  # not applied
    applied = suggest_lexicon(ws, SLUG, llm, apply=True)
    assert applied.cached and applied.applied == proposed.entries
    assert ws.lexicon(SLUG) == {"HTTP2": "H-T-T-P two", **proposed.entries}


def test_suggest_lexicon_without_terms_asks_nothing(ws: Workspace) -> None:
    llm = ScriptedLLM()
    ws.add_scene(SLUG, "S", narration="Plain words only here.")
    assert suggest_lexicon(ws, SLUG, llm).entries == {} and llm.calls == []


# keys -----------------------------------------------------------------------------------------


def test_keys_never_reach_the_catalogue_or_the_asset_store(tmp_path: Path) -> None:
    key = "sk-stage-secret-0123456789"
    ws = Workspace(load_config(write_config(tmp_path / "ws")))
    ws.create_project(SLUG, "Keys")
    with ChatServer(key=key, echo_auth=True) as server:
        policy = RetryPolicy(attempts=2, base_s=0.01, max_s=0.01)
        llm = OpenAIChat(server.openai_url, model="m", api_key=key, api_key_env="K", policy=policy)
        server.push(Status(500), Status(500))
        with pytest.raises(BackendError):
            write_script(ws, SLUG, llm, topic="loops")
        server.default = lambda _req: json.dumps({"title": "T", "narration": "Fine."})
        write_script(ws, SLUG, llm, topic="loops")
    records = json.dumps([j.to_dict() for j in ws.jobs(SLUG)])
    records += json.dumps([a.to_dict() for a in ws.assets(SLUG)])
    files = b"".join(p.read_bytes() for p in (tmp_path / "ws").rglob("*") if p.is_file())
    assert "Bearer ***" in records  # the server's echo was scrubbed, not dropped silently
    assert key not in records and key.encode() not in files
