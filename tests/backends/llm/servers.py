"""A real local chat server on 127.0.0.1 that speaks the OpenAI chat-completions wire format
(``POST /v1/chat/completions``, streamed as server-sent events) and Ollama's (``POST /api/chat``,
streamed as JSON lines), and misbehaves on cue.

``accepts`` makes it a dialect: the structured-output modes it takes (``json_schema``,
``json_object``, ``grammar``); a request in another mode gets ``refusal`` (by default
llama-cpp-python's HTTP 500 validation error naming ``response_format``).

Each test queues what the next requests get with :meth:`ChatServer.push`: an answer's text, an
HTTP status with headers and a body, or a delay before answering. With nothing queued it answers
with ``default(request)``. Every request is recorded with the time it arrived.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Answer:
    """A 200 answer streamed in small pieces; ``finish`` is the final reason."""

    text: str
    finish: str = "stop"
    delay_s: float = 0.0


@dataclass(frozen=True)
class Status:
    """An HTTP error: ``status`` with ``headers`` and a JSON ``body``."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Broken:
    """Starts a streamed answer, then an error in the stream (Ollama) or drops it (OpenAI)."""

    text: str


@dataclass(frozen=True)
class Whole:
    """A 200 answer as one ``chat.completion`` JSON body, even when a stream was asked for."""

    text: str
    finish: str = "stop"


@dataclass(frozen=True)
class Raw:
    """Any bytes with any status and content type (a proxy's error page, a broken stream)."""

    body: bytes
    status: int = 200
    content_type: str = "text/html"


Behaviour = Answer | Status | Broken | Whole | Raw

#: What llama-cpp-python 0.3.36's server answers to ``response_format: {type: json_schema}``.
LLAMA_CPP_PYTHON_REFUSAL = Status(
    500,
    {"error": {"message": "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', "
               "'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\", "
               "'input': 'json_schema'}", "type": "internal_server_error"}},
)  # fmt: skip


def mode_of(body: dict[str, Any]) -> str:
    """The structured-output mode a chat-completions request asks for."""
    if "grammar" in body:
        return "grammar"
    kind = (body.get("response_format") or {}).get("type")
    return str(kind or "none")


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float


