"""Project rows: create, read, update and delete, with every reference enforced in code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import duckdb

from vidkit.catalogue import _rows
from vidkit.errors import Conflict, InvalidInput, NotFound
from vidkit.hints import LIST_PROJECTS
from vidkit.model import Project, validate_slug, validate_text, validate_title

PROJECT_FIELDS = frozenset(
    {"slug", "title", "subtitle", "description", "width", "height", "fps", "voice"}
)


def project_id(conn: duckdb.DuckDBPyConnection, slug: str) -> int:
    row = conn.execute("SELECT id FROM projects WHERE slug = ?", [slug]).fetchone()
    if row is None:
        raise NotFound(f"no project with slug {slug!r}", hint=LIST_PROJECTS)
    return int(row[0])


def get(conn: duckdb.DuckDBPyConnection, slug: str) -> Project:
    row = conn.execute(
        f"SELECT {_rows.PROJECT_COLUMNS} FROM projects p WHERE p.slug = ?", [slug]
    ).fetchone()
    if row is None:
        raise NotFound(f"no project with slug {slug!r}", hint=LIST_PROJECTS)
    return _rows.project(row)


def list_all(conn: duckdb.DuckDBPyConnection) -> list[Project]:
    rows = conn.execute(
        f"SELECT {_rows.PROJECT_COLUMNS} FROM projects p ORDER BY p.updated_at DESC, p.id DESC"
    ).fetchall()
    return [_rows.project(r) for r in rows]


def clean_fields(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate project fields; returns them in the form the table stores."""
    unknown = set(changes) - PROJECT_FIELDS
    if unknown:
        raise InvalidInput(
            f"unknown project field(s): {', '.join(sorted(unknown))}; "
            f"valid ones are {', '.join(sorted(PROJECT_FIELDS))}",
            field=sorted(unknown)[0],
        )
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "slug":
            out[key] = validate_slug(value)
        elif key == "title":
            out[key] = validate_title(value)
        elif key == "subtitle":
            out[key] = validate_text(value, field_name=key).strip()
            if len(out[key]) > 300:
                raise InvalidInput("subtitle is longer than 300 characters", field=key)
        elif key == "description":
            out[key] = validate_text(value, field_name=key)
        elif key in ("width", "height"):
            if not isinstance(value, int) or isinstance(value, bool) or not 16 <= value <= 7680:
                raise InvalidInput(f"{key} must be a whole number of pixels, 16..7680", field=key)
            if value % 2:
                raise InvalidInput(f"{key} must be even (H.264 with yuv420p needs it)", field=key)
            out[key] = value
        elif key == "fps":
            out[key] = str(_fps(value))
        elif key == "voice":
            if not isinstance(value, str):
                raise InvalidInput(
                    "voice must be the name of a voice profile, or '' for the default voice",
                    field=key,
                )
            out[key] = validate_title(value, field_name=key) if value.strip() else ""
    return out


def check_voice(conn: duckdb.DuckDBPyConnection, pid: int | None, name: str) -> None:
    """Refuse a project voice that is not one of the project's voice profiles ("" is fine)."""
    if not name:
        return
    names = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM voices WHERE project_id = ? ORDER BY id", [pid]
        ).fetchall()
    ]
    if name not in names:
        has = f"its voices: {', '.join(names)}" if names else "it has none yet"
        raise InvalidInput(
            f"the project has no voice profile named {name!r} ({has}); "
            "add a voice profile first (Workspace.add_voice)",
            field="voice",
        )


_FPS_RE = re.compile(r"^\d{1,6}(?:\.\d{1,6})?(?:/\d{1,6})?$")


def _fps(value: Any) -> Fraction:
    try:
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Fraction)):
            raise ValueError(value)
        if isinstance(value, float):
            # any finite number in range (29.97 is 2997/100), whatever its digits
            fps = Fraction(value).limit_denominator(1_000_000)
        elif isinstance(value, Fraction):
            fps = value
        elif _FPS_RE.match(str(value)):
            fps = Fraction(str(value))
        else:
            raise ValueError(value)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise InvalidInput(
            f"fps {value!r} is not a number such as 30 or 30000/1001", field="fps"
        ) from None
    if not 1 <= fps <= 120:
        raise InvalidInput("fps must be between 1 and 120", field="fps")
    return fps


def _check_slug_free(
    conn: duckdb.DuckDBPyConnection, slug: str, *, except_id: int | None = None
) -> None:
    row = conn.execute("SELECT id FROM projects WHERE slug = ?", [slug]).fetchone()
    if row is not None and row[0] != except_id:
        raise Conflict(f"a project with slug {slug!r} already exists; choose another slug")


def create(conn: duckdb.DuckDBPyConnection, fields: Mapping[str, Any]) -> Project:
    if "slug" not in fields:
        raise InvalidInput("slug is required", field="slug")
    if "title" not in fields:
        raise InvalidInput("title is required and cannot be blank", field="title")
    clean = clean_fields(fields)
    _check_slug_free(conn, clean["slug"])
    stamp = _rows.now()
    clean.setdefault("subtitle", "")
    clean.setdefault("description", "")
    check_voice(conn, None, clean.get("voice", ""))
    columns = [*clean, "created_at", "updated_at"]
    values = [*clean.values(), stamp, stamp]
    marks = ", ".join("?" for _ in columns)
    conn.execute(f"INSERT INTO projects ({', '.join(columns)}) VALUES ({marks})", values)
    return get(conn, clean["slug"])


def update(conn: duckdb.DuckDBPyConnection, slug: str, changes: Mapping[str, Any]) -> Project:
    pid = project_id(conn, slug)
    clean = clean_fields(changes)
    if not clean:
        return get(conn, slug)
    if "slug" in clean:
        _check_slug_free(conn, clean["slug"], except_id=pid)
    if "voice" in clean:
        check_voice(conn, pid, clean["voice"])
    assignments = ", ".join(f"{k} = ?" for k in clean)
    conn.execute(
        f"UPDATE projects SET {assignments}, updated_at = ? WHERE id = ?",
        [*clean.values(), _rows.now(), pid],
    )
    return get(conn, clean.get("slug", slug))


def touch(conn: duckdb.DuckDBPyConnection, pid: int) -> None:
    conn.execute("UPDATE projects SET updated_at = ? WHERE id = ?", [_rows.now(), pid])


def delete(conn: duckdb.DuckDBPyConnection, slug: str) -> list[str]:
    """Delete a project with its scenes, assets and jobs; returns asset paths now unreferenced."""
    pid = project_id(conn, slug)
    paths = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT path FROM assets a WHERE a.project_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM assets b WHERE b.path = a.path AND b.project_id <> ?)",
            [pid, pid],
        ).fetchall()
    ]
    conn.execute("DELETE FROM jobs WHERE project_id = ?", [pid])
    conn.execute("DELETE FROM render_jobs WHERE project_id = ?", [pid])
    conn.execute("DELETE FROM scene_edits WHERE project_id = ?", [pid])
    conn.execute("DELETE FROM voices WHERE project_id = ?", [pid])
    conn.execute("DELETE FROM lexicon WHERE project_id = ?", [pid])
    conn.execute("DELETE FROM assets WHERE project_id = ?", [pid])
    conn.execute("DELETE FROM scenes WHERE project_id = ?", [pid])
    conn.execute("DELETE FROM projects WHERE id = ?", [pid])
    return paths
