"""One real server for the HTTP tests, shared by the session; each test uses its own project."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.http.support import RunningServer, running_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running_server(tmp_path_factory.mktemp("http-ws")) as running:
        yield running


@pytest.fixture(scope="session")
def api(server: RunningServer) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


@pytest.fixture
def new_slug() -> Callable[[], str]:
    """A slug no other test uses."""
    return lambda: f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def project(api: httpx.Client, new_slug: Callable[[], str]) -> str:
    """The slug of a fresh project."""
    response = api.post("/api/projects", json={"slug": new_slug(), "title": "Test project"})
    assert response.status_code == 201, response.text
    slug: str = response.json()["slug"]
    return slug
