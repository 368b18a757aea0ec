"""A task away from the catalogue: it reads the rows it was given, opens no catalogue file,
and what it would have written is written by the coordinator, with real ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidkit.api import Workspace
from vidkit.config import load_config
from vidkit.errors import CatalogueError, RenderError
from vidkit.pipeline import cache
from vidkit.pipeline.detached import (
    Added,
    DetachedCatalogue,
    Ended,
    Record,
    Recorder,
    Started,
    rows_for,
)
from vidkit.stages.step import Outputs, Step, Stored


def _step(scene_id: int, text: str, *, fail: bool = False, source: int = 12345) -> Step[Stored]:
    """A stage writing a primary file and a sidecar (or failing)."""

    def work(folder: Path) -> Outputs:
        if fail:
            raise RenderError("the stage broke")
        (folder / "main.json").write_text(f'{{"text": "{text}"}}')
        (folder / "side.json").write_text(f'{{"TEXT": "{text.upper()}"}}')
        return {
            "main": (folder / "main.json", "timings"),
            "side": (folder / "side.json", "captions"),
        }

    return Step(
        stage="speak", version=1, fingerprint="test", inputs=[text], params={}, work=work,
        read=lambda stored: stored, scene_id=scene_id, metadata={"source_asset_id": source},
    )  # fmt: skip


def _away(ws: Workspace, rows_of: Workspace, scene_id: int, records: list[Record]) -> Workspace:
    """A workspace as a worker has it: the shared asset store, a catalogue path that does
    not exist there, and the rows of ``scene_id`` taken from ``rows_of``'s catalogue."""
    config = ws.config.model_copy(
        update={"catalogue": ws.config.catalogue.model_copy(update={"path": Path("/nowhere/c")})}
    )
    away = Workspace(config)
    rows = rows_for(rows_of.catalogue, "p", scene_id)
    away.catalogue = DetachedCatalogue(rows, record=records.append)
    return away


@pytest.fixture
def ws(config_file: Path) -> Workspace:
    ws = Workspace(load_config(config_file))
    ws.create_project("p", "P")
    ws.add_scene("p", "One", narration="One.")
    return ws


def test_a_task_away_from_the_catalogue_is_recorded_by_the_coordinator(ws: Workspace) -> None:
    [scene] = ws.scenes("p")
    records: list[Record] = []
    away = _away(ws, ws, scene.id, records)
    made = cache.run(away, "p", _step(scene.id, "hi"))

    # The worker wrote its files into the shared store and only told what it made.
    assert made.asset.id < 0 and made.sidecars["side"].id < 0
    assert ws.asset_path(made.asset).read_text() == '{"text": "hi"}'
    assert [type(r) for r in records] == [Started, Added, Added, Ended]
    assert ws.jobs("p") == [] and not Path("/nowhere").exists()
    # Within the task, what it made is found again, and a later stage may name it.
    assert cache.run(away, "p", _step(scene.id, "hi")).cached
    after = cache.run(away, "p", _step(scene.id, "ho", source=made.asset.id))

    # The coordinator writes it with real ids, metadata ids included.
    recorder = Recorder(ws.catalogue, "p")
    recorder.write([(7, r) for r in records])
    [job, _] = ws.jobs("p")
    assert (job.stage, job.status, job.scene_id) == ("speak", "done", scene.id)
    asset = ws.catalogue.asset(job.output_asset_id or 0)
    assert recorder.asset(7, made.asset) == asset
    side = ws.catalogue.asset(asset.metadata["sidecars"]["side"])
    assert (side.kind, side.path) == ("captions", made.sidecars["side"].path)
    assert asset.metadata["source_asset_id"] == 12345, "a real id stays"
    assert recorder.asset(7, after.asset).metadata["source_asset_id"] == asset.id

    # A later task's rows hold it: a cache hit there, and nothing recorded.
    later: list[Record] = []
    again = cache.run(_away(ws, ws, scene.id, later), "p", _step(scene.id, "hi"))
    assert again.cached and again.asset == asset and later == []


def test_a_failed_stage_away_is_recorded_failed(ws: Workspace) -> None:
    [scene] = ws.scenes("p")
    records: list[Record] = []
    with pytest.raises(RenderError, match="the stage broke"):
        cache.run(_away(ws, ws, scene.id, records), "p", _step(scene.id, "x", fail=True))
    Recorder(ws.catalogue, "p").write([(1, r) for r in records])
    [job] = ws.jobs("p")
    assert job.status == "failed" and job.error == "RenderError: the stage broke"


def test_what_a_task_was_not_given_fails_in_one_line(ws: Workspace) -> None:
    [scene] = ws.scenes("p")
    other = ws.add_scene("p", "Two")
    away = _away(ws, ws, scene.id, [])
    with pytest.raises(CatalogueError, match=r"^this task runs away from the catalogue") as caught:
        away.catalogue.projects()
    assert "\n" not in str(caught.value)
    with pytest.raises(CatalogueError, match="recording edit is not among this task's rows"):
        away.catalogue.scene_edit("p", other.id)
