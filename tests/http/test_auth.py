"""The bearer token: which hosts need it, how serve() refuses to start without it, and a real
server that requires it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from tests.conftest import write_config
from tests.http.support import RunningServer, running_server, server_env
from vidkit.config import load_config
from vidkit.errors import ConfigError
from vidkit.http import create_app, serve, token_required

TOKEN = "s3cret-token-for-tests-Zq9"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp("guarded")
    env = server_env(VIDKIT_API_TOKEN=TOKEN)
    with running_server(folder, require_token=True, env=env) as running:
        yield running


@pytest.fixture
def no_token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIDKIT_API_TOKEN", raising=False)

    def started(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server started without a token")

    monkeypatch.setattr(uvicorn.Server, "run", started)


@pytest.mark.parametrize(
    ("host", "needed"),
    [
        ("127.0.0.1", False),
        ("127.0.0.2", False),
        ("localhost", False),
        ("::1", False),
        ("[::1]", False),
        ("0.0.0.0", True),
        ("::", True),
        ("", True),
        ("192.168.1.20", True),
        ("example.com", True),
        ("127.example.com", True),
    ],
)
def test_token_required_off_loopback(host: str, needed: bool) -> None:
    assert token_required(host) is needed


@pytest.mark.usefixtures("no_token_env")
def test_serve_off_loopback_without_the_token_raises(config_file: Path) -> None:
    with pytest.raises(ConfigError, match="VIDKIT_API_TOKEN"):
        serve(load_config(config_file), host="0.0.0.0", port=1)


@pytest.mark.usefixtures("no_token_env")
def test_the_config_names_the_variable(tmp_path: Path) -> None:
    config = load_config(
        write_config(tmp_path, '[server]\nhost = "0.0.0.0"\ntoken_env = "MY_API_TOKEN"\n')
    )
    with pytest.raises(ConfigError, match="MY_API_TOKEN"):
        serve(config)
    with pytest.raises(ConfigError, match="MY_API_TOKEN"):
        create_app(config)


@pytest.mark.usefixtures("no_token_env")
def test_require_token_on_loopback_needs_the_variable(config_file: Path) -> None:
    with pytest.raises(ConfigError, match="VIDKIT_API_TOKEN"):
        create_app(load_config(config_file), require_token=True)
    assert create_app(load_config(config_file)).title == "vidkit"  # loopback: no token needed


def test_a_busy_port_is_a_config_error(config_file: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(ConfigError, match="cannot listen"):
            serve(load_config(config_file), port=busy.getsockname()[1])


def test_requests_need_the_right_token(guarded: RunningServer) -> None:
    with guarded.client() as client:
        missing = client.get("/api/projects")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "Bearer"
        assert "VIDKIT_API_TOKEN" in missing.json()["detail"]
        wrong = (f"Bearer {TOKEN}x", "Bearer", f"Basic {TOKEN}", TOKEN, "Bearer \u00fcn\u00efcode")
        for header in wrong:
            sent = [(b"authorization", header.encode("utf-8"))]
            assert client.get("/api/projects", headers=sent).status_code == 401, header
        assert (
            client.get("/api/projects", headers={"Authorization": f"Bearer {TOKEN}"}).status_code
            == 200
        )
        assert (
            client.get("/api/projects", headers={"Authorization": f"bearer {TOKEN}"}).status_code
            == 200
        )
        assert client.get("/api/nothing-here").status_code == 401  # no probing for routes
        health = client.get("/api/health")
        assert health.status_code == 200
        assert health.json()["status"] == "ok"


def test_writes_and_uploads_need_the_token(guarded: RunningServer) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with guarded.client() as client:
        assert (
            client.post("/api/projects", json={"slug": "guarded", "title": "G"}).status_code == 401
        )
        upload = client.post(
            "/api/projects/guarded/assets",
            files={"file": ("a.bin", b"x" * 4096)},
            data={"kind": "other"},
        )
        assert upload.status_code == 401
        assert (
            client.post(
                "/api/projects", json={"slug": "guarded", "title": "G"}, headers=auth
            ).status_code
            == 201
        )
        assert client.delete("/api/projects/guarded").status_code == 401
        assert client.get("/api/projects/guarded", headers=auth).status_code == 200


def test_job_routes_need_the_token(guarded: RunningServer) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    base = "/api/projects/guarded-jobs"
    with guarded.client() as client:
        made = client.post(
            "/api/projects", json={"slug": "guarded-jobs", "title": "J"}, headers=auth
        )
        assert made.status_code == 201
        assert client.post(f"{base}/scenes", json={"title": "A"}, headers=auth).status_code == 201
        assert client.post(f"{base}/render").status_code == 401
        assert client.post(f"{base}/jobs", json={"kind": "speak"}).status_code == 401
        assert client.get(f"{base}/jobs").status_code == 401
        assert client.get(f"{base}/jobs/1").status_code == 401
        assert client.get(f"{base}/jobs/1/events").status_code == 401
        assert client.get(f"{base}/jobs/1/files/video.mp4").status_code == 401
        assert client.post(f"{base}/jobs/1/cancel").status_code == 401
        assert client.get(f"{base}/jobs", headers=auth).json() == []  # nothing was started
    schema = httpx.get(f"{guarded.url}/openapi.json").json()
    assert schema["paths"]["/api/projects/{slug}/render"]["post"]["security"] == [{"bearer": []}]


def test_openapi_declares_the_bearer_scheme(guarded: RunningServer) -> None:
    schema = httpx.get(f"{guarded.url}/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert schema["paths"]["/api/projects"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in schema["paths"]["/api/health"]["get"]


def test_the_token_is_never_logged(guarded: RunningServer) -> None:
    with guarded.client(headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        client.get("/api/projects")
        client.get("/api/projects/missing")
    log = guarded.log()
    assert "GET /api/projects" in log
    assert "bearer token from $VIDKIT_API_TOKEN required" in log
    assert TOKEN not in log
