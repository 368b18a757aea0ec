"""Catalogues made by older vidkit versions are upgraded on open, keeping their rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from vidkit.catalogue import SCHEMA_VERSION, Catalogue, migrate, schema_version
from vidkit.errors import CatalogueError


def _seed_v1(path: Path) -> None:
    with duckdb.connect(str(path)) as conn:
        assert migrate(conn, target=1) == 1
        conn.execute(
            "INSERT INTO projects (slug, title, description, created_at) "
            "VALUES ('old-one', 'Old one', 'from v1', TIMESTAMP '2025-01-02 03:04:05')"
        )
        conn.execute(
            "INSERT INTO scenes (project_id, position, title, narration, created_at) "
            "SELECT id, 1, 'Intro', 'Hello there', TIMESTAMP '2025-01-02 03:04:05' FROM projects"
        )
        conn.execute(
            "INSERT INTO assets (project_id, kind, path, sha256, created_at) "
            "SELECT id, 'code_file', 'objects/ab/abc.py', 'abc', now()::TIMESTAMP FROM projects"
        )


def test_v1_catalogue_upgrades_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _seed_v1(path)

    catalogue = Catalogue(path)
    assert catalogue.schema_version() == SCHEMA_VERSION > 1

    project = catalogue.project("old-one")
    assert (project.title, project.description, project.subtitle) == ("Old one", "from v1", "")
    assert project.updated_at == project.created_at
    assert (project.width, project.height, str(project.fps)) == (1920, 1080, "30")
    [scene] = catalogue.scenes("old-one")
    assert (scene.title, scene.narration, scene.layout.corner, scene.layout.captions) == (
        "Intro",
        "Hello there",
        "bottom-right",
        True,
    )
    [asset] = catalogue.assets("old-one")
    assert (asset.path, asset.scene_id, dict(asset.metadata)) == ("objects/ab/abc.py", None, {})

    # The upgraded catalogue takes the new features.
    catalogue.update_project("old-one", slug="renamed", subtitle="now with subtitles")
    catalogue.add_scene("renamed", title="Second", notes="new column")
    job = catalogue.start_job("renamed", "speak", "k", scene_id=scene.id)
    assert catalogue.finish_job(job.id).status == "done"


def test_v3_catalogue_upgrades_to_the_default_project_voice(tmp_path: Path) -> None:
    path = tmp_path / "v3.duckdb"
    with duckdb.connect(str(path)) as conn:
        assert migrate(conn, target=3) == 3
        conn.execute(
            "INSERT INTO projects (slug, title, created_at, updated_at) "
            "VALUES ('v3', 'From v3', now()::TIMESTAMP, now()::TIMESTAMP)"
        )
        conn.execute(
            "INSERT INTO assets (project_id, kind, path, sha256, created_at) "
            "SELECT id, 'voice_sample', 'objects/ad/ada.wav', 'ada', now()::TIMESTAMP "
            "FROM projects"
        )
        conn.execute(
            "INSERT INTO voices (project_id, name, sample_asset_id, transcript, consent, "
            "created_at) SELECT p.id, 'Ada', a.id, 'Hello.', 'Ada agreed in writing', "
            "now()::TIMESTAMP FROM projects p, assets a"
        )

    catalogue = Catalogue(path)
    assert catalogue.schema_version() == SCHEMA_VERSION >= 4
    assert catalogue.project("v3").voice == ""
    assert catalogue.update_project("v3", voice="Ada").voice == "Ada"
    assert catalogue.project("v3").voice == "Ada"


def test_fresh_catalogue_is_at_the_current_version(tmp_path: Path) -> None:
    catalogue = Catalogue(tmp_path / "new.duckdb")
    assert catalogue.projects() == []
    with duckdb.connect(str(tmp_path / "new.duckdb")) as conn:
        assert schema_version(conn) == SCHEMA_VERSION
        versions = [
            r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
        ]
    assert versions == list(range(1, SCHEMA_VERSION + 1))


def test_catalogue_from_a_newer_vidkit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.duckdb"
    Catalogue(path).projects()
    with duckdb.connect(str(path)) as conn:
        conn.execute(
            "INSERT INTO schema_version VALUES (?, now()::TIMESTAMP)", [SCHEMA_VERSION + 1]
        )
    with pytest.raises(CatalogueError, match="upgrade vidkit"):
        Catalogue(path).projects()
