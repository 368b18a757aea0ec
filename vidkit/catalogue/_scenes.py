"""Scene rows: ordered per project by a 1-based ``position`` kept contiguous in every change."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import duckdb

from vidkit.catalogue import _rows
from vidkit.errors import InvalidInput, NotFound
from vidkit.hints import LIST_SCENES
from vidkit.model import (
    Layout,
    Scene,
    check_caption_edits,
    check_narration,
    validate_text,
    validate_title,
)

SCENE_FIELDS = frozenset(
    {
        "title",
        "narration",
        "notes",
        "target_duration_ms",
        "avatar_corner",
        "avatar_x",
        "avatar_y",
        "avatar_scale",
        "avatar_margin",
        "captions",
        "caption_edits",
    }
)
_LAYOUT_KEYS = {
    "avatar_corner": "corner",
    "avatar_x": "x",
    "avatar_y": "y",
    "avatar_scale": "scale",
    "avatar_margin": "margin",
    "captions": "captions",
}
_MAX_SCENE_MS = 24 * 3600 * 1000


def list_for(conn: duckdb.DuckDBPyConnection, pid: int) -> list[Scene]:
    rows = conn.execute(
        f"SELECT {_rows.SCENE_COLUMNS} FROM scenes WHERE project_id = ? ORDER BY position, id",
        [pid],
    ).fetchall()
    return [_rows.scene(r) for r in rows]


def get(conn: duckdb.DuckDBPyConnection, pid: int, scene_id: int) -> Scene:
    row = conn.execute(
        f"SELECT {_rows.SCENE_COLUMNS} FROM scenes WHERE project_id = ? AND id = ?",
        [pid, scene_id],
    ).fetchone()
    if row is None:
        raise NotFound(f"this project has no scene with id {scene_id}", hint=LIST_SCENES)
    return _rows.scene(row)


def merge(base: Scene, changes: Mapping[str, Any]) -> Scene:
    unknown = set(changes) - SCENE_FIELDS
    if unknown:
        raise InvalidInput(
            f"unknown scene field(s): {', '.join(sorted(unknown))}; "
            f"valid ones are {', '.join(sorted(SCENE_FIELDS))}",
            field=sorted(unknown)[0],
        )
    scene = base
    if "title" in changes:
        scene = replace(scene, title=validate_title(changes["title"]))
    if "narration" in changes:
        scene = replace(scene, narration=check_narration(changes["narration"]))
    if "notes" in changes:
        scene = replace(scene, notes=validate_text(changes["notes"], field_name="notes"))
    if "target_duration_ms" in changes:
        value = changes["target_duration_ms"]
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= _MAX_SCENE_MS
        ):
            raise InvalidInput(
                "target_duration_ms must be a positive whole number of milliseconds (at most 24 h)",
                field="target_duration_ms",
            )
        scene = replace(scene, target_duration_ms=value)
    if "caption_edits" in changes:
        scene = replace(scene, caption_edits=check_caption_edits(changes["caption_edits"]))
    layout_changes = {_LAYOUT_KEYS[k]: v for k, v in changes.items() if k in _LAYOUT_KEYS}
    if layout_changes:
        # A new position replaces the corner, and a new corner replaces the position.
        if "x" in layout_changes or "y" in layout_changes:
            layout_changes.setdefault("corner", None)
        elif layout_changes.get("corner") is not None:
            layout_changes.update(x=None, y=None)
        for key in ("x", "y", "scale"):
            if isinstance(layout_changes.get(key), int) and not isinstance(
                layout_changes[key], bool
            ):
                layout_changes[key] = float(layout_changes[key])
        _check_types(layout_changes)
        scene = replace(scene, layout=replace(scene.layout, **layout_changes))
    return scene


def _check_types(layout: Mapping[str, Any]) -> None:
    expected: dict[str, tuple[type, ...]] = {
        "corner": (str, type(None)),
        "x": (float, type(None)),
        "y": (float, type(None)),
        "scale": (float,),
        "margin": (int,),
        "captions": (bool,),
    }
    for key, value in layout.items():
        bad_bool = key in ("margin",) and isinstance(value, bool)
        if not isinstance(value, expected[key]) or bad_bool:
            name = next(k for k, v in _LAYOUT_KEYS.items() if v == key)
            raise InvalidInput(f"{name} has the wrong type ({type(value).__name__})", field=name)


def _store(conn: duckdb.DuckDBPyConnection, scene: Scene) -> None:
    lay = scene.layout
    conn.execute(
        "UPDATE scenes SET title = ?, narration = ?, notes = ?, target_duration_ms = ?, "
        "avatar_corner = ?, avatar_x = ?, avatar_y = ?, avatar_scale = ?, avatar_margin = ?, "
        "captions = ?, caption_edits = ?, updated_at = ? WHERE id = ?",
        [
            scene.title,
            scene.narration,
            scene.notes,
            scene.target_duration_ms,
            lay.corner,
            lay.x,
            lay.y,
            lay.scale,
            lay.margin,
            lay.captions,
            json.dumps([e.to_dict() for e in scene.caption_edits], ensure_ascii=False),
            _rows.now(),
            scene.id,
        ],
    )


def add(
    conn: duckdb.DuckDBPyConnection,
    pid: int,
    fields: Mapping[str, Any],
    *,
    position: int | None = None,
) -> Scene:
    if "title" not in fields:
        raise InvalidInput("title is required and cannot be blank", field="title")
    draft = merge(Scene(id=0, project_id=pid, position=0, title="-", layout=Layout()), fields)
    count = _count(conn, pid)
    if position is None:
        position = count + 1
    if not isinstance(position, int) or not 1 <= position <= count + 1:
        raise InvalidInput(f"position must be between 1 and {count + 1}", field="position")
    stamp = _rows.now()
    conn.execute(
        "UPDATE scenes SET position = position + 1 WHERE project_id = ? AND position >= ?",
        [pid, position],
    )
    row = conn.execute(
        "INSERT INTO scenes (project_id, position, title, narration, created_at, updated_at) "
        "VALUES (?, ?, ?, '', ?, ?) RETURNING id",
        [pid, position, draft.title, stamp, stamp],
    ).fetchone()
    assert row is not None
    _store(conn, replace(draft, id=int(row[0])))
    return get(conn, pid, int(row[0]))


def update(
    conn: duckdb.DuckDBPyConnection, pid: int, scene_id: int, changes: Mapping[str, Any]
) -> Scene:
    scene = merge(get(conn, pid, scene_id), changes)
    _store(conn, scene)
    return get(conn, pid, scene_id)


def _count(conn: duckdb.DuckDBPyConnection, pid: int) -> int:
    row = conn.execute("SELECT count(*) FROM scenes WHERE project_id = ?", [pid]).fetchone()
    return int(row[0]) if row else 0


def reorder(conn: duckdb.DuckDBPyConnection, pid: int, scene_ids: Sequence[int]) -> list[Scene]:
    current = [s.id for s in list_for(conn, pid)]
    if sorted(scene_ids) != sorted(current) or len(set(scene_ids)) != len(scene_ids):
        raise InvalidInput(
            f"the new order must list each of this project's scene ids once: {sorted(current)}",
            field="scene_ids",
        )
    stamp = _rows.now()
    for position, scene_id in enumerate(scene_ids, start=1):
        conn.execute(
            "UPDATE scenes SET position = ?, updated_at = ? WHERE id = ? AND position <> ?",
            [position, stamp, scene_id, position],
        )
    return list_for(conn, pid)


def move(conn: duckdb.DuckDBPyConnection, pid: int, scene_id: int, position: int) -> list[Scene]:
    order = [s.id for s in list_for(conn, pid)]
    if scene_id not in order:
        raise NotFound(f"this project has no scene with id {scene_id}", hint=LIST_SCENES)
    if not isinstance(position, int) or not 1 <= position <= len(order):
        raise InvalidInput(f"position must be between 1 and {len(order)}", field="position")
    order.remove(scene_id)
    order.insert(position - 1, scene_id)
    return reorder(conn, pid, order)


def delete(conn: duckdb.DuckDBPyConnection, pid: int, scene_id: int) -> list[str]:
    """Delete a scene with its assets and jobs; returns asset paths no longer referenced."""
    scene = get(conn, pid, scene_id)
    paths = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT path FROM assets a WHERE a.scene_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM assets b WHERE b.path = a.path AND coalesce(b.scene_id, -1) <> ?)",
            [scene_id, scene_id],
        ).fetchall()
    ]
    conn.execute("DELETE FROM jobs WHERE scene_id = ?", [scene_id])
    conn.execute("DELETE FROM scene_edits WHERE scene_id = ?", [scene_id])
    conn.execute("DELETE FROM assets WHERE scene_id = ?", [scene_id])
    conn.execute("DELETE FROM scenes WHERE id = ?", [scene_id])
    conn.execute(
        "UPDATE scenes SET position = position - 1 WHERE project_id = ? AND position > ?",
        [pid, scene.position],
    )
    return paths
