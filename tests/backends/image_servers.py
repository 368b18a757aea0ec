"""A loopback stand-in for image services: each route answers what the test says.

``routes`` maps ``"METHOD /path"`` (the path without its query) to a function of the request
(path with query, JSON body or None) returning ``(status, body bytes, content type)``;
``delay_s`` holds every answer back (to provoke timeouts). Requests are recorded.

:func:`read_only_routes` are the cheap queries ``vidkit doctor`` makes, answered as the real
servers do: OpenAI ``GET /v1/models``, AUTOMATIC1111 ``GET /sdapi/v1/sd-models`` and ComfyUI
``GET /object_info/CheckpointLoaderSimple``."""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = tuple[int, bytes, str]
Route = Callable[[str, Any], Reply]


@dataclass
class StandIn:
    url: str
    routes: dict[str, Route]
    seen: list[tuple[str, str, Any, dict[str, str]]] = field(default_factory=list)
    delay_s: float = 0.0


def json_reply(body: Any, status: int = 200) -> Reply:
    return status, json.dumps(body).encode(), "application/json"


def png_bytes(size: int = 32) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (size, size), (200, 100, 50)).save(out, format="PNG")
    return out.getvalue()


def png_b64(raw: bytes | None = None) -> str:
    return base64.b64encode(raw if raw is not None else png_bytes()).decode()


def openai_models(*ids: str) -> Reply:
    """``GET /v1/models``: ``{"object": "list", "data": [{"id", "object", ...}]}``."""
    data = [{"id": i, "object": "model", "created": 0, "owned_by": "system"} for i in ids]
    return json_reply({"object": "list", "data": data})


def a1111_models(*names: str) -> Reply:
    """``GET /sdapi/v1/sd-models``: a list of ``{title, model_name, hash, sha256, filename,
    config}`` (modules/api/api.py, ``get_sd_models``)."""
    return json_reply(
        [
            {
                "title": f"{name}.safetensors [6ce0161689]",
                "model_name": name,
                "hash": "6ce0161689",
                "sha256": "6ce0161689" + "0" * 54,
                "filename": f"/sd/models/Stable-diffusion/{name}.safetensors",
                "config": None,
            }
            for name in names
        ]
    )


def comfy_checkpoints(*names: str) -> Reply:
    """``GET /object_info/CheckpointLoaderSimple``: the node's info (server.py ``node_info``),
    its ``ckpt_name`` input a list of the checkpoint files and the widget's options."""
    tooltip = {"tooltip": "The name of the checkpoint (model) to load."}
    info = {
        "input": {"required": {"ckpt_name": [list(names), tooltip]}},
        "input_order": {"required": ["ckpt_name"]},
        "output": ["MODEL", "CLIP", "VAE"],
        "output_is_list": [False, False, False],
        "output_name": ["MODEL", "CLIP", "VAE"],
        "name": "CheckpointLoaderSimple",
        "display_name": "Load Checkpoint",
        "category": "loaders",
        "output_node": False,
    }
    return json_reply({"CheckpointLoaderSimple": info})


def read_only_routes(
    model: str = "dall-e-3", checkpoint: str = "sd_xl_base_1.0"
) -> dict[str, Route]:
    """All three servers' read-only queries in one stand-in."""
    return {
        "GET /v1/models": lambda p, b: openai_models(model, "gpt-image-1"),
        "GET /sdapi/v1/sd-models": lambda p, b: a1111_models(checkpoint, "dreamshaper_8"),
        "GET /object_info/CheckpointLoaderSimple": lambda p, b: comfy_checkpoints(
            f"{checkpoint}.safetensors", "v1-5-pruned-emaonly.safetensors"
        ),
    }


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[StandIn]:
    state = StandIn("", routes)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            route = f"{method} {self.path.split('?')[0]}"
            state.seen.append((method, self.path, body, dict(self.headers)))
            if state.delay_s:
                time.sleep(state.delay_s)
            handler = next((h for key, h in state.routes.items() if route.startswith(key)), None)
            status, content, ctype = handler(self.path, body) if handler else (404, b"{}", "x")
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
            except OSError:
                pass

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
