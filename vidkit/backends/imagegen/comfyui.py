"""ComfyUI: an API-format workflow queued with ``POST /prompt``, followed over the websocket
``/ws?clientId=`` (``progress`` and ``executing`` messages) or, without it, by polling
``GET /history/{prompt_id}``; the first output image is fetched with ``GET /view``.

The workflow (ComfyUI's "Save (API Format)") has the placeholders ``{{prompt}}`` (inside any
string) and ``{{seed}}`` (a whole string, replaced by the number). ``vidkit doctor`` reads the
checkpoints ComfyUI has from ``GET /object_info/CheckpointLoaderSimple``."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from vidkit.backends._http import listed, shown_url
from vidkit.backends.imagegen import GeneratedImage, Progress
from vidkit.backends.imagegen._http import (
    SECTION,
    check_image,
    probe,
    request_bytes,
    request_json,
)
from vidkit.errors import BackendError, ConfigError

__all__ = ["ComfyUIImageGen", "fill_workflow", "load_workflow"]

SERVICE = "ComfyUI"
LOADER = "CheckpointLoaderSimple"


def load_workflow(path: Path) -> dict[str, Any]:
    try:
        workflow = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"[services.image] workflow: no file at {path}") from exc
    except ValueError as exc:
        raise ConfigError(f"[services.image] workflow: {path} is not JSON ({exc})") from exc
    text = json.dumps(workflow)
    if not isinstance(workflow, dict) or "{{prompt}}" not in text or '"{{seed}}"' not in text:
        raise ConfigError(
            f"[services.image] workflow: {path} must be a ComfyUI API-format workflow (an "
            'object of nodes) holding the placeholders "{{prompt}}" and "{{seed}}"'
        )
    return workflow


def fill_workflow(workflow: Any, prompt: str, seed: int) -> Any:
    """A copy of ``workflow`` with the placeholders replaced."""
    if isinstance(workflow, dict):
        return {k: fill_workflow(v, prompt, seed) for k, v in workflow.items()}
    if isinstance(workflow, list):
        return [fill_workflow(v, prompt, seed) for v in workflow]
    if workflow == "{{seed}}":
        return seed
    if isinstance(workflow, str):
        return workflow.replace("{{prompt}}", prompt)
    return workflow


def checkpoint_names(answer: Any) -> list[str] | None:
    """The ``ckpt_name`` choices in an ``/object_info/CheckpointLoaderSimple`` answer,
    ``{"CheckpointLoaderSimple": {"input": {"required": {"ckpt_name": [[names], {...}]}}}}``
    (or the newer ``["COMBO", {"options": [names]}]``); None if it has none."""
    try:
        spec = answer[LOADER]["input"]["required"]["ckpt_name"]
    except (KeyError, TypeError, IndexError):
        return None
    choices = spec[0] if isinstance(spec, list) and spec else None
    if choices == "COMBO" and len(spec) > 1 and isinstance(spec[1], dict):
        choices = spec[1].get("options")
    return [str(c) for c in choices] if isinstance(choices, list) else None


def workflow_checkpoints(workflow: dict[str, Any]) -> list[str]:
    """The checkpoints the workflow's CheckpointLoaderSimple nodes load."""
    names = []
    for node in workflow.values():
        inputs = node.get("inputs") if isinstance(node, dict) else None
        name = inputs.get("ckpt_name") if isinstance(inputs, dict) else None
        if isinstance(name, str) and node.get("class_type") == LOADER and name not in names:
            names.append(name)
    return names


