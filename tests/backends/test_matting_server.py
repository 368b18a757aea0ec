"""Matting by a rembg server: the real ``rembg s`` (rembg[cli]) started on 127.0.0.1 with the
u2netp model the project fetches (``U2NET_HOME`` points at it, so nothing is downloaded), and
the stand-in for the failures a real server does not show on cue."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.backends import portraits
from tests.backends.service_servers import stand_in
from tests.conftest import write_config
from vidkit.backends.matting.rembg_server import RembgServerMatting
from vidkit.backends.registry import build_matting
from vidkit.config import load_config
from vidkit.errors import BackendError

START_TIMEOUT_S = 120.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def rembg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    rembg = Path(sys.executable).with_name("rembg")
    if not rembg.is_file():
        pytest.skip("rembg's server needs rembg[cli] (pip install -e '.[dev]')")
    port = _free_port()
    log = tmp_path_factory.mktemp("rembg") / "server.log"
    env = {**os.environ, "U2NET_HOME": str(portraits.REPO / "models"), "BROWSER": "true"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(rembg), "s", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"rembg s exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"rembg s did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_real_server_cuts_out_the_astronaut_like_the_embedded_u2netp(
    rembg_server: str,
) -> None:
    photo = portraits.astronaut()
    alpha = RembgServerMatting(rembg_server).mask(photo)
    assert alpha.shape == photo.shape[:2] and alpha.dtype == np.uint8
    embedded = portraits.mattes()["rembg"]  # the same model run in-process
    everywhere = np.ones(alpha.shape, bool)
    assert portraits.iou(alpha > 127, embedded > 127, everywhere) > 0.97
    assert 0.2 < (alpha > 127).mean() < 0.8  # a person, not all or nothing


def test_the_real_server_reports_what_it_offers(rembg_server: str) -> None:
    assert RembgServerMatting(rembg_server).capability() == "removes backgrounds (model u2netp)"
    with pytest.raises(BackendError, match=r"has no model 'u3net'; set \[services.matting\] model"):
        RembgServerMatting(rembg_server, model="u3net").capability()


def test_a_set_url_makes_matting_use_the_server(tmp_path: Path, video_stub: Path) -> None:
    with stand_in(video_stub) as server:
        config = load_config(
            write_config(
                tmp_path, f'[services.matting]\nurl = "{server.url}"\nmodel = "isnet-general-use"\n'
            )
        )
        matting = build_matting(config)
        assert isinstance(matting, RembgServerMatting)
        assert matting.fingerprint() == f"rembg-server:v1:{server.url}:model=isnet-general-use"
        with pytest.raises(BackendError, match=r"failed \(HTTP 500\)"):
            matting.mask(portraits.astronaut())
        (seen,) = server.seen
        assert seen.path == "/api/remove"
        assert b'name="model"\r\n\r\nisnet-general-use' in seen.body
        assert b'name="om"\r\n\r\ntrue' in seen.body and b"\x89PNG" in seen.body
    # an explicit backend name (the per-frame matting of animators) is not redirected
    assert not isinstance(build_matting(config, "mediapipe"), RembgServerMatting)


@pytest.fixture
def video_stub(tmp_path: Path) -> Path:
    path = tmp_path / "unused.mp4"
    path.write_bytes(b"")
    return path


def test_failures_say_what_to_fix(video_stub: Path) -> None:
    photo = portraits.astronaut()
    with stand_in(video_stub) as server:
        server.mode = "not_video"
        with pytest.raises(BackendError, match=r"not an image .*text/html"):
            RembgServerMatting(server.url).mask(photo)
        server.mode = "malformed"
        with pytest.raises(BackendError, match="not an image"):
            RembgServerMatting(server.url).mask(photo)
        with pytest.raises(BackendError, match="not JSON"):
            RembgServerMatting(server.url).capability()
        server.mode = "http400"
        with pytest.raises(BackendError, match=r"rejected the request \(HTTP 400\)"):
            RembgServerMatting(server.url).mask(photo)
    with pytest.raises(BackendError, match=r"cannot reach .*check \[services.matting\] url"):
        RembgServerMatting(server.url, timeout_s=2).mask(photo)


def test_doctor_reports_that_the_real_server_removes_backgrounds(
    rembg_server: str, tmp_path: Path
) -> None:
    from vidkit.doctor import check_service_capabilities

    config = load_config(write_config(tmp_path, f'[services.matting]\nurl = "{rembg_server}"\n'))
    (check,) = check_service_capabilities(config)
    assert check.ok and check.detail == "removes backgrounds (model u2netp)"
    config = load_config(
        write_config(tmp_path / "b", f'[services.matting]\nurl = "{rembg_server}"\nmodel = "u3"\n')
    )
    (check,) = check_service_capabilities(config)
    assert not check.ok and "has no model 'u3'" in check.detail
