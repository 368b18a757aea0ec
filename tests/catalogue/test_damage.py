"""A damaged catalogue file: one clear message everywhere (library, CLI, doctor, HTTP), and
backups that bring the data back (by hand, and before every migration)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

import vidkit.http
from tests.catalogue.test_migrations import _seed_v1
from tests.cli.conftest import assert_user_error, run_cli
from vidkit.catalogue import SCHEMA_VERSION, Catalogue
from vidkit.config import load_config
from vidkit.doctor import check_catalogue
from vidkit.errors import CatalogueError
from vidkit.workspace import Workspace

PROJECTS = 8  # each one its own transaction and checkpoint, spreading blocks over the file


def fill(catalogue: Catalogue) -> list[str]:
    for i in range(PROJECTS):
        catalogue.create_project(slug=f"p{i}", title=f"Project {i}")
    return sorted(p.slug for p in catalogue.projects())


def _breaks(path: Path) -> bool:
    """Whether DuckDB itself fails to read the projects of ``path`` cut to half its size."""
    copy = path.with_name("half-" + path.name)
    try:
        copy.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        with duckdb.connect(str(copy)) as conn:
            conn.execute("SELECT * FROM projects").fetchall()
    except duckdb.Error:
        return True
    finally:
        copy.unlink(missing_ok=True)
        copy.with_name(copy.name + ".wal").unlink(missing_ok=True)
    return False


def damage(path: Path) -> None:
    """Truncate the file to half its size, as a full disk or a copy cut short would. DuckDB
    alternates between two layouts from one checkpoint to the next, and in one of them the first
    half still holds every live block: then one more write first."""
    for _ in range(3):
        if _breaks(path):
            break
        catalogue = Catalogue(path)
        first = catalogue.projects()[0]
        catalogue.update_project(first.slug, description=first.description + " ")
    else:
        pytest.fail(f"cutting {path} to half leaves it readable")
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)


def catalogue_path(config_file: Path) -> Path:
    return load_config(config_file).catalogue.path


def test_reading_and_writing_a_damaged_catalogue_raise_one_catalogue_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "catalogue.duckdb"
    fill(Catalogue(path))
    damage(path)
    catalogue = Catalogue(path)
    for attempt in (
        catalogue.projects,
        lambda: catalogue.create_project(slug="new", title="New"),
        catalogue.verify,
    ):
        with pytest.raises(CatalogueError) as caught:
            attempt()
        message = caught.value.for_cli()
        assert str(path) in message
        assert "damaged" in message
        assert "restore the file from a copy" in message
        assert "vidkit doctor" in message
        assert "\n" not in message
        assert "vidkit doctor" not in caught.value.for_studio()
        assert "backup" in caught.value.for_studio()


def test_refused_statements_keep_their_own_errors(tmp_path: Path) -> None:
    catalogue = Catalogue(tmp_path / "catalogue.duckdb")
    catalogue.create_project(slug="one", title="One")
    with pytest.raises(duckdb.ConstraintException), catalogue.transaction() as conn:
        conn.execute(
            "INSERT INTO projects (id, slug, title, created_at) "
            "SELECT id, 'two', 'Two', now()::TIMESTAMP FROM projects"
        )
    with pytest.raises(duckdb.CatalogException), catalogue.transaction() as conn:
        conn.execute("SELECT * FROM no_such_table")
    assert [p.slug for p in catalogue.projects()] == ["one"]


def test_the_cli_says_which_file_and_how_to_restore_it(
    config_file: Path, workspace: Workspace
) -> None:
    path = catalogue_path(config_file)
    fill(workspace.catalogue)
    backup = workspace.catalogue.backup()
    damage(path)

    line = assert_user_error(run_cli("-c", config_file, "projects", "list"), str(path))
    assert "damaged" in line
    assert f"vidkit catalogue restore {backup}" in line

    doctor = run_cli("-c", config_file, "doctor", "--json")
    assert doctor.returncode == 1
    assert "Traceback" not in doctor.stderr + doctor.stdout
    [check] = [c for c in json.loads(doctor.stdout) if c["name"] == "catalogue"]
    assert not check["ok"]
    assert str(path) in check["detail"]
    assert f"vidkit catalogue restore {backup}" in check["fix"]


def test_doctor_reads_every_table(config_file: Path, workspace: Workspace) -> None:
    fill(workspace.catalogue)
    config = load_config(config_file)
    healthy = check_catalogue(config)
    assert healthy.ok
    assert f"{PROJECTS} rows" not in healthy.detail  # schema_version rows count too
    assert "rows read" in healthy.detail
    assert "no backups yet" in healthy.detail
    folder = workspace.catalogue.backup()
    assert str(folder) in check_catalogue(config).detail

    damage(config.catalogue.path)
    broken = check_catalogue(config)
    assert not broken.ok
    assert "damaged" in broken.detail
    assert f"vidkit catalogue restore {folder}" in broken.fix


def test_the_http_api_answers_json_503_and_logs_one_line(
    config_file: Path, workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    path = catalogue_path(config_file)
    slugs = fill(workspace.catalogue)
    backup = workspace.catalogue.backup()
    damage(path)
    app = vidkit.http.create_app(load_config(config_file))
    with (
        TestClient(app, raise_server_exceptions=False) as client,
        caplog.at_level(logging.INFO, logger="vidkit.http"),
    ):
        response = client.get("/api/projects")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert str(path) in body["detail"]
        assert body["hint"]["action"] == "restore_catalogue"
        assert "vidkit catalogue restore" in body["hint"]["cli"]
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1
        assert str(path) in errors[0].getMessage()

        # Restored underneath the running server, the same process reads it again.
        Catalogue(path).restore(backup)
        again = client.get("/api/projects")
        assert again.status_code == 200
        assert sorted(p["slug"] for p in again.json()) == slugs


def test_backup_then_damage_then_restore_brings_the_data_back(
    config_file: Path, workspace: Workspace
) -> None:
    path = catalogue_path(config_file)
    workspace.create_project("kept", "Kept")
    workspace.add_scene("kept", "Intro", narration="Hello there")
    slugs = fill(workspace.catalogue)

    made = run_cli("-c", config_file, "catalogue", "backup")
    assert made.ok, made
    listed = run_cli("-c", config_file, "catalogue", "backups")
    [folder] = listed.stdout.split()
    assert f"restore it with: vidkit -c {config_file} catalogue restore {folder}" in made.stdout

    damage(path)
    path.with_name(path.name + ".wal").write_bytes(b"a stray write-ahead log")
    refused = run_cli("-c", config_file, "catalogue", "restore", folder)
    assert_user_error(refused, "pass --yes")

    restored = run_cli("-c", config_file, "catalogue", "restore", folder, "--yes")
    assert restored.ok, restored
    [aside] = [
        p for p in path.parent.iterdir() if ".before-restore-" in p.name and "wal" not in p.name
    ]
    assert f"the old file is kept as {aside}" in restored.stdout
    assert aside.with_name(aside.name + ".wal").read_bytes() == b"a stray write-ahead log"
    assert not path.with_name(path.name + ".wal").exists()

    listing = run_cli("-c", config_file, "projects", "list", "--json")
    assert sorted(p["slug"] for p in listing.json()) == slugs
    [scene] = workspace.scenes("kept")
    assert (scene.title, scene.narration) == ("Intro", "Hello there")
    # Ids go on from where they were: a new project does not clash with a restored one.
    assert workspace.create_project("after", "After").id > max(
        p.id for p in workspace.projects() if p.slug != "after"
    )


def test_a_backup_goes_into_a_new_folder_only(tmp_path: Path) -> None:
    catalogue = Catalogue(tmp_path / "catalogue.duckdb")
    catalogue.create_project(slug="one", title="One")
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "file").write_text("mine")
    with pytest.raises(Exception, match="not an empty folder"):
        catalogue.backup(taken)
    assert (taken / "file").read_text() == "mine"
    with pytest.raises(Exception, match="not a catalogue backup"):
        catalogue.restore(taken)
    assert [p.slug for p in catalogue.projects()] == ["one"]


def test_a_migration_backs_up_the_older_catalogue_first(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _seed_v1(path)
    catalogue = Catalogue(path)
    assert catalogue.schema_version() == SCHEMA_VERSION

    [backup] = catalogue.backups()
    assert backup.parent == tmp_path / "old.duckdb.backups"
    assert backup.name.startswith(f"before-v{SCHEMA_VERSION}-")
    assert not [p for p in backup.parent.iterdir() if p.name.startswith(".")]  # no leftovers

    # The backup holds the catalogue as it was (version 1); restored, it is migrated at once,
    # which backs it up again.
    with duckdb.connect(str(backup / "restored.duckdb")) as conn:
        conn.execute(f"IMPORT DATABASE '{backup}'")
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone() == (1,)
        assert conn.execute("SELECT slug, description FROM projects").fetchall() == [
            ("old-one", "from v1")
        ]
    (backup / "restored.duckdb").unlink()
    again = Catalogue(path)
    assert again.restore(backup) is not None
    assert again.schema_version() == SCHEMA_VERSION
    assert again.project("old-one").description == "from v1"
    assert len(again.backups()) == 2


def test_a_new_or_current_catalogue_is_not_backed_up(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    Catalogue(path).create_project(slug="one", title="One")
    Catalogue(path).projects()
    assert Catalogue(path).backups() == []
    assert not (tmp_path / "new.duckdb.backups").exists()


def test_restore_keeps_a_missing_catalogue_missing_aside(tmp_path: Path) -> None:
    source = Catalogue(tmp_path / "a.duckdb")
    source.create_project(slug="one", title="One")
    folder = source.backup(tmp_path / "backup")
    target = Catalogue(tmp_path / "b.duckdb")
    assert target.restore(folder) is None
    assert [p.slug for p in target.projects()] == ["one"]
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]
