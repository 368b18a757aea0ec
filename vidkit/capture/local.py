"""Headless Chromium in this process, through Playwright: the local :class:`BrowserDriver`.

Chromium is Debian's (``/usr/bin/chromium``), else one on PATH, else Playwright's own build
(``playwright install chromium``); ``executable`` names another. With ``allow_local=False``
every request to a ``file:`` URL or a loopback or private address is refused before it leaves
the browser (what the HTTP API uses unless its config allows them).
"""

from __future__ import annotations

import ipaddress
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from vidkit.capture.browser_script import FIND_JS, Target
from vidkit.capture.driver import Box, DriverError

__all__ = ["CHROMIUM_ARGS", "PlaywrightDriver", "find_chromium", "is_local_url", "net_reason"]

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--font-render-hinting=none",
)
T = TypeVar("T")
_DEBIAN = Path("/usr/bin/chromium")
_NO_CHROMIUM = (
    "no Chromium found (looked for /usr/bin/chromium, chromium and chromium-browser on PATH, "
    "and Playwright's own build): install Chromium (Debian: apt-get install chromium; "
    "elsewhere: playwright install chromium), or set [services.capture] chromium"
)


def find_chromium(playwright_default: str | None = None) -> str | None:
    """Debian's Chromium, else one on PATH, else Playwright's own build when it is installed."""
    if _DEBIAN.is_file() and os.access(_DEBIAN, os.X_OK):
        return str(_DEBIAN)
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if playwright_default and Path(playwright_default).is_file():
        return playwright_default
    return None


def is_local_url(url: str) -> bool:
    """True for ``file:`` URLs and URLs whose host is this machine or a private network."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return parts.scheme not in ("data", "about", "blob")
    host = (parts.hostname or "").lower()
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or (address.is_unspecified)
    )


_NET = {
    "ERR_CONNECTION_REFUSED": "connection refused: is the server running?",
    "ERR_NAME_NOT_RESOLVED": "no such host name",
    "ERR_ADDRESS_UNREACHABLE": "the address cannot be reached",
    "ERR_CONNECTION_TIMED_OUT": "the connection timed out",
    "ERR_INTERNET_DISCONNECTED": "no network",
    "ERR_UNSAFE_PORT": "browsers refuse this port",
    "ERR_CERT_AUTHORITY_INVALID": "its certificate is not trusted",
    "ERR_BLOCKED_BY_CLIENT": "blocked",
}


def net_reason(text: str) -> str:
    """Chromium's ``net::ERR_…`` code in words, the code kept for searching."""
    for code, words in _NET.items():
        if code in text:
            return f"{words} (net::{code})"
    return text


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    for prefix in ("Page.goto: ", "Error: ", "Page.evaluate: "):
        first = first.removeprefix(prefix)
    return first[:300]


