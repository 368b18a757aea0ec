"""A loopback stand-in for the voice-cloning services' wire formats (xtts-api-server,
GPT-SoVITS api_v2, Chatterbox-TTS-API, ElevenLabs), speaking with Piper.

The first path segment picks a misbehaviour: ``/ok/...`` normal, ``/500/...``, ``/401/...``,
``/slow/...`` (sleeps ``slow_s``), ``/garbage/...`` (200 with a body that is not audio),
``/malformed/...`` (``/v1/voices/add`` answers JSON without ``voice_id``, and the read-only
routes answer JSON without the fields they document), ``/noupload/...`` (the XTTS server has
no ``/upload_sample``), ``/noload/...`` (Chatterbox failed to load its model). Every request is
recorded: route, headers, JSON body or form fields, and uploaded files (field -> list of bytes).

The read-only routes ``vidkit doctor`` asks, as the real servers answer them: xtts-api-server
``GET /languages`` (``{"languages": {name: code}}``), GPT-SoVITS api_v2 ``GET /tts`` without a
reference (400 ``{"message": "ref_audio_path is required"}``), Chatterbox-TTS-API ``GET
/health`` and ElevenLabs ``GET /v1/user/subscription`` (``KEY``: a plan that clones;
``FREE_KEY``: one that cannot).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from urllib.parse import parse_qsl

from tests.backends.tts_doubles import shared_piper

KEY = "el-test-key"
FREE_KEY = "el-free-key"

LANGUAGES = {"English": "en", "German": "de", "French": "fr", "Japanese": "ja"}
HEALTH = {
    "status": "ready",
    "model_loaded": True,
    "device": "cpu",
    "config": {"max_chunk_length": 280},
    "initialization_state": "ready",
    "initialization_error": None,
}


@dataclass
class Seen:
    route: str
    headers: dict[str, str]
    json: dict[str, Any] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, list[bytes]] = field(default_factory=dict)


def _parse_form(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, list[bytes]]]:
    form: dict[str, str] = {}
    files: dict[str, list[bytes]] = {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(body.decode())), files
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_filename():
            files.setdefault(name, []).append(data)
        else:
            form[name] = data.decode()
    return form, files


class CloneServer:
    def __init__(self, *, slow_s: float = 3.0) -> None:
        self.slow_s = slow_s
        self.seen: list[Seen] = []
        self.uploaded: dict[str, bytes] = {}  # XTTS speaker folder
        self.voices: dict[str, list[bytes]] = {}  # ElevenLabs voice_id -> references
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def url(self, mode: str = "ok") -> str:
        return f"http://127.0.0.1:{self.port}/{mode}"

    def __enter__(self) -> CloneServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def routes(self) -> list[str]:
        return [s.route for s in self.seen]

    def _speech(self, text: str) -> bytes:
        with TemporaryDirectory() as tmp, self._lock:
            wav = Path(tmp) / "speech.wav"
            shared_piper().synthesize(text, wav)
            return wav.read_bytes()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def _reply(self, status: int, data: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                _, mode, rest = self.path.split("/", 2)
                route, _, query = ("/" + rest).partition("?")
                seen = Seen(route, {k.lower(): v for k, v in self.headers.items()})
                seen.form = dict(parse_qsl(query))
                server.seen.append(seen)
                if mode == "garbage":
                    self._reply(200, b"<html>a proxy's page</html>", "text/html")
                elif mode == "500":
                    self._reply(500, b'{"detail": "CUDA out of memory"}')
                else:
                    status, answer = _read_only(route, mode, seen)
                    self._reply(status, json.dumps(answer).encode())

            def do_POST(self) -> None:
                _, mode, route = self.path.split("/", 2)
                route = "/" + route
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                kind = self.headers.get("Content-Type", "")
                seen = Seen(route, {k.lower(): v for k, v in self.headers.items()})
                if kind.startswith("application/json"):
                    seen.json = json.loads(body)
                elif body:
                    seen.form, seen.files = _parse_form(kind, body)
                server.seen.append(seen)
                if mode == "slow":
                    time.sleep(server.slow_s)
                if mode == "500":
                    return self._reply(500, b'{"detail": "CUDA out of memory"}')
                if mode == "401" or (
                    route.startswith("/v1/")
                    and "/audio/" not in route
                    and seen.headers.get("xi-api-key") != KEY
                ):
                    return self._reply(401, b'{"detail": {"status": "invalid_api_key"}}')
                if route == "/upload_sample" and mode != "noupload":
                    [(data)] = seen.files["wavFile"]
                    server.uploaded["upload"] = data
                    return self._reply(200, b'{"message": "uploaded"}')
                if route == "/v1/voices/add":
                    if mode == "malformed":
                        return self._reply(200, b'{"status": "ok"}')
                    voice_id = f"v{len(server.voices) + 1}"
                    server.voices[voice_id] = seen.files["files"]
                    return self._reply(200, json.dumps({"voice_id": voice_id}).encode())
                if route == "/tts_to_audio/":
                    text = seen.json["text"]
                elif route == "/tts":
                    if not Path(seen.json["ref_audio_path"]).is_file():
                        return self._reply(400, b'{"message": "ref_audio_path not found"}')
                    text = seen.json["text"]
                elif route == "/v1/audio/speech/upload":
                    text = seen.form["input"]
                elif route.startswith("/v1/text-to-speech/"):
                    if route.rsplit("/", 1)[1] not in server.voices:
                        return self._reply(404, b'{"detail": {"status": "voice_not_found"}}')
                    text = seen.json["text"]
                else:
                    return self._reply(404, b'{"detail": "Not Found"}')
                if mode == "garbage":
                    return self._reply(200, b"<html>not audio</html>" * 30, "audio/wav")
                return self._reply(200, server._speech(text), "audio/wav")

        return Handler


def _read_only(route: str, mode: str, seen: Seen) -> tuple[int, Any]:
    """The answer of a read-only route: (status, JSON)."""
    if mode == "malformed":
        return 200, {"unexpected": True}
    if route == "/languages":
        return 200, {"languages": LANGUAGES}
    if route == "/tts":  # api_v2 lower()s both languages before it checks the reference
        if "text_lang" not in seen.form or "prompt_lang" not in seen.form:
            return 500, "Internal Server Error"
        return 400, {"message": "ref_audio_path is required"}
    if route == "/health":
        if mode == "noload":
            return 200, {
                **HEALTH, "model_loaded": False, "initialization_state": "error",
                "initialization_error": "CUDA out of memory",
            }  # fmt: skip
        return 200, HEALTH
    if route == "/v1/user/subscription":
        key = seen.headers.get("xi-api-key")
        if key not in (KEY, FREE_KEY):
            return 401, {"detail": {"status": "invalid_api_key"}}
        return 200, {
            "tier": "creator" if key == KEY else "free",
            "character_count": 1200,
            "character_limit": 100000 if key == KEY else 10000,
            "can_use_instant_voice_cloning": key == KEY,
            "can_use_professional_voice_cloning": key == KEY,
            "status": "active",
        }
    return 404, {"detail": "Not Found"}
