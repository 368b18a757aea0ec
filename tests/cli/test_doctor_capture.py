"""``vidkit doctor`` on ``[services.capture]``: local Chromium found or not, and a Playwright MCP
server asked for a session and its tools (the real ``@playwright/mcp`` through npx)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.cli.conftest import run_cli
from tests.cli.test_doctor import by_name, closed_url, config_with
from vidkit.capture.local import find_chromium
from vidkit.doctor import check_capture, run_checks

CHROMIUM = find_chromium()


class _NotMcp(BaseHTTPRequestHandler):
    """A web server that is up but speaks no MCP: every POST is a 404 page."""

    def do_POST(self) -> None:
        self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def not_mcp() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _NotMcp)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/mcp"
    server.shutdown()
    server.server_close()


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine to find")
def test_local_chromium_is_found_or_the_configured_one_is_checked(tmp_path: Path) -> None:
    found = by_name(run_checks(config_with(tmp_path / "a", "")))["capture chromium"]
    assert found.ok and found.detail == f"{CHROMIUM} (found)"

    chosen = check_capture(
        config_with(tmp_path / "b", f'[services.capture]\nchromium = "{CHROMIUM}"\n')
    )
    assert chosen.ok and "[services.capture] chromium" in chosen.detail

    missing = tmp_path / "no-such-chromium"
    wrong = check_capture(
        config_with(tmp_path / "c", f'[services.capture]\nchromium = "{missing}"\n')
    )
    assert not wrong.ok
    assert wrong.detail == f"{missing} is not an executable file"
    assert "[services.capture] chromium" in wrong.fix


def test_an_unreachable_or_foreign_server_says_how_to_fix_it(tmp_path: Path, not_mcp: str) -> None:
    down = closed_url() + "/mcp"
    check = check_capture(config_with(tmp_path / "a", f'[services.capture]\nurl = "{down}"\n'))
    assert (check.name, check.ok) == ("capture mcp server", False)
    assert check.detail.startswith(f"{down} is unreachable")
    assert "[services.capture] url" in check.fix and "docs/capture.md" in check.fix

    other = check_capture(config_with(tmp_path / "b", f'[services.capture]\nurl = "{not_mcp}"\n'))
    assert not other.ok
    assert other.detail == f"{not_mcp} answered POST with HTTP 404: no MCP server there"


@pytest.mark.slow
def test_a_real_playwright_mcp_server_is_asked_for_its_tools(tmp_path: Path) -> None:
    if shutil.which("npx") is None or shutil.which("node") is None:
        pytest.skip("Node.js (node and npx) is not on PATH: the Playwright MCP server needs it")
    if CHROMIUM is None:
        pytest.skip("no Chromium for the MCP server")
    from vidkit.capture.mcp_server import start_playwright_mcp

    with start_playwright_mcp(chromium=CHROMIUM) as server:
        config = config_with(tmp_path, f'[services.capture]\nurl = "{server.url}"\n')
        checks = by_name(run_checks(config))
        printed = run_cli("-c", config.source or "", "doctor")
    check = checks["capture mcp server"]
    assert check.ok, check
    assert check.detail.startswith("Playwright ") and " tools" in check.detail
    assert checks["service capture"].ok  # the plain reachability check of every service
    assert "capture chromium" not in checks  # a server drives the browser, not this machine
    assert "ok capture mcp server Playwright" in " ".join(printed.stdout.split())
