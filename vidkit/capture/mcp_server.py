"""Run a Playwright MCP server on this machine, for :class:`~vidkit.capture.mcp.McpDriver`.

>>> with start_playwright_mcp() as server:  # doctest: +SKIP
...     driver = McpDriver(server.url)

It is ``npx -y @playwright/mcp@0.0.86`` on 127.0.0.1 (a free port unless ``port`` is given),
headless unless told otherwise, with Debian's Chromium (or ``chromium``), an in-memory profile
(``--isolated``), no settle wait after actions (``--timeout-settle 0``: vidkit waits itself) and
its files (console logs) in a temporary folder. The first run downloads the package (npx
caches it), so the server gets up to two minutes to answer. ``stop()`` ends the server and its
browsers (the whole process group).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from vidkit.capture._errors import CaptureError
from vidkit.capture.mcp import PLAYWRIGHT_MCP

__all__ = ["McpServer", "start_playwright_mcp"]

_START_S = 120.0


class McpServer:
    """A running Playwright MCP server: ``url`` is its endpoint (``http://127.0.0.1:N/mcp``)."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, folder: Path) -> None:
        self.process = process
        self.url = url
        self.folder = folder

    def log(self) -> str:
        """The end of what the server printed."""
        try:
            return (self.folder / "server.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        """End the server and the browsers it started; again is fine."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
            except ProcessLookupError:
                pass
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # browsers may outlive npx a moment
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> McpServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_playwright_mcp(
    port: int | None = None, *, chromium: str | None = None, headless: bool = True
) -> McpServer:
    """Start ``npx -y @playwright/mcp@0.0.86`` and wait until it answers (see the module)."""
    npx = shutil.which("npx")
    if npx is None:
        raise CaptureError(
            "npx is not on PATH: install Node.js 20 or newer (Debian: apt-get install nodejs "
            f"npm) to run the capture server {PLAYWRIGHT_MCP}"
        )
    if chromium is None:
        from vidkit.capture.local import find_chromium

        chromium = find_chromium()
    port = port or _free_port()
    folder = Path(tempfile.mkdtemp(prefix="vidkit-mcp-"))
    args = [npx, "-y", PLAYWRIGHT_MCP, "--port", str(port), "--host", "127.0.0.1",
            "--browser", "chromium", "--isolated", "--no-sandbox", "--timeout-settle", "0",
            "--codegen", "none", "--output-dir", str(folder / "out")]  # fmt: skip
    if chromium:
        args += ["--executable-path", chromium]
    if headless:
        args.append("--headless")
    with open(folder / "server.log", "wb") as log:
        process = subprocess.Popen(
            args, cwd=folder, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    server = McpServer(process, f"http://127.0.0.1:{port}/mcp", folder)
    deadline = time.monotonic() + _START_S
    try:
        while not _answers(server.url):
            if process.poll() is not None:
                raise CaptureError(
                    f"the capture server ({PLAYWRIGHT_MCP}) ended with status "
                    f"{process.returncode}: {server.log().strip()[-500:] or 'no output'}"
                )
            if time.monotonic() > deadline:
                raise CaptureError(
                    f"the capture server ({PLAYWRIGHT_MCP}) did not answer on port {port} "
                    f"within {_START_S:g} s"
                )
            time.sleep(0.2)
    except BaseException:
        server.stop()
        raise
    return server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    """Whether an HTTP server answers at ``url`` (any status: a GET without a session is 400)."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with direct.open(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