class PlaywrightDriver:
    """Headless Chromium driven through Playwright's sync API, on a thread of its own: the
    sync API refuses a thread with a running asyncio loop (a Jupyter kernel's, or another
    Playwright's), so every call is handed to the driver's thread."""

    name = "playwright"

    def __init__(self, *, executable: str = "", allow_local: bool = True) -> None:
        self.executable = executable
        self.allow_local = allow_local
        self._pw: Any = None
        self._browser: Any = None
        self._page: Any = None
        self._dialogs: list[str] = []
        self._thread: ThreadPoolExecutor | None = None
        self.refused: list[str] = []

    def _run(self, action: Callable[[], T]) -> T:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="vidkit-playwright")
        return self._thread.submit(action).result()

    def start(self, width: int, height: int) -> None:
        self._run(lambda: self._start(width, height))

    def _start(self, width: int, height: int) -> None:
        from playwright.sync_api import Error, sync_playwright

        self._pw = sync_playwright().start()
        try:
            chromium = self.executable or find_chromium(self._default())
            if not chromium:
                raise DriverError(_NO_CHROMIUM)
            try:
                self._browser = self._pw.chromium.launch(
                    executable_path=chromium, args=list(CHROMIUM_ARGS)
                )
            except Error as exc:
                raise DriverError(f"Chromium ({chromium}) did not start: {_reason(exc)}") from None
            context = self._browser.new_context(
                viewport={"width": width, "height": height}, device_scale_factor=1
            )
            if not self.allow_local:
                context.route("**/*", self._guard)
            self._page = context.new_page()
            self._page.on("dialog", self._on_dialog)
        except BaseException:
            self._close()
            raise

    def _default(self) -> str | None:
        try:
            return str(self._pw.chromium.executable_path)
        except Exception:  # no bundled build
            return None

    def _guard(self, route: Any) -> None:
        url = route.request.url
        if is_local_url(url):
            self.refused.append(url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def _on_dialog(self, dialog: Any) -> None:
        self._dialogs.append(str(dialog.message))
        dialog.dismiss()

    def open(self, url: str) -> None:
        if not self.allow_local and is_local_url(url):
            raise DriverError(
                f"{url} is on this machine or its network, which captures started over HTTP "
                "may not open (set [services.capture] allow_local = true to allow it)"
            )
        self._run(lambda: self._open(url))

    def _open(self, url: str) -> None:
        from playwright.sync_api import Error

        try:
            self._page.goto(url, wait_until="load", timeout=30_000)
        except Error as exc:
            reason = net_reason(_reason(exc).split(" at ")[0])
            if self.refused:
                reason = f"{self.refused[-1]} is on this machine or its network ({reason})"
            raise DriverError(f"could not open {url}: {reason}") from None

    def find(self, target: Target) -> Box | None:
        return self._run(lambda: self._find(target))

    def _find(self, target: Target) -> Box | None:
        from playwright.sync_api import Error

        try:
            found = self._page.evaluate(FIND_JS, _target_dict(target))
        except Error as exc:
            raise DriverError(f"could not look for {target.describe()}: {_reason(exc)}") from None
        if not found:
            return None
        return Box(float(found["x"]), float(found["y"]), float(found["width"]),
                   float(found["height"]))  # fmt: skip

    def click(self, x: float, y: float) -> None:
        self._act(lambda: self._page.mouse.click(x, y))

    def type(self, text: str) -> None:
        self._act(lambda: self._page.keyboard.type(text))

    def press(self, key: str) -> None:
        self._act(lambda: self._page.keyboard.press(key))

    def scroll(self, dy: int) -> None:
        self._act(lambda: self._page.mouse.wheel(0, dy))

    def screenshot(self) -> bytes:
        return self._run(self._screenshot)

    def _screenshot(self) -> bytes:
        from playwright.sync_api import Error

        try:
            return bytes(self._page.screenshot(type="png", animations="allow", timeout=30_000))
        except Error as exc:
            raise DriverError(f"could not take a screenshot: {_reason(exc)}") from None

    def dialog(self) -> str | None:
        return self._dialogs.pop(0) if self._dialogs else None

    def _act(self, action: Callable[[], object]) -> None:
        def act() -> None:
            from playwright.sync_api import Error

            try:
                action()
            except Error as exc:
                raise DriverError(_reason(exc)) from None

        self._run(act)

    def close(self) -> None:
        thread = self._thread
        if thread is None:
            return
        try:
            thread.submit(self._close).result()
        finally:
            thread.shutdown(wait=True)
            self._thread = None

    def _close(self) -> None:
        browser, pw = self._browser, self._pw
        self._browser = self._pw = self._page = None
        if browser is not None:
            with suppress(Exception):  # already gone
                browser.close()
        if pw is not None:
            pw.stop()


def _target_dict(target: Target) -> dict[str, str]:
    return {"selector": target.selector, "text": target.text, "role": target.role,
            "name": target.name}  # fmt: skip
