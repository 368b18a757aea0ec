"""A page of another origin, loaded in Chromium, cannot write to the local API or drive the
studio's kernel.

The test serves the "attacker's" page itself, with a tiny ``http.server`` on another loopback
port (another origin). Its JavaScript does what any web page the user visits could: a form POST
and ``fetch`` in ``no-cors`` mode (multipart included; no CORS preflight), a CORS request, a
websocket to the kernel. DNS rebinding is played out with Chromium's host resolver: the page is
served as ``http://rebind.test:<api port>/``, then that name points at 127.0.0.1.
"""

from __future__ import annotations

import http.client
import http.server
import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

from tests.browser.support import CHROMIUM_ARGS, kernel_id, open_studio
from tests.browser.test_serve import kernel_alive, write_app
from tests.conftest import write_config
from tests.http.support import RunningServer, running_server
from widgets.serve import StudioServer, StudioSettings, running_studio, voila_command

# Runs in the attacker's page; ``API`` is the vidkit server. Every attempt records what the page
# saw, then the test asks the server what really happened.
_API_ATTACK = """
<!doctype html><title>cute cats</title>
<form id="form" method="POST" enctype="text/plain" target="sink" action="{api}/api/projects">
  <input name='{{"slug": "from-a-form", "title": "x", "pad": "' value='"}}'>
</form>
<iframe name="sink"></iframe>
<script>
const API = {api!r};
window.done = (async () => {{
  const seen = {{}};
  async function attempt(name, url, init) {{
    try {{ const r = await fetch(url, init); seen[name] = 'answered ' + r.type + ' ' + r.status; }}
    catch (e) {{ seen[name] = 'failed: ' + e; }}
  }}
  await attempt('json', API + '/api/projects', {{method: 'POST', mode: 'no-cors',
    headers: {{'Content-Type': 'text/plain'}},
    body: JSON.stringify({{slug: 'from-fetch', title: 'x'}})}});
  await attempt('cors', API + '/api/projects', {{method: 'POST',
    headers: {{'Content-Type': 'application/json'}},
    body: JSON.stringify({{slug: 'from-cors', title: 'x'}})}});
  const upload = new FormData();
  upload.append('kind', 'document');
  upload.append('file', new Blob(['written by another site']), 'evil.txt');
  await attempt('upload', API + '/api/projects/victim/assets',
                {{method: 'POST', mode: 'no-cors', body: upload}});
  await attempt('delete', API + '/api/projects/victim', {{method: 'DELETE', mode: 'no-cors'}});
  await new Promise((ok) => {{
    document.querySelector('iframe').onload = ok;
    document.getElementById('form').submit();
  }});
  seen.form = 'submitted';
  return seen;
}})();
</script>
"""

# A rebinding page runs on the API's own origin (as far as the browser knows): same-origin
# requests, so it could read the answers, if the server answered.
_REBIND_ATTACK = """
<!doctype html><title>rebound</title>
<script>
window.done = (async () => {
  const list = await fetch('/api/projects');
  const made = await fetch('/api/projects', {method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({slug: 'from-rebinding', title: 'x'})});
  return {list: list.status, listed: await list.text(), made: made.status};
})();
</script>
"""

_KERNEL_ATTACK = """
<!doctype html><title>cute dogs</title>
<script>
const STUDIO = {studio!r}, KERNEL = {kernel!r};
window.done = (async () => {{
  const seen = {{}};
  seen.websocket = await new Promise((settle) => {{
    const ws = new WebSocket(STUDIO.replace('http', 'ws') + 'api/kernels/' + KERNEL +
                             '/channels?session_id=evil');
    ws.onopen = () => {{ settle('opened'); ws.close(); }};
    ws.onerror = () => settle('refused');
    setTimeout(() => settle('timed out'), 20000);
  }});
  for (const [name, url, method] of [
      ['shutdown', STUDIO + 'voila/api/shutdown/' + KERNEL, 'POST'],
      ['delete', STUDIO + 'api/kernels/' + KERNEL, 'DELETE'],
      ['interrupt', STUDIO + 'api/kernels/' + KERNEL + '/interrupt', 'POST'],
      ['start', STUDIO + 'api/kernels', 'POST']]) {{
    try {{ const r = await fetch(url, {{method, mode: 'no-cors'}}); seen[name] = r.type; }}
    catch (e) {{ seen[name] = 'failed: ' + e; }}
  }}
  return seen;
}})();
</script>
"""

_OPEN_WEBSOCKET = """(url) => new Promise((settle) => {
  const ws = new WebSocket(url);
  ws.onopen = () => { settle('opened'); ws.close(); };
  ws.onerror = () => settle('refused');
  setTimeout(() => settle('timed out'), 20000);
})"""


