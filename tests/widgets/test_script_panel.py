"""The script panel: write a script from a topic, edit and save it, plan it into scenes (append
or replace), revise the selected scene, propose pronunciations; LLM calls in a background thread,
one at a time, with progress; every failure an inline message. A deterministic LLM stand-in,
real local chat servers for the network failures, and once the real embedded model."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.authoring.test_authoring import SCRIPT, plan_answer
from tests.backends.llm.conftest import KEY
from tests.backends.llm.doubles import ScriptedLLM
from tests.backends.llm.servers import ChatServer
from tests.backends.llm.test_contract import free_port
from tests.conftest import write_config
from tests.widgets.conftest import FAST
from vidkit.api import Workspace
from vidkit.authoring import latest_script
from vidkit.backends.llm.protocol import Message
from vidkit.config import load_config
from vidkit.model import Scene
from widgets.script_panel import ScriptPanel
from widgets.studio import Studio

SLUG = "demo"
WAIT_S = 60
WRITTEN = {"title": "List comprehensions", "narration": SCRIPT}


def answer(messages: Sequence[Message], schema: Mapping[str, Any]) -> dict[str, Any]:
    """What a model that follows the schema says to each stage."""
    props = schema["properties"]
    if "scenes" in props:
        return plan_answer(messages, schema)
    if "entries" in props:
        terms = messages[-1]["content"]
        said = {"snake_case_name": "snake case name", "JWTs": "jots", "HTTP2": "H T T P two"}
        return {"entries": [{"term": t, "say": s} for t, s in said.items() if t in terms]}
    if "title" in props:
        return WRITTEN
    return {"narration": "Short and friendly now."}


class Gate:
    """Holds the model's answer until :meth:`open`, so a test sees the panel mid-run."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()

    def __call__(self, messages: Sequence[Message], schema: Mapping[str, Any]) -> Any:
        self.entered.set()
        assert self.opened.wait(WAIT_S), "the test never opened the gate"
        return answer(messages, schema)


@pytest.fixture
def ws(fast_ws: Workspace) -> Workspace:
    fast_ws.create_project(SLUG, "Demo video")
    return fast_ws


def _panel(ws: Workspace, llm: ScriptedLLM | None = None, **kwargs: Any) -> ScriptPanel:
    panel = ScriptPanel(ws, llm=llm or ScriptedLLM(answer), **kwargs)
    panel.show_project(SLUG)
    return panel


def _ran(panel: ScriptPanel) -> None:
    assert panel.wait(WAIT_S), "the LLM job did not finish"
    assert not panel.running


def _values(widget: Any) -> list[Any]:
    seen: list[Any] = []
    widget.observe(lambda change: seen.append(change["new"]), names="value")
    return seen


# write ----------------------------------------------------------------------------------------


def test_write_runs_in_the_background_with_progress_one_job_at_a_time(ws: Workspace) -> None:
    gate = Gate()
    llm = ScriptedLLM(gate)
    panel = _panel(ws, llm)
    assert "vk-script-panel" in panel._dom_classes and panel.script.value == ""
    panel.topic.value = "Python list comprehensions"
    panel.audience.value = "new coders"
    panel.minutes.value = 1.0
    bar = _values(panel.progress)
    panel.write_button.click()
    assert gate.entered.wait(WAIT_S)
    assert panel.running and panel.busy == "writing the script"
    assert all(
        b.disabled
        for b in (
            panel.write_button,
            panel.plan_button,
            panel.revise_button,
            panel.suggest_button,
            panel.save_button,
            *panel.quick,
        )
    )
    assert panel.script.disabled  # nobody types into what is being written
    assert "Writing the script" in panel.status.value
    assert panel.write() is False and panel.plan() is False  # a second run is refused
    assert panel.message.is_error
    assert "Wait until the panel has finished writing the script" in panel.message.message
    gate.opened.set()
    _ran(panel)
    assert len(llm.calls) == 1
    prompt = llm.calls[0][0][-1]["content"]
    assert "Python list comprehensions" in prompt and "new coders" in prompt
    assert panel.script.value == SCRIPT and not panel.script.disabled
    assert not panel.write_button.disabled and not panel.script_dirty
    assert 0 < bar[0] < panel.progress.max and bar[-1] == panel.progress.max
    assert panel.progress.bar_style == "success"
    assert "write:" in panel.status.value and "tokens in" in panel.status.value
    assert not panel.message.is_error and "Script written: 44 words" in panel.message.message
    stored = latest_script(ws, SLUG)
    assert stored is not None and stored.text == SCRIPT
    again = _panel(ws, llm)  # the page reloaded: the script and what it was written for are back
    assert again.script.value == SCRIPT and again.topic.value == "Python list comprehensions"
    assert (again.audience.value, again.minutes.value) == ("new coders", 1.0)
    again.topic.value = "Python list comprehensions"
    again.write_button.click()
    _ran(again)
    assert "cached" in again.status.value and len(llm.calls) == 1


