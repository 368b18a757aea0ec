"""The embedded model for real, offline: SmolLM2-135M through llama.cpp, one thread."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import vidkit
from tests.conftest import write_config
from vidkit.api import Workspace
from vidkit.authoring import plan_scenes
from vidkit.backends.llm.embedded import EmbeddedLLM
from vidkit.backends.llm.grammar import schema_to_gbnf
from vidkit.backends.llm.protocol import LLM, Message
from vidkit.backends.llm.schemas import (
    PlannedScene,
    lexicon_schema,
    parse_revision,
    plan_schema,
    revision_schema,
    script_schema,
)
from vidkit.backends.registry import build_llm
from vidkit.errors import BackendError

SCRIPT = "A list comprehension builds a list in one line. Read it from the middle."


@pytest.fixture(scope="module")
def llm(tmp_path_factory: pytest.TempPathFactory) -> LLM:
    config = vidkit.open(write_config(tmp_path_factory.mktemp("embedded"))).config
    return build_llm(config)


def test_the_default_backend_is_the_embedded_model_on_one_thread(llm: LLM) -> None:
    assert isinstance(llm, EmbeddedLLM) and llm.threads == 1
    assert llm.gguf.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert "SmolLM2-135M-Instruct.Q4_1.gguf:b179c9523d0e6a0f" in llm.fingerprint()


def test_answers_are_valid_json_for_the_schema(llm: LLM) -> None:
    messages: list[Message] = [
        {"role": "system", "content": "You edit narration. Answer with JSON."},
        {"role": "user", "content": "Make this friendlier: Loops repeat code."},
    ]
    seen: list[int] = []
    reply = llm.chat_json(
        messages, revision_schema(80), max_tokens=60, progress=lambda d, _t: seen.append(d)
    )
    revision = parse_revision(json.loads(reply.text), 80)  # the grammar keeps it within 80
    assert revision.narration and not reply.cut_off
    assert seen == list(range(1, reply.tokens + 1)) and reply.tokens_per_s > 0


def test_a_plan_lands_as_scenes_in_the_catalogue(llm: LLM, workspace: Workspace) -> None:
    workspace.create_project("tiny", "Tiny")
    plan = plan_scenes(workspace, "tiny", llm, script=SCRIPT, max_scenes=1)
    scenes = workspace.scenes("tiny")
    assert len(scenes) == 1 and scenes == plan.scenes
    stored = json.loads(workspace.asset_path(plan.asset).read_text(encoding="utf-8"))
    planned = PlannedScene.model_validate(stored["scenes"][0])
    assert scenes[0].title == planned.title and scenes[0].narration == planned.narration
    assert scenes[0].notes == f"screen: {planned.screen}"
    assert scenes[0].target_duration_ms == planned.seconds * 1000
    assert [j.status for j in workspace.jobs("tiny")] == ["done"]
    assert plan.tokens > 0 and plan.asset.metadata["backend"] == "embedded"
    again = plan_scenes(workspace, "tiny", llm, script=SCRIPT, max_scenes=1, mode="replace")
    assert again.cached and [s.id for s in workspace.scenes("tiny")] == [scenes[0].id]


@pytest.mark.parametrize(
    "schema",
    [script_schema(1400), plan_schema(40, 2000), revision_schema(2000), lexicon_schema(60)],
    ids=["script", "plan", "revision", "lexicon"],
)
def test_every_answer_schema_compiles_to_a_llama_cpp_grammar(schema: dict[str, object]) -> None:
    from llama_cpp.llama_grammar import LlamaGrammar

    assert LlamaGrammar.from_string(schema_to_gbnf(schema), verbose=False) is not None


def test_a_missing_model_file_says_how_to_fetch_it(tmp_path: Path) -> None:
    llm = EmbeddedLLM(tmp_path / "nothing.gguf")
    with pytest.raises(BackendError, match=r"nothing\.gguf is missing$") as caught:
        llm.chat_json([{"role": "user", "content": "hi"}], revision_schema(10), max_tokens=8)
    assert caught.value.for_cli().endswith(
        "; run `vidkit models fetch`, or set [llm.embedded] gguf to a GGUF file"
    )


def test_a_configured_gguf_resolves_against_the_config_folder(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[llm.embedded]\ngguf = "mine/model.gguf"\nthreads = 2\n')
    llm = build_llm(vidkit.open(config).config)
    assert isinstance(llm, EmbeddedLLM)
    assert (llm.gguf, llm.threads) == (tmp_path / "mine" / "model.gguf", 2)
