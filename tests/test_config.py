"""config.toml parsing: typed values, relative paths, and errors that name the key and file."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidkit.config import load_config, secret, starter_config
from vidkit.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_repository_config_and_starter_template_parse() -> None:
    config = load_config(REPO / "config.toml")
    assert config.server.host == "127.0.0.1"
    assert config.server.is_loopback
    assert config.catalogue.path == REPO / "var" / "catalogue.duckdb"
    assert config.source == REPO / "config.toml"
    assert starter_config() == (REPO / "config.toml").read_text(encoding="utf-8")


def test_relative_paths_resolve_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "proj"
    folder.mkdir()
    path = _write(folder, '[catalogue]\npath = "db/cat.duckdb"\n[assets]\nroot = "/abs/assets"\n')
    monkeypatch.chdir(tmp_path)
    config = load_config(path)
    assert config.catalogue.path == folder / "db" / "cat.duckdb"
    assert config.assets.root == Path("/abs/assets")
    assert config.models.dir == folder / "models"


def test_defaults_fill_missing_sections(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, ""))
    assert config.server.port == 8765
    assert config.llm.backend == "embedded"
    assert not config.services.tts.enabled


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[server]\nprot = 1\n", "unknown key [server] prot"),
        ("[bogus]\nx = 1\n", "unknown key bogus"),
        ('[server]\nport = "8080"\n', "[server] port"),
        ("[server]\nport = 99999\n", "[server] port"),
        ("[catalogue]\nlock_timeout_s = -1\n", "[catalogue] lock_timeout_s"),
        ('[llm]\nbackend = "gpt"\n', "[llm] backend"),
        ('[services.tts]\nurl = "ftp://x"\n', "[services.tts] url"),
        ('[llm.cloud]\napi_key_env = "sk-abc123 secret"\n', "NAME of an environment variable"),
        ("[server\n", "not valid TOML"),
        ('source = "x"\n', "unknown key 'source'"),
    ],
)
def test_bad_config_names_key_and_file(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert expected in message
    assert str(path) in message


def test_missing_config_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no config file at") as caught:
        load_config(tmp_path / "nope.toml")
    assert "vidkit init" in caught.value.for_cli() and "vidkit" not in str(caught.value)[-20:]
    assert "`" not in caught.value.for_studio()


def test_config_is_found_in_parent_folders_and_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "[server]\nport = 9001\n")
    deep = tmp_path / "notebooks" / "apps"
    deep.mkdir(parents=True)
    monkeypatch.delenv("VIDKIT_CONFIG", raising=False)
    monkeypatch.chdir(deep)
    assert load_config().server.port == 9001
    other = _write(deep, "[server]\nport = 9002\n")
    monkeypatch.setenv("VIDKIT_CONFIG", str(other))
    monkeypatch.chdir(tmp_path)
    assert load_config().server.port == 9002


def test_config_is_frozen(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, ""))
    with pytest.raises(ValueError, match="frozen"):
        config.server.port = 1  # type: ignore[misc]


def test_secrets_come_from_the_environment_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIDKIT_TEST_KEY", raising=False)
    with pytest.raises(ConfigError, match="set the environment variable VIDKIT_TEST_KEY"):
        secret("VIDKIT_TEST_KEY", purpose="OpenAI API key")
    monkeypatch.setenv("VIDKIT_TEST_KEY", "sk-live")
    assert secret("VIDKIT_TEST_KEY", purpose="OpenAI API key") == "sk-live"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("localhost", True),
     ("0.0.0.0", False), ("127.example.com", False), ("192.168.1.5", False)],
)  # fmt: skip
def test_loopback_detection(tmp_path: Path, host: str, loopback: bool) -> None:
    config = load_config(_write(tmp_path, f'[server]\nhost = "{host}"\n'))
    assert config.server.is_loopback is loopback
