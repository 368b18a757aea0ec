"""The MCP browser driver against the real Playwright MCP server (npx @playwright/mcp@0.0.86)
and a page served from this test."""

from __future__ import annotations

import http.server
import io
import shutil
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from PIL import Image

from vidkit.capture.browser_script import Target
from vidkit.capture.driver import Box, BrowserDriver, DriverError
from vidkit.capture.mcp import McpDriver
from vidkit.capture.mcp_server import McpServer, start_playwright_mcp

pytestmark = pytest.mark.slow

WIDTH, HEIGHT = 640, 360
CHROMIUM = "/usr/bin/chromium" if shutil.which("/usr/bin/chromium") else shutil.which("chromium")
PAGE = b"""<!doctype html>
<html><head><title>form</title><link rel="icon" href="data:,"></head>
<body style="margin:0; height:3000px; background:#ffffff; font:16px sans-serif">
<form id="form" onsubmit="event.preventDefault();
    document.getElementById('out').textContent = 'Hello ' + document.getElementById('name').value">
  <label for="name" style="position:absolute; left:20px; top:55px">Name</label>
  <input id="name" style="position:absolute; left:100px; top:50px; width:200px; height:30px;
      box-sizing:border-box">
</form>
<button id="save" style="position:absolute; left:100px; top:100px; width:120px; height:40px;
    border:0; background:#0000ff; color:#ffffff"
    onclick="this.textContent = 'Saved'; this.style.background = '#00ff00'">Save</button>
<button id="boom" style="position:absolute; left:240px; top:100px; width:120px; height:40px"
    onclick="alert('boom')">Alert</button>
<div id="out" style="position:absolute; left:100px; top:160px"></div>
<div style="position:absolute; left:0; top:1000px; width:100%; height:100px;
    background:#ff0000"></div>
</body></html>"""


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def mcp_server() -> Iterator[McpServer]:
    if shutil.which("npx") is None or shutil.which("node") is None:
        pytest.skip("Node.js (node and npx) is not on PATH: the Playwright MCP server needs it")
    if CHROMIUM is None:
        pytest.skip("no Chromium (/usr/bin/chromium or chromium on PATH) for the MCP server")
    with start_playwright_mcp(chromium=CHROMIUM) as server:
        yield server


@pytest.fixture(scope="module")
def driver(mcp_server: McpServer) -> Iterator[McpDriver]:
    driver = McpDriver(mcp_server.url, timeout_s=30)
    driver.start(WIDTH, HEIGHT)
    yield driver
    driver.close()


@pytest.fixture
def page(driver: McpDriver, page_url: str) -> McpDriver:
    driver.open(page_url)
    assert driver.dialog() is None
    return driver


def _pixel(driver: McpDriver, x: float, y: float) -> tuple[int, ...]:
    image = Image.open(io.BytesIO(driver.screenshot())).convert("RGB")
    return tuple(image.getpixel((int(x), int(y))))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_find_gives_the_boxes_of_a_labelled_input_and_of_text(page: McpDriver) -> None:
    assert isinstance(page, BrowserDriver)
    assert page.find(Target(role="textbox", name="Name")) == Box(100, 50, 200, 30)
    assert page.find(Target(text="Save")) == Box(100, 100, 120, 40)
    assert page.find(Target(selector="#boom")) == Box(240, 100, 120, 40)
    assert page.find(Target(text="Saved")) is None
    assert page.find(Target(role="button", name="Delete")) is None


def test_a_click_at_the_centre_of_a_box_changes_the_page(page: McpDriver) -> None:
    box = page.find(Target(text="Save"))
    assert box is not None
    assert _pixel(page, box.x + 5, box.y + 5) == (0, 0, 255)
    page.click(*box.centre)
    assert page.find(Target(text="Saved")) == box
    assert _pixel(page, box.x + 5, box.y + 5) == (0, 255, 0)


def test_typing_into_the_focused_input_and_pressing_enter(page: McpDriver) -> None:
    box = page.find(Target(role="textbox", name="Name"))
    assert box is not None
    page.click(*box.centre)
    for ch in "Ada é":
        page.type(ch)
    page.press("Enter")
    assert page.find(Target(text="Hello Ada é")) is not None


def test_the_screenshot_is_a_png_of_the_viewport_size(page: McpDriver) -> None:
    image = Image.open(io.BytesIO(page.screenshot()))
    assert (image.format, image.size) == ("PNG", (WIDTH, HEIGHT))
    assert _pixel(page, 5, 5) == (255, 255, 255)


def test_scroll_moves_the_page(page: McpDriver) -> None:
    page.scroll(800)  # the red band at 1000..1100 px comes to 200..300 px
    deadline = time.monotonic() + 5
    while _pixel(page, 320, 250) != (255, 0, 0):
        assert time.monotonic() < deadline, "the page did not scroll"
        time.sleep(0.05)


def test_a_dialog_is_reported_dismissed_and_the_page_stays_usable(page: McpDriver) -> None:
    box = page.find(Target(text="Alert"))
    assert box is not None
    page.click(*box.centre)
    assert page.dialog() == "boom"
    assert page.dialog() is None
    save = page.find(Target(text="Save"))
    assert save is not None
    page.click(*save.centre)
    assert page.find(Target(text="Saved")) is not None


def test_a_tool_error_is_one_plain_line(page: McpDriver) -> None:
    with pytest.raises(DriverError) as caught:
        page.press("NoSuchKey")
    assert str(caught.value) == 'Unknown key: "NoSuchKey"'


def test_an_unreachable_page_is_one_clear_line(driver: McpDriver, page_url: str) -> None:
    with pytest.raises(DriverError) as caught:
        driver.open("http://127.0.0.1:9/")
    message = str(caught.value)
    assert message.startswith("could not open http://127.0.0.1:9/: net::ERR_"), message
    assert "\n" not in message
    driver.open(page_url)  # and the next page opens
    assert driver.find(Target(text="Save")) is not None


def test_an_unreachable_server_names_its_url_and_leaves_nothing_running() -> None:
    threads = set(threading.enumerate())
    url = f"http://127.0.0.1:{_free_port()}/mcp"
    driver = McpDriver(url, timeout_s=10)
    with pytest.raises(DriverError) as caught:
        driver.start(WIDTH, HEIGHT)
    message = str(caught.value)
    assert message.startswith(f"the capture server at {url} did not answer: connection refused")
    assert "npx @playwright/mcp@0.0.86" in message and "\n" not in message
    driver.close()
    assert set(threading.enumerate()) <= threads


def test_close_ends_the_session_and_twice_is_fine(mcp_server: McpServer, page_url: str) -> None:
    threads = set(threading.enumerate())
    driver = McpDriver(mcp_server.url, headers={"X-Vidkit": "test"})
    assert driver.name == f"mcp {mcp_server.url}"
    driver.start(320, 200)
    driver.open(page_url)
    assert Image.open(io.BytesIO(driver.screenshot())).size == (320, 200)
    driver.close()
    driver.close()
    assert set(threading.enumerate()) <= threads
    with pytest.raises(DriverError, match="not started"):
        driver.screenshot()
