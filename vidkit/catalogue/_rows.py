"""Conversion between catalogue rows and model values, and the column lists that go with them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from vidkit.errors import InvalidInput
from vidkit.model import Asset, CaptionEdit, Job, Layout, Project, Scene, check_caption_edits

PROJECT_COLUMNS = (
    "p.id, p.slug, p.title, p.subtitle, p.description, p.width, p.height, p.fps, "
    "(SELECT count(*) FROM scenes s WHERE s.project_id = p.id), p.created_at, p.updated_at, "
    "p.voice"
)
SCENE_COLUMNS = (
    "id, project_id, position, title, narration, notes, target_duration_ms, avatar_corner, "
    "avatar_x, avatar_y, avatar_scale, avatar_margin, captions, created_at, updated_at, "
    "caption_edits"
)
ASSET_COLUMNS = (
    "id, project_id, kind, path, sha256, size_bytes, scene_id, duration_ms, metadata_json, "
    "created_at"
)
JOB_COLUMNS = (
    "id, project_id, stage, cache_key, status, scene_id, error, output_asset_id, started_at, "
    "finished_at"
)


def now() -> datetime:
    """The current time in UTC, naive, as the catalogue stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None


def project(row: tuple[Any, ...]) -> Project:
    return Project(
        id=row[0],
        slug=row[1],
        title=row[2],
        subtitle=row[3] or "",
        description=row[4] or "",
        width=row[5] if row[5] is not None else 1920,
        height=row[6] if row[6] is not None else 1080,
        fps=Fraction(row[7] or "30"),
        scene_count=int(row[8]),
        created_at=_utc(row[9]),
        updated_at=_utc(row[10]),
        voice=row[11] or "",
    )


def scene(row: tuple[Any, ...]) -> Scene:
    layout = Layout(
        corner=row[7] if row[7] is not None or row[8] is not None else "bottom-right",
        x=row[8],
        y=row[9],
        scale=row[10] if row[10] is not None else 0.35,
        margin=row[11] if row[11] is not None else 32,
        captions=bool(row[12]) if row[12] is not None else True,
    )
    return Scene(
        id=row[0],
        project_id=row[1],
        position=row[2],
        title=row[3],
        narration=row[4] or "",
        notes=row[5] or "",
        target_duration_ms=row[6],
        layout=layout,
        caption_edits=_caption_edits(row[15]),
        created_at=_utc(row[13]),
        updated_at=_utc(row[14]),
    )


def _caption_edits(raw: str | None) -> tuple[CaptionEdit, ...]:
    """A scene's caption edits as stored; a damaged value reads as none (the captions are
    made from the words again) rather than making the scene unreadable."""
    if not raw:
        return ()
    try:
        return check_caption_edits(json.loads(raw))
    except (ValueError, InvalidInput):
        return ()


def asset(row: tuple[Any, ...]) -> Asset:
    return Asset(
        id=row[0],
        project_id=row[1],
        kind=row[2],
        path=row[3],
        sha256=row[4],
        size_bytes=row[5] or 0,
        scene_id=row[6],
        duration_ms=row[7],
        metadata=json.loads(row[8] or "{}"),
        created_at=_utc(row[9]),
    )


def job(row: tuple[Any, ...]) -> Job:
    return Job(
        id=row[0],
        project_id=row[1],
        stage=row[2],
        cache_key=row[3],
        status=row[4],
        scene_id=row[5],
        error=row[6],
        output_asset_id=row[7],
        started_at=_utc(row[8]),
        finished_at=_utc(row[9]),
    )