class ComfyUIImageGen:
    name = "comfyui"

    def __init__(
        self,
        url: str,
        workflow: Path,
        *,
        timeout_s: float = 300.0,
        ws_url: str | None = None,
        poll_s: float = 0.5,
    ) -> None:
        self.url = url.rstrip("/")
        self.workflow_path = workflow
        self.workflow = load_workflow(workflow)
        self.timeout_s = timeout_s
        parts = urlsplit(self.url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        self.ws_url = ws_url or urlunsplit((scheme, parts.netloc, f"{parts.path}/ws", "", ""))
        self.poll_s = poll_s

    def fingerprint(self) -> str:
        body = json.dumps(self.workflow, sort_keys=True)
        import hashlib

        return f"comfyui:{self.url}:{hashlib.sha256(body.encode()).hexdigest()[:16]}"

    def generate(
        self, prompt: str, seed: int, *, progress: Progress | None = None
    ) -> GeneratedImage:
        client_id = uuid.uuid4().hex
        socket = self._connect(client_id)
        try:
            answer = request_json(
                "POST",
                f"{self.url}/prompt",
                service=SERVICE,
                timeout_s=self.timeout_s,
                json={"prompt": fill_workflow(self.workflow, prompt, seed), "client_id": client_id},
            )
            prompt_id = answer.get("prompt_id") if isinstance(answer, dict) else None
            if not isinstance(prompt_id, str) or not prompt_id:
                raise BackendError(
                    f"{SERVICE} at {self.url} queued the workflow without a prompt_id"
                )
            if socket is not None:
                self._follow(socket, prompt_id, progress)
        finally:
            if socket is not None:
                socket.close()
        image = self._image(self._history(prompt_id))
        png = check_image(
            request_bytes(
                f"{self.url}/view?{urlencode(image)}", service=SERVICE, timeout_s=self.timeout_s
            ),
            service=SERVICE,
        )
        if progress is not None:
            progress(1.0)
        return GeneratedImage(png, self.name, prompt, seed)

    def capability(self) -> str:
        """The checkpoints ComfyUI can load (``GET /object_info/CheckpointLoaderSimple``, which
        runs nothing), and whether the workflow's are among them."""
        where = f"{SERVICE} server at {SECTION} url {shown_url(self.url)}"
        answer = probe(f"{self.url}/object_info/{LOADER}", where=where, timeout_s=self.timeout_s)
        names = checkpoint_names(answer)
        if names is None:
            raise BackendError(
                f"the {where} answered /object_info/{LOADER} without its ckpt_name choices; "
                "is it ComfyUI?"
            )
        wanted = workflow_checkpoints(self.workflow)
        missing = [name for name in wanted if name not in names]
        if missing:
            raise BackendError(
                f"the {where} has no checkpoint {missing[0]!r} (it has: {listed(names)}); put "
                f"it in ComfyUI's models/checkpoints, or change ckpt_name in {SECTION} workflow"
            )
        if wanted:
            return f"generates images (ComfyUI, checkpoint {', '.join(wanted)} present)"
        return f"generates images (ComfyUI, checkpoints {listed(names)})"

    def _connect(self, client_id: str) -> Any:
        """The progress websocket, or None when it cannot be opened (then history is polled)."""
        try:
            import websocket
        except ImportError:
            return None
        try:
            return websocket.create_connection(
                f"{self.ws_url}?clientId={client_id}", timeout=self.timeout_s
            )
        except (OSError, websocket.WebSocketException):
            return None

    def _follow(self, socket: Any, prompt_id: str, progress: Progress | None) -> None:
        import websocket

        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            try:
                raw = socket.recv()
            except (OSError, websocket.WebSocketException):
                return  # the history poll takes over
            if not isinstance(raw, str):
                continue  # binary previews
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            kind, data = message.get("type"), message.get("data") or {}
            if data.get("prompt_id") not in (None, prompt_id):
                continue
            if kind == "progress" and progress is not None and data.get("max"):
                progress(min(0.99, float(data["value"]) / float(data["max"])))
            elif kind == "execution_error":
                detail = data.get("exception_message") or data.get("node_type") or "unknown"
                raise BackendError(f"{SERVICE} failed to run the workflow: {detail}")
            elif (kind == "executing" and data.get("node") is None) or kind == "execution_success":
                return

    def _history(self, prompt_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout_s
        while True:
            answer = request_json(
                "GET", f"{self.url}/history/{prompt_id}", service=SERVICE, timeout_s=self.timeout_s
            )
            entry = answer.get(prompt_id) if isinstance(answer, dict) else None
            if isinstance(entry, dict):
                status = entry.get("status") or {}
                if status.get("status_str") == "error":
                    raise BackendError(f"{SERVICE} reported an error running the workflow")
                if entry.get("outputs"):
                    return entry
            if time.monotonic() > deadline:
                raise BackendError(
                    f"{SERVICE} did not finish within {self.timeout_s:g} s; raise "
                    "[services.image] timeout_s"
                )
            time.sleep(self.poll_s)

    def _image(self, entry: dict[str, Any]) -> dict[str, str]:
        outputs = entry.get("outputs")
        for node in (outputs or {}).values() if isinstance(outputs, dict) else ():
            for image in (node or {}).get("images") or ():
                if isinstance(image, dict) and image.get("filename"):
                    return {
                        "filename": str(image["filename"]),
                        "subfolder": str(image.get("subfolder", "")),
                        "type": str(image.get("type", "output")),
                    }
        raise BackendError(
            f"{SERVICE} finished without an output image; the workflow needs a SaveImage node"
        )
