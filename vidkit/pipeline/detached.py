"""The catalogue of a task that runs where the catalogue is not: rows in, records out.

DuckDB lets one process hold the catalogue file, and a Dask worker may be another machine.
So a task sent to a worker gets, as an argument, the rows its part of the scene graph reads
(:class:`Rows`: the project, its scenes, lexicon and voices, the assets of the project and of
the task's scene, the finished jobs that made them) and runs the graph unchanged against a
:class:`DetachedCatalogue` built from them. That catalogue answers the graph's reads and cache
lookups from the rows, and turns each write into a :data:`Record` (a job started, an asset
added, a job ended) with a provisional, negative id, handed to ``record`` as it happens. The
files themselves are already in the shared asset store by then (a stage's outputs are placed
there before its asset is recorded).

The coordinating process writes the records into the real catalogue with a
:class:`Recorder`, in the order they were made, mapping each provisional id to the row's
real one (in later records' metadata and in the task's result too), so the catalogue has one
writer and the rows look as if the stages had run in the coordinator. A cache hit that only
another scene or project holds is not among a task's rows: that work is done again, to the
same file.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from vidkit.catalogue import Catalogue, check_kind
from vidkit.errors import CatalogueError, NotFound
from vidkit.model import Asset, Job, Project, Scene, SceneEdit, Voice

__all__ = [
    "Added",
    "DetachedCatalogue",
    "Ended",
    "Record",
    "Recorder",
    "Rows",
    "Started",
    "rows_for",
]


@dataclass(frozen=True)
class Rows:
    """What a task may read of the catalogue. ``edits`` holds the task's scene's recording
    edit (None: it has none); a scene missing from it was not looked up for this task."""

    project: Project
    scenes: tuple[Scene, ...]
    assets: tuple[Asset, ...]
    jobs: tuple[Job, ...]
    lexicon: Mapping[str, str] = field(default_factory=dict)
    voices: tuple[Voice, ...] = ()
    edits: Mapping[int, SceneEdit | None] = field(default_factory=dict)


def rows_for(
    catalogue: Catalogue, slug: str, scene_id: int | None, *, also: Iterable[int] = ()
) -> Rows:
    """The rows a task on scene ``scene_id`` (None: project-wide work) reads: the project's
    own assets and those of that scene, the assets ``also`` names (a presenter's, say), the
    voices' samples, the scene's recording; the finished jobs whose outputs are among them."""
    with catalogue.session():
        project = catalogue.project(slug)
        scenes = tuple(catalogue.scenes(slug))
        edits = {scene_id: catalogue.scene_edit(slug, scene_id)} if scene_id is not None else {}
        voices = tuple(catalogue.voices(slug))
        wanted = set(also)
        wanted.update(e.recording_id for e in edits.values() if e is not None)
        for voice in voices:
            wanted.update((voice.sample_asset_id, *voice.more_sample_ids))
        assets = {
            a.id: a
            for a in catalogue.assets(slug)
            if a.scene_id is None or a.scene_id == scene_id or a.id in wanted
        }
        for asset_id in wanted - assets.keys():  # another project's (a shared cache hit)
            assets[asset_id] = catalogue.asset(asset_id)
        jobs = tuple(
            j for j in catalogue.jobs(slug) if j.status == "done" and j.output_asset_id in assets
        )
        lexicon = catalogue.lexicon(slug)
    return Rows(project, scenes, tuple(assets.values()), jobs, lexicon, voices, edits)


# Records -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Started:
    """A stage's job began (``job``: its provisional id)."""

    job: int
    stage: str
    cache_key: str
    scene_id: int | None


@dataclass(frozen=True, slots=True)
class Added:
    """An asset was added; its file is in the store already (``asset.id`` is provisional)."""

    asset: Asset


@dataclass(frozen=True, slots=True)
class Ended:
    """A job ended: ``done`` with its output asset, or ``failed`` with the error."""

    job: int
    status: str
    output_asset_id: int | None = None
    error: str | None = None


Record = Started | Added | Ended


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class DetachedCatalogue(Catalogue):
    """A :class:`~vidkit.catalogue.Catalogue` that never opens a file: reads come from
    ``rows``, writes go to ``record`` (see the module docs). Anything else it is asked
    fails with :class:`~vidkit.errors.CatalogueError`."""

    def __init__(self, rows: Rows, *, record: Callable[[Record], None]) -> None:
        super().__init__(Path("detached-catalogue"))
        self.rows = rows
        self._record = record
        self._ids = itertools.count(-1, -1)
        self._assets: dict[int, Asset] = {a.id: a for a in rows.assets}
        self._made: list[Asset] = []
        self._jobs: dict[int, Job] = {}

    def __repr__(self) -> str:
        return f"DetachedCatalogue({self.rows.project.slug!r})"

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        raise CatalogueError(
            "this task runs away from the catalogue and was given only the rows its scene "
            "needs; the pipeline asked for more (a bug: please report it)"
        )
        yield  # pragma: no cover - a generator, for contextmanager

    @contextmanager
    def session(self) -> Iterator[None]:
        yield

    def _project(self, slug: str) -> Project:
        if slug != self.rows.project.slug:
            raise NotFound(f"no project with slug {slug!r}")
        return self.rows.project

    # reads ------------------------------------------------------------------------------------

    def project(self, slug: str) -> Project:
        return self._project(slug)

    def scenes(self, slug: str) -> list[Scene]:
        self._project(slug)
        return list(self.rows.scenes)

    def scene(self, slug: str, scene_id: int) -> Scene:
        for scene in self.scenes(slug):
            if scene.id == scene_id:
                return scene
        raise NotFound(f"this project has no scene with id {scene_id}")

    def assets(
        self, slug: str, *, scene_id: int | None = None, kind: str | None = None
    ) -> list[Asset]:
        self._project(slug)
        if kind is not None:
            check_kind(kind)
        return [
            a
            for a in (*sorted(self.rows.assets, key=lambda a: a.id), *self._made)
            if (scene_id is None or a.scene_id == scene_id) and (kind is None or a.kind == kind)
        ]

    def asset(self, asset_id: int) -> Asset:
        try:
            return self._assets[asset_id]
        except KeyError:
            raise NotFound(f"no asset with id {asset_id}") from None

    def lexicon(self, slug: str) -> dict[str, str]:
        self._project(slug)
        return dict(self.rows.lexicon)

    def voices(self, slug: str) -> list[Voice]:
        self._project(slug)
        return list(self.rows.voices)

    def voice(self, slug: str, name: str) -> Voice:
        for voice in self.voices(slug):
            if voice.name == name:
                return voice
        raise NotFound(f"this project has no voice profile named {name!r}")

    def scene_edit(self, slug: str, scene_id: int) -> SceneEdit | None:
        self.scene(slug, scene_id)
        if scene_id not in self.rows.edits:
            raise CatalogueError(f"scene {scene_id}'s recording edit is not among this task's rows")
        return self.rows.edits[scene_id]

    def cached_job(self, cache_key: str) -> Job | None:
        made = [j for j in self._jobs.values() if j.cache_key == cache_key and j.status == "done"]
        if made:
            return made[-1]
        found = [j for j in self.rows.jobs if j.cache_key == cache_key and j.status == "done"]
        return max(found, key=lambda j: (j.finished_at or datetime.min, j.id), default=None)

    # writes -----------------------------------------------------------------------------------

    def add_asset(
        self,
        slug: str,
        *,
        kind: str,
        path: str,
        sha256: str,
        size_bytes: int,
        scene_id: int | None = None,
        duration_ms: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        place: Callable[[], object] | None = None,
    ) -> Asset:
        project = self._project(slug)
        check_kind(kind)
        if scene_id is not None:
            self.scene(slug, scene_id)
        if place is not None:
            place()
        for known in self.assets(slug, kind=kind):  # the same content is recorded once
            if known.sha256 == sha256 and known.scene_id == scene_id:
                return known
        asset = Asset(
            next(self._ids), project.id, kind, path, sha256, size_bytes, scene_id=scene_id,
            duration_ms=duration_ms, metadata=dict(metadata or {}), created_at=_now(),
        )  # fmt: skip
        self._assets[asset.id] = asset
        self._made.append(asset)
        self._record(Added(asset))
        return asset

    def start_job(
        self, slug: str, stage: str, cache_key: str, *, scene_id: int | None = None
    ) -> Job:
        project = self._project(slug)
        job = Job(
            next(self._ids), project.id, stage, cache_key, "running", scene_id=scene_id,
            started_at=_now(),
        )  # fmt: skip
        self._jobs[job.id] = job
        self._record(Started(job.id, stage, cache_key, scene_id))
        return job

    def finish_job(self, job_id: int, *, output_asset_id: int | None = None) -> Job:
        return self._end(Ended(job_id, "done", output_asset_id=output_asset_id))

    def fail_job(self, job_id: int, error: str) -> Job:
        return self._end(Ended(job_id, "failed", error=error))

    def _end(self, ended: Ended) -> Job:
        if ended.job not in self._jobs:
            raise NotFound(f"no job with id {ended.job}")
        job = replace(
            self._jobs[ended.job], status=ended.status, output_asset_id=ended.output_asset_id,
            error=ended.error, finished_at=_now(),
        )  # fmt: skip
        self._jobs[job.id] = job
        self._record(ended)
        return job


# The coordinator's side --------------------------------------------------------------------


class Recorder:
    """Writes tasks' records into the real catalogue, in order, and knows which real row
    each provisional id of each task (``token``) became."""

    def __init__(self, catalogue: Catalogue, slug: str) -> None:
        self.catalogue, self.slug = catalogue, slug
        self._assets: dict[tuple[int, int], Asset] = {}
        self._jobs: dict[tuple[int, int], int] = {}

    def write(self, records: Sequence[tuple[int, Record]]) -> None:
        """Write ``(token, record)`` pairs, in one hold of the catalogue."""
        if not records:
            return
        with self.catalogue.session():
            for token, record in records:
                self._write(token, record)

    def _write(self, token: int, record: Record) -> None:
        if isinstance(record, Started):
            job = self.catalogue.start_job(
                self.slug, record.stage, record.cache_key, scene_id=record.scene_id
            )
            self._jobs[token, record.job] = job.id
        elif isinstance(record, Added):
            made = record.asset
            asset = self.catalogue.add_asset(
                self.slug, kind=made.kind, path=made.path, sha256=made.sha256,
                size_bytes=made.size_bytes, scene_id=made.scene_id,
                duration_ms=made.duration_ms, metadata=self.remap(token, dict(made.metadata)),
            )  # fmt: skip
            self._assets[token, made.id] = asset
        elif record.status == "done":
            output = record.output_asset_id
            self.catalogue.finish_job(
                self._jobs[token, record.job],
                output_asset_id=None if output is None else self.asset_id(token, output),
            )
        else:
            self.catalogue.fail_job(self._jobs[token, record.job], record.error or "failed")

    def asset_id(self, token: int, asset_id: int) -> int:
        """The real id of an asset id a task of ``token`` used (real ones stay)."""
        return self._assets[token, asset_id].id if asset_id < 0 else asset_id

    def asset(self, token: int, asset: Asset) -> Asset:
        """The real row of an asset a task of ``token`` returned."""
        return self._assets[token, asset.id] if asset.id < 0 else asset

    def remap(self, token: int, value: Any) -> Any:
        """``value`` (metadata, a report) with the provisional asset ids it holds made real:
        those under keys ending in ``asset_id`` and the ids of ``sidecars``."""
        if isinstance(value, dict):
            out: dict[Any, Any] = {}
            for key, item in value.items():
                if key == "sidecars" and isinstance(item, dict):
                    out[key] = {role: self.asset_id(token, int(i)) for role, i in item.items()}
                elif str(key).endswith("asset_id") and isinstance(item, int):
                    out[key] = self.asset_id(token, item)
                else:
                    out[key] = self.remap(token, item)
            return out
        if isinstance(value, list | tuple):
            return type(value)(self.remap(token, v) for v in value)
        return value
