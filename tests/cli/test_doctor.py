"""``vidkit.doctor``: what each check finds, and the config key its fix names."""

from __future__ import annotations

import importlib.util
import json
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.conftest import write_config
from vidkit.config import Config, load_config
from vidkit.doctor import Check, check_ffmpeg, check_llm, run_checks


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
    models = [c for c in checks if c.name.startswith("model ") or c.name == "llm embedded model"]
    assert all(c.ok for c in checks if c not in models)
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


# the embedded LLM -------------------------------------------------------------------------------


def shadow_llama_cpp(folder: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``llama_cpp`` package that the doctor's child process finds first."""
    package = folder / "shadow" / "llama_cpp"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(body, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(package.parent))


def test_the_embedded_llm_is_checked_without_loading_it(tmp_path: Path) -> None:
    config = config_with(tmp_path, "")
    assert config.llm.backend == "embedded"
    checks = by_name(run_checks(config))
    runtime, model = checks["llm embedded"], checks["llm embedded model"]
    assert runtime.ok and runtime.detail.startswith("llama-cpp-python 0.")
    assert runtime.detail.endswith(" imports")
    gguf = config.models.dir / "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert model == Check("llm embedded model", True, f"{gguf} (GGUF, 98 MB)")
    code = (
        "import sys\nfrom vidkit.config import load_config\nfrom vidkit.doctor import check_llm\n"
        "checks = check_llm(load_config(sys.argv[1]))\n"
        "print(all(c.ok for c in checks), 'llama_cpp' in sys.modules)\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", code, str(config.source)], capture_output=True, text=True, check=True
    )
    assert child.stdout.split() == ["True", "False"]  # imported in a child; nothing loaded here


def test_other_llm_backends_have_no_embedded_checks(tmp_path: Path) -> None:
    extra = f'[llm]\nbackend = "ollama"\n[llm.local]\nollama_url = "{closed_url()}"\n'
    names = [c.name for c in run_checks(config_with(tmp_path, extra))]
    assert "llm ollama" in names and not any(n.startswith("llm embedded") for n in names)


def test_a_gguf_of_your_own_missing_or_not_gguf(tmp_path: Path) -> None:
    config = config_with(tmp_path, '[llm.embedded]\ngguf = "mine/model.gguf"\n')
    missing = check_llm(config)[1]
    path = tmp_path / "ws" / "mine" / "model.gguf"  # relative to the config file
    assert missing == Check(
        "llm embedded model",
        False,
        f"{path} is missing",
        f"correct [llm.embedded] gguf in {config.source}, or leave it empty for SmolLM2-135M "
        "(`make models`)",
    )
    path.parent.mkdir()
    path.write_text("not a model", encoding="utf-8")
    wrong = check_llm(config)[1]
    assert not wrong.ok and wrong.detail == f"{path} is not a GGUF file (llama.cpp reads GGUF only)"
    assert wrong.fix == f"point [llm.embedded] gguf in {config.source} at a .gguf model"
    path.write_bytes(b"GGUF" + bytes(2_000_000))
    assert check_llm(config)[1] == Check("llm embedded model", True, f"{path} (GGUF, 2 MB)")


def test_smollm2_not_fetched(tmp_path: Path) -> None:
    source = write_config(tmp_path / "ws")
    text = source.read_text(encoding="utf-8")
    source.write_text(re.sub(r'(?m)^dir = ".*"$', 'dir = "empty-models"', text), encoding="utf-8")
    config = load_config(source)
    model = check_llm(config)[1]
    assert not model.ok
    assert (
        model.detail
        == f"{tmp_path / 'ws' / 'empty-models'}/SmolLM2-135M-Instruct.Q4_1.gguf is missing"
    )
    assert model.fix == "run `make models` (or `vidkit models fetch smollm2-135m`)"


def test_llama_cpp_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "llama_cpp" else real(name, *a),
    )
    runtime = check_llm(config_with(tmp_path, ""))[0]
    assert runtime == Check(
        "llm embedded",
        False,
        "llama-cpp-python is not installed",
        "run `make models` (it installs llama-cpp-python, building its wheel once, about 11 "
        "minutes, and fetches the model), or choose another [llm] backend",
    )


def test_llama_cpp_that_fails_or_crashes_on_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config_with(tmp_path, "")
    shadow_llama_cpp(
        tmp_path, 'raise ImportError("libllama.so: cannot open shared object file")\n', monkeypatch
    )
    broken = check_llm(config)[0]
    assert not broken.ok
    assert broken.detail == (
        "importing llama_cpp failed: ImportError: libllama.so: cannot open shared object file"
    )
    assert "`make models`" in broken.fix
    monkeypatch.undo()
    shadow = tmp_path / "crash"
    shadow_llama_cpp(
        shadow, "import os, signal\nos.kill(os.getpid(), signal.SIGILL)\n", monkeypatch
    )
    crashed = check_llm(config)[0]
    assert not crashed.ok
    assert crashed.detail == (
        "importing llama_cpp crashed (SIGILL): its build does not run on this machine"
    )
    assert "~/.cache/vidkit/wheels" in crashed.fix and "`make models`" in crashed.fix


# what image and voice-cloning services can do --------------------------------------------------


def _capabilities(config: Config) -> dict[str, Check]:
    from vidkit.doctor import check_service_capabilities

    return by_name(check_service_capabilities(config))