def pieces(text: str, size: int = 6) -> Iterator[str]:
    for start in range(0, len(text), size):
        yield text[start : start + size]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (a timeout test) is expected; anything else is reported."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class ChatServer:
    """Both wire formats on one port. ``key``: the bearer key OpenAI routes require (None: any)."""

    def __init__(
        self,
        default: Callable[[Request], str] | None = None,
        *,
        key: str | None = None,
        echo_auth: bool = False,
        accepts: frozenset[str] | None = None,
        refusal: Status = LLAMA_CPP_PYTHON_REFUSAL,
        models: tuple[str, ...] | None = None,
    ) -> None:
        self.default = default or (lambda _req: '{"ok": true}')
        self.key = key
        self.echo_auth = echo_auth  # a careless server that repeats the Authorization header
        self.accepts = accepts
        self.models = models  # listed by GET /v1/models and /api/tags (None: 404)
        self.refusal = refusal
        self.requests: list[Request] = []
        self._queue: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def openai_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def ollama_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def push(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self._queue.extend(behaviours)

    def _next(self, request: Request) -> Behaviour:
        with self._lock:
            self.requests.append(request)
            if self._queue:
                return self._queue.popleft()
        return Answer(self.default(request))

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                if server.models is None:
                    return self._json(404, {"error": f"no route {self.path}"})
                if self.path.endswith("/models"):
                    listed = [{"id": m, "object": "model"} for m in server.models]
                    return self._json(200, {"object": "list", "data": listed})
                if self.path == "/api/tags":
                    return self._json(200, {"models": [{"name": m} for m in server.models]})
                return self._json(404, {"error": f"no route {self.path}"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                request = Request(self.path, dict(self.headers), body, time.monotonic())
                if self.path.endswith("/chat/completions"):
                    return self._openai(request)
                if self.path == "/api/chat":
                    return self._ollama(request)
                return self._json(404, {"error": f"no route {self.path}"})

            def _openai(self, request: Request) -> None:
                auth = self.headers.get("Authorization", "")
                if server.key is not None and auth != f"Bearer {server.key}":
                    server.requests.append(request)
                    given = auth.removeprefix("Bearer ")
                    return self._json(
                        401,
                        {"error": {"message": f"Incorrect API key provided: {given}",
                                   "type": "invalid_request_error", "code": "invalid_api_key"}},
                    )  # fmt: skip
                if server.accepts is not None and mode_of(request.body) not in server.accepts:
                    with server._lock:
                        server.requests.append(request)
                    refusal = server.refusal
                    return self._json(refusal.status, refusal.body, refusal.headers)
                behaviour = server._next(request)
                if isinstance(behaviour, Raw):
                    return self._raw(behaviour)
                if isinstance(behaviour, Whole):
                    return self._json(
                        200, _completion(model_of(request), behaviour.text, behaviour.finish)
                    )
                if isinstance(behaviour, Status):
                    body = dict(behaviour.body)
                    if server.echo_auth:
                        body = {"error": {"message": f"upstream failed for {auth}"}}
                    return self._json(behaviour.status, body, behaviour.headers)
                time.sleep(getattr(behaviour, "delay_s", 0.0))
                model = request.body.get("model", "m")
                if not request.body.get("stream"):
                    return self._json(200, _completion(model, behaviour.text))
                self._start_stream("text/event-stream")
                try:
                    for piece in pieces(behaviour.text):
                        self._chunk(_sse(_chunk(model, {"content": piece}, None)))
                    if isinstance(behaviour, Broken):
                        self.close_connection = True
                        self.wfile.write(b"5\r\ndata:")  # a chunk that never ends
                        self.wfile.flush()
                        return None
                    self._chunk(_sse(_chunk(model, {}, behaviour.finish)))
                    self._chunk(b"data: [DONE]\n\n")
                    self._chunk(b"")
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _ollama(self, request: Request) -> None:
                behaviour = server._next(request)
                if isinstance(behaviour, Raw):
                    return self._raw(behaviour)
                if isinstance(behaviour, Whole):
                    behaviour = Answer(behaviour.text, behaviour.finish)
                if isinstance(behaviour, Status):
                    return self._json(behaviour.status, behaviour.body, behaviour.headers)
                time.sleep(getattr(behaviour, "delay_s", 0.0))
                model = request.body.get("model", "m")
                self._start_stream("application/x-ndjson")
                try:
                    for piece in pieces(behaviour.text):
                        self._chunk(_line(model, piece, done=False))
                    if isinstance(behaviour, Broken):
                        self._chunk(json.dumps({"error": "the runner crashed"}).encode() + b"\n")
                    else:
                        self._chunk(_line(model, "", done=True, reason=behaviour.finish))
                    self._chunk(b"")
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _raw(self, behaviour: Raw) -> None:
                try:
                    self.send_response(behaviour.status)
                    self.send_header("Content-Type", behaviour.content_type)
                    self.send_header("Content-Length", str(len(behaviour.body)))
                    self.end_headers()
                    self.wfile.write(behaviour.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _start_stream(self, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def _json(
                self, status: int, data: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                payload = json.dumps(data).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


def model_of(request: Request) -> str:
    return str(request.body.get("model", "m"))


def _chunk(model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _completion(model: str, text: str, finish: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text},
             "finish_reason": finish}
        ],
    }  # fmt: skip


def _sse(data: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(data).encode() + b"\n\n"


def _line(model: str, content: str, *, done: bool, reason: str = "stop") -> bytes:
    data: dict[str, Any] = {
        "model": model,
        "created_at": "2026-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": content},
        "done": done,
    }
    if done:
        data |= {"done_reason": reason, "eval_count": 1, "total_duration": 1}
    return json.dumps(data).encode() + b"\n"
