"""Every key of every ``[services.*]`` section changes behaviour when set: the backend that is
built, or what it sends. "Leave url empty to use the embedded offline default" (config.toml)
holds because a set url is used. A key added to a section without a case here fails
:func:`test_every_key_has_a_case`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.backends.service_servers import StandIn, stand_in
from tests.conftest import write_config
from vidkit.backends import registry
from vidkit.config import Config, ServicesConfig, load_config
from vidkit.errors import VidkitError

KEY = "VIDKIT_TEST_SERVICE_KEY"
Observe = Callable[[Config, StandIn], Any]
IMAGE_PENDING = pytest.mark.xfail(
    strict=True,
    reason="[services.image] is being wired by the avatar-generation work (#13): pending where "
    "the registry has no build_imagegen yet",
)


def _built(build: Callable[[Config], Any]) -> Callable[[Config, StandIn], Any]:
    def observe(config: Config, server: StandIn) -> Any:
        try:
            return type(build(config)).__name__
        except VidkitError as exc:
            return f"error: {type(exc).__name__}"

    return observe


def _attr(build: Callable[[Config], Any], *path: str) -> Observe:
    def observe(config: Config, server: StandIn) -> Any:
        value = build(config)
        for name in path:
            value = getattr(value, name)
        return value

    return observe


def _sent_header(build: Callable[[Config], Any], call: str, header: str) -> Observe:
    def observe(config: Config, server: StandIn) -> Any:
        server.seen.clear()
        backend = build(config)
        try:
            if call == "mask":
                from tests.backends import portraits

                backend.mask(portraits.astronaut())
            else:
                getattr(backend, call)()
        except VidkitError:
            pass  # the stand-in may refuse; what was sent is what counts
        return [s.headers.get(header) for s in server.seen]

    return observe


def _image(config: Config) -> Any:
    return registry.build_imagegen(config)  # type: ignore[attr-defined]


def _capture(surface: str, *path: str) -> Observe:
    """What the capture options of ``surface`` hold (``driver``: the browser they drive)."""

    def observe(config: Config, server: StandIn) -> Any:
        from vidkit.capture.service import capture_options

        value: Any = capture_options(config, surface)  # type: ignore[arg-type]
        for name in path:
            value = value.driver() if name == "driver" else getattr(value, name)
        return value

    return observe


TTS = '[voice]\nbackend = "openai"\n[services.tts]\n'
TTS_URL = 'url = "http://127.0.0.1:9/v1"\n'
TRANSCRIBE = '[transcribe]\nbackend = "openai"\n[services.transcribe]\n'
LIPSYNC = '[services.lipsync]\nurl = "{url}"\nshared_dir = "{shared}"\n'
HEYGEN = LIPSYNC + 'protocol = "heygen"\n'
MATTING = '[services.matting]\nurl = "{url}"\n'
IMAGE = '[services.image]\nurl = "{url}"\n'
CAPTURE = "[services.capture]\n"
CAPTURE_URL = CAPTURE + 'url = "{url}/mcp"\n'

_tts, _stt = registry.build_tts, registry.build_transcriber
_anim, _mat = registry.build_animator, registry.build_matting
NO_SHARED = '[services.lipsync]\nurl = "{url}"\n'

# (section, key): (config without the key, the lines that set it, what is observed)
CASES: dict[tuple[str, str], tuple[str, str, Observe]] = {
    ("tts", "url"): (TTS, TTS_URL, _built(_tts)),
    ("tts", "api_key_env"): (TTS + TTS_URL, f'api_key_env = "{KEY}"\n', _attr(_tts, "_api_key")),
    ("tts", "timeout_s"): (TTS + TTS_URL, "timeout_s = 7.5\n", _attr(_tts, "timeout_s")),
    ("tts", "model"): (TTS + TTS_URL, 'model = "kokoro"\n', _attr(_tts, "model")),
    ("tts", "voice"): (TTS + TTS_URL, 'voice = "af_bella"\n', _attr(_tts, "voice")),
    ("transcribe", "url"): (TRANSCRIBE, TTS_URL, _built(_stt)),
    ("transcribe", "api_key_env"): (
        TRANSCRIBE + TTS_URL, f'api_key_env = "{KEY}"\n', _attr(_stt, "api_key"),
    ),
    ("transcribe", "timeout_s"): (
        TRANSCRIBE + TTS_URL, "timeout_s = 7.5\n", _attr(_stt, "timeout_s"),
    ),
    ("transcribe", "model"): (
        TRANSCRIBE + TTS_URL, 'model = "large-v3"\n', _attr(_stt, "model"),
    ),
    ("lipsync", "url"): ("", LIPSYNC, _built(_anim)),
    ("lipsync", "api_key_env"): (
        HEYGEN, f'api_key_env = "{KEY}"\n',
        _sent_header(_anim, "capability", "X-Api-Key"),
    ),
    ("lipsync", "timeout_s"): (LIPSYNC, "timeout_s = 7.5\n", _attr(_anim, "timeout_s")),
    ("lipsync", "protocol"): (
        LIPSYNC, 'protocol = "heygen"\n', _attr(_anim, "dialect", "__class__"),
    ),
    ("lipsync", "max_seconds"): (
        LIPSYNC, "max_seconds = 20.0\n", _attr(_anim, "max_seconds"),
    ),
    ("lipsync", "poll_s"): (LIPSYNC, "poll_s = 0.5\n", _attr(_anim, "poll_s")),
    ("lipsync", "upload_url"): (
        HEYGEN, 'upload_url = "http://127.0.0.1:9"\n',
        _attr(_anim, "dialect", "upload_url"),
    ),
    ("lipsync", "shared_dir"): (NO_SHARED, 'shared_dir = "{shared}"\n', _built(_anim)),
    ("lipsync", "server_dir"): (
        LIPSYNC, 'server_dir = "/data/temp"\n', _attr(_anim, "dialect", "server_dir"),
    ),
    ("matting", "url"): ("", MATTING, _built(_mat)),
    ("matting", "api_key_env"): (
        MATTING, f'api_key_env = "{KEY}"\n', _sent_header(_mat, "mask", "Authorization"),
    ),
    ("matting", "timeout_s"): (MATTING, "timeout_s = 7.5\n", _attr(_mat, "timeout_s")),
    ("matting", "model"): (MATTING, 'model = "isnet-general-use"\n', _attr(_mat, "model")),
    ("image", "url"): ("", IMAGE, _built(_image)),
    ("image", "api_key_env"): (IMAGE, f'api_key_env = "{KEY}"\n', _attr(_image, "api_key_env")),
    ("image", "timeout_s"): (IMAGE, "timeout_s = 7.5\n", _attr(_image, "timeout_s")),
    ("image", "backend"): (IMAGE, 'backend = "a1111"\n', _built(_image)),
    ("image", "model"): (IMAGE, 'model = "gpt-image-1"\n', _attr(_image, "model")),
    ("image", "voice"): (IMAGE, 'voice = "x"\n', _attr(_image, "voice")),  # older config only
    ("image", "workflow"): (
        IMAGE + 'backend = "comfyui"\n', 'workflow = "{shared}/wf.json"\n',
        _attr(_image, "workflow_path"),
    ),
    # A capture's options (vidkit.capture.service.capture_options): the MCP server it drives,
    # with its key as a Bearer header and its timeout; local Chromium's path; what a capture
    # started over HTTP may do; a terminal command's timeout and output cap.
    ("capture", "url"): (CAPTURE, 'url = "{url}/mcp"\n', _capture("local", "driver", "name")),
    ("capture", "api_key_env"): (
        CAPTURE_URL, f'api_key_env = "{KEY}"\n', _capture("local", "mcp_headers"),
    ),
    ("capture", "timeout_s"): (
        CAPTURE_URL, "timeout_s = 7.5\n", _capture("local", "driver", "timeout_s"),
    ),
    ("capture", "chromium"): (
        CAPTURE, 'chromium = "/opt/chromium"\n', _capture("local", "driver", "executable"),
    ),
    ("capture", "allow_terminal"): (
        CAPTURE, "allow_terminal = true\n", _capture("http", "allow_commands"),
    ),
    ("capture", "allow_local"): (
        CAPTURE, "allow_local = true\n", _capture("http", "driver", "allow_local"),
    ),
    ("capture", "command_timeout_s"): (
        CAPTURE, "command_timeout_s = 3.0\n", _capture("local", "timeout_s"),
    ),
    ("capture", "output_cap_bytes"): (
        CAPTURE, "output_cap_bytes = 5000\n", _capture("local", "output_cap_bytes"),
    ),
}  # fmt: skip


def _keys() -> set[tuple[str, str]]:
    return {
        (section, key)
        for section, field in ServicesConfig.model_fields.items()
        for key in field.annotation.model_fields  # type: ignore[union-attr]
    }


def _params() -> list[Any]:
    params = []
    pending = not hasattr(registry, "build_imagegen")
    for (section, key), case in CASES.items():
        if (section, key) not in _keys():
            continue
        marks = [IMAGE_PENDING] if section == "image" and pending else []
        params.append(pytest.param(section, key, *case, id=f"{section}.{key}", marks=marks))
    return params


def test_every_key_has_a_case() -> None:
    assert _keys() <= set(CASES)


@pytest.mark.parametrize(("section", "key", "base", "setting", "observe"), _params())
def test_setting_the_key_changes_behaviour(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    section: str,
    key: str,
    base: str,
    setting: str,
    observe: Observe,
) -> None:
    monkeypatch.setenv(KEY, "sekrit-key")
    shared = tmp_path / "shared"
    shared.mkdir()
    video = tmp_path / "unused.mp4"
    video.write_bytes(b"")
    if key == "workflow":  # a copy of the shipped ComfyUI workflow, somewhere else
        from importlib.resources import files

        shipped = files("vidkit").joinpath("data/comfyui/portrait_workflow.json")
        (shared / "wf.json").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    with stand_in(video, shared) as server:
        fill = {"url": server.url, "shared": shared.as_posix()}
        before = load_config(write_config(tmp_path / "a", base.format(**fill)))
        after = load_config(write_config(tmp_path / "b", (base + setting).format(**fill)))
        assert observe(before, server) != observe(after, server)


def test_unknown_or_bad_service_keys_name_the_key(tmp_path: Path) -> None:
    from vidkit.errors import ConfigError

    for text, named in [
        ('[services.matting]\nvoice = "x"\n', "voice"),
        ('[services.lipsync]\nprotocol = "sadtalker"\n', "protocol"),
        ("[services.lipsync]\nmax_seconds = 0\n", "max_seconds"),
        ('[services.capture]\nallow_terminal = "yes"\n', "allow_terminal"),
        ("[services.capture]\noutput_cap_bytes = 10\n", "output_cap_bytes"),
        ('[services.capture]\nurl = "127.0.0.1:8931/mcp"\n', "url"),
        ('[services.lipsync]\nupload_url = "upload.heygen.com"\n', "upload_url"),
    ]:
        with pytest.raises(ConfigError, match=named):
            load_config(write_config(tmp_path / named, text))


def test_a_lipsync_service_without_what_it_needs_says_so(tmp_path: Path) -> None:
    from vidkit.errors import ConfigError

    duix = load_config(write_config(tmp_path / "d", '[services.lipsync]\nurl = "http://h:1"\n'))
    with pytest.raises(ConfigError, match=r"needs \[services.lipsync\] shared_dir"):
        registry.build_animator(duix)
    bare = load_config(write_config(tmp_path / "s", '[avatar]\nanimator = "service"\n'))
    with pytest.raises(ConfigError, match=r"needs \[services.lipsync\] url"):
        registry.build_animator(bare)