class _Pages(http.server.BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        body = self.pages.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def other_site() -> Iterator[tuple[str, dict[str, str]]]:
    """(origin, pages): another loopback port serving ``pages`` (path -> HTML)."""
    pages: dict[str, str] = {}
    handler = type("Pages", (_Pages,), {"pages": pages})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", pages
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def api_server(tmp_path: Path) -> Iterator[RunningServer]:
    with running_server(tmp_path / "api") as running:
        with running.client() as api:
            made = api.post("/api/projects", json={"slug": "victim", "title": "Victim"})
            assert made.status_code == 201, made.text
        yield running


def _slugs(server: RunningServer) -> set[str]:
    with server.client() as api:
        return {p["slug"] for p in api.get("/api/projects").json()}


def test_a_page_of_another_origin_cannot_write_to_the_api(
    browser: Any, api_server: RunningServer, other_site: tuple[str, dict[str, str]]
) -> None:
    origin, pages = other_site
    pages["/cats.html"] = _API_ATTACK.format(api=api_server.url)
    page = browser.new_page()
    page.goto(f"{origin}/cats.html")
    seen = page.evaluate("() => window.done")
    # The browser itself stops these two: a preflight the server does not answer, and a
    # DELETE, which no-cors mode does not allow.
    assert seen["cors"].startswith("failed") and seen["delete"].startswith("failed"), seen

    assert _slugs(api_server) == {"victim"}, "the page created a project"
    with api_server.client() as api:
        assert api.get("/api/projects/victim/assets").json() == [], "the page uploaded a file"
    # The requests did reach the server, and it refused them (not the browser, nor a 422).
    log = api_server.log()
    for path in ("/api/projects", "/api/projects/victim/assets"):
        assert f"refused POST {path} from Origin '{origin}'" in log, log
    assert log.count("403 Forbidden") == 3, log  # the JSON fetch, the upload and the form


def test_a_page_rebinding_its_name_to_loopback_cannot_read_or_write(
    playwright: Any, chromium_path: str, tmp_path: Path, api_server: RunningServer
) -> None:
    port = urlsplit(api_server.url).port
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"),
        executable_path=chromium_path,
        args=[
            *CHROMIUM_ARGS,
            "--host-resolver-rules=MAP rebind.test 127.0.0.1",
            # Chromium's own guard (Local Network Access) would stop the page first; other
            # browsers have none, so the server must refuse by itself.
            "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,"
            "PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults",
        ],
        headless=True,
    )
    try:
        page = context.new_page()
        # The attacker's server answers the first load; then the name points at 127.0.0.1.
        page.route(
            f"http://rebind.test:{port}/",
            lambda route: route.fulfill(content_type="text/html", body=_REBIND_ATTACK),
        )
        page.goto(f"http://rebind.test:{port}/")
        seen = page.evaluate("() => window.done")
    finally:
        context.close()
    assert seen["list"] == 403 and "victim" not in seen["listed"], seen
    assert "allowed_hosts" in seen["listed"], seen
    assert seen["made"] == 403, seen
    assert _slugs(api_server) == {"victim"}
    assert f"refused POST /api/projects: Host 'rebind.test:{port}'" in api_server.log()


# --- the studio ------------------------------------------------------------------------------


def test_the_studio_keeps_jupyters_cross_site_checks_on() -> None:
    settings = StudioSettings(config=Path("config.toml"))
    flag = next(a for a in voila_command(settings) if a.startswith("--Voila.tornado_settings="))
    import ast

    tornado = ast.literal_eval(flag.split("=", 1)[1])
    assert tornado == {
        "allow_remote_access": False,
        "local_hostnames": ["localhost"],
        "allow_origin": "",
        "allow_origin_pat": "",
        "disable_check_xsrf": False,
    }
    remote = StudioSettings(config=Path("config.toml"), ip="0.0.0.0", allow_remote=True)
    assert "'allow_remote_access': True" in voila_command(remote)[-1]


@pytest.fixture
def tiny_studio(tmp_path: Path) -> Iterator[StudioServer]:
    settings = StudioSettings(
        config=write_config(tmp_path / "ws"), notebook=write_app(tmp_path / "app"), port=0
    )
    with running_studio(settings, log_path=tmp_path / "voila.log") as server:
        yield server


def _studio_status(server: StudioServer, path: str, host: str) -> int:
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host})
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_page_of_another_origin_cannot_drive_the_studios_kernel(
    browser: Any, tiny_studio: StudioServer, other_site: tuple[str, dict[str, str]]
) -> None:
    studio = browser.new_page()
    open_studio(studio, tiny_studio.url)
    kernel = kernel_id(studio)  # the attacker gets the id for free: a worst case
    channels = f"{tiny_studio.url.replace('http', 'ws', 1)}api/kernels/{kernel}/channels"
    # The studio's own origin can open the kernel's websocket: the check is not refusing all.
    assert studio.evaluate(_OPEN_WEBSOCKET, f"{channels}?session_id=own") == "opened"

    origin, pages = other_site
    pages["/dogs.html"] = _KERNEL_ATTACK.format(studio=tiny_studio.url, kernel=kernel)
    evil = browser.new_page()
    evil.goto(f"{origin}/dogs.html")
    seen = evil.evaluate("() => window.done")
    assert seen["websocket"] == "refused", seen
    assert kernel_alive(tiny_studio, kernel), f"another origin shut the kernel down: {seen}"
    log = tiny_studio.log()
    assert "Blocking Cross Origin WebSocket Attempt" in log, log[-3000:]
    assert f"Blocking Cross Origin API request for /voila/api/shutdown/{kernel}" in log

    # DNS rebinding: Jupyter's Host check, which Voila turns off, is on again.
    port = urlsplit(tiny_studio.url).port
    assert _studio_status(tiny_studio, f"/api/kernels/{kernel}", f"rebind.test:{port}") == 403
    assert _studio_status(tiny_studio, "/", f"rebind.test:{port}") == 403
    assert _studio_status(tiny_studio, f"/api/kernels/{kernel}", f"localhost:{port}") == 200
    assert kernel_alive(tiny_studio, kernel)
    with urllib.request.urlopen(f"{tiny_studio.url}api/kernels/{kernel}", timeout=10) as answer:
        assert json.load(answer)["id"] == kernel
