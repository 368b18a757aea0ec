"""Per-project pronunciation lexicon and voice profiles (with the speaker's consent)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import duckdb

from vidkit.catalogue import _rows
from vidkit.errors import Conflict, InvalidInput, NotFound
from vidkit.model import Voice, validate_title

_TERM_MAX = 100


def lexicon(conn: duckdb.DuckDBPyConnection, pid: int) -> dict[str, str]:
    rows = conn.execute(
        "SELECT term, spoken FROM lexicon WHERE project_id = ? ORDER BY term", [pid]
    ).fetchall()
    return {str(t): str(s) for t, s in rows}


def set_lexicon(
    conn: duckdb.DuckDBPyConnection, pid: int, entries: Mapping[str, str]
) -> dict[str, str]:
    """Replace the project's lexicon with ``entries`` (term -> how it is said)."""
    clean: dict[str, str] = {}
    for term, spoken in entries.items():
        if not isinstance(term, str) or not term.strip() or len(term) > _TERM_MAX:
            raise InvalidInput(
                f"lexicon term {term!r} must be 1..{_TERM_MAX} characters", field="lexicon"
            )
        if not isinstance(spoken, str) or not spoken.strip() or len(spoken) > 4 * _TERM_MAX:
            raise InvalidInput(f"say how {term!r} is pronounced, in words", field="lexicon")
        clean[term.strip()] = " ".join(spoken.split())
    conn.execute("DELETE FROM lexicon WHERE project_id = ?", [pid])
    for term, spoken in clean.items():
        conn.execute("INSERT INTO lexicon VALUES (?, ?, ?)", [pid, term, spoken])
    return clean


_VOICE_COLUMNS = (
    "id, project_id, name, sample_asset_id, transcript, consent, created_at, consent_by, "
    "consent_at, language, more_sample_ids"
)
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def _voice(row: tuple[Any, ...]) -> Voice:
    return Voice(
        id=row[0],
        project_id=row[1],
        name=row[2],
        sample_asset_id=row[3],
        transcript=row[4],
        consent=row[5],
        created_at=_rows._utc(row[6]),
        consent_by=row[7] or "",
        consent_at=_rows._utc(row[8]) if row[8] is not None else None,
        language=row[9] or "en",
        more_sample_ids=tuple(int(i) for i in json.loads(row[10] or "[]")),
    )


def check_voice_fields(name: str, transcript: str, consent: str) -> str:
    """Validate a voice profile's fields; returns the cleaned name."""
    name = validate_title(name, field_name="name")
    if not transcript.strip():
        raise InvalidInput("give the transcript of the reference recording", field="transcript")
    if len(consent.strip()) < 10:
        raise InvalidInput(
            "record the speaker's consent to cloning their voice, e.g. 'Ada Lovelace agreed on "
            "2026-11-25 to this voice being used for course videos'",
            field="consent",
        )
    return name


def check_language(language: str) -> str:
    if not _LANGUAGE.match(language):
        raise InvalidInput(
            f"language {language!r} should be a code such as 'en', 'fr' or 'pt-BR'",
            field="language",
        )
    return language


def add_voice(
    conn: duckdb.DuckDBPyConnection,
    pid: int,
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
    name = check_voice_fields(name, transcript, consent)
    check_language(language)
    exists = conn.execute(
        "SELECT 1 FROM voices WHERE project_id = ? AND name = ?", [pid, name]
    ).fetchone()
    if exists:
        raise Conflict(f"this project already has a voice named {name!r}")
    row = conn.execute(
        "INSERT INTO voices (project_id, name, sample_asset_id, transcript, consent, created_at, "
        "consent_by, consent_at, language, more_sample_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        f"RETURNING {_VOICE_COLUMNS}",
        [
            pid, name, sample_asset_id, transcript.strip(), consent.strip(), _rows.now(),
            consent_by.strip(), consent_at or _rows.now(), language,
            json.dumps([int(i) for i in more_sample_ids]),
        ],
    ).fetchone()  # fmt: skip
    assert row is not None
    return _voice(row)


def voices(conn: duckdb.DuckDBPyConnection, pid: int) -> list[Voice]:
    rows = conn.execute(
        f"SELECT {_VOICE_COLUMNS} FROM voices WHERE project_id = ? ORDER BY id", [pid]
    ).fetchall()
    return [_voice(r) for r in rows]


def voice(conn: duckdb.DuckDBPyConnection, pid: int, name: str) -> Voice:
    row = conn.execute(
        f"SELECT {_VOICE_COLUMNS} FROM voices WHERE project_id = ? AND name = ?", [pid, name]
    ).fetchone()
    if row is None:
        raise NotFound(
            f"this project has no voice profile named {name!r}; add it first (Workspace.add_voice)"
        )
    return _voice(row)


def remove_voice(conn: duckdb.DuckDBPyConnection, pid: int, name: str) -> Voice:
    """Forget a voice profile (its recordings stay as assets); the project stops using it."""
    found = voice(conn, pid, name)
    conn.execute("DELETE FROM voices WHERE id = ?", [found.id])
    conn.execute("UPDATE projects SET voice = '' WHERE id = ? AND voice = ?", [pid, found.name])
    return found