def test_an_empty_topic_is_refused_before_asking(ws: Workspace) -> None:
    llm = ScriptedLLM(answer)
    panel = _panel(ws, llm)
    panel.topic.value = "   "
    panel.write_button.click()
    assert not panel.running and llm.calls == []
    assert panel.message.is_error and "type a topic" in panel.message.message
    assert "vk-error" in panel.message.value and "Traceback" not in panel.message.value


def test_an_outline_alone_is_enough(ws: Workspace) -> None:
    llm = ScriptedLLM(answer)
    panel = _panel(ws, llm)
    panel.outline.value = "# Loops\n- for\n- while\n"
    assert panel.write()
    _ran(panel)
    assert "- while" in llm.calls[0][0][-1]["content"] and panel.script.value == SCRIPT


def test_edits_are_saved_and_writing_again_keeps_them(ws: Workspace) -> None:
    panel = _panel(ws)
    panel.topic.value = "loops"
    panel.write()
    _ran(panel)
    panel.script.value = "My own words about loops."
    assert panel.script_dirty and "unsaved changes" in panel.script_stats.value
    panel.save_button.click()
    assert not panel.script_dirty and "unsaved" not in panel.script_stats.value
    assert panel.message.message == "Script saved (5 words)."
    stored = latest_script(ws, SLUG)
    assert stored is not None and stored.text == "My own words about loops."
    panel.script.value = "Edited again, not saved."
    panel.topic.value = "while loops"
    panel.write()  # the unsaved edit is kept among the project's scripts first
    _ran(panel)
    texts = [
        ws.asset_path(a).read_text(encoding="utf-8").strip()
        for a in ws.assets(SLUG, kind="document")
    ]
    assert "Edited again, not saved." in texts and panel.script.value == SCRIPT
    panel.script.value = " "
    panel.save_button.click()
    assert panel.message.is_error and "The script is empty" in panel.message.message


# plan -----------------------------------------------------------------------------------------


def test_plan_writes_scenes_and_tells_the_studio(ws: Workspace) -> None:
    planned: list[tuple[str, list[Scene]]] = []
    saved: list[str] = []

    def save_editor() -> bool:
        saved.append("editor")
        return True

    panel = _panel(
        ws,
        on_planned=lambda slug, scenes: planned.append((slug, list(scenes))),
        before_change=save_editor,
    )
    panel.plan_button.click()
    assert panel.message.is_error and "no script to plan yet" in panel.message.message
    panel.script.value = SCRIPT  # pasted, not saved: planning keeps it as the script first
    bar = _values(panel.progress)
    panel.plan_button.click()
    _ran(panel)
    scenes = ws.scenes(SLUG)
    assert [s.title for s in scenes] == ["Part 1", "Part 2"]
    assert planned == [(SLUG, scenes)] and saved == ["editor"]
    assert bar and bar[-1] == panel.progress.max and panel.progress.bar_style == "success"
    assert "Planned 2 scene(s)" in panel.message.message
    stored = latest_script(ws, SLUG)
    assert stored is not None and stored.text == SCRIPT and not panel.script_dirty


