"""``vidkit doctor``'s LLM server line: models listed, and which structured mode works."""

from __future__ import annotations

from pathlib import Path

from tests.backends.llm.servers import ChatServer, mode_of
from tests.backends.llm.test_contract import GOOD
from tests.conftest import write_config
from vidkit.config import load_config
from vidkit.doctor import check_llm_server


def llamacpp(tmp_path: Path, url: str, model: str = "smollm2") -> Path:
    return write_config(
        tmp_path,
        f'[llm]\nbackend = "llamacpp"\n[llm.local]\nllamacpp_url = "{url}"\nmodel = "{model}"\n',
    )


def test_reports_the_mode_a_llama_cpp_python_like_server_takes(tmp_path: Path) -> None:
    accepts = frozenset({"grammar", "json_object"})
    with ChatServer(lambda _r: '{"ok": true}', accepts=accepts, models=("smollm2",)) as server:
        [check] = check_llm_server(load_config(llamacpp(tmp_path, server.openai_url)))
        assert check.ok, check
        assert check.detail == "lists model 'smollm2'; structured output works as grammar"
        assert [mode_of(r.body) for r in server.requests] == ["json_schema", "grammar"]
        assert all(r.body["max_tokens"] <= 8 for r in server.requests)  # cheap


def test_a_model_the_server_does_not_list(tmp_path: Path) -> None:
    with ChatServer(lambda _r: GOOD, models=("qwen2.5",)) as server:
        [check] = check_llm_server(load_config(llamacpp(tmp_path, server.openai_url, "llama3")))
        assert not check.ok and "does not list model 'llama3' (it lists: qwen2.5)" in check.detail
        assert "[llm.local] model" in check.fix and server.requests == []


def test_no_structured_mode_works(tmp_path: Path) -> None:
    with ChatServer(accepts=frozenset(), models=("smollm2",)) as server:
        [check] = check_llm_server(load_config(llamacpp(tmp_path, server.openai_url)))
        assert not check.ok and "no structured output worked" in check.detail
        assert "[llm.local] structured" in check.fix


def test_ollama_without_a_model_list_route_and_unreachable_servers(tmp_path: Path) -> None:
    with ChatServer(lambda _r: '{"ok": true}', models=("smollm2:135m",)) as server:
        config = write_config(
            tmp_path,
            f'[llm]\nbackend = "ollama"\n[llm.local]\nollama_url = "{server.ollama_url}"\n',
        )
        [check] = check_llm_server(load_config(config))
        assert check.ok and "format (JSON schema)" in check.detail
    closed = llamacpp(tmp_path / "closed", server.openai_url)  # the server has stopped
    assert check_llm_server(load_config(closed)) == []  # the reachability check reports it
    assert check_llm_server(load_config(write_config(tmp_path / "e"))) == []  # embedded
