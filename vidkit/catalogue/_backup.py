"""Backups of the catalogue: DuckDB ``EXPORT DATABASE`` into a folder, ``IMPORT DATABASE`` back.

A backup is a folder holding ``schema.sql``, ``load.sql`` and one Parquet file per table. By
default backups go to ``<catalogue>.backups/<name>/`` beside the catalogue file; migrations put
one there before they change a catalogue that holds data (``before-v<N>-<timestamp>``).

Restoring imports a backup into a fresh file next to the catalogue, then swaps it in with one
rename while the catalogue is locked; the old file (and its ``.wal``, if any) is kept aside as
``<catalogue>.before-restore-<timestamp>``.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import duckdb

from vidkit.errors import CatalogueError, Hint, InvalidInput

__all__ = [
    "backups",
    "backups_folder",
    "export_to",
    "import_into",
    "is_backup",
    "new_folder",
    "stamp",
]


def stamp() -> str:
    """A UTC timestamp for names that sort by time: ``20261206T091500Z``."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def new_folder(parent: Path, name: str) -> Path:
    """``parent/name``, or ``parent/name-2``, ``-3``... when that is taken."""
    candidate, n = parent / name, 1
    while candidate.exists():
        n += 1
        candidate = parent / f"{name}-{n}"
    return candidate


def is_backup(folder: Path) -> bool:
    return (folder / "schema.sql").is_file() and (folder / "load.sql").is_file()


def backups_folder(path: Path) -> Path:
    """Where the catalogue's backups go by default: ``<catalogue>.backups/`` beside it."""
    return path.with_name(path.name + ".backups")


def backups(path: Path) -> list[Path]:
    """The backups in the catalogue's backups folder, newest first."""
    folder = backups_folder(path)
    try:
        found = [p for p in folder.iterdir() if p.is_dir() and is_backup(p)]
    except OSError:
        return []
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_to(conn: duckdb.DuckDBPyConnection, dest: Path) -> Path:
    """Export the connection's current database into the new folder ``dest``; a failed export
    leaves nothing behind."""
    dest = Path(dest).expanduser().absolute()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InvalidInput(f"{dest} already exists and is not an empty folder; choose another")
    part = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(part, ignore_errors=True)
        conn.execute(f"EXPORT DATABASE {_quote(part)} (FORMAT PARQUET)")
        if dest.exists():
            dest.rmdir()
        os.replace(part, dest)
    except (duckdb.Error, OSError) as exc:
        if isinstance(exc, duckdb.Error) and str(part) not in str(exc):
            raise  # reading the catalogue failed: the connection reports that (damaged)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CatalogueError(
            f"cannot back up the catalogue into {dest}: {first}; free some space or choose "
            "another folder",
            hint=Hint("check_catalogue", cli="run `vidkit doctor` to check the catalogue itself"),
        ) from exc
    finally:
        shutil.rmtree(part, ignore_errors=True)
    return dest


def import_into(source: Path, target: Path) -> None:
    """Build a new catalogue file ``target`` from the backup folder ``source``."""
    source = Path(source).expanduser().absolute()
    if not is_backup(source):
        raise InvalidInput(
            f"{source} is not a catalogue backup (it needs schema.sql and load.sql)",
            hint=Hint("list_backups", cli="`vidkit catalogue backups` lists the backups"),
        )
    conn = duckdb.connect(str(target))
    try:
        conn.execute(f"IMPORT DATABASE {_quote(source)}")
        conn.execute("CHECKPOINT")
    except duckdb.Error as exc:
        raise CatalogueError(f"cannot restore the backup {source}: {exc}") from exc
    finally:
        conn.close()