def test_plan_asks_append_or_replace_and_replace_keeps_a_backup(ws: Workspace) -> None:
    mine = ws.add_scene(SLUG, "Mine", narration="My own words.")
    llm = ScriptedLLM(answer)
    panel = _panel(ws, llm)
    panel.script.value = SCRIPT
    panel.plan_button.click()
    assert llm.calls == [] and not panel.running
    text, append, replace, cancel = panel.confirm_box.children
    assert "already has 1 scene(s)" in text.value and "backup" in text.value
    assert [b._dom_classes[-1] for b in (append, replace, cancel)] == [
        "vk-plan-append",
        "vk-plan-replace",
        "vk-plan-cancel",
    ]
    cancel.click()
    assert panel.confirm_box.children == () and [s.title for s in ws.scenes(SLUG)] == ["Mine"]
    panel.plan_button.click()
    panel.confirm_box.children[1].click()  # append
    _ran(panel)
    assert [s.title for s in ws.scenes(SLUG)] == ["Mine", "Part 1", "Part 2"]
    assert "Appended 2 scene(s)" in panel.message.message
    panel.plan_button.click()
    panel.confirm_box.children[2].click()  # replace
    _ran(panel)
    scenes = ws.scenes(SLUG)
    assert [s.title for s in scenes] == ["Part 1", "Part 2"] and scenes[0].id == mine.id
    backups = [a for a in ws.assets(SLUG) if a.metadata.get("role") == "scenes-backup"]
    assert len(backups) == 1 and str(ws.asset_path(backups[0])) in panel.message.message
    kept = json.loads(ws.asset_path(backups[0]).read_text(encoding="utf-8"))["scenes"]
    assert [s["title"] for s in kept] == ["Mine", "Part 1", "Part 2"]


# revise ---------------------------------------------------------------------------------------


def test_revise_rewrites_the_selected_scene_only(ws: Workspace) -> None:
    first = ws.add_scene(SLUG, "One", narration="The first scene says quite a lot here.")
    second = ws.add_scene(SLUG, "Two", narration="The second scene says even more here today.")
    selected: list[Scene | None] = [None]
    revised: list[tuple[str, Scene]] = []
    llm = ScriptedLLM(answer)
    panel = _panel(
        ws,
        llm,
        scene=lambda: selected[0],
        on_revised=lambda slug, scene: revised.append((slug, scene)),
    )
    panel.revise_button.click()
    assert "Say how to change the narration" in panel.message.message
    panel.revise_ask.value = "friendlier"
    panel.revise_button.click()
    assert "Select a scene in the timeline first" in panel.message.message and llm.calls == []
    selected[0] = second
    fit = next(b for b in panel.quick if b.description == "Fit 20 s")
    fit.click()
    _ran(panel)
    assert panel.revise_ask.value == "fit 20 s"
    after = ws.scene(SLUG, second.id)
    assert after.narration == "Short and friendly now." and after.target_duration_ms == 20_000
    assert ws.scene(SLUG, first.id) == first
    assert revised == [(SLUG, after)]
    assert "Request: fit 20 s" in llm.calls[0][0][-1]["content"]
    message = panel.message.message
    assert "Scene 2 “Two” revised (fit 20 s): 8 → 4 words" in message
    (kept,) = [a for a in ws.assets(SLUG) if a.metadata.get("role") == "revision"]
    assert str(ws.asset_path(kept)) in message


# pronunciations -------------------------------------------------------------------------------


def test_suggest_shows_proposals_that_can_be_corrected_and_applied(ws: Workspace) -> None:
    ws.set_lexicon(SLUG, {"HTTP2": "H T T P two"})
    added: list[dict[str, str]] = []
    panel = _panel(ws, on_lexicon=lambda _slug, entries: added.append(entries))
    assert panel.apply_button.layout.display == "none"
    panel.script.value = "We call snake_case_name and read JWTs over HTTP2."
    panel.suggest_button.click()
    _ran(panel)
    _header, *rows = panel.lexicon_table.children
    assert [r.children[0].description for r in rows] == ["snake_case_name", "JWTs"]
    assert [r.children[1].value for r in rows] == ["snake case name", "jots"]
    assert panel.apply_button.layout.display == "" and "2 proposal(s)" in panel.message.message
    rows[1].children[1].value = "jay double-you tees"  # corrected before applying
    panel.apply_button.click()
    expected = {"snake_case_name": "snake case name", "JWTs": "jay double-you tees"}
    assert ws.lexicon(SLUG) == {"HTTP2": "H T T P two", **expected}
    assert added == [expected] and "Added 2 pronunciation(s)" in panel.message.message
    assert panel.lexicon_table.children == () and panel.apply_button.layout.display == "none"
    panel.suggest_button.click()  # everything is covered now
    _ran(panel)
    assert "No identifiers or acronyms" in panel.message.message


