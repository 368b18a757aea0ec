"""A loopback stand-in for the talking-head services (Duix's /easy/submit + /easy/query and
HeyGen-style /v2/video/generate) and for a rembg server's failures, misbehaving on cue.

``mode`` picks the behaviour: ``ok``, ``fail`` (the job fails), ``never`` (the job never
finishes), ``http500``, ``http400``, ``malformed`` (a body that is not JSON), ``not_video``
(the download is HTML). Every request is recorded.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    files_present: dict[str, bool] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class StandIn:
    video: Path
    shared_dir: Path | None = None
    mode: str = "ok"
    polls_before_done: int = 1
    seen: list[Seen] = field(default_factory=list)
    url: str = ""
    _polls: dict[str, int] = field(default_factory=dict)

    def paths(self, method: str = "") -> list[str]:
        return [s.path for s in self.seen if not method or s.method == method]


def _handler(state: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, value: Any, status: int = 200) -> None:
            self._send(status, json.dumps(value).encode())

        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen(method, parts.path, parse_qs(parts.query), dict(self.headers), body)
            state.seen.append(seen)
            mode = state.mode
            if parts.path == "/files/video.mp4":
                if mode == "not_video":
                    self._send(200, b"<html>login</html>", "text/html")
                else:
                    self._send(200, state.video.read_bytes(), "video/mp4")
                return
            if mode == "http500":
                self._json({"detail": "CUDA out of memory"}, 500)
                return
            if mode == "http400":
                self._json({"message": "audio too long"}, 400)
                return
            if mode == "malformed":
                self._send(200, b"{not json", "application/json")
                return
            route = getattr(
                self, "_r_" + parts.path.strip("/").replace("/", "_").replace(".", "_"), None
            )
            if route is None:
                self._json({"detail": "Not Found"}, 404)
                return
            route(seen)

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        # Duix ---------------------------------------------------------------------------
        def _r_easy_submit(self, seen: Seen) -> None:
            job = seen.json()
            seen.files_present = {
                key: Path(job[key]).is_file() for key in ("audio_url", "video_url")
            }
            self._json({"code": 10000, "success": True, "msg": "ok", "data": None})

        def _r_easy_query(self, seen: Seen) -> None:
            code = seen.query.get("code", [""])[0]
            polls = state._polls[code] = state._polls.get(code, 0) + 1
            if code == "vidkit-doctor-probe":
                self._json({"code": 10004, "success": False, "msg": "task not found"})
                return
            if state.mode == "never" or polls <= state.polls_before_done:
                self._json({"code": 10000, "data": {"status": 1, "progress": 50, "msg": ""}})
                return
            if state.mode == "fail":
                self._json({"code": 10000, "data": {"status": 3, "msg": "no face detected"}})
                return
            assert state.shared_dir is not None
            name = f"{code}-r.mp4"
            if state.mode == "not_video":
                (state.shared_dir / name).write_bytes(b"<html>oops</html>")
            else:
                shutil.copyfile(state.video, state.shared_dir / name)
            self._json(
                {"code": 10000, "data": {"status": 2, "progress": 100, "result": f"/{name}"}}
            )

        # HeyGen -------------------------------------------------------------------------
        def _r_v1_talking_photo(self, seen: Seen) -> None:
            self._json({"code": 100, "data": {"talking_photo_id": "tp1"}, "message": None})

        def _r_v1_asset(self, seen: Seen) -> None:
            self._json({"code": 100, "data": {"id": "audio1", "file_type": "audio"}})

        def _r_v2_video_generate(self, seen: Seen) -> None:
            self._json({"error": None, "data": {"video_id": "v1"}})

        def _r_v1_video_status_get(self, seen: Seen) -> None:
            polls = state._polls["heygen"] = state._polls.get("heygen", 0) + 1
            if state.mode == "never" or polls <= state.polls_before_done:
                self._json({"code": 100, "data": {"status": "processing"}})
            elif state.mode == "fail":
                self._json(
                    {"code": 100, "data": {"status": "failed", "error": {"message": "bad photo"}}}
                )
            else:
                video = f"{state.url}/files/video.mp4"
                self._json({"code": 100, "data": {"status": "completed", "video_url": video}})

        def _r_v2_user_remaining_quota(self, seen: Seen) -> None:
            self._json({"error": None, "data": {"remaining_quota": 3600}})

        # rembg --------------------------------------------------------------------------
        def _r_api_remove(self, seen: Seen) -> None:
            if state.mode == "not_video":  # not an image
                self._send(200, b"<html>proxy login</html>", "text/html")
            else:
                self._json({"detail": "unexpected"}, 500)

    return Handler


@contextmanager
def stand_in(video: Path, shared_dir: Path | None = None) -> Iterator[StandIn]:
    state = StandIn(video=video, shared_dir=shared_dir)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
