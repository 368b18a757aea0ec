"""Deleting a project also removes its assembly cache (decoded audio, AAC pieces)."""

from __future__ import annotations

from vidkit.api import Workspace


def test_deleting_a_project_removes_only_its_assembly_cache(workspace: Workspace) -> None:
    for slug in ("gone", "kept"):
        workspace.create_project(slug, slug.title())
        folder = workspace.store.cache_folder("assemble", slug)
        folder.mkdir(parents=True)
        (folder / "piece.aac").write_bytes(b"\0" * 16)
    workspace.delete_project("gone")
    assert not workspace.store.cache_folder("assemble", "gone").exists()
    assert (workspace.store.cache_folder("assemble", "kept") / "piece.aac").is_file()
    workspace.delete_project("kept")  # a project that never assembled has no folder: fine
    assert not workspace.store.cache_folder("assemble", "kept").exists()
