"""Asset and job rows. The files themselves live in :mod:`vidkit.assets`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import duckdb

from vidkit.catalogue import _rows
from vidkit.errors import Conflict, InvalidInput, NotFound
from vidkit.model import ASSET_KINDS, JOB_STATUSES, Asset, Job


def check_kind(kind: str) -> str:
    if kind not in ASSET_KINDS:
        raise InvalidInput(
            f"unknown asset kind {kind!r}; choose one of {', '.join(sorted(ASSET_KINDS))}",
            field="kind",
        )
    return kind


def add(
    conn: duckdb.DuckDBPyConnection,
    pid: int,
    *,
    scene_id: int | None,
    kind: str,
    path: str,
    sha256: str,
    size_bytes: int,
    duration_ms: int | None,
    metadata: Mapping[str, Any],
) -> Asset:
    """Record an asset; the same content of the same kind for the same owner is stored once."""
    check_kind(kind)
    row = conn.execute(
        f"SELECT {_rows.ASSET_COLUMNS} FROM assets WHERE project_id = ? AND kind = ? AND "
        "sha256 = ? AND scene_id IS NOT DISTINCT FROM ?",
        [pid, kind, sha256, scene_id],
    ).fetchone()
    if row is not None:
        return _rows.asset(row)
    inserted = conn.execute(
        f"INSERT INTO assets (project_id, scene_id, kind, path, sha256, size_bytes, duration_ms, "
        "metadata_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        f"RETURNING {_rows.ASSET_COLUMNS}",
        [
            pid,
            scene_id,
            kind,
            path,
            sha256,
            size_bytes,
            duration_ms,
            json.dumps(dict(metadata), sort_keys=True),
            _rows.now(),
        ],
    ).fetchone()
    assert inserted is not None
    return _rows.asset(inserted)


def list_for(
    conn: duckdb.DuckDBPyConnection,
    pid: int,
    *,
    scene_id: int | None = None,
    kind: str | None = None,
) -> list[Asset]:
    sql = f"SELECT {_rows.ASSET_COLUMNS} FROM assets WHERE project_id = ?"
    params: list[Any] = [pid]
    if scene_id is not None:
        sql += " AND scene_id = ?"
        params.append(scene_id)
    if kind is not None:
        sql += " AND kind = ?"
        params.append(check_kind(kind))
    rows = conn.execute(sql + " ORDER BY id", params).fetchall()
    return [_rows.asset(r) for r in rows]


def get(conn: duckdb.DuckDBPyConnection, asset_id: int) -> Asset:
    row = conn.execute(
        f"SELECT {_rows.ASSET_COLUMNS} FROM assets WHERE id = ?", [asset_id]
    ).fetchone()
    if row is None:
        raise NotFound(f"no asset with id {asset_id}")
    return _rows.asset(row)


def delete(conn: duckdb.DuckDBPyConnection, pid: int, asset_id: int) -> list[str]:
    """Delete one asset row (and jobs that produced it); returns its path if now unreferenced."""
    asset = get(conn, asset_id)
    if asset.project_id != pid:
        raise NotFound(f"this project has no asset with id {asset_id}")
    used = conn.execute(
        "SELECT DISTINCT s.position, s.title FROM scene_edits e JOIN scenes s "
        "ON s.id = e.scene_id WHERE e.recording_asset_id = ? ORDER BY 1",
        [asset_id],
    ).fetchall()
    if used:
        names = ", ".join(f"{pos} ({title!r})" for pos, title in used)
        raise Conflict(
            f"{asset.metadata.get('filename', 'this recording')} is what scene {names} is "
            "made from; give that scene another recording first"
        )
    conn.execute("UPDATE jobs SET output_asset_id = NULL WHERE output_asset_id = ?", [asset_id])
    conn.execute("DELETE FROM assets WHERE id = ?", [asset_id])
    row = conn.execute("SELECT count(*) FROM assets WHERE path = ?", [asset.path]).fetchone()
    return [asset.path] if row is not None and row[0] == 0 else []


def start_job(
    conn: duckdb.DuckDBPyConnection, pid: int, scene_id: int | None, stage: str, cache_key: str
) -> Job:
    row = conn.execute(
        "INSERT INTO jobs (project_id, scene_id, stage, cache_key, status, started_at) "
        f"VALUES (?, ?, ?, ?, 'running', ?) RETURNING {_rows.JOB_COLUMNS}",
        [pid, scene_id, stage, cache_key, _rows.now()],
    ).fetchone()
    assert row is not None
    return _rows.job(row)


def end_job(
    conn: duckdb.DuckDBPyConnection,
    job_id: int,
    status: str,
    *,
    error: str | None = None,
    output_asset_id: int | None = None,
) -> Job:
    if status not in JOB_STATUSES or status == "running":
        raise InvalidInput(f"a job ends as 'done' or 'failed', not {status!r}", field="status")
    row = conn.execute(
        "UPDATE jobs SET status = ?, error = ?, output_asset_id = ?, finished_at = ? "
        f"WHERE id = ? RETURNING {_rows.JOB_COLUMNS}",
        [status, error, output_asset_id, _rows.now(), job_id],
    ).fetchone()
    if row is None:
        raise NotFound(f"no job with id {job_id}")
    return _rows.job(row)


def done_job(conn: duckdb.DuckDBPyConnection, cache_key: str) -> Job | None:
    row = conn.execute(
        f"SELECT {_rows.JOB_COLUMNS} FROM jobs WHERE cache_key = ? AND status = 'done' "
        "ORDER BY finished_at DESC, id DESC LIMIT 1",
        [cache_key],
    ).fetchone()
    return _rows.job(row) if row is not None else None


def jobs_for(conn: duckdb.DuckDBPyConnection, pid: int, scene_id: int | None = None) -> list[Job]:
    sql = f"SELECT {_rows.JOB_COLUMNS} FROM jobs WHERE project_id = ?"
    params: list[Any] = [pid]
    if scene_id is not None:
        sql += " AND scene_id = ?"
        params.append(scene_id)
    return [_rows.job(r) for r in conn.execute(sql + " ORDER BY id", params).fetchall()]
