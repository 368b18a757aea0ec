"""Cross-site requests to the loopback server: a foreign Host (DNS rebinding) is refused on every
request, a foreign Origin or Referer on every write; same-origin pages and clients that send no
Origin (curl, the CLI, scripts) are served. The browser's side is in tests/browser."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import write_config
from tests.http.support import RunningServer, running_server
from vidkit.config import load_config
from vidkit.errors import ConfigError

EVIL = "http://evil.example"


def _refused(response: httpx.Response, *hints: str) -> str:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/json"
    detail = response.json()["detail"]
    assert isinstance(detail, str), detail
    for hint in hints:
        assert hint in detail, detail
    return detail


def _port(server: RunningServer) -> int:
    port = urlsplit(server.url).port
    assert port is not None
    return port


def _project_exists(api: httpx.Client, slug: str) -> bool:
    response = api.get(f"/api/projects/{slug}")
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200


def test_a_json_post_from_another_origin_is_refused_and_creates_nothing(
    api: httpx.Client, new_slug: Callable[[], str]
) -> None:
    slug = new_slug()
    response = api.post(
        "/api/projects", json={"slug": slug, "title": "Evil"}, headers={"Origin": EVIL}
    )
    _refused(response, "cross-site POST", EVIL, "[server] allowed_origins")
    assert not _project_exists(api, slug)


def test_a_multipart_upload_from_another_origin_is_refused_and_stores_nothing(
    api: httpx.Client, project: str, server: RunningServer
) -> None:
    # A form or a no-cors fetch: no preflight, so only the server can stop it.
    response = api.post(
        f"/api/projects/{project}/assets",
        files={"file": ("notes.txt", b"written by another site", "text/plain")},
        data={"kind": "document"},
        headers={"Origin": EVIL},
    )
    _refused(response, "allowed_origins")
    assert api.get(f"/api/projects/{project}/assets").json() == []
    assert "refused POST" in server.log()


@pytest.mark.parametrize(
    "headers",
    [
        {"Referer": f"{EVIL}/page.html"},  # no Origin: the Referer decides
        {"Origin": "null"},  # a sandboxed frame or a file: page
        {"Origin": "https://127.0.0.1.evil.example"},
        {"Origin": f"{EVIL}", "Referer": "http://127.0.0.1/"},  # Origin wins
    ],
    ids=["referer", "null", "lookalike", "origin-wins"],
)
def test_other_foreign_sources_are_refused(
    api: httpx.Client, new_slug: Callable[[], str], headers: dict[str, str]
) -> None:
    slug = new_slug()
    response = api.post("/api/projects", json={"slug": slug, "title": "X"}, headers=headers)
    _refused(response, "cross-site POST")
    assert not _project_exists(api, slug)


def test_patch_put_and_delete_from_another_origin_are_refused(
    api: httpx.Client, project: str
) -> None:
    evil = {"Origin": EVIL}
    _refused(api.patch(f"/api/projects/{project}", json={"title": "Owned"}, headers=evil))
    _refused(api.delete(f"/api/projects/{project}", headers=evil), "cross-site DELETE")
    _refused(
        api.put(f"/api/projects/{project}/scenes/1/recording", json={}, headers=evil),
        "cross-site PUT",
    )
    _refused(
        api.put(f"/api/projects/{project}/scenes/1/captions/1", json={"text": "x"}, headers=evil),
        "cross-site PUT",
    )
    _refused(
        api.delete(f"/api/projects/{project}/scenes/1/captions/stale", headers=evil),
        "cross-site DELETE",
    )
    assert api.get(f"/api/projects/{project}").json()["title"] == "Test project"


def test_another_port_on_loopback_is_another_origin(
    api: httpx.Client, server: RunningServer, new_slug: Callable[[], str]
) -> None:
    other = f"http://127.0.0.1:{_port(server) + 1}"
    slug = new_slug()
    _refused(
        api.post("/api/projects", json={"slug": slug, "title": "X"}, headers={"Origin": other})
    )
    assert not _project_exists(api, slug)


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1.nip.io:{port}",
        "127.0.0.1:1",
        "127.0.0.1:x{port}",
        "::1:{port}",
    ],
)
def test_a_foreign_host_is_refused_for_reads_and_writes(
    api: httpx.Client, server: RunningServer, new_slug: Callable[[], str], host: str
) -> None:
    """DNS rebinding: the browser sends the attacker's name as Host and would read the answer."""
    headers = {"Host": host.format(port=_port(server))}
    listing = api.get("/api/projects", headers=headers)
    detail = _refused(listing, "DNS rebinding", "[server] allowed_hosts", "http://127.0.0.1:")
    assert "slug" not in listing.text
    _refused(api.get("/api/health", headers=headers))
    slug = new_slug()
    _refused(api.post("/api/projects", json={"slug": slug, "title": "X"}, headers=headers))
    assert not _project_exists(api, slug)
    assert headers["Host"].split(":")[0] in detail


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LocalHost", "[::1]", "127.0.0.2"])
def test_same_origin_writes_are_served(
    api: httpx.Client, server: RunningServer, new_slug: Callable[[], str], name: str
) -> None:
    here = f"{name}:{_port(server)}"
    slug = new_slug()
    response = api.post(
        "/api/projects",
        json={"slug": slug, "title": "Mine"},
        headers={"Host": here, "Origin": f"http://{here}", "Referer": f"http://{here}/docs"},
    )
    assert response.status_code == 201, response.text
    upload = api.post(
        f"/api/projects/{slug}/assets",
        files={"file": ("notes.txt", b"mine", "text/plain")},
        data={"kind": "document"},
        headers={"Host": here, "Origin": f"http://{here}"},
    )
    assert upload.status_code == 201, upload.text
    referer_only = api.patch(
        f"/api/projects/{slug}",
        json={"title": "Renamed"},
        headers={"Host": here, "Referer": f"http://{here}/"},
    )
    assert referer_only.status_code == 200, referer_only.text