def test_unticked_proposals_are_not_applied(ws: Workspace) -> None:
    panel = _panel(ws)
    panel.script.value = "We call snake_case_name and read JWTs."
    panel.suggest()
    _ran(panel)
    for row in panel.lexicon_table.children[1:]:
        row.children[0].value = False
    panel.apply_button.click()
    assert panel.message.is_error and "Tick at least one" in panel.message.message
    assert ws.lexicon(SLUG) == {}


# failures -------------------------------------------------------------------------------------


def test_invalid_answers_after_retries_name_the_kept_file(ws: Workspace) -> None:
    llm = ScriptedLLM(lambda _m, _s: {"title": "No narration"})
    panel = _panel(ws, llm)
    panel.topic.value = "loops"
    panel.write_button.click()
    _ran(panel)
    assert len(llm.calls) == ws.config.llm.retries + 1
    message = panel.message.message
    assert panel.message.is_error and "do not match the schema" in message
    raw = next((ws.config.catalogue.path.parent / "llm-failures").iterdir())
    assert str(raw) in message and "No narration" in raw.read_text(encoding="utf-8")
    assert panel.progress.bar_style == "danger" and "failed" in panel.status.value
    assert panel.script.value == "" and not panel.write_button.disabled


def _configured(tmp_path: Path, llm: str) -> Workspace:
    ws = Workspace(load_config(write_config(tmp_path / "cfg", FAST + llm)))
    ws.create_project(SLUG, "Demo")
    return ws


ENV = "VIDKIT_TEST_SCRIPT_PANEL_KEY"


def _fails_with(ws: Workspace) -> str:
    panel = ScriptPanel(ws)  # the model is built from the workspace's [llm] config
    panel.show_project(SLUG)
    panel.topic.value = "loops"
    assert panel.write()
    _ran(panel)
    assert panel.message.is_error and "Traceback" not in panel.message.value
    assert not panel.write_button.disabled
    return panel.message.message


def test_a_wrong_key_says_which_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "sk-wrong-key-that-must-not-show"
    monkeypatch.setenv(ENV, wrong)
    with ChatServer(key=KEY) as server:
        ws = _configured(
            tmp_path,
            f'[llm]\nbackend = "openai"\n[llm.cloud]\nbase_url = "{server.openai_url}"\n'
            f'api_key_env = "{ENV}"\n',
        )
        message = _fails_with(ws)
    assert f"refused the key (HTTP 401): check the environment variable {ENV}" in message
    assert wrong not in message


def test_a_missing_key_says_which_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    ws = _configured(tmp_path, f'[llm]\nbackend = "openai"\n[llm.cloud]\napi_key_env = "{ENV}"\n')
    assert f"set the environment variable {ENV}" in _fails_with(ws)


