"""``[services.capture]``: the options a capture runs with, and asking an MCP server what it is.

:func:`capture_options` is the one place that turns the config into
:class:`~vidkit.capture.run.CaptureOptions` for a *surface*: ``"local"`` (Python, the CLI, the
studio on loopback: terminal commands and local pages always allowed) or ``"http"`` (a capture
started over the HTTP API: only what ``allow_terminal`` and ``allow_local`` allow).

>>> from vidkit.config import Config
>>> options = capture_options(Config(), "http")
>>> options.allow_commands, options.allow_local, options.timeout_s
(False, False, 20.0)
>>> capture_options(Config(), "local").allow_commands
True

:func:`probe_mcp` asks a Playwright MCP server, over plain HTTP, who it is and whether it has
the tool the capture needs (``vidkit doctor`` shows the answer).
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from vidkit.capture.run import CaptureOptions
from vidkit.config import Config, secret
from vidkit.errors import BackendError

__all__ = ["RUN_TOOLS", "McpProbe", "Surface", "capture_options", "probe_mcp"]

#: Where a capture was started: trusted (this machine's user) or over the HTTP API.
Surface = Literal["local", "http"]

#: The Playwright MCP tools the capture runs its steps with (one of them must be offered).
RUN_TOOLS = ("browser_run_code_unsafe", "browser_run_code")

_PROTOCOL = "2025-03-26"


def capture_options(
    config: Config,
    surface: Surface = "local",
    *,
    stills_dir: Path | None = None,
    secrets: bool = True,
) -> CaptureOptions:
    """The capture options ``config`` gives ``surface``; ``stills_dir`` is where a still of the
    page goes when a step fails. A server key named by ``api_key_env`` is read from the
    environment here (a :class:`~vidkit.errors.ConfigError` says which variable to set), unless
    ``secrets`` is false (options only to check what ``surface`` may run)."""
    section = config.services.capture
    headers: dict[str, str] = {}
    if section.url and section.api_key_env and secrets:
        key = secret(section.api_key_env, purpose="capture server's key ([services.capture])")
        headers["Authorization"] = f"Bearer {key}"
    trusted = surface == "local"
    return CaptureOptions(
        mcp_url=section.url,
        chromium=section.chromium,
        allow_local=trusted or section.allow_local,
        allow_commands=trusted or section.allow_terminal,
        timeout_s=section.command_timeout_s,
        output_cap_bytes=section.output_cap_bytes,
        stills_dir=stills_dir,
        mcp_headers=headers,
        mcp_timeout_s=section.timeout_s,
    )


@dataclass(frozen=True, slots=True)
class McpProbe:
    """What an MCP server said: its name and version, and the tools it offers."""

    server: str
    version: str
    tools: tuple[str, ...]

    @property
    def can_capture(self) -> bool:
        return any(name in self.tools for name in RUN_TOOLS)


def probe_mcp(
    url: str, *, headers: dict[str, str] | None = None, timeout_s: float = 5.0
) -> McpProbe:
    """Open an MCP session at ``url`` (Streamable HTTP), list its tools and close it: the
    JSON-RPC ``initialize``, ``notifications/initialized``, ``tools/list`` and a ``DELETE`` of
    the session. Raises :class:`~vidkit.errors.BackendError` in one line when the server is
    unreachable or does not answer as an MCP server."""
    session = _Session(url, dict(headers or {}), timeout_s)
    hello = session.call(
        "initialize",
        {
            "protocolVersion": _PROTOCOL,
            "capabilities": {},
            "clientInfo": {"name": "vidkit-doctor", "version": "1"},
        },
    )
    info = hello.get("serverInfo") if isinstance(hello, dict) else None
    if not isinstance(info, dict):
        raise BackendError(f"{_shown(url)} answered initialize without serverInfo: no MCP server")
    try:
        session.notify("notifications/initialized")
        listed = session.call("tools/list", {})
    finally:
        session.close()
    tools = listed.get("tools") if isinstance(listed, dict) else None
    names = tuple(str(t.get("name")) for t in tools or () if isinstance(t, dict))
    return McpProbe(str(info.get("name", "?")), str(info.get("version", "?")), names)


def _shown(url: str) -> str:
    """``url`` without a user, password or query (they may hold secrets)."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1], query="", fragment="").geturl()


class _Session:
    """JSON-RPC over MCP's Streamable HTTP: each message is a POST; an answer comes as JSON or
    as server-sent events; the session id the server gives goes with every later request."""

    def __init__(self, url: str, headers: dict[str, str], timeout_s: float) -> None:
        self.url, self.headers, self.timeout_s = url, headers, timeout_s
        self.session_id = ""
        self.next_id = 1
        host = urlsplit(url).hostname or ""
        loopback = host in ("localhost", "::1") or host.startswith("127.")
        handlers = [urllib.request.ProxyHandler({})] if loopback else []
        self.opener = urllib.request.build_opener(*handlers)

    def _send(self, method: str, body: dict[str, Any] | None) -> tuple[int, str, str]:
        headers = {
            "Accept": "application/json, text/event-stream",
            "Content-Type": "application/json",
            "User-Agent": "vidkit-doctor",
            **self.headers,
        }
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
            headers["Mcp-Protocol-Version"] = _PROTOCOL
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url, data=data, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=self.timeout_s) as response:
                self.session_id = response.headers.get("Mcp-Session-Id") or self.session_id
                kind = response.headers.get("Content-Type", "")
                return response.status, kind, response.read(4_000_000).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            exc.close()
            raise BackendError(
                f"{_shown(self.url)} answered {method} with HTTP {exc.code}: no MCP server there"
                + (" (or the key in [services.capture] api_key_env is refused)"
                   if exc.code in (401, 403) else "")
            ) from None  # fmt: skip
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise BackendError(f"{_shown(self.url)} is unreachable: {reason}") from None

    def call(self, method: str, params: dict[str, Any]) -> Any:
        ident = self.next_id
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": ident, "method": method, "params": params}
        _status, kind, text = self._send("POST", message)
        for answer in _messages(kind, text):
            if answer.get("id") != ident:
                continue
            if "error" in answer:
                error = answer["error"]
                reason = error.get("message", error) if isinstance(error, dict) else error
                raise BackendError(f"{_shown(self.url)} refused {method}: {reason}")
            return answer.get("result")
        raise BackendError(f"{_shown(self.url)} gave no JSON-RPC answer to {method}")

    def notify(self, method: str) -> None:
        self._send("POST", {"jsonrpc": "2.0", "method": method})

    def close(self) -> None:
        if not self.session_id:
            return
        with contextlib.suppress(BackendError):  # a server that keeps sessions until they end
            self._send("DELETE", None)


def _messages(kind: str, text: str) -> list[dict[str, Any]]:
    """The JSON-RPC messages in a body: one JSON document, or the ``data:`` of each event."""
    chunks = [text]
    if "text/event-stream" in kind:
        chunks, event = [], []
        for line in [*text.splitlines(), ""]:
            if line.startswith("data:"):
                event.append(line[5:].strip())
            elif not line.strip() and event:
                chunks.append("\n".join(event))
                event = []
    found = []
    for chunk in chunks:
        try:
            value = json.loads(chunk)
        except ValueError:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                found.append(item)
    return found
