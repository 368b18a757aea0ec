"""``vidkit.doctor``: what each check finds, and the config key its fix names."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.conftest import write_config
from vidkit.config import Config, load_config
from vidkit.doctor import Check, check_ffmpeg, run_checks


class Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_url() -> Iterator[str]:
    """A local server that answers every request (with 501: any answer means it is up)."""
    server = HTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def config_with(tmp_path: Path, extra: str) -> Config:
    return load_config(write_config(tmp_path / "ws", extra))


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


def test_ffmpeg_runs_and_can_encode_h264_and_aac() -> None:
    runs, encoders = check_ffmpeg()
    assert runs.ok
    assert runs.detail.startswith("ffmpeg version")
    assert encoders == Check("ffmpeg encoders", True, "libx264 and aac available")


def test_a_fresh_workspace_passes_everything_but_the_models(tmp_path: Path) -> None:
    config = config_with(tmp_path, "")
    checks = run_checks(config)
    names = [c.name for c in checks]
    assert names[:4] == ["ffmpeg", "ffmpeg encoders", "catalogue", "assets root"]
    assert all(c.ok for c in checks if not c.name.startswith("model "))
    assert {c.name for c in checks if c.name.startswith("model ")} >= {"model u2netp"}
    assert config.catalogue.path.is_file()
    assert not any(config.assets.root.iterdir())  # the write test leaves nothing behind


def test_services_answering_or_not(
    tmp_path: Path, http_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAGE_KEY", "top-secret")
    monkeypatch.delenv("NO_SUCH_KEY_VIDKIT", raising=False)
    up = http_url.replace("://", "://user:pw@") + "/v1?key=top-secret"
    extra = (
        f'[services.image]\nurl = "{up}"\napi_key_env = "IMAGE_KEY"\n'
        f'[services.lipsync]\nurl = "{closed_url()}"\n'
        '[llm]\nbackend = "openai"\n'
        f'[llm.cloud]\nbase_url = "{http_url}"\napi_key_env = "NO_SUCH_KEY_VIDKIT"\n'
    )
    config = config_with(tmp_path, extra)
    checks = by_name(run_checks(config))

    image = checks["service image"]
    assert image.ok
    assert image.detail == f"{http_url}/v1?… answered (HTTP 501)"
    assert checks["service image api key"].ok
    assert "top-secret" not in repr(checks)

    lipsync = checks["service lipsync"]
    assert not lipsync.ok
    assert "unreachable" in lipsync.detail
    assert lipsync.fix == f"start the service, or correct [services.lipsync] url in {config.source}"
    assert "service lipsync api key" not in checks  # no key is configured for it

    assert checks["llm openai"].ok
    key = checks["llm openai api key"]
    assert not key.ok
    assert key.detail == "environment variable NO_SUCH_KEY_VIDKIT is not set"
    assert "[llm.cloud] api_key_env" in key.fix
    assert "service tts" not in checks  # an empty url means the embedded default


def test_local_llm_servers_are_checked(tmp_path: Path) -> None:
    extra = f'[llm]\nbackend = "ollama"\n[llm.local]\nollama_url = "{closed_url()}"\n'
    ollama = by_name(run_checks(config_with(tmp_path, extra)))["llm ollama"]
    assert not ollama.ok
    assert "[llm.local] ollama_url" in ollama.fix


def test_a_damaged_catalogue_and_an_unusable_assets_root(tmp_path: Path) -> None:
    config = config_with(tmp_path, "")
    config.catalogue.path.parent.mkdir(parents=True)
    config.catalogue.path.write_text("garbage", encoding="utf-8")
    config.assets.root.parent.mkdir(parents=True, exist_ok=True)
    config.assets.root.write_text("a file, not a folder", encoding="utf-8")
    checks = by_name(run_checks(config))
    assert not checks["catalogue"].ok
    assert "cannot open the catalogue" in checks["catalogue"].detail
    assert "[catalogue] path" in checks["catalogue"].fix
    assert not checks["assets root"].ok
    assert "[assets] root" in checks["assets root"].fix
    assert config.catalogue.path.read_text(encoding="utf-8") == "garbage"
