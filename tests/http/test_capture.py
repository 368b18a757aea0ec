"""Capture scenes over HTTP: a script stored, read back and removed; mistakes and what this
server may not run refused with a 422 that names the step or the config key; cross-site writes
refused; and, where the config allows them, a terminal session captured and a still of a
browser step of the tiny web app (real Chromium, a real shell)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.browser.support import find_chromium
from tests.capture.webapp import serve
from tests.conftest import write_config
from tests.http.support import RunningServer, field_errors, running_server

EVIL = "http://evil.example"
SCRIPT = """[browser]
url = "https://example.com/"
steps = [
  { click = { text = "More information" }, at = "follow the link" },
  { wait = 500 },
]
"""
TERMINAL = '[terminal]\nhold_ms = 200\nsteps = [{ type = "echo hello" }, { type = "pwd" }]\n'


def _scene(api: httpx.Client, slug: str) -> str:
    response = api.post(
        f"/api/projects/{slug}/scenes", json={"title": "Shown", "narration": "Follow the link."}
    )
    assert response.status_code == 201, response.text
    return f"/api/projects/{slug}/scenes/{response.json()['id']}/capture"


def _refusal(response: httpx.Response) -> str:
    errors = field_errors(response)
    assert list(errors) == [("body", "script")], errors
    message = errors[("body", "script")]
    assert "\n" not in message
    return message


def test_a_script_is_stored_read_back_and_removed(api: httpx.Client, project: str) -> None:
    url = _scene(api, project)
    missing = api.get(url)
    assert missing.status_code == 404 and f"PUT {url}" in missing.json()["detail"]

    stored = api.put(url, json={"script": SCRIPT})
    assert stored.status_code == 200, stored.text
    view = stored.json()
    assert (view["kind"], view["script"]) == ("browser", SCRIPT)
    assert view["steps"] == [
        {"index": 1, "kind": "click", "description": "click text 'More information'",
         "at": "follow the link"},
        {"index": 2, "kind": "wait", "description": "wait 500 ms", "at": ""},
    ]  # fmt: skip
    assert api.get(url).json() == view
    listed = api.get(f"/api/projects/{project}/assets", params={"kind": "capture_script"})
    assert [a["metadata"]["script"] for a in listed.json()] == ["browser"]

    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert api.delete(url).status_code == 404


def test_a_mistake_is_a_422_naming_the_step_and_the_script_stays(
    api: httpx.Client, project: str
) -> None:
    url = _scene(api, project)
    assert api.put(url, json={"script": SCRIPT}).status_code == 200
    bad = SCRIPT.replace("{ wait = 500 }", "{ wait = -5 }")
    message = _refusal(api.put(url, json={"script": bad}))
    assert message.startswith("browser script step 2: wait")
    assert _refusal(api.put(url, json={"script": "[browser\n"})).startswith(
        "capture script: not valid TOML"
    )
    assert api.get(url).json()["script"] == SCRIPT


@pytest.mark.parametrize(
    ("script", "key"),
    [
        (TERMINAL, "allow_terminal"),
        ('[browser]\nurl = "http://127.0.0.1:8765/"\nsteps = [{ wait = 1 }]\n', "allow_local"),
        ('[browser]\nurl = "http://192.168.1.1/"\nsteps = [{ wait = 1 }]\n', "allow_local"),
        ('[browser]\nurl = "https://example.com/"\nsteps = [{ open = "file:///etc/passwd" }]\n',
         "allow_local"),
    ],
    ids=["terminal", "loopback", "private", "file"],
)  # fmt: skip
def test_what_this_server_may_not_run_is_refused_by_default(
    api: httpx.Client, project: str, script: str, key: str
) -> None:
    url = _scene(api, project)
    message = _refusal(api.put(url, json={"script": script}))
    assert f"[services.capture] {key} = true" in message
    assert api.get(url).status_code == 404


def test_other_sites_cannot_write_and_foreign_hosts_cannot_read(
    api: httpx.Client, project: str, server: RunningServer
) -> None:
    url = _scene(api, project)
    assert api.put(url, json={"script": SCRIPT}).status_code == 200
    evil = {"Origin": EVIL}
    for response in (
        api.put(url, json={"script": SCRIPT.replace("500", "900")}, headers=evil),
        api.delete(url, headers=evil),
        api.post(f"{url}/run", headers=evil),
        api.post(f"{url}/run", headers={"Referer": f"{EVIL}/page.html"}),
    ):
        assert response.status_code == 403, response.text
        assert "[server] allowed_origins" in response.json()["detail"]
    rebound = api.get(f"{url}/steps/1.png", headers={"Host": "evil.example"})
    assert rebound.status_code == 403 and "[server] allowed_hosts" in rebound.json()["detail"]
    assert api.get(url).json()["script"] == SCRIPT
    assert "refused PUT" in server.log()


def test_running_or_previewing_a_scene_without_a_script_is_a_404(
    api: httpx.Client, project: str
) -> None:
    url = _scene(api, project)
    assert api.post(f"{url}/run").status_code == 404
    assert api.get(f"{url}/steps/1.png").status_code == 404


# A server whose config lets captures over HTTP run commands and open local pages. -------------

ALLOWED = "[services.capture]\nallow_terminal = true\nallow_local = true\n"


@pytest.fixture(scope="module")
def allowed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    folder = tmp_path_factory.mktemp("capture-allowed")
    config = write_config(folder, ALLOWED)
    with running_server(folder, config_path=config) as running, running.client() as client:
        yield client


def _project(client: httpx.Client, slug: str) -> str:
    made = client.post(
        "/api/projects", json={"slug": slug, "title": "Allowed", "width": 640, "height": 360,
                               "fps": 10},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    return _scene(client, slug)


@pytest.mark.slow
def test_a_terminal_session_is_captured_when_the_config_allows_it(allowed: httpx.Client) -> None:
    url = _project(allowed, "terminal")
    assert allowed.put(url, json={"script": TERMINAL}).status_code == 200
    ran = allowed.post(f"{url}/run")
    assert ran.status_code == 200, ran.text
    body = ran.json()
    assert body["kind"] == "terminal" and body["video"]["kind"] == "captured_screen"
    assert (body["video"]["metadata"]["width"], body["video"]["metadata"]["height"]) == (640, 360)
    assert [s["index"] for s in body["steps"]] == [1, 2]
    assert 0 <= body["steps"][0]["start_ms"] < body["steps"][1]["start_ms"] < body["duration_ms"]
    assert body["steps"][0]["description"] == "`echo hello`"
    again = allowed.post(f"{url}/run").json()  # from the cache
    assert again["video"]["id"] == body["video"]["id"]

    still = allowed.get(f"{url}/steps/1.png")
    assert still.status_code == 200 and still.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(still.content)).size == (640, 360)
    past = allowed.get(f"{url}/steps/3.png")
    assert past.status_code == 422 and "steps 1..2, not 3" in past.text


@pytest.mark.slow
@pytest.mark.skipif(find_chromium() is None, reason="no Chromium: run `make chromium`")
def test_a_still_of_a_local_page_and_a_failing_step_when_the_config_allows_it(
    allowed: httpx.Client, tmp_path: Path
) -> None:
    url = _project(allowed, "browser")
    with serve() as app:
        script = (
            f'[browser]\nurl = "{app}"\ntimeout_ms = 1000\nsteps = [\n'
            '  { type = "Ada", into = "#name" },\n  { press = "Enter" },\n'
            '  { click = "#nothing" },\n]\n'
        )
        assert allowed.put(url, json={"script": script}).status_code == 200
        still = allowed.get(f"{url}/steps/2.png")
        assert still.status_code == 200, still.text
        image = Image.open(io.BytesIO(still.content)).convert("RGB")
        assert image.size == (640, 360)
        assert image.getpixel((240, 200)) == pytest.approx((0, 160, 0), abs=30)  # saved: green

        failed = allowed.post(f"{url}/run")
    message = _refusal(failed)
    assert message.startswith("browser step 3 (click '#nothing'): nothing on the page matches")
    assert ".png" in message  # where the still of the page at that moment was saved
    videos = allowed.get("/api/projects/browser/assets", params={"kind": "captured_screen"})
    assert videos.json() == []  # nothing was stored
