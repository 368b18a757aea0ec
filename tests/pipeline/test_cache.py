"""The pipeline's cache: one cache and one job record for every stage's step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vidkit.pipeline.cache import NotCached, run
from vidkit.stages.step import Outputs, Step, Stored, cache_key
from vidkit.workspace import Workspace


def _step(
    work: Any,
    *,
    text: str = "hello",
    version: int = 1,
    fingerprint: str = "fake:v1",
    inputs: tuple[str, ...] = ("abc",),
    stage: str = "demo",
) -> Step[Stored]:
    return Step(
        stage=stage,
        version=version,
        fingerprint=fingerprint,
        inputs=inputs,
        params={"text": text},
        work=work,
        read=lambda stored: stored,
    )


def _stage(
    ws: Workspace,
    calls: list[str],
    text: str = "hello",
    *,
    version: int = 1,
    fingerprint: str = "fake:v1",
    inputs: tuple[str, ...] = ("abc",),
    lookup_only: bool = False,
) -> Stored:
    def work(folder: Path) -> Outputs:
        calls.append(text)
        main = folder / "out.py"
        main.write_text(f"print({text!r})\n")
        side = folder / "side.json"
        side.write_text('{"words": 1}')
        return {"main": (main, "code_file"), "timings": (side, "timings")}

    step = _step(work, text=text, version=version, fingerprint=fingerprint, inputs=inputs)
    return run(ws, "p", step, lookup_only=lookup_only)


def test_second_run_is_a_cache_hit_with_sidecars(workspace: Workspace) -> None:
    workspace.create_project("p", "P")
    calls: list[str] = []
    first = _stage(workspace, calls)
    second = _stage(workspace, calls)
    assert calls == ["hello"]
    assert not first.cached and second.cached
    assert second.asset == first.asset
    assert set(second.sidecars) == {"timings"}
    assert [j.status for j in workspace.jobs("p")] == ["done"]


@pytest.mark.parametrize(
    "change",
    [{"version": 2}, {"fingerprint": "fake:v2"}, {"inputs": ("abd",)}],
)
def test_any_part_of_the_key_changing_reruns(workspace: Workspace, change: dict[str, Any]) -> None:
    workspace.create_project("p", "P")
    calls: list[str] = []
    _stage(workspace, calls)
    _stage(workspace, calls, **change)
    assert len(calls) == 2


def test_param_change_reruns_and_keys_are_stable() -> None:
    a = cache_key("s", 1, "fp", ["x"], {"a": 1, "b": 2})
    assert a == cache_key("s", 1, "fp", ["x"], {"b": 2, "a": 1})
    assert a != cache_key("s", 1, "fp", ["x"], {"a": 1, "b": 3})


def test_failure_is_recorded_and_nothing_cached(workspace: Workspace) -> None:
    workspace.create_project("p", "P")

    def broken(folder: Path) -> Outputs:
        (folder / "half.bin").write_bytes(b"half")
        raise RuntimeError("backend exploded")

    with pytest.raises(RuntimeError):
        run(workspace, "p", _step(broken, stage="x"))
    [job] = workspace.jobs("p")
    assert job.status == "failed" and "backend exploded" in (job.error or "")
    assert workspace.assets("p") == []


def test_a_crashed_run_is_never_taken_as_done(workspace: Workspace) -> None:
    workspace.create_project("p", "P")
    key = cache_key("demo", 1, "fake:v1", ["abc"], {"text": "hello"})
    workspace.catalogue.start_job("p", "demo", key)  # a run that died: 'running', no output
    calls: list[str] = []
    result = _stage(workspace, calls)
    assert calls == ["hello"] and not result.cached


def test_output_missing_from_the_store_is_redone(workspace: Workspace) -> None:
    workspace.create_project("p", "P")
    calls: list[str] = []
    first = _stage(workspace, calls)
    workspace.asset_path(first.asset).unlink()
    again = _stage(workspace, calls)
    assert len(calls) == 2 and not again.cached
    assert workspace.asset_path(again.asset).is_file()


def test_lookup_only_finds_what_is_made_and_never_works(workspace: Workspace) -> None:
    workspace.create_project("p", "P")
    calls: list[str] = []
    with pytest.raises(NotCached):
        _stage(workspace, calls, lookup_only=True)
    assert calls == [] and workspace.jobs("p") == [], "a lookup records no job"
    made = _stage(workspace, calls)
    found = _stage(workspace, calls, lookup_only=True)
    assert calls == ["hello"] and found.cached and found.asset == made.asset
