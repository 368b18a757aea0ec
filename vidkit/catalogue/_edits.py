"""Scene edits: which recording a scene uses, its in/out points, voice, text edits and cut list.

Every change inserts a new version of the scene's row; the newest version is the current one,
and undo deletes it, so the one before is current again.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from vidkit.catalogue import _rows
from vidkit.cuts import CutList
from vidkit.errors import Conflict, InvalidInput
from vidkit.model import SceneEdit

_COLUMNS = (
    "scene_id, version, recording_asset_id, in_ms, out_ms, voice, deleted, restored, cuts, "
    "note, created_at"
)
EDIT_FIELDS = frozenset({"recording_id", "in_ms", "out_ms", "voice", "deleted", "restored",
                         "cuts", "note"})  # fmt: skip


def _intervals(raw: Any, name: str) -> tuple[tuple[int, int], ...]:
    try:
        out = tuple((int(a), int(b)) for a, b in raw)
    except (TypeError, ValueError):
        raise InvalidInput(
            f"{name} must be a list of [start_ms, end_ms] pairs", field=name
        ) from None
    for a, b in out:
        if a < 0 or b <= a:
            raise InvalidInput(f"{name} holds an empty or negative interval ({a}, {b})", field=name)
    return out


def _edit(row: tuple[Any, ...]) -> SceneEdit:
    return SceneEdit(
        scene_id=row[0],
        version=row[1],
        recording_id=row[2],
        in_ms=row[3],
        out_ms=row[4],
        voice=row[5],
        deleted=_intervals(json.loads(row[6]), "deleted"),
        restored=_intervals(json.loads(row[7]), "restored"),
        cuts=CutList.from_json(row[8]) if row[8] else None,
        note=row[9],
        created_at=_rows._utc(row[10]),
    )


def current(conn: duckdb.DuckDBPyConnection, scene_id: int) -> SceneEdit | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM scene_edits WHERE scene_id = ? ORDER BY version DESC LIMIT 1",
        [scene_id],
    ).fetchone()
    return _edit(row) if row else None


def history(conn: duckdb.DuckDBPyConnection, scene_id: int) -> list[SceneEdit]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM scene_edits WHERE scene_id = ? ORDER BY version", [scene_id]
    ).fetchall()
    return [_edit(r) for r in rows]


def save(
    conn: duckdb.DuckDBPyConnection, pid: int, scene_id: int, changes: dict[str, Any]
) -> SceneEdit:
    """A new version of the scene's edit: the current one with ``changes`` (a first version
    needs ``recording_id``)."""
    unknown = set(changes) - EDIT_FIELDS
    if unknown:
        raise InvalidInput(f"unknown scene edit field(s): {', '.join(sorted(unknown))}")
    base = current(conn, scene_id)
    if base is None and "recording_id" not in changes:
        raise InvalidInput(
            "this scene has no recording yet: choose one first", field="recording_id"
        )
    fields: dict[str, Any] = {} if base is None else {
        "recording_id": base.recording_id, "in_ms": base.in_ms, "out_ms": base.out_ms,
        "voice": base.voice, "deleted": base.deleted, "restored": base.restored,
        "cuts": base.cuts,
    }  # fmt: skip
    fields["note"] = ""
    fields.update(changes)
    fields["deleted"] = _intervals(fields.get("deleted", ()), "deleted")
    fields["restored"] = _intervals(fields.get("restored", ()), "restored")
    cuts = fields.get("cuts")
    if cuts is not None and not isinstance(cuts, CutList):
        cuts = CutList.from_dict(cuts)
    version = (base.version if base else 0) + 1
    edit = SceneEdit(
        scene_id=scene_id, version=version, recording_id=int(fields["recording_id"]),
        in_ms=int(fields.get("in_ms") or 0),
        out_ms=None if fields.get("out_ms") is None else int(fields["out_ms"]),
        voice=str(fields.get("voice", "own")), deleted=fields["deleted"],
        restored=fields["restored"], cuts=cuts, note=str(fields["note"]),
    )  # fmt: skip
    row = conn.execute(
        f"INSERT INTO scene_edits (scene_id, version, project_id, recording_asset_id, in_ms, "
        f"out_ms, voice, deleted, restored, cuts, note, created_at) "
        f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
        [scene_id, version, pid, edit.recording_id, edit.in_ms, edit.out_ms, edit.voice,
         json.dumps([list(i) for i in edit.deleted]), json.dumps([list(i) for i in edit.restored]),
         edit.cuts.to_json() if edit.cuts else None, edit.note, _rows.now()],
    ).fetchone()  # fmt: skip
    assert row is not None
    return _edit(row)


def undo(conn: duckdb.DuckDBPyConnection, scene_id: int) -> SceneEdit:
    """Drop the newest version; returns the one that is current again."""
    versions = history(conn, scene_id)
    if len(versions) < 2:
        raise Conflict("there is no edit of this scene to undo")
    conn.execute(
        "DELETE FROM scene_edits WHERE scene_id = ? AND version = ?",
        [scene_id, versions[-1].version],
    )
    return versions[-2]


def clear(conn: duckdb.DuckDBPyConnection, scene_id: int) -> None:
    conn.execute("DELETE FROM scene_edits WHERE scene_id = ?", [scene_id])