IMAGE_LINES = {
    "openai": "generates images (OpenAI-compatible API, model dall-e-3 listed)",
    "a1111": "generates images (AUTOMATIC1111/Forge, checkpoints sd_xl_base_1.0, dreamshaper_8)",
    "comfyui": "generates images (ComfyUI, checkpoint v1-5-pruned-emaonly.safetensors present)",
}


@pytest.mark.parametrize("backend", sorted(IMAGE_LINES))
def test_an_image_service_says_what_it_generates(tmp_path: Path, backend: str) -> None:
    from tests.backends.image_servers import json_reply, read_only_routes, serve

    with serve(read_only_routes()) as server:
        text = f'[services.image]\nurl = "{server.url}"\nbackend = "{backend}"\n'
        config = config_with(tmp_path, text)
        assert _capabilities(config)["service image capability"] == Check(
            "service image capability", True, IMAGE_LINES[backend]
        )
        for reply, seen in [
            (json_reply({"detail": "CUDA out of memory"}, 500), "HTTP 500"),
            (json_reply({"unexpected": True}), "without"),
        ]:
            server.routes = {key: (lambda p, b, r=reply: r) for key in read_only_routes()}
            check = _capabilities(config)["service image capability"]
            assert not check.ok and seen in check.detail, check
            assert check.fix == f"fix [services.image] in {config.source}"


def test_the_offline_image_generator_needs_no_capability_check(tmp_path: Path) -> None:
    assert _capabilities(config_with(tmp_path, '[services.image]\nbackend = "comfyui"\n')) == {}


TTS_LINES = {
    "xtts": "clones voices (xtts-api-server, languages en, de, fr, ja)",
    "gpt-sovits": "clones voices (GPT-SoVITS api_v2, references shared through ",
    "chatterbox": "clones voices (Chatterbox TTS API, model loaded on cpu)",
    "elevenlabs": "clones voices (ElevenLabs instant voice cloning, creator plan, ",
}


def _tts_config(tmp_path: Path, backend: str, url: str) -> Config:
    shared = 'shared_dir = "voices"\n' if backend == "gpt-sovits" else ""
    text = (
        f'[voice]\nbackend = "{backend}"\n{shared}'
        f'[services.tts]\nurl = "{url}"\napi_key_env = "VIDKIT_EL_KEY"\n'
    )
    return config_with(tmp_path / backend, text)


@pytest.mark.parametrize("backend", sorted(TTS_LINES))
def test_a_cloning_service_says_it_clones(
    tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.backends.clone_servers import KEY, CloneServer

    monkeypatch.setenv("VIDKIT_EL_KEY", KEY)
    with CloneServer() as server:
        check = _capabilities(_tts_config(tmp_path, backend, server.url()))[
            "service tts capability"
        ]
        assert check.ok and check.detail.startswith(TTS_LINES[backend]), check
        for mode, seen in [
            ("500", "HTTP 500"),
            ("malformed", "api_v2" if "sovits" in backend else "without"),
        ]:
            config = _tts_config(tmp_path / mode, backend, server.url(mode))
            check = _capabilities(config)["service tts capability"]
            assert not check.ok and seen in check.detail, check
            assert check.fix == f"fix [services.tts] in {config.source}"


def test_an_elevenlabs_key_without_cloning_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.backends.clone_servers import FREE_KEY, CloneServer

    monkeypatch.setenv("VIDKIT_EL_KEY", FREE_KEY)
    with CloneServer() as server:
        check = _capabilities(_tts_config(tmp_path, "elevenlabs", server.url()))[
            "service tts capability"
        ]
    assert not check.ok
    assert "VIDKIT_EL_KEY is on the 'free' plan, which cannot clone voices" in check.detail
    assert FREE_KEY not in repr(check)


def test_a_speech_service_that_does_not_clone_has_no_capability_check(tmp_path: Path) -> None:
    text = '[voice]\nbackend = "openai"\n[services.tts]\nurl = "http://127.0.0.1:9/v1"\n'
    assert _capabilities(config_with(tmp_path, text)) == {}


def test_vidkit_doctor_prints_what_the_services_can_do(tmp_path: Path) -> None:
    from tests.backends.clone_servers import CloneServer
    from tests.backends.image_servers import read_only_routes, serve
    from tests.cli.conftest import run_cli

    with serve(read_only_routes()) as images, CloneServer() as voices:
        extra = (
            f'[services.image]\nurl = "{images.url}"\nbackend = "comfyui"\n'
            f'[voice]\nbackend = "xtts"\n[services.tts]\nurl = "{voices.url()}"\n'
        )
        config = write_config(tmp_path / "ws", extra)
        text = run_cli("-c", config, "doctor")
        checks = {
            c["name"]: c for c in json.loads(run_cli("-c", config, "doctor", "--json").stdout)
        }
    flat = " ".join(text.stdout.split())
    assert "ok service image capability generates images (ComfyUI, checkpoint" in flat
    assert "ok service tts capability clones voices (xtts-api-server, languages en" in flat
    assert checks["service image capability"] == {
        "name": "service image capability",
        "ok": True,
        "detail": IMAGE_LINES["comfyui"],
        "fix": "",
    }
    assert checks["service tts capability"]["detail"] == TTS_LINES["xtts"]
