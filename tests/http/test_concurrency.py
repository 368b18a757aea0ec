"""The server and another process write to the same catalogue at the same time."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import httpx

import vidkit
from tests.http.support import RunningServer, server_env

WRITER = textwrap.dedent(
    """
    import sys
    import vidkit

    ws = vidkit.open(sys.argv[1])
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(20):
        ws.create_project(f"{sys.argv[2]}-py-{i}", f"From Python {i}")
    """
)


def test_server_and_another_process_write_at_once(server: RunningServer, api: httpx.Client) -> None:
    prefix = "concurrent"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(server.config_path), prefix],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=server_env(),
    )
    try:
        assert writer.stdout is not None
        assert writer.stdin is not None
        assert writer.stdout.readline().strip() == "ready"
        writer.stdin.write("go\n")
        writer.stdin.flush()

        def post(i: int) -> int:
            body = {"slug": f"{prefix}-http-{i}", "title": f"From HTTP {i}"}
            return api.post("/api/projects", json=body).status_code

        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(pool.map(post, range(20)))
        _, errors = writer.communicate(timeout=120)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert writer.returncode == 0, errors
    assert statuses == [201] * 20
    expected = {f"{prefix}-{source}-{i}" for source in ("py", "http") for i in range(20)}
    over_http = {p["slug"] for p in api.get("/api/projects").json()}
    assert expected <= over_http
    assert expected <= {p.slug for p in vidkit.open(server.config_path).projects()}
