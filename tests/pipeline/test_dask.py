"""Scenes on Dask: a LocalCluster of 2 worker processes renders the same video as the local
executor, reports progress for every scene, records every stage from the coordinating process;
a render on a scheduler's workers, stopped, resumes with what it finished; an unreachable
scheduler fails at once in one line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, write_config
from vidkit.api import Workspace
from vidkit.config import load_config
from vidkit.errors import BackendError, ConfigError
from vidkit.media import ffmpeg_exe
from vidkit.pipeline import Event, render

pytestmark = pytest.mark.slow

PROJECT = """
[project]
slug = "tiny"
title = "Tiny"
width = 320
height = 180
fps = 25
avatar = "skimage:astronaut"

[[scenes]]
title = "A loop"
code = "a.py"
narration = "Maps make a list, bit by bit."

[[scenes]]
title = "One line"
narration = "Now in one line."

[[scenes]]
title = "The end"
narration = "That is all for today."
"""


def _workspace(
    folder: Path, executor: str, *, avatar: bool = True, max_side: int = 256
) -> Workspace:
    """The tiny project in ``folder`` (made on first use), with this executor and portrait
    size (each pair has its own config file; all share one catalogue and asset store)."""
    from vidkit.example import load_project_file

    config = write_config(
        folder / "ws",
        f'[avatar]\nmatting = "mediapipe"\nmax_side = {max_side}\n'
        f'[render]\npreset = "ultrafast"\nworkers = 2\nexecutor = "{executor}"\n',
    ).rename(folder / "ws" / f"{executor.partition(':')[0]}-{max_side}.toml")
    ws = Workspace(load_config(config))
    if not (folder / "project.toml").exists():
        (folder / "a.py").write_text(
            "squares = []\nfor n in range(3):\n    squares.append(n * n)\n"
        )
        text = PROJECT if avatar else PROJECT.replace('avatar = "skimage:astronaut"\n', "")
        (folder / "project.toml").write_text(text)
        load_project_file(ws, folder / "project.toml")
    return ws


def _workspace_of(folder: Path) -> Workspace:
    """A workspace with one project and nothing rendered."""
    ws = Workspace(load_config(write_config(folder / "plain")))
    ws.create_project("tiny", "Tiny")
    return ws


def _layout(path: Path) -> tuple[list[str], int]:
    """Each stream's layout (video: codec, pixel format, size, fps; audio: codec, rate,
    channels) and the number of video frames."""
    run = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path), "-map", "0:v:0", "-c", "copy",
         "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    described = run.stderr.partition("Stream mapping:")[0]
    streams = []
    for line in described.splitlines():
        if video := re.search(r"Video: (\w+).*?, (\w+)\(.*?, (\d+x\d+).*?, ([\d.]+) fps", line):
            streams.append("video " + " ".join(video.groups()))
        elif audio := re.search(r"Audio: (\w+).*?, (\d+) Hz, ([\w.]+)", line):
            streams.append("audio " + " ".join(audio.groups()))
    return streams, int(re.findall(r"frame=\s*(\d+)", run.stderr)[-1])


def _asset_ids(value: object) -> list[int]:
    """The asset ids a report holds (under keys ending in ``asset_id``)."""
    if isinstance(value, dict):
        return [
            i
            for key, item in value.items()
            for i in ([item] if str(key).endswith("asset_id") else _asset_ids(item))
        ]
    if isinstance(value, list):
        return [i for item in value for i in _asset_ids(item)]
    return []


def test_a_local_cluster_renders_what_the_local_executor_renders(tmp_path: Path) -> None:
    local_ws = _workspace(tmp_path, "local")
    local = render(local_ws, "tiny", workers=1)
    made_locally = Counter(j.stage for j in local_ws.jobs("tiny"))
    # Piper's speech varies by a frame or so with what its process spoke before (its ONNX
    # noise is seeded once a process), so the Dask render reuses the local render's speech:
    # a smaller presenter portrait makes it cut out, rig, animate and compose all anew.
    ws = _workspace(tmp_path, "dask", max_side=200)
    events: list[Event] = []
    on_dask = render(ws, "tiny", progress=events.append)

    assert local.final is not None and on_dask.final is not None
    streams, frames = _layout(on_dask.final)
    assert (streams, frames) == _layout(local.final)
    assert streams == ["video h264 yuv420p 320x180 25", "audio aac 48000 stereo"]
    assert [s.report["frames"] for s in on_dask.scenes] == [
        s.report["frames"] for s in local.scenes
    ]
    assert not any(s.cached["animate"] or s.cached["compose"] for s in on_dask.scenes)
    # Every scene reported its stages, each to its end, and the assembly came last.
    for position in (1, 2, 3):
        ended = {e.stage for e in events if e.position == position and e.done == e.total}
        assert {"speak", "animate", "compose"} <= ended
    assert {e.stage for e in events if e.position is None} >= {"cutout", "rig", "assemble"}
    assert events[-1] == Event("assemble", None, 1, 1)
    # The coordinator recorded every stage as a local render does, with real ids ...
    jobs = ws.jobs("tiny")
    assert {j.status for j in jobs} == {"done"}
    made_on_dask = Counter(j.stage for j in jobs) - made_locally
    assert made_on_dask == made_locally - Counter(speak=3)
    assets = {a.id: a for a in ws.assets("tiny")}
    for job in jobs:
        made = assets[job.output_asset_id or 0]
        assert all(i in assets for i in dict(made.metadata.get("sidecars", {})).values())
    for scene in on_dask.scenes:  # the results name real rows too
        assert {scene.video.id, scene.captions.id, *_asset_ids(scene.report)} <= assets.keys()
    rigs = [a for a in assets.values() if a.kind == "face_rig"]
    assert {assets[r.metadata["portrait_asset_id"]].kind for r in rigs} == {"avatar_cutout"}
    # ... so the local executor finds all of it made.
    again = render(_workspace(tmp_path, "local", max_side=200), "tiny", workers=1)
    assert again.cache_hits == 3


@pytest.fixture
def scheduler(tmp_path: Path) -> Iterator[str]:
    """A Dask scheduler and a worker of 2 processes, started as docs/scaling.md says; its
    address."""
    from distributed import Client

    dask = str(Path(sys.executable).parent / "dask")
    found = tmp_path / "scheduler.json"
    started = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(found)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not found.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(found.read_text())["address"]
        started.append(
            subprocess.Popen(
                [dask, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path,
            )
        )  # fmt: skip
        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=120)
        yield str(address)
    finally:
        for process in reversed(started):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_stopped_render_resumes_with_the_finished_scene(tmp_path: Path, scheduler: str) -> None:
    ws = _workspace(tmp_path, scheduler, avatar=False)
    # The last scene is long (about 30 s of speech): it is still being made when a short one
    # is composed and the render stops, however slowly the progress reaches the coordinator.
    last = ws.scenes("tiny")[-1]
    ws.update_scene("tiny", last.id, narration=" ".join(["That is all for today."] * 20))

    class Stop(Exception):
        pass

    def stop_once_a_scene_is_composed(event: Event) -> None:
        if any(j.stage == "compose" and j.status == "done" for j in ws.jobs("tiny")):
            raise Stop

    with pytest.raises(Stop):
        render(ws, "tiny", progress=stop_once_a_scene_is_composed)
    composed = {j.scene_id for j in ws.jobs("tiny") if j.stage == "compose" and j.status == "done"}
    assert 1 <= len(composed) < 3
    resumed = render(_workspace(tmp_path, "local", avatar=False), "tiny", workers=1)
    for scene in resumed.scenes:  # finished stages are reused, the others were stopped
        assert scene.cached["speak"] or scene.scene_id not in composed
        assert scene.cached["compose"] == (scene.scene_id in composed)


def test_an_unreachable_scheduler_fails_at_once_in_one_line(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, "tcp://127.0.0.1:9", avatar=False)
    started = time.monotonic()
    with pytest.raises(BackendError) as caught:
        render(ws, "tiny")
    assert time.monotonic() - started < 30
    assert str(caught.value) == "no Dask scheduler answers at tcp://127.0.0.1:9 (waited 5 s)"
    hint = caught.value.hint
    assert hint is not None and hint.cli is not None
    assert "`dask scheduler`" in hint.cli and "`dask worker tcp://127.0.0.1:9" in hint.cli
    assert ws.jobs("tiny") == [], "nothing was started"


@pytest.mark.parametrize("value", ["remote", "tcp://host", "http://host:8786", "dask "])
def test_the_executor_is_local_dask_or_a_scheduler_address(tmp_path: Path, value: str) -> None:
    config = write_config(tmp_path, f'[render]\nexecutor = "{value}"\n')
    with pytest.raises(ConfigError, match=r"\[render\] executor: must be .*Dask scheduler address"):
        load_config(config)
    for good in ("local", "dask", "tcp://10.0.0.5:8786", "tls://sched.example:8786"):
        config.write_text(config.read_text().replace(f'"{value}"', f'"{good}"'))
        assert load_config(config).render.executor == good
        value = good


def test_the_scaling_page_matches_the_code(tmp_path: Path) -> None:
    from vidkit.pipeline.cluster import ASSETS_ENV, DASK

    page = (REPO / "docs" / "scaling.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", page, re.S)
    assert blocks
    for block in blocks:
        config = tmp_path / "scaling.toml"
        config.write_text(block)
        load_config(config)
    assert f"{ASSETS_ENV}=" in page and DASK in page
    assert DASK in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_a_worker_that_does_not_see_the_store_refuses_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from vidkit.errors import AssetError
    from vidkit.pipeline.cluster import ASSETS_ENV, _workspace, store_id
    from vidkit.pipeline.detached import DetachedCatalogue, rows_for

    ws = _workspace_of(tmp_path)
    store = store_id(ws.store.root)
    assert store_id(ws.store.root) == store, "the store keeps its identity"
    rows = rows_for(ws.catalogue, "tiny", None)
    outbox: Any = SimpleNamespace(put=lambda _item: None)
    seen = _workspace(ws.config, rows, store, outbox)
    assert isinstance(seen.catalogue, DetachedCatalogue) and seen.store.root == ws.store.root
    # Mounted elsewhere and named by the environment: the same store.
    mounted = tmp_path / "mnt"
    ws.store.root.rename(mounted)
    monkeypatch.setenv(ASSETS_ENV, str(mounted))
    assert _workspace(ws.config, rows, store, outbox).store.root == mounted
    # A folder that is not the coordinator's store.
    monkeypatch.setenv(ASSETS_ENV, str(tmp_path / "elsewhere"))
    with pytest.raises(AssetError, match=r"^the Dask worker on \S+ does not see") as caught:
        _workspace(ws.config, rows, store, outbox)
    assert str(tmp_path / "elsewhere") in str(caught.value) and "\n" not in str(caught.value)