def test_requests_without_origin_are_served(api: httpx.Client, new_slug: Callable[[], str]) -> None:
    """curl, the CLI and Python clients send no Origin: nothing changes for them."""
    slug = new_slug()
    assert api.post("/api/projects", json={"slug": slug, "title": "CLI"}).status_code == 201
    assert api.delete(f"/api/projects/{slug}").status_code == 204


def test_reads_from_another_origin_are_served(api: httpx.Client, project: str) -> None:
    """A GET changes nothing, and the browser keeps the answer from the other site (no CORS)."""
    response = api.get(f"/api/projects/{project}", headers={"Origin": EVIL})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp("cross-site-ws")
    extra = (
        "[server]\n"
        'allowed_hosts = ["vidkit.test", "Studio.Test:8443", "plain.test:80"]\n'
        'allowed_origins = ["http://localhost:3000/", "https://vidkit.test"]\n'
    )
    with running_server(folder, config_path=write_config(folder, extra)) as running:
        yield running


def test_configured_hosts_and_origins_are_served(configured: RunningServer) -> None:
    with configured.client() as api:
        assert api.get("/api/projects", headers={"Host": "vidkit.test"}).status_code == 200
        assert api.get("/api/projects", headers={"Host": "vidkit.test:9"}).status_code == 200
        assert api.get("/api/projects", headers={"Host": "studio.test:8443"}).status_code == 200
        assert api.get("/api/projects", headers={"Host": "plain.test"}).status_code == 200
        _refused(api.get("/api/projects", headers={"Host": "studio.test"}))
        _refused(api.get("/api/projects", headers={"Host": "evil.example"}))
        for n, origin in enumerate(["http://localhost:3000", "https://vidkit.test"]):
            created = api.post(
                "/api/projects", json={"slug": f"p{n}", "title": "X"}, headers={"Origin": origin}
            )
            assert created.status_code == 201, created.text
        _refused(
            api.post(
                "/api/projects",
                json={"slug": "p9", "title": "X"},
                headers={"Origin": "http://vidkit.test"},  # scheme differs
            )
        )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('allowed_origins = ["http://x.test/path"]', "[server] allowed_origins"),
        ('allowed_origins = ["x.test"]', "is not an origin"),
        ('allowed_hosts = ["http://x.test"]', "[server] allowed_hosts"),
        ('allowed_hosts = "x.test"', "[server] allowed_hosts"),
    ],
)
def test_bad_allowed_values_are_config_errors(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_config(write_config(tmp_path, f"[server]\n{extra}\n"))


def test_the_schema_declares_the_refusals(api: httpx.Client) -> None:
    schema = api.get("/openapi.json").json()
    operations = [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) > 20
    for method, path, operation in operations:
        refusal = operation["responses"].get("403")
        assert refusal is not None, (method, path)
        body = refusal["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/ErrorOut"}, (method, path)
        assert ("allowed_origins" in refusal["description"]) == (
            method in ("POST", "PUT", "PATCH", "DELETE")
        ), (method, path)


def test_job_routes_refuse_writes_from_other_origins(api: httpx.Client, project: str) -> None:
    evil = {"Origin": EVIL}
    base = f"/api/projects/{project}"
    assert api.post(f"{base}/scenes", json={"title": "A"}).status_code == 201  # renderable
    _refused(api.post(f"{base}/render", headers=evil), "cross-site POST")
    _refused(api.post(f"{base}/jobs", json={"kind": "speak"}, headers=evil), "cross-site POST")
    _refused(api.post(f"{base}/jobs/1/cancel", headers=evil), "cross-site POST")
    assert api.get(f"{base}/jobs").json() == []  # no job was made
    assert api.get(f"{base}/jobs", headers=evil).status_code == 200  # reads are served
    rebound = {"Host": "evil.example"}
    _refused(api.get(f"{base}/jobs/1/events", headers=rebound), "DNS rebinding")
    _refused(api.get(f"{base}/jobs/1/files/video.mp4", headers=rebound), "DNS rebinding")
