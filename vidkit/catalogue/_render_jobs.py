"""Render jobs: long work (a render, speaking, capturing, tightening) asked for by a surface
and run by a process of its own (:mod:`vidkit.jobs`), one row per job.

Not to be mixed up with the ``jobs`` table, which records each stage's runs for the cache. A
row says what was asked (``kind``, the scenes by id, ``options``), where the job's progress log
is, and how it stands: ``queued`` → ``running`` → ``finished`` | ``failed`` | ``cancelled`` |
``interrupted``. Changes are conditional on the status a caller saw (:func:`update`), so two
processes that notice the same thing cannot both act on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import duckdb

from vidkit.catalogue import _rows
from vidkit.errors import Conflict, InvalidInput, NotFound

__all__ = ["ACTIVE", "ENDED", "KINDS", "STATUSES", "RenderJob"]

#: What a job does.
KINDS: Final = ("render", "speak", "capture", "tighten")
#: A job's statuses, in the order they can come.
STATUSES: Final = ("queued", "running", "finished", "failed", "cancelled", "interrupted")
#: Statuses of a job that has not ended.
ACTIVE: Final = frozenset({"queued", "running"})
#: Statuses of a job that has ended.
ENDED: Final = frozenset(STATUSES) - ACTIVE

_COLUMNS = (
    "j.id, j.project_id, (SELECT p.slug FROM projects p WHERE p.id = j.project_id), j.kind, "
    "j.scene_ids, j.options, j.status, j.log_path, j.result, j.error, j.hint, j.attempts, "
    "j.pid, j.created_at, j.started_at, j.finished_at, j.updated_at"
)
#: Columns :func:`update` may change, and how each is stored.
_JSON = frozenset({"result", "hint"})
_CHANGEABLE = frozenset(
    {"status", "result", "error", "hint", "attempts", "pid", "started_at", "finished_at"}
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


@dataclass(frozen=True, slots=True)
class RenderJob:
    """One job: ``scene_ids`` None for the whole project; ``slug`` is the project's slug now
    (empty when the project is gone); ``log_path`` the job's progress log (JSON lines);
    ``attempts`` how many times a process was started for it (a resume adds one)."""

    id: int
    project_id: int
    slug: str
    kind: str
    scene_ids: tuple[int, ...] | None
    status: str
    log_path: str
    options: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    error: str | None = None
    hint: dict[str, str] | None = None
    attempts: int = 0
    pid: int | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "project_id": self.project_id, "slug": self.slug, "kind": self.kind,
            "scene_ids": list(self.scene_ids) if self.scene_ids is not None else None,
            "status": self.status, "options": dict(self.options), "result": self.result,
            "error": self.error, "hint": self.hint, "attempts": self.attempts,
            "created_at": _iso(self.created_at), "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at), "updated_at": _iso(self.updated_at),
        }  # fmt: skip


def _job(row: tuple[Any, ...]) -> RenderJob:
    scene_ids = json.loads(row[4]) if row[4] is not None else None
    return RenderJob(
        id=int(row[0]),
        project_id=int(row[1]),
        slug=row[2] or "",
        kind=row[3],
        scene_ids=tuple(int(i) for i in scene_ids) if scene_ids is not None else None,
        options=json.loads(row[5] or "{}"),
        status=row[6],
        log_path=row[7],
        result=json.loads(row[8]) if row[8] else None,
        error=row[9],
        hint=json.loads(row[10]) if row[10] else None,
        attempts=int(row[11] or 0),
        pid=row[12],
        created_at=_rows._utc(row[13]),
        started_at=_rows._utc(row[14]),
        finished_at=_rows._utc(row[15]),
        updated_at=_rows._utc(row[16]),
    )


def active_for(conn: duckdb.DuckDBPyConnection, pid: int) -> RenderJob | None:
    """The project's job that has not ended, if any (there is at most one)."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM render_jobs j WHERE j.project_id = ? "
        "AND j.status IN ('queued', 'running') ORDER BY j.id DESC LIMIT 1",
        [pid],
    ).fetchone()
    return _job(row) if row else None


def add(
    conn: duckdb.DuckDBPyConnection,
    pid: int,
    *,
    kind: str,
    scene_ids: Collection[int] | None,
    options: Mapping[str, Any],
    log_path: Callable[[int, int], str],
) -> RenderJob:
    """A new queued job of project ``pid``; ``log_path(project_id, job_id)`` names its log.
    A project runs one job at a time: while another is queued or running this is a
    :class:`Conflict` naming it."""
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
    busy = active_for(conn, pid)
    if busy is not None:
        raise Conflict(
            f"a {busy.kind} of this project is already {busy.status} (job {busy.id}); "
            "wait for it to end or cancel it first"
        )
    stamp = _rows.now()
    ids = json.dumps(list(scene_ids)) if scene_ids is not None else None
    row = conn.execute(
        "INSERT INTO render_jobs (project_id, kind, scene_ids, options, status, log_path, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', '', ?, ?) RETURNING id",
        [pid, kind, ids, json.dumps(dict(options)), stamp, stamp],
    ).fetchone()
    assert row is not None
    job_id = int(row[0])
    conn.execute(
        "UPDATE render_jobs SET log_path = ? WHERE id = ?", [log_path(pid, job_id), job_id]
    )
    return get(conn, job_id)


def get(conn: duckdb.DuckDBPyConnection, job_id: int) -> RenderJob:
    row = conn.execute(f"SELECT {_COLUMNS} FROM render_jobs j WHERE j.id = ?", [job_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no job {job_id}")
    return _job(row)


def list_for(
    conn: duckdb.DuckDBPyConnection,
    pid: int | None,
    *,
    statuses: Collection[str] | None = None,
    limit: int | None = None,
) -> list[RenderJob]:
    """Jobs, newest first: of project ``pid`` (None: every project), with these statuses."""
    where: list[str] = []
    params: list[Any] = []
    if pid is not None:
        where.append("j.project_id = ?")
        params.append(pid)
    if statuses is not None:
        if not statuses:
            return []
        where.append(f"j.status IN ({', '.join('?' for _ in statuses)})")
        params.extend(statuses)
    sql = f"SELECT {_COLUMNS} FROM render_jobs j"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY j.id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_job(r) for r in conn.execute(sql, params).fetchall()]


def update(
    conn: duckdb.DuckDBPyConnection,
    job_id: int,
    changes: Mapping[str, Any],
    *,
    expect: Collection[str] | None = None,
) -> RenderJob | None:
    """Change the job's row; with ``expect``, only while its status is one of those (None
    when it is not: someone else changed it first)."""
    unknown = set(changes) - _CHANGEABLE
    if unknown:
        raise InvalidInput(f"unknown job field(s): {', '.join(sorted(unknown))}")
    if "status" in changes and changes["status"] not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", field="status")
    current = get(conn, job_id)
    if expect is not None and current.status not in expect:
        return None
    columns = ["updated_at = ?"]
    params: list[Any] = [_rows.now()]
    for name, value in changes.items():
        columns.append(f"{name} = ?")
        params.append(json.dumps(value) if name in _JSON and value is not None else value)
    conn.execute(f"UPDATE render_jobs SET {', '.join(columns)} WHERE id = ?", [*params, job_id])
    return get(conn, job_id)
