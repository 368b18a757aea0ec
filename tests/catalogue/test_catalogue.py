"""Projects, scenes, assets and jobs through the catalogue, with the DuckDB limits in mind."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidkit.api import Workspace
from vidkit.catalogue import Catalogue
from vidkit.errors import CatalogueError, Conflict, InvalidInput, NotFound


def test_project_crud_round_trip(workspace: Workspace) -> None:
    created = workspace.create_project("intro-py", "Intro to Python", subtitle="Part 1")
    assert created.slug == "intro-py"
    assert created.created_at is not None
    assert created.created_at.tzinfo is not None
    assert workspace.project("intro-py").subtitle == "Part 1"

    updated = workspace.update_project("intro-py", title="Intro", description="d" * 100_000)
    assert updated.title == "Intro"
    assert len(updated.description) == 100_000
    assert updated.updated_at is not None and updated.updated_at >= created.created_at

    workspace.delete_project("intro-py")
    with pytest.raises(NotFound, match=r"no project with slug 'intro-py'$") as caught:
        workspace.project("intro-py")
    assert caught.value.for_cli().endswith("; `vidkit projects list` shows them")


def test_unicode_and_emoji_titles_round_trip(workspace: Workspace) -> None:
    title = "Ünïcödé 🎬 タイトル — ok"
    workspace.create_project("uni", title)
    assert workspace.project("uni").title == title
    scene = workspace.add_scene("uni", "🎤 Szene", narration="Grüße 👋")
    assert workspace.scene("uni", scene.id).narration == "Grüße 👋"


@pytest.mark.parametrize("slug", ["../x", "Intro", "a b", "", "-x", "x-", "a--b", "x" * 65, "ü"])
def test_bad_slugs_are_refused_with_the_rule(workspace: Workspace, slug: str) -> None:
    with pytest.raises(InvalidInput) as info:
        workspace.create_project(slug, "Title")
    assert info.value.field == "slug"
    assert workspace.projects() == []


def test_blank_title_and_duplicate_slug(workspace: Workspace) -> None:
    with pytest.raises(InvalidInput, match="title is required"):
        workspace.create_project("a", "   ")
    workspace.create_project("a", "A")
    with pytest.raises(Conflict, match="already exists"):
        workspace.create_project("a", "Another A")
    assert [p.title for p in workspace.projects()] == ["A"]


def test_rename_slug_keeps_scenes_assets_and_jobs(workspace: Workspace, tmp_path: Path) -> None:
    workspace.create_project("old", "Old")
    scene = workspace.add_scene("old", "One", narration="hello")
    code = tmp_path / "a.py"
    code.write_text("print(1)\n")
    workspace.import_asset("old", code, kind="code_file", scene_id=scene.id)
    job = workspace.catalogue.start_job("old", "speak", "key-1", scene_id=scene.id)
    workspace.catalogue.finish_job(job.id)

    workspace.update_project("old", slug="new")

    assert [s.title for s in workspace.scenes("new")] == ["One"]
    assert len(workspace.assets("new")) == 1
    assert [j.status for j in workspace.jobs("new")] == ["done"]
    with pytest.raises(NotFound):
        workspace.scenes("old")
    workspace.create_project("other", "Other")
    with pytest.raises(Conflict):
        workspace.update_project("other", slug="new")


def test_scene_positions_stay_contiguous(workspace: Workspace) -> None:
    workspace.create_project("p", "P")
    a = workspace.add_scene("p", "A")
    b = workspace.add_scene("p", "B")
    c = workspace.add_scene("p", "C", position=1)
    assert [(s.position, s.title) for s in workspace.scenes("p")] == [(1, "C"), (2, "A"), (3, "B")]

    order = workspace.move_scene("p", c.id, 3)
    assert [s.title for s in order] == ["A", "B", "C"]
    assert [s.position for s in order] == [1, 2, 3]

    order = workspace.reorder_scenes("p", [b.id, c.id, a.id])
    assert [s.title for s in order] == ["B", "C", "A"]

    workspace.delete_scene("p", c.id)
    assert [(s.position, s.title) for s in workspace.scenes("p")] == [(1, "B"), (2, "A")]
    assert workspace.project("p").scene_count == 2


def test_bad_reorder_changes_nothing(workspace: Workspace) -> None:
    workspace.create_project("p", "P")
    a = workspace.add_scene("p", "A")
    b = workspace.add_scene("p", "B")
    with pytest.raises(InvalidInput, match="each of this project's scene ids once"):
        workspace.reorder_scenes("p", [a.id, a.id])
    with pytest.raises(InvalidInput, match="position must be between 1 and 2"):
        workspace.move_scene("p", a.id, 5)
    with pytest.raises(InvalidInput, match="position must be between 1 and 3"):
        workspace.add_scene("p", "X", position=9)
    assert [s.id for s in workspace.scenes("p")] == [a.id, b.id]


def test_scene_layout_rules(workspace: Workspace) -> None:
    workspace.create_project("p", "P")
    scene = workspace.add_scene("p", "A", avatar_corner="top-left", avatar_scale=0.5)
    assert scene.layout.corner == "top-left"
    moved = workspace.update_scene("p", scene.id, avatar_x=0.25, avatar_y=0.75)
    assert (moved.layout.corner, moved.layout.x, moved.layout.y) == (None, 0.25, 0.75)
    back = workspace.update_scene("p", scene.id, avatar_corner="bottom-left", captions=False)
    assert (back.layout.corner, back.layout.x, back.layout.captions) == ("bottom-left", None, False)

    for bad in (
        {"avatar_corner": "middle"},
        {"avatar_scale": 5.0},
        {"avatar_x": 1.5, "avatar_y": 0.1},
        {"avatar_margin": True},
        {"target_duration_ms": -3},
        {"colour": "red"},
    ):
        with pytest.raises(InvalidInput):
            workspace.update_scene("p", scene.id, **bad)
    assert workspace.scene("p", scene.id).layout == back.layout


def test_scene_html_and_estimates(workspace: Workspace) -> None:
    workspace.create_project("p", "P <b>")
    scene = workspace.add_scene("p", "<script>", narration=" ".join(["word"] * 150))
    assert scene.word_count == 150
    assert scene.estimated_duration_ms == 60_000
    html = scene._repr_html_()
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "&lt;b&gt;" in workspace.project("p")._repr_html_()


def test_delete_project_removes_everything_in_one_go(workspace: Workspace, tmp_path: Path) -> None:
    for slug in ("keep", "drop"):
        workspace.create_project(slug, slug.title())
        scene = workspace.add_scene(slug, "S")
        workspace.catalogue.start_job(slug, "speak", f"k-{slug}", scene_id=scene.id)
    shared = tmp_path / "shared.py"
    shared.write_text("x = 1\n")
    only = tmp_path / "only.py"
    only.write_text("y = 2\n")
    kept = workspace.import_asset("keep", shared, kind="code_file")
    dropped_shared = workspace.import_asset("drop", shared, kind="code_file")
    dropped_only = workspace.import_asset("drop", only, kind="code_file")
    assert kept.path == dropped_shared.path

    workspace.delete_project("drop")

    assert [p.slug for p in workspace.projects()] == ["keep"]
    assert workspace.asset_path(kept).is_file(), "a file another project uses must stay"
    assert not workspace.asset_path(dropped_only).exists()
    with workspace.catalogue.transaction() as conn:
        counts = [
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("scenes", "assets", "jobs")
        ]
    assert counts == [1, 1, 1]


def test_jobs_record_status_and_cache_hits(workspace: Workspace) -> None:
    workspace.create_project("p", "P")
    job = workspace.catalogue.start_job("p", "speak", "abc")
    assert job.status == "running"
    assert workspace.catalogue.cached_job("abc") is None
    done = workspace.catalogue.finish_job(job.id)
    assert done.status == "done" and done.finished_at is not None
    assert workspace.catalogue.cached_job("abc") == done
    failed = workspace.catalogue.fail_job(
        workspace.catalogue.start_job("p", "speak", "def").id, "boom"
    )
    assert (failed.status, failed.error) == ("failed", "boom")
    assert workspace.catalogue.cached_job("def") is None


def test_corrupt_catalogue_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.duckdb"
    garbage = b"this is not a database" * 200
    path.write_bytes(garbage)
    with pytest.raises(CatalogueError, match="nothing was changed"):
        Catalogue(path).projects()
    assert path.read_bytes() == garbage


def test_foreign_duckdb_file_is_not_taken_over(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "theirs.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE TABLE important (x INTEGER)")
    with pytest.raises(CatalogueError, match="not a vidkit catalogue"):
        Catalogue(path).projects()


def test_catalogue_path_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="is a folder"):
        Catalogue(tmp_path).projects()


@pytest.mark.parametrize(
    "fps", ["1e9999999", "30/0", "abc", "0", "500", True, [30], float("inf"), float("nan"), 0.5]
)
def test_bad_fps_is_refused_quickly(workspace: Workspace, fps: object) -> None:
    with pytest.raises(InvalidInput) as info:
        workspace.create_project("p", "P", fps=fps)
    assert info.value.field == "fps"


def test_good_fps_values(workspace: Workspace) -> None:
    assert str(workspace.create_project("a", "A", fps="30000/1001").fps) == "30000/1001"
    assert str(workspace.create_project("b", "B", fps=25).fps) == "25"
    assert str(workspace.create_project("c", "C", fps="29.97").fps) == "2997/100"
    # a number in range is a frame rate whatever its digits (the HTTP schema says 1..120)
    assert str(workspace.create_project("d", "D", fps=29.97).fps) == "2997/100"
    assert workspace.create_project("e", "E", fps=100.123456789).fps == pytest.approx(100.123456789)


def test_lone_surrogates_are_invalid_input_not_a_crash(workspace: Workspace) -> None:
    with pytest.raises(InvalidInput, match="not valid Unicode"):
        workspace.create_project("p", "bad \ud800 title")
    workspace.create_project("p", "P")
    with pytest.raises(InvalidInput, match="not valid Unicode"):
        workspace.add_scene("p", "S", narration="x\udfff")


@pytest.mark.parametrize("bad_id", [10**40, 0, -1, True])
def test_out_of_range_ids_are_invalid_input(workspace: Workspace, bad_id: int) -> None:
    workspace.create_project("p", "P")
    with pytest.raises(InvalidInput):
        workspace.assets("p", scene_id=bad_id)
    with pytest.raises(InvalidInput):
        workspace.scene("p", bad_id)


def test_delete_on_a_fresh_catalogue_is_a_clear_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        Catalogue(tmp_path / "fresh.duckdb").delete_project("x")
    with pytest.raises(NotFound):
        Catalogue(tmp_path / "fresh2.duckdb").delete_scene("x", 1)


def test_a_session_reuses_one_connection(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace.create_project("p", "P")
    opened: list[int] = []
    connector = workspace.catalogue._connector
    original = connector._open

    def counting(deadline: float) -> object:
        opened.append(1)
        return original(deadline)

    monkeypatch.setattr(connector, "_open", counting)
    with workspace.catalogue.session():
        for n in range(5):
            workspace.add_scene("p", f"S{n}")
        with workspace.catalogue.session():
            assert len(workspace.scenes("p")) == 5
    assert len(opened) == 1
    assert workspace.project("p").scene_count == 5
    assert len(opened) == 2, "outside the session each operation opens the file again"
