"""A browser behind a Playwright MCP server: the remote :class:`BrowserDriver`.

:class:`McpDriver` is a client of `@playwright/mcp <https://github.com/microsoft/playwright-mcp>`_
(0.0.86, see :mod:`vidkit.capture.mcp_server`) over the Streamable HTTP transport. Every action
runs as Playwright code in the server (its ``browser_run_code_unsafe`` tool): the same
``page.mouse.click(x, y)``, ``page.keyboard.type``, ``page.evaluate(FIND_JS, target)`` and
``page.screenshot()`` the local driver calls, at the same viewport size and scale, so one
script gives the same frames on either. A dialog the page opens shows up in a tool's answer
("### Modal state"); the driver notes its message and dismisses it (``browser_handle_dialog``).

The ``mcp`` SDK is async: the driver runs one event loop in a daemon thread and waits for it.
Start the server with ``--timeout-settle 0``, or each call waits 500 ms for the page to settle.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import json
import math
import re
import threading
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from vidkit.capture.browser_script import FIND_JS, Target
from vidkit.capture.driver import Box, DriverError

__all__ = ["PLAYWRIGHT_MCP", "McpDriver"]

#: The server the driver is written against (its tool names and answer format).
PLAYWRIGHT_MCP = "@playwright/mcp@0.0.86"
_RUN_TOOLS = ("browser_run_code_unsafe", "browser_run_code")  # 0.0.86; older releases
_DIALOG = re.compile(r'- \["\w+" dialog with message "(.*?)"\]: can be handled by', re.S)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class McpDriver:
    """The page of a Playwright MCP server at ``url`` (``http://host:port/mcp``); ``headers``
    go with every request (e.g. ``Authorization`` for a server behind a proxy)."""

    def __init__(
        self, url: str, *, timeout_s: float = 60.0, headers: Mapping[str, str] | None = None
    ) -> None:
        self.url = url
        self.name = f"mcp {url}"
        self.timeout_s = timeout_s
        self._js_ms = int(min(30.0, timeout_s * 0.75) * 1000)  # page loads, screenshots
        self._headers = dict(headers or {})
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._session: concurrent.futures.Future[None] | None = None
        self._closing: asyncio.Event | None = None
        self._client: Any = None
        self._tool = _RUN_TOOLS[0]
        self._size = (0, 0)
        self._dialogs: list[str] = []

    # -- the protocol ----------------------------------------------------------------------

    def start(self, width: int, height: int) -> None:
        self._size = (width, height)
        self._loop = asyncio.new_event_loop()
        self._closing = asyncio.Event()  # bound to the loop where it is first awaited
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="vidkit-mcp", daemon=True
        )
        self._thread.start()
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._session = asyncio.run_coroutine_threadsafe(
            self._hold(ready, self._closing), self._loop
        )
        try:
            try:
                ready.result(self.timeout_s)
            except concurrent.futures.TimeoutError:
                raise DriverError(
                    f"the capture server at {self.url} did not answer within {self.timeout_s:g} s"
                ) from None
            except Exception as exc:  # any failure to connect: one sentence
                raise DriverError(self._unreachable(exc)) from None
            names = {
                tool.name for tool in self._wait(lambda client: client.list_tools(), "list").tools
            }
            tool = next((name for name in _RUN_TOOLS if name in names), None)
            if tool is None:
                raise DriverError(
                    f"the capture server at {self.url} has no tool to run "
                    f"Playwright code: run {PLAYWRIGHT_MCP}"
                )
            self._tool = tool
            inner = self._run(
                f"async (page) => {{ await page.setViewportSize({{width: {int(width)}, "
                f"height: {int(height)}}}); return await page.evaluate("
                "() => [innerWidth, innerHeight]); }",
                query=True,
            )
            if inner != [width, height]:
                got = "x".join(map(str, inner)) if isinstance(inner, list) else "another"
                raise DriverError(
                    f"the browser at {self.url} keeps a {got} page, not {width}x{height}"
                )
        except BaseException:
            self.close()
            raise

    def open(self, url: str) -> None:
        # A failed load ends on Chromium's error page, which commits just after goto fails:
        # wait for it, or it cuts the next goto short ("interrupted by another navigation").
        code = (
            "async (page) => { let seen; const error = new Promise((done) => { seen = (f) => { "
            "if (f === page.mainFrame() && f.url().startsWith('chrome-error:')) done(); }; }); "
            f"page.on('framenavigated', seen); try {{ await page.goto({json.dumps(url)}, "
            f"{{waitUntil: 'load', timeout: {self._js_ms}}}); return true; }} catch (e) {{ "
            "await Promise.race([error, new Promise((done) => setTimeout(done, 1000))]); "
            "await page.waitForLoadState('load', {timeout: 1000}).catch(() => {}); throw e; } "
            "finally { page.off('framenavigated', seen); } }"
        )
        try:
            self._run(code)
        except DriverError as exc:
            reason = str(exc).removesuffix(f" at {url}")
            raise DriverError(f"could not open {url}: {reason}") from None

    def find(self, target: Target) -> Box | None:
        arg = json.dumps(
            {
                "selector": target.selector,
                "text": target.text,
                "role": target.role,
                "name": target.name,
            }
        )
        try:
            found = self._run(f"async (page) => await page.evaluate({FIND_JS}, {arg})", query=True)
        except DriverError as exc:
            raise DriverError(f"could not look for {target.describe()}: {exc}") from None
        if not found:
            return None
        return Box(
            float(found["x"]), float(found["y"]), float(found["width"]), float(found["height"])
        )

    def click(self, x: float, y: float) -> None:
        if not (math.isfinite(x) and math.isfinite(y)):
            raise DriverError(f"cannot click at {x}, {y}")
        self._run(
            f"async (page) => {{ await page.mouse.click({float(x)!r}, {float(y)!r}); "
            "return true; }"
        )

    def type(self, text: str) -> None:
        self._run(
            f"async (page) => {{ await page.keyboard.type({json.dumps(text)}); return true; }}"
        )

    def press(self, key: str) -> None:
        self._run(
            f"async (page) => {{ await page.keyboard.press({json.dumps(key)}); return true; }}"
        )

    def scroll(self, dy: int) -> None:
        self._run(f"async (page) => {{ await page.mouse.wheel(0, {int(dy)}); return true; }}")

    def screenshot(self) -> bytes:
        try:
            data = self._run(
                "async (page) => (await page.screenshot({type: 'png', scale: 'css', "
                f"animations: 'allow', timeout: {self._js_ms}}})).toString('base64')",
                query=True,
            )
            png = base64.b64decode(str(data), validate=True)
        except (DriverError, ValueError) as exc:
            raise DriverError(f"could not take a screenshot: {exc}") from None
        size = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        if not png.startswith(b"\x89PNG") or size != self._size:
            raise DriverError(
                f"the screenshot is {size[0]}x{size[1]}, not {self._size[0]}x{self._size[1]}"
            )
        return png

    def dialog(self) -> str | None:
        if not self._dialogs and self._client is not None:
            self._run("async () => null", query=True)  # notes (and dismisses) a pending dialog
        return self._dialogs.pop(0) if self._dialogs else None

    def close(self) -> None:
        loop, thread, session, closing = self._loop, self._thread, self._session, self._closing
        self._loop = self._thread = self._session = self._closing = self._client = None
        if loop is None:
            return
        if closing is not None:
            loop.call_soon_threadsafe(closing.set)
        # Closing: how the session ended is not news.
        if session is not None:
            with contextlib.suppress(BaseException):
                session.result(10)  # ends the MCP session: the server closes its page
        with contextlib.suppress(BaseException):
            asyncio.run_coroutine_threadsafe(_cancel_all(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(10)
        if not loop.is_running():
            loop.close()

    # -- the session -----------------------------------------------------------------------

    async def _hold(self, ready: concurrent.futures.Future[None], closing: asyncio.Event) -> None:
        """Open the session, report it ready, keep it until close(): an MCP client is left
        in the task that entered it."""
        import httpx2
        from mcp import Client
        from mcp.client.streamable_http import streamable_http_client

        timeout = httpx2.Timeout(self.timeout_s, read=max(300.0, self.timeout_s))
        try:
            async with httpx2.AsyncClient(headers=self._headers, timeout=timeout) as http:
                transport = streamable_http_client(
                    self.url, http_client=http, max_sse_event_size=None
                )
                async with Client(transport, mode="legacy") as client:
                    self._client = client
                    ready.set_result(None)
                    await closing.wait()
        except BaseException as exc:
            if ready.done():
                raise
            ready.set_exception(exc)

    def _wait(self, call: Callable[[Any], Coroutine[Any, Any, Any]], what: str) -> Any:
        """``call(client)``, run on the driver's loop, waited for up to ``timeout_s``."""
        if self._loop is None or self._client is None:
            raise DriverError("the browser is not started (call start first)")
        future = asyncio.run_coroutine_threadsafe(call(self._client), self._loop)
        try:
            return future.result(self.timeout_s)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise DriverError(
                f"the capture server at {self.url} did not answer within {self.timeout_s:g} s "
                f"({what})"
            ) from None
        except Exception as exc:  # the session broke: one sentence
            raise DriverError(
                f"the capture server at {self.url} stopped answering: {_leaf(exc)}"
            ) from None

    def _call(self, tool: str, arguments: dict[str, Any]) -> dict[str, str]:
        """Call ``tool``; its answer's sections ("Result", "Error", "Modal state", ...)."""
        result = self._wait(lambda client: client.call_tool(tool, arguments), tool)
        text = "\n".join(part.text for part in result.content if part.type == "text")
        sections = {}
        for part in re.split(r"^### ", text, flags=re.M)[1:]:
            title, _, body = part.partition("\n")
            sections[title.strip()] = body.strip()
        if result.is_error and "Error" not in sections:
            sections["Error"] = text or f"{tool} failed"
        return sections

    def _run(self, code: str, *, query: bool = False) -> Any:
        """Run Playwright ``code`` (``async (page) => ...``) and return its JSON result. A
        dialog it opens (or one open already) is noted and dismissed; a query a dialog cut
        short runs again (an action is not repeated: it happened, and opened the dialog)."""
        for _ in range(5):
            sections = self._call(self._tool, {"code": code})
            blocked = self._dismiss(sections)
            error = sections.get("Error")
            if error is not None:
                if blocked and "does not handle the modal state" in error:
                    continue
                raise DriverError(_first_line(error))
            if "Result" in sections:
                return json.loads(sections["Result"].split("\n")[0])
            if not (blocked and query):
                return None
        raise DriverError("the page keeps opening dialogs")

    def _dismiss(self, sections: dict[str, str]) -> bool:
        """Note and dismiss the dialogs (cancel the file choosers) ``sections`` report."""
        blocked = False
        for _ in range(20):
            modal = sections.get("Modal state", "")
            messages = _DIALOG.findall(modal)
            if messages:
                self._dialogs.append(messages[0])
                sections = self._call("browser_handle_dialog", {"accept": False})
            elif "[File chooser]" in modal:
                sections = self._call("browser_file_upload", {})
            else:
                return blocked
            blocked = True
        raise DriverError("the page keeps opening dialogs")

    def _unreachable(self, exc: BaseException) -> str:
        reason = _leaf(exc)
        if not any(isinstance(item, OSError) for item in _chain(exc)):
            return f"the capture server at {self.url} did not answer as an MCP server: {reason}"
        return (
            f"the capture server at {self.url} did not answer: {reason}; start it with "
            f"`npx {PLAYWRIGHT_MCP} --port PORT --timeout-settle 0` (docs/capture.md)"
        )


async def _cancel_all() -> None:
    """Cancel what is left on the driver's loop (a session that did not end) and wait."""
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _first_line(text: str) -> str:
    """An error's first line, without "Error: " and the API name ("page.goto: ")."""
    lines = [line.strip() for line in _ANSI.sub("", text).splitlines() if line.strip()]
    line = lines[0].removeprefix("Error: ") if lines else "no reason given"
    return re.sub(r"^[a-zA-Z]+\.[a-zA-Z]+: ", "", line)[:300]


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what is inside it (exception groups) and behind it (causes)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        item = todo.pop(0)
        if item not in seen:
            seen.append(item)
            if isinstance(item, BaseExceptionGroup):
                todo.extend(item.exceptions)
            todo.extend(e for e in (item.__cause__, item.__context__) if e is not None)
    return seen


def _leaf(exc: BaseException) -> str:
    """The root of ``exc`` in plain words."""
    chain = _chain(exc)
    if any(isinstance(item, ConnectionRefusedError) for item in chain):
        return "connection refused"
    for item in reversed(chain):
        if isinstance(item, OSError) and item.strerror:
            return item.strerror
    for item in chain:
        message = getattr(getattr(item, "error", None), "message", None) or str(item)
        if not isinstance(item, BaseExceptionGroup | asyncio.CancelledError) and message:
            return _first_line(str(message))
    return type(exc).__name__
