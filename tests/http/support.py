"""Test support: the real server (``vidkit.http.serve`` under uvicorn) in a subprocess, and
reading error bodies."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import REPO, write_config

SERVE = (
    "import sys\n"
    "from vidkit.config import load_config\n"
    "from vidkit.http import serve\n"
    "serve(load_config(sys.argv[1]), port=int(sys.argv[2]), require_token=sys.argv[3] == '1')\n"
)
START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class RunningServer:
    url: str
    config_path: Path
    log_path: Path

    def client(self, *, headers: dict[str, str] | None = None) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60.0, headers=headers)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: this one without any API token, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k != "VIDKIT_API_TOKEN"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return {**env, **extra}


@contextmanager
def running_server(
    folder: Path,
    *,
    config_path: Path | None = None,
    require_token: bool = False,
    env: dict[str, str] | None = None,
) -> Iterator[RunningServer]:
    """Serve the workspace in ``folder`` on a free loopback port until the block ends."""
    config_path = config_path or write_config(folder)
    port = free_port()
    log_path = folder / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SERVE,
                str(config_path),
                str(port),
                "1" if require_token else "0",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env or server_env(),
            cwd=folder,
        )
        try:
            server = RunningServer(f"http://127.0.0.1:{port}", config_path, log_path)
            _wait_until_healthy(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_healthy(server: RunningServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/api/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the server did not answer within {START_TIMEOUT_S:g} s:\n{server.log()}")


def field_errors(response: httpx.Response) -> dict[tuple[str | int, ...], str]:
    """A 422 body as ``{loc: msg}``, after checking its shape."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list), detail
    assert detail, "an empty error list"
    for item in detail:
        assert set(item) == {"loc", "msg", "type"}, item
        assert item["msg"], item
    return {tuple(item["loc"]): item["msg"] for item in detail}