def test_an_unreachable_service_names_the_config_key(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    ws = _configured(tmp_path, f'[llm]\nbackend = "ollama"\n[llm.local]\nollama_url = "{url}"\n')
    panel = ScriptPanel(ws)
    assert (
        "Ollama" in panel.model_info.value and "vk-weak-model" not in panel.model_info._dom_classes
    )
    message = _fails_with(ws)
    assert message.startswith(f"cannot reach Ollama at [llm.local] ollama_url {url}")


def test_the_embedded_model_is_announced_as_weak_but_valid(ws: Workspace) -> None:
    panel = ScriptPanel(ws)
    note = panel.model_info.value
    assert "vk-llm-note" in panel.model_info._dom_classes
    assert "vk-weak-model" in panel.model_info._dom_classes
    assert "weak but always valid" in note and "demos and tests" in note
    assert "[llm] backend</code> in config.toml" in note and "docs/llm.md" in note


# the studio -----------------------------------------------------------------------------------


def _studio_with_project(ws: Workspace, llm: ScriptedLLM | None) -> Studio:
    app = Studio(Workspace(load_config(ws.config.source)), llm=llm)
    app.browser.new_slug.value = "talk"
    app.browser.new_title.value = "A talk"
    app.browser.example_presenter.value = False
    app.browser.create.click()
    app.wait_idle()
    return app


def test_the_studio_plans_into_the_timeline_and_revises_into_the_editor(
    fast_ws: Workspace,
) -> None:
    app = _studio_with_project(fast_ws, ScriptedLLM(answer))
    assert app.script_section.selected_index == 0  # open: the project has no scenes yet
    assert app.script.slug == "talk"
    app.script.topic.value = "Python list comprehensions"
    app.script.write_button.click()
    assert app.script.wait(WAIT_S)
    app.script.plan_button.click()
    assert app.script.wait(WAIT_S)
    app.wait_idle()
    scenes = app.ws.scenes("talk")
    blocks = app.timeline.strip.blocks
    assert [(b["position"], b["title"]) for b in blocks] == [(1, "Part 1"), (2, "Part 2")]
    assert app.timeline.strip.selected == blocks[0]["id"]
    assert app.editor.scene == scenes[0] and app.editor.narration.value == scenes[0].narration
    app.timeline.select(blocks[1]["id"])  # a click on the second block
    app.editor.narration.value = "Typed, not saved yet."
    app.script.revise("shorter")  # saves the editor first, then rewrites that scene
    assert app.script.wait(WAIT_S)
    app.wait_idle()
    assert app.ws.scene("talk", scenes[1].id).narration == "Short and friendly now."
    assert app.editor.narration.value == "Short and friendly now." and not app.editor.is_dirty
    backup = json.loads(
        app.ws.asset_path(
            next(a for a in app.ws.assets("talk") if a.metadata.get("role") == "revision")
        ).read_text(encoding="utf-8")
    )
    assert backup["before"] == "Typed, not saved yet."
    again = Studio(Workspace(load_config(fast_ws.config.source)), background=False)
    next(r for r in again.browser.rows.children if "talk" in r.children[0].value).children[
        1
    ].click()
    assert again.script_section.selected_index is None  # it has scenes: the script folds away
    assert again.script.script.value == SCRIPT


def test_edits_typed_while_a_revision_runs_are_not_lost(fast_ws: Workspace) -> None:
    gate = Gate()
    app = _studio_with_project(fast_ws, ScriptedLLM(gate))
    app.timeline.add.click()
    scene = app.editor.scene
    assert scene is not None
    app.editor.narration.value = "The words I had."
    app.script.revise("friendlier")
    assert gate.entered.wait(WAIT_S)
    app.editor.narration.value = "Words I typed while it ran."
    gate.opened.set()
    assert app.script.wait(WAIT_S)
    app.wait_idle()
    assert app.editor.narration.value == "Words I typed while it ran." and app.editor.is_dirty
    assert "Save asks before replacing it" in app.editor.message.message
    assert not app.editor.save()  # the revision is not overwritten silently
    assert "changed in another tab or program" in app.editor.message.message
    assert app.ws.scene("talk", scene.id).narration == "Short and friendly now."
    assert app.editor.save()  # the second Save replaces it, as the editor says
    assert app.ws.scene("talk", scene.id).narration == "Words I typed while it ran."
    app.wait_idle()


@pytest.mark.slow
def test_the_embedded_model_writes_and_plans_through_the_studio(fast_ws: Workspace) -> None:
    app = _studio_with_project(fast_ws, None)  # the default: [llm] backend = "embedded"
    panel = app.script
    panel.topic.value = "Python lists"
    panel.minutes.value = 0.2  # about 30 words: a small token budget
    started = time.monotonic()
    panel.write_button.click()
    assert panel.wait(300)
    written = time.monotonic() - started
    assert not panel.message.is_error, panel.message.message
    assert panel.script.value.strip() and "tokens in" in panel.status.value
    panel.plan_button.click()
    assert panel.wait(300)
    total = time.monotonic() - started
    app.wait_idle()
    assert not panel.message.is_error, panel.message.message
    scenes = app.ws.scenes("talk")
    assert scenes and all(s.title and s.narration for s in scenes)
    assert len(app.timeline.strip.blocks) == len(scenes) and app.editor.scene == scenes[0]
    print(
        f"\nembedded in the panel: write {written:.1f} s, write + plan {total:.1f} s, "
        f"{len(scenes)} scene(s)"
    )
