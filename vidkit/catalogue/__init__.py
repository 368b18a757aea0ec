"""The project catalogue: projects, ordered scenes, assets and job records in one DuckDB file.

Every method is one transaction in a short-lived connection (see :mod:`._connection`), so any
number of processes can share the file. The schema is migrated to the current version the first
time a :class:`Catalogue` touches the file.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from vidkit.catalogue import _assets, _backup, _edits, _projects, _render_jobs, _scenes, _voices
from vidkit.catalogue._assets import check_kind
from vidkit.catalogue._backup import backups_folder
from vidkit.catalogue._connection import Connector, restore_advice, rollback
from vidkit.catalogue._migrations import SCHEMA_VERSION, migrate, schema_version
from vidkit.catalogue._projects import PROJECT_FIELDS
from vidkit.catalogue._projects import clean_fields as clean_project_fields
from vidkit.catalogue._render_jobs import ACTIVE as ACTIVE_JOBS
from vidkit.catalogue._render_jobs import KINDS as JOB_KINDS
from vidkit.catalogue._render_jobs import STATUSES as JOB_STATUSES
from vidkit.catalogue._render_jobs import RenderJob
from vidkit.catalogue._scenes import SCENE_FIELDS
from vidkit.catalogue._scenes import merge as merge_scene
from vidkit.catalogue._voices import check_voice_fields
from vidkit.errors import CatalogueError, InvalidInput, NotFound
from vidkit.model import Asset, Job, Project, Scene, SceneEdit, Voice, validate_id

__all__ = [
    "ACTIVE_JOBS",
    "JOB_KINDS",
    "JOB_STATUSES",
    "PROJECT_FIELDS",
    "SCENE_FIELDS",
    "SCHEMA_VERSION",
    "Catalogue",
    "RenderJob",
    "check_kind",
    "check_voice_fields",
    "clean_project_fields",
    "merge_scene",
    "migrate",
    "restore_advice",
    "schema_version",
]

#: Called with the asset paths that a delete left unreferenced, while the catalogue is still held.
RemoveFiles = Callable[[list[str]], None]


class Catalogue:
    """Persistent projects, scenes, assets and jobs, addressed by project slug."""

    def __init__(self, path: Path, *, lock_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self._connector = Connector(self.path, lock_timeout_s=lock_timeout_s)
        self._migrated = False
        self._held = threading.local()

    def __repr__(self) -> str:
        return f"Catalogue({str(self.path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the (migrated) catalogue for the duration of the block."""
        held = getattr(self._held, "conn", None)
        if held is not None:
            yield held
            return
        with self._connector.connect() as conn:
            if not self._migrated:
                migrate(conn, backups=self.backups_folder)
                self._migrated = True
            yield conn

    @contextmanager
    def session(self) -> Iterator[None]:
        """Keep one connection open for many quick operations (about 10 ms saved per
        operation). Other processes wait meanwhile, so keep the block short: lookups, not
        renders. Nested sessions reuse the outer one."""
        if getattr(self._held, "conn", None) is not None:
            yield
            return
        with self._connect() as conn:
            self._held.conn = conn
            try:
                yield
            finally:
                self._held.conn = None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A raw transaction for callers that combine several steps atomically."""
        with self._connect() as conn:
            conn.execute("BEGIN TRANSACTION")
            try:
                yield conn
            except BaseException:
                rollback(conn)
                raise
            conn.execute("COMMIT")

    def _delete(
        self,
        delete: Callable[[duckdb.DuckDBPyConnection], list[str]],
        remove_files: RemoveFiles | None,
    ) -> None:
        """Run ``delete`` in one transaction, then remove the files it left unreferenced while
        the catalogue is still held, so no concurrent import can start using them."""
        with self.session():
            with self.transaction() as conn:
                paths = delete(conn)
            if remove_files is not None and paths:
                remove_files(paths)

    def schema_version(self) -> int:
        with self.transaction() as conn:
            return schema_version(conn)

    # health and backups -----------------------------------------------------------------------

    def verify(self) -> dict[str, int]:
        """Read every row of every table (so each block of the file is read and checksummed);
        returns the row count of each table. A damaged file raises :class:`CatalogueError`."""
        counts: dict[str, int] = {}
        with self.transaction() as conn:
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT table_name FROM duckdb_tables() "
                    "WHERE database_name = current_database() ORDER BY table_name"
                ).fetchall()
            ]
            for table in tables:
                quoted = '"' + table.replace('"', '""') + '"'
                cursor = conn.execute(f"SELECT * FROM {quoted}")
                rows = 0
                while batch := cursor.fetchmany(10_000):
                    rows += len(batch)
                (expected,) = conn.execute(f"SELECT count(*) FROM {quoted}").fetchone() or (0,)
                if expected != rows:
                    raise CatalogueError(
                        f"the catalogue {self.path} is damaged: table {table} counts {expected} "
                        f"rows but {rows} could be read; {restore_advice(self.path)}"
                    )
                counts[table] = rows
        return counts

    @property
    def backups_folder(self) -> Path:
        """Where backups go by default (``<catalogue>.backups/``)."""
        return backups_folder(self.path.absolute())

    def backups(self) -> list[Path]:
        """The backups in :attr:`backups_folder`, newest first."""
        return _backup.backups(self.path.absolute())

    def backup(self, dest: Path | None = None) -> Path:
        """Export the catalogue (``EXPORT DATABASE``) into the new folder ``dest`` (default:
        ``<catalogue>.backups/<timestamp>/``); returns the folder."""
        if dest is None:
            dest = _backup.new_folder(self.backups_folder, _backup.stamp())
        with self._connect() as conn:
            return _backup.export_to(conn, dest)

    def restore(self, source: Path) -> Path | None:
        """Replace the catalogue with the backup folder ``source`` (``IMPORT DATABASE`` into a
        fresh file, then one rename), and migrate it if it is older. The old file, damaged or not,
        is kept aside; returns where (None when there was none). The catalogue is locked while
        the file is swapped."""
        path = self.path.absolute()
        fresh = path.with_name(f".{path.name}.restore-{os.getpid()}")
        with self._connector.hold():
            fresh.unlink(missing_ok=True)
            try:
                _backup.import_into(Path(source), fresh)
                aside = None
                if path.exists():
                    aside = path.with_name(f"{path.name}.before-restore-{_backup.stamp()}")
                    os.replace(path, aside)
                wal = path.with_name(path.name + ".wal")
                if wal.exists():
                    os.replace(wal, (aside or path).with_name((aside or path).name + ".wal"))
                os.replace(fresh, path)
            finally:
                fresh.unlink(missing_ok=True)
                fresh.with_name(fresh.name + ".wal").unlink(missing_ok=True)
        # An older backup is brought up to date at once (backed up first, as every migration),
        # so no process goes on reading it with the current schema in mind.
        self._migrated = False
        self.schema_version()
        return aside

    # projects -------------------------------------------------------------------------------

    def projects(self) -> list[Project]:
        with self.transaction() as conn:
            return _projects.list_all(conn)

    def project(self, slug: str) -> Project:
        with self.transaction() as conn:
            return _projects.get(conn, slug)

    def create_project(self, **fields: Any) -> Project:
        with self.transaction() as conn:
            return _projects.create(conn, fields)

    def update_project(self, slug: str, /, **changes: Any) -> Project:
        with self.transaction() as conn:
            return _projects.update(conn, slug, changes)

    def delete_project(self, slug: str, remove_files: RemoveFiles | None = None) -> None:
        self._delete(lambda conn: _projects.delete(conn, slug), remove_files)

    # scenes ---------------------------------------------------------------------------------

    def scenes(self, slug: str) -> list[Scene]:
        with self.transaction() as conn:
            return _scenes.list_for(conn, _projects.project_id(conn, slug))

    def scene(self, slug: str, scene_id: int) -> Scene:
        validate_id(scene_id, field_name="scene_id")
        with self.transaction() as conn:
            return _scenes.get(conn, _projects.project_id(conn, slug), scene_id)

    def add_scene(self, slug: str, *, position: int | None = None, **fields: Any) -> Scene:
        with self.transaction() as conn:
            pid = _projects.project_id(conn, slug)
            scene = _scenes.add(conn, pid, fields, position=position)
            _projects.touch(conn, pid)
            return scene

    def update_scene(self, slug: str, scene_id: int, **changes: Any) -> Scene:
        validate_id(scene_id, field_name="scene_id")
        with self.transaction() as conn:
            pid = _projects.project_id(conn, slug)
            scene = _scenes.update(conn, pid, scene_id, changes)
            _projects.touch(conn, pid)
            return scene

    def move_scene(self, slug: str, scene_id: int, position: int) -> list[Scene]:
        validate_id(scene_id, field_name="scene_id")
        with self.transaction() as conn:
            pid = _projects.project_id(conn, slug)
            scenes = _scenes.move(conn, pid, scene_id, position)
            _projects.touch(conn, pid)
            return scenes

    def reorder_scenes(self, slug: str, scene_ids: Sequence[int]) -> list[Scene]:
        for scene_id in scene_ids:
            validate_id(scene_id, field_name="scene_ids")
        with self.transaction() as conn:
            pid = _projects.project_id(conn, slug)
            scenes = _scenes.reorder(conn, pid, list(scene_ids))
            _projects.touch(conn, pid)
            return scenes

    def delete_scene(
        self, slug: str, scene_id: int, remove_files: RemoveFiles | None = None
    ) -> None:
        validate_id(scene_id, field_name="scene_id")

        def delete(conn: duckdb.DuckDBPyConnection) -> list[str]:
            pid = _projects.project_id(conn, slug)
            paths = _scenes.delete(conn, pid, scene_id)
            _projects.touch(conn, pid)
            return paths

        self._delete(delete, remove_files)

    # assets ---------------------------------------------------------------------------------

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
        """Record an asset. ``place`` (moving the file into the store) runs inside the
        transaction, so a concurrent delete can never remove a file that is being recorded."""
        if scene_id is not None:
            validate_id(scene_id, field_name="scene_id")
        with self.transaction() as conn:
            pid = _projects.project_id(conn, slug)
            _assets.check_kind(kind)
            if scene_id is not None:
                _scenes.get(conn, pid, scene_id)
            if place is not None:
                place()
            return _assets.add(
                conn,
                pid,
                scene_id=scene_id,
                kind=kind,
                path=path,
                sha256=sha256,
                size_bytes=size_bytes,
                duration_ms=duration_ms,
                metadata=metadata or {},
            )

    def assets(
        self, slug: str, *, scene_id: int | None = None, kind: str | None = None
    ) -> list[Asset]:
        if scene_id is not None:
            validate_id(scene_id, field_name="scene_id")
        with self.transaction() as conn:
            return _assets.list_for(
                conn, _projects.project_id(conn, slug), scene_id=scene_id, kind=kind
            )

    def delete_asset(
        self, slug: str, asset_id: int, remove_files: RemoveFiles | None = None
    ) -> None:
        validate_id(asset_id, field_name="asset_id")
        self._delete(
            lambda conn: _assets.delete(conn, _projects.project_id(conn, slug), asset_id),
            remove_files,
        )

    def asset(self, asset_id: int) -> Asset:
        validate_id(asset_id, field_name="asset_id")
        with self.transaction() as conn:
            return _assets.get(conn, asset_id)

    # lexicon and voices ---------------------------------------------------------------------

    def lexicon(self, slug: str) -> dict[str, str]:
        with self.transaction() as conn:
            return _voices.lexicon(conn, _projects.project_id(conn, slug))

    def set_lexicon(self, slug: str, entries: Mapping[str, str]) -> dict[str, str]:
        with self.transaction() as conn:
            pid = _projects.project_id(conn, slug)
            clean = _voices.set_lexicon(conn, pid, entries)
            _projects.touch(conn, pid)
            return clean

    def add_voice(
        self,
        slug: str,
        *,
        name: str,
        sample_asset_id: int,
        transcript: str,
        consent: str,
        consent_by: str = "",
        consent_at: datetime | None = None,
        language: str = "en",
        more_sample_ids: Sequence[int] = (),
    ) -> Voice:
        with self.transaction() as conn:
            pid = _projects.project_id(conn, slug)
            for asset_id in (sample_asset_id, *more_sample_ids):
                if _assets.get(conn, asset_id).project_id != pid:
                    raise NotFound(f"this project has no asset with id {asset_id}")
            return _voices.add_voice(
                conn,
                pid,
                name=name,
                sample_asset_id=sample_asset_id,
                transcript=transcript,
                consent=consent,
                consent_by=consent_by,
                consent_at=consent_at,
                language=language,
                more_sample_ids=more_sample_ids,
            )

    def remove_voice(self, slug: str, name: str) -> Voice:
        with self.transaction() as conn:
            return _voices.remove_voice(conn, _projects.project_id(conn, slug), name)

    def voices(self, slug: str) -> list[Voice]:
        with self.transaction() as conn:
            return _voices.voices(conn, _projects.project_id(conn, slug))

    def voice(self, slug: str, name: str) -> Voice:
        with self.transaction() as conn:
            return _voices.voice(conn, _projects.project_id(conn, slug), name)

    # scene edits (recordings) ---------------------------------------------------------------

    def scene_edit(self, slug: str, scene_id: int) -> SceneEdit | None:
        """The scene's current recording edit, or None when it uses no recording."""
        validate_id(scene_id, field_name="scene_id")
        with self.transaction() as conn:
            _scenes.get(conn, _projects.project_id(conn, slug), scene_id)
            return _edits.current(conn, scene_id)

    def scene_edit_history(self, slug: str, scene_id: int) -> list[SceneEdit]:
        validate_id(scene_id, field_name="scene_id")
        with self.transaction() as conn:
            _scenes.get(conn, _projects.project_id(conn, slug), scene_id)
            return _edits.history(conn, scene_id)

    def save_scene_edit(self, slug: str, scene_id: int, **changes: Any) -> SceneEdit:
        """Record a new version of the scene's recording edit (see :class:`SceneEdit`)."""
        validate_id(scene_id, field_name="scene_id")
        with self.transaction() as conn:
            pid = _projects.project_id(conn, slug)
            _scenes.get(conn, pid, scene_id)
            if "recording_id" in changes:
                rid = validate_id(changes["recording_id"], field_name="recording_id")
                recording = _assets.get(conn, rid)
                if recording.project_id != pid:
                    raise NotFound(f"this project has no asset with id {rid}")
                if recording.kind != "screen_capture":
                    raise InvalidInput(
                        f"asset {rid} is a {recording.kind}, not a recording: import the "
                        "recording as a screen_capture",
                        field="recording_id",
                    )
            edit = _edits.save(conn, pid, scene_id, dict(changes))
            _projects.touch(conn, pid)
            return edit

    def undo_scene_edit(self, slug: str, scene_id: int) -> SceneEdit:
        """Undo the scene's last recording edit; returns the edit that is current again."""
        validate_id(scene_id, field_name="scene_id")
        with self.transaction() as conn:
            pid = _projects.project_id(conn, slug)
            _scenes.get(conn, pid, scene_id)
            edit = _edits.undo(conn, scene_id)
            _projects.touch(conn, pid)
            return edit

    def clear_scene_edit(self, slug: str, scene_id: int) -> None:
        """The scene no longer uses a recording (its history goes too)."""
        with self.transaction() as conn:
            pid = _projects.project_id(conn, slug)
            _scenes.get(conn, pid, scene_id)
            _edits.clear(conn, scene_id)
            _projects.touch(conn, pid)

    # jobs -----------------------------------------------------------------------------------

    def start_job(
        self, slug: str, stage: str, cache_key: str, *, scene_id: int | None = None
    ) -> Job:
        with self.transaction() as conn:
            pid = _projects.project_id(conn, slug)
            return _assets.start_job(conn, pid, scene_id, stage, cache_key)

    def finish_job(self, job_id: int, *, output_asset_id: int | None = None) -> Job:
        with self.transaction() as conn:
            return _assets.end_job(conn, job_id, "done", output_asset_id=output_asset_id)

    def fail_job(self, job_id: int, error: str) -> Job:
        with self.transaction() as conn:
            return _assets.end_job(conn, job_id, "failed", error=error)

    def cached_job(self, cache_key: str) -> Job | None:
        """The latest finished job with this cache key, if any."""
        with self.transaction() as conn:
            return _assets.done_job(conn, cache_key)

    def jobs(self, slug: str, *, scene_id: int | None = None) -> list[Job]:
        if scene_id is not None:
            validate_id(scene_id, field_name="scene_id")
        with self.transaction() as conn:
            return _assets.jobs_for(conn, _projects.project_id(conn, slug), scene_id)

    # render jobs (vidkit.jobs runs them) ------------------------------------------------------

    def add_render_job(
        self,
        slug: str,
        *,
        kind: str,
        scene_ids: Sequence[int] | None,
        options: Mapping[str, Any],
        log_path: Callable[[int, int], str],
    ) -> RenderJob:
        """A new queued job; :class:`~vidkit.errors.Conflict` while the project has another
        that has not ended. ``log_path(project_id, job_id)`` names its progress log."""
        with self.transaction() as conn:
            pid = _projects.project_id(conn, slug)
            for scene_id in scene_ids or ():
                _scenes.get(conn, pid, validate_id(scene_id, field_name="scene_ids"))
            return _render_jobs.add(
                conn, pid, kind=kind, scene_ids=scene_ids, options=options, log_path=log_path
            )

    def render_job(self, job_id: int) -> RenderJob:
        validate_id(job_id, field_name="job_id")
        with self.transaction() as conn:
            return _render_jobs.get(conn, job_id)

    def render_jobs(
        self,
        slug: str | None = None,
        *,
        statuses: Collection[str] | None = None,
        limit: int | None = None,
    ) -> list[RenderJob]:
        """Jobs, newest first: of project ``slug`` (None: of every project)."""
        with self.transaction() as conn:
            pid = _projects.project_id(conn, slug) if slug is not None else None
            return _render_jobs.list_for(conn, pid, statuses=statuses, limit=limit)

    def update_render_job(
        self, job_id: int, *, expect: Sequence[str] | None = None, **changes: Any
    ) -> RenderJob | None:
        """Change a job's row; with ``expect``, only while its status is one of those (else
        None: another process changed it first)."""
        with self.transaction() as conn:
            return _render_jobs.update(conn, job_id, changes, expect=expect)
