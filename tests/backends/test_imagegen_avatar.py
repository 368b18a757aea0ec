"""Generated avatars end to end: candidates stored with provenance, one picked, cut out and
rigged like a photo; and the CLI that does both."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.backends.image_servers import png_bytes
from vidkit.cli import app
from vidkit.editing.avatar_generation import adopt_avatar_candidate, generate_avatar_candidates
from vidkit.errors import InvalidInput
from vidkit.workspace import Workspace


def test_candidates_are_stored_and_one_becomes_the_avatar(workspace: Workspace) -> None:
    workspace.create_project("demo", "Demo")
    heard: list[tuple[int, int, float]] = []
    made = generate_avatar_candidates(
        workspace, "demo", "smiling man with glasses", seed=4, count=2,
        progress=lambda i, n, f: heard.append((i, n, f)),
    )  # fmt: skip
    assert [a.kind for a in made] == ["image", "image"]
    assert [a.metadata["seed"] for a in made] == [4, 5]
    assert all(a.metadata["generated_by"] == "illustrated" for a in made)
    assert all(a.metadata["illustration"] is True for a in made)
    assert (1, 2, 1.0) in heard and (0, 2, 0.0) in heard
    assert not workspace.assets("demo", kind="avatar_image")

    photo, presenter = adopt_avatar_candidate(workspace, "demo", made[1].id)
    assert photo.kind == "avatar_image"
    assert photo.metadata["prompt"] == "smiling man with glasses" and photo.metadata["seed"] == 5
    assert presenter.width > 0 and presenter.rig > 0


def test_bad_requests_say_what_to_do(workspace: Workspace, tmp_path: Path) -> None:
    workspace.create_project("demo", "Demo")
    with pytest.raises(InvalidInput, match="describe the presenter"):
        generate_avatar_candidates(workspace, "demo", "  ")
    with pytest.raises(InvalidInput, match="count must be"):
        generate_avatar_candidates(workspace, "demo", "x", count=0)
    (made,) = generate_avatar_candidates(workspace, "demo", "woman", count=1)
    (tmp_path / "plain.png").write_bytes(png_bytes(128))
    plain = workspace.import_asset("demo", tmp_path / "plain.png", kind="image")
    assert plain.id != made.id
    with pytest.raises(InvalidInput, match="not a generated avatar candidate"):
        adopt_avatar_candidate(workspace, "demo", plain.id)
    workspace.create_project("other", "Other")
    with pytest.raises(InvalidInput, match="not a generated avatar candidate"):
        adopt_avatar_candidate(workspace, "other", made.id)


def test_cli_generates_then_picks(config_file: Path, workspace: Workspace) -> None:
    workspace.create_project("demo", "Demo")
    runner = CliRunner()
    base = ["-c", str(config_file), "avatar-generate", "demo"]
    result = runner.invoke(app, [*base, "--prompt", "bearded man", "--count", "1", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "illustration" in result.output and "--pick" in result.output
    candidate = workspace.assets("demo", kind="image")[0]
    result = runner.invoke(app, [*base, "--pick", str(candidate.id)])
    assert result.exit_code == 0, result.output
    assert workspace.assets("demo", kind="avatar_image")


def test_http_generates_then_picks(config_file: Path) -> None:
    from fastapi.testclient import TestClient

    from vidkit.config import load_config
    from vidkit.http import create_app

    app = create_app(load_config(config_file), require_token=False)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert client.post("/api/projects", json={"slug": "demo", "title": "Demo"}).is_success
        url = "/api/projects/demo/avatar/candidates"
        bad = client.post(url, json={"prompt": "x", "count": 99})
        assert bad.status_code == 422
        made = client.post(url, json={"prompt": "woman with a bun", "seed": 3, "count": 1})
        assert made.status_code == 201, made.text
        (candidate,) = made.json()
        assert candidate["metadata"]["illustration"] is True
        picked = client.post(f"{url}/{candidate['id']}/pick")
        assert picked.status_code == 200, picked.text
        assert picked.json()["kind"] == "avatar_image"
        assert picked.json()["metadata"]["seed"] == candidate["metadata"]["seed"]
