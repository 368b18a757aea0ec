"""Versioned schema migrations, applied in order when a catalogue is opened.

Version 1 is the seed schema; each later entry upgrades the one before it. Never edit a
released migration: append a new one. DuckDB has no ``ON DELETE CASCADE`` and refuses to update
a UNIQUE column of a row that a foreign key references, so the schema declares no foreign keys:
child rows refer to immutable integer ids, and the catalogue code enforces the references inside
its transactions (it holds the file exclusively while it does).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from vidkit.errors import CatalogueError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate", "schema_version"]

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE SEQUENCE projects_id_seq;
        CREATE SEQUENCE scenes_id_seq;
        CREATE SEQUENCE assets_id_seq;
        CREATE TABLE projects (
            id BIGINT PRIMARY KEY DEFAULT nextval('projects_id_seq'),
            slug VARCHAR NOT NULL UNIQUE,
            title VARCHAR NOT NULL,
            description VARCHAR NOT NULL DEFAULT '',
            created_at TIMESTAMP NOT NULL
        );
        CREATE TABLE scenes (
            id BIGINT PRIMARY KEY DEFAULT nextval('scenes_id_seq'),
            project_id BIGINT NOT NULL,
            position INTEGER NOT NULL,
            title VARCHAR NOT NULL,
            narration VARCHAR NOT NULL DEFAULT '',
            created_at TIMESTAMP NOT NULL
        );
        CREATE TABLE assets (
            id BIGINT PRIMARY KEY DEFAULT nextval('assets_id_seq'),
            project_id BIGINT NOT NULL,
            kind VARCHAR NOT NULL,
            path VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL
        );
        """,
    ),
    (
        2,
        """
        ALTER TABLE projects ADD COLUMN subtitle VARCHAR DEFAULT '';
        ALTER TABLE projects ADD COLUMN width INTEGER DEFAULT 1920;
        ALTER TABLE projects ADD COLUMN height INTEGER DEFAULT 1080;
        ALTER TABLE projects ADD COLUMN fps VARCHAR DEFAULT '30';
        ALTER TABLE projects ADD COLUMN updated_at TIMESTAMP;
        UPDATE projects SET updated_at = created_at;

        ALTER TABLE scenes ADD COLUMN notes VARCHAR DEFAULT '';
        ALTER TABLE scenes ADD COLUMN target_duration_ms BIGINT;
        ALTER TABLE scenes ADD COLUMN avatar_corner VARCHAR DEFAULT 'bottom-right';
        ALTER TABLE scenes ADD COLUMN avatar_x DOUBLE;
        ALTER TABLE scenes ADD COLUMN avatar_y DOUBLE;
        ALTER TABLE scenes ADD COLUMN avatar_scale DOUBLE DEFAULT 0.35;
        ALTER TABLE scenes ADD COLUMN avatar_margin INTEGER DEFAULT 32;
        ALTER TABLE scenes ADD COLUMN captions BOOLEAN DEFAULT TRUE;
        ALTER TABLE scenes ADD COLUMN updated_at TIMESTAMP;
        UPDATE scenes SET updated_at = created_at;

        ALTER TABLE assets ADD COLUMN scene_id BIGINT;
        ALTER TABLE assets ADD COLUMN size_bytes BIGINT DEFAULT 0;
        ALTER TABLE assets ADD COLUMN duration_ms BIGINT;
        ALTER TABLE assets ADD COLUMN metadata_json VARCHAR DEFAULT '{}';

        CREATE SEQUENCE jobs_id_seq;
        CREATE TABLE jobs (
            id BIGINT PRIMARY KEY DEFAULT nextval('jobs_id_seq'),
            project_id BIGINT NOT NULL,
            scene_id BIGINT,
            stage VARCHAR NOT NULL,
            cache_key VARCHAR NOT NULL,
            status VARCHAR NOT NULL,
            error VARCHAR,
            output_asset_id BIGINT,
            started_at TIMESTAMP NOT NULL,
            finished_at TIMESTAMP
        );
        """,
    ),
    (
        3,
        """
        CREATE TABLE lexicon (
            project_id BIGINT NOT NULL,
            term VARCHAR NOT NULL,
            spoken VARCHAR NOT NULL,
            PRIMARY KEY (project_id, term)
        );
        CREATE SEQUENCE voices_id_seq;
        CREATE TABLE voices (
            id BIGINT PRIMARY KEY DEFAULT nextval('voices_id_seq'),
            project_id BIGINT NOT NULL,
            name VARCHAR NOT NULL,
            sample_asset_id BIGINT NOT NULL,
            transcript VARCHAR NOT NULL,
            consent VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL
        );
        """,
    ),
    (
        4,
        """
        ALTER TABLE projects ADD COLUMN voice VARCHAR DEFAULT '';
        """,
    ),
    (
        5,
        """
        CREATE TABLE scene_edits (
            scene_id BIGINT NOT NULL,
            version INTEGER NOT NULL,
            project_id BIGINT NOT NULL,
            recording_asset_id BIGINT NOT NULL,
            in_ms BIGINT NOT NULL DEFAULT 0,
            out_ms BIGINT,
            voice VARCHAR NOT NULL DEFAULT 'own',
            deleted VARCHAR NOT NULL DEFAULT '[]',
            restored VARCHAR NOT NULL DEFAULT '[]',
            cuts VARCHAR,
            note VARCHAR NOT NULL DEFAULT '',
            created_at TIMESTAMP NOT NULL,
            PRIMARY KEY (scene_id, version)
        );
        """,
    ),
    (
        6,
        """
        ALTER TABLE voices ADD COLUMN consent_by VARCHAR DEFAULT '';
        ALTER TABLE voices ADD COLUMN consent_at TIMESTAMP;
        ALTER TABLE voices ADD COLUMN language VARCHAR DEFAULT 'en';
        ALTER TABLE voices ADD COLUMN more_sample_ids VARCHAR DEFAULT '[]';
        """,
    ),
    (
        7,
        """
        ALTER TABLE scenes ADD COLUMN caption_edits VARCHAR DEFAULT '[]';
        """,
    ),
    (
        8,
        """
        CREATE SEQUENCE render_jobs_id_seq;
        CREATE TABLE render_jobs (
            id BIGINT PRIMARY KEY DEFAULT nextval('render_jobs_id_seq'),
            project_id BIGINT NOT NULL,
            kind VARCHAR NOT NULL,
            scene_ids VARCHAR,
            options VARCHAR NOT NULL DEFAULT '{}',
            status VARCHAR NOT NULL,
            log_path VARCHAR NOT NULL,
            result VARCHAR,
            error VARCHAR,
            hint VARCHAR,
            attempts INTEGER NOT NULL DEFAULT 0,
            pid INTEGER,
            created_at TIMESTAMP NOT NULL,
            started_at TIMESTAMP,
            finished_at TIMESTAMP,
            updated_at TIMESTAMP NOT NULL
        );
        """,
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_version(conn: duckdb.DuckDBPyConnection) -> int:
    """The schema version of an open catalogue; 0 for an empty database file."""
    tables = {
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
    }
    if "schema_version" not in tables:
        if tables:
            raise CatalogueError(
                "this DuckDB file holds tables but is not a vidkit catalogue; point "
                "[catalogue] path in the config at another file"
            )
        return 0
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate(
    conn: duckdb.DuckDBPyConnection,
    *,
    target: int = SCHEMA_VERSION,
    backups: Path | None = None,
) -> int:
    """Bring the catalogue up to ``target``, each migration in its own transaction.

    Returns the version it ended at. A catalogue newer than this vidkit is refused, since an
    older program would misread it. With ``backups`` (a folder), a catalogue that already has a
    schema is first exported to ``backups/before-v<target>-<timestamp>/``.
    """
    from vidkit.catalogue._backup import export_to, new_folder, stamp
    from vidkit.catalogue._connection import rollback

    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise CatalogueError(
            f"the catalogue has schema version {current}, newer than this vidkit understands "
            f"({SCHEMA_VERSION}); upgrade vidkit to open it"
        )
    if backups is not None and 0 < current < target:
        export_to(conn, new_folder(backups, f"before-v{target}-{stamp()}"))
    for version, sql in MIGRATIONS:
        if current < version <= target:
            conn.execute("BEGIN TRANSACTION")
            try:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version "
                    "(version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
                )
                conn.execute(sql)
                conn.execute("INSERT INTO schema_version VALUES (?, now()::TIMESTAMP)", [version])
            except BaseException:
                rollback(conn)
                raise
            conn.execute("COMMIT")
            current = version
    return current
