"""``vidkit init``, ``doctor``, ``models`` and ``serve --help``, partly through the installed
console script."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

from tests.cli.conftest import assert_user_error, cli_env, run_cli
from tests.conftest import write_config
from vidkit.config import starter_config

VIDKIT = (str(Path(sys.executable).parent / "vidkit"),)


def test_the_installed_script_shows_help() -> None:
    top = run_cli("--help", exe=VIDKIT)
    assert top.ok
    for command in ("init", "doctor", "serve", "projects", "scenes", "assets", "models"):
        assert f"  {command} " in top.stdout
    serve = run_cli("serve", "--help", exe=VIDKIT)
    assert serve.ok
    assert "--host" in serve.stdout
    assert "--port" in serve.stdout


def test_init_then_use_the_new_config(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "videos"
    written = run_cli("init", folder)
    assert written.ok
    config = folder / "config.toml"
    assert config.read_text(encoding="utf-8") == starter_config()
    assert (folder / "var" / "assets").is_dir()
    assert f"wrote {config}" in written.stdout
    assert f"vidkit -c {config} projects create" in written.stdout

    assert run_cli("-c", config, "projects", "list", "--json").json() == []

    assert_user_error(run_cli("init", folder), str(config), "already exists", "--force")
    config.write_text("# mine\n", encoding="utf-8")
    assert run_cli("init", folder, "--force").ok
    assert config.read_text(encoding="utf-8") == starter_config()

    named = tmp_path / "elsewhere" / "studio.toml"
    assert run_cli("-c", named, "init", cwd=tmp_path).ok
    assert named.read_text(encoding="utf-8") == starter_config()
    assert sorted(p.name for p in named.parent.iterdir()) == ["studio.toml", "var"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_doctor_names_the_service_that_is_down(tmp_path: Path) -> None:
    extra = f'[services.tts]\nurl = "http://127.0.0.1:{_closed_port()}"\napi_key_env = "TTS_KEY"\n'
    config = write_config(tmp_path / "ws", extra)
    env = cli_env(TTS_KEY="s3cret-value")

    text = run_cli("-c", config, "doctor", env=env)
    assert text.returncode == 1
    assert "Traceback" not in text.stderr
    lines = text.stdout.splitlines()
    assert any(line.startswith("ok    ffmpeg encoders") for line in lines)
    assert any(line.startswith("FAIL  service tts ") for line in lines)
    assert "[services.tts] url" in text.stdout
    assert "s3cret-value" not in text.stdout

    checks = {c["name"]: c for c in json.loads(run_cli("-c", config, "doctor", "--json").stdout)}
    assert checks["catalogue"]["ok"]
    assert checks["assets root"]["ok"]
    assert not checks["service tts"]["ok"]
    assert "[services.tts] url" in checks["service tts"]["fix"]
    assert not checks["service tts api key"]["ok"]  # TTS_KEY is not set in this run
    assert "TTS_KEY" in checks["service tts api key"]["detail"]


def test_models_list(config_file: Path) -> None:
    models = run_cli("-c", config_file, "models", "list", "--json").json()
    assert {"u2netp", "face-landmarker"} <= {m["name"] for m in models}
    assert all(set(m) == {"name", "ok", "detail", "fix"} for m in models)


def test_python_dash_m_vidkit_is_the_vidkit_command() -> None:
    """MCP clients and other launchers start a module: ``python -m vidkit`` is ``vidkit``."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "vidkit", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    from vidkit import __version__

    assert __version__ in done.stdout
