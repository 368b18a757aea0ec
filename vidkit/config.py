"""Configuration: ``config.toml`` parsed once into typed, frozen objects.

Relative paths resolve against the folder of the config file. Unknown keys and values of the
wrong type are errors that name the key and the file. Secrets never live in the file: it names
the environment variable that holds each one, and :func:`secret` reads it when a backend needs it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vidkit.errors import ConfigError, Hint
from vidkit.hints import SETUP

__all__ = [
    "CONFIG_ENV",
    "AssetsConfig",
    "AvatarConfig",
    "CaptureServiceConfig",
    "CatalogueConfig",
    "CloudLLMConfig",
    "Config",
    "EmbeddedLLMConfig",
    "EndpointConfig",
    "LLMConfig",
    "LipsyncServiceConfig",
    "LocalLLMConfig",
    "ModelServiceConfig",
    "ModelsConfig",
    "QcConfig",
    "RenderConfig",
    "ServerConfig",
    "ServiceConfig",
    "ServicesConfig",
    "VoiceConfig",
    "find_config",
    "load_config",
    "secret",
    "starter_config",
]

CONFIG_ENV = "VIDKIT_CONFIG"
DEFAULT_NAME = "config.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _check_url(value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL, or empty to leave it unset")
    return value.rstrip("/")


def _check_env_name(value: str) -> str:
    if value and not value.replace("_", "").isalnum():
        raise ValueError("must be the NAME of an environment variable, not the secret itself")
    return value


def _check_hosts(values: tuple[str, ...]) -> tuple[str, ...]:
    checked = []
    for value in values:
        name = value.strip().lower()
        if name != "*" and not _HOST.fullmatch(name):
            raise ValueError(
                f"{value!r} is not a host name: use a name or address as the browser's address "
                "bar shows it, optionally with :port (e.g. 'vidkit.lan', '192.168.1.10:8765', "
                "'[fd00::1]'), or '*' for any"
            )
        checked.append(name)
    return tuple(checked)


def _check_origins(values: tuple[str, ...]) -> tuple[str, ...]:
    checked = []
    for value in values:
        origin = value.strip().lower().rstrip("/")
        scheme, sep, netloc = origin.partition("://")
        if scheme not in ("http", "https") or not sep or not _HOST.fullmatch(netloc):
            raise ValueError(
                f"{value!r} is not an origin: use scheme://host[:port] with no path, as the "
                "page's address starts (e.g. 'http://localhost:3000')"
            )
        checked.append(origin)
    return tuple(checked)


# A host name, an IPv4 address or a bracketed IPv6 address, optionally with :port.
_HOST = re.compile(r"(?:[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?")


class ServerConfig(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    token_env: str = "VIDKIT_API_TOKEN"
    #: Host header values (name or address, optionally :port) served besides the loopback names
    #: and the address a request arrived at; "*" turns the Host check off.
    allowed_hosts: tuple[str, ...] = ()
    #: Origins (scheme://host[:port]) of pages that may send POST/PUT/PATCH/DELETE.
    allowed_origins: tuple[str, ...] = ()

    _env = field_validator("token_env")(_check_env_name)
    _hosts = field_validator("allowed_hosts")(_check_hosts)
    _origins = field_validator("allowed_origins")(_check_origins)

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


class CatalogueConfig(_Section):
    path: Path = Path("var/catalogue.duckdb")
    lock_timeout_s: float = Field(default=30.0, gt=0)


class AssetsConfig(_Section):
    root: Path = Path("var/assets")


class ModelsConfig(_Section):
    dir: Path = Path("models")


class CloudLLMConfig(_Section):
    """``[llm] backend = "openai"``: any OpenAI-compatible chat-completions server."""

    base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-4o-mini"
    api_key_env: str = "OPENAI_API_KEY"
    timeout_s: float = Field(default=60.0, gt=0)
    context_tokens: int = Field(default=128_000, ge=512, le=10_000_000)
    structured: Literal["auto", "json_schema", "json_object", "grammar"] = "auto"

    _url = field_validator("base_url")(_check_url)
    _env = field_validator("api_key_env")(_check_env_name)


class LocalLLMConfig(_Section):
    """``[llm] backend = "ollama"`` or ``"llamacpp"`` (a llama.cpp server, OpenAI-compatible)."""

    ollama_url: str = "http://127.0.0.1:11434"
    llamacpp_url: str = "http://127.0.0.1:8080/v1"
    model: str = "smollm2:135m"
    timeout_s: float = Field(default=120.0, gt=0)
    context_tokens: int = Field(default=4096, ge=512, le=10_000_000)
    #: How ``llamacpp_url`` is asked for structured output (Ollama takes ``format``).
    structured: Literal["auto", "json_schema", "json_object", "grammar"] = "auto"

    _url = field_validator("ollama_url", "llamacpp_url")(_check_url)


class EmbeddedLLMConfig(_Section):
    """``[llm] backend = "embedded"``: llama.cpp in-process. ``gguf`` empty means the fetched
    SmolLM2-135M (weak but always valid JSON: for demos and tests)."""

    gguf: str = ""
    threads: int = Field(default=1, ge=1, le=256)
    context_tokens: int = Field(default=2048, ge=512, le=131_072)
    seed: int = Field(default=0, ge=0)


class LLMConfig(_Section):
    backend: Literal["embedded", "openai", "ollama", "llamacpp"] = "embedded"
    temperature: float = Field(default=0.3, ge=0, le=2)
    retries: int = Field(default=3, ge=0, le=10)
    cloud: CloudLLMConfig = CloudLLMConfig()
    local: LocalLLMConfig = LocalLLMConfig()
    embedded: EmbeddedLLMConfig = EmbeddedLLMConfig()


class EndpointConfig(_Section):
    """An external service endpoint; an empty ``url`` means the embedded default is used."""

    url: str = ""
    api_key_env: str = ""
    timeout_s: float = Field(default=60.0, gt=0)

    _url = field_validator("url")(_check_url)
    _env = field_validator("api_key_env")(_check_env_name)

    @property
    def enabled(self) -> bool:
        return bool(self.url)


class ServiceConfig(EndpointConfig):
    """An endpoint with a model and a voice (``[services.tts]``, ``[services.image]``)."""

    model: str = ""
    voice: str = ""


class ModelServiceConfig(EndpointConfig):
    """An endpoint with a model (``[services.transcribe]``, ``[services.matting]``)."""

    model: str = ""


class ImageServiceConfig(EndpointConfig):
    """Avatar generation (``[services.image]``): an empty ``url`` is the offline illustrated
    generator; otherwise ``backend`` says which wire format the server speaks, ``model`` the
    OpenAI model and ``workflow`` the ComfyUI API-format workflow file (empty: the shipped
    one, with ``{{prompt}}`` and ``{{seed}}`` placeholders)."""

    backend: Literal["openai", "a1111", "comfyui"] = "openai"
    model: str = ""
    workflow: str = ""


class LipsyncServiceConfig(EndpointConfig):
    """A talking-head service (``[services.lipsync]``): which job protocol it speaks, its
    longest clip, how often it is polled, and (Duix) the folder both sides see."""

    protocol: Literal["duix", "heygen"] = "duix"
    max_seconds: float = Field(default=60.0, gt=1, le=3600)
    poll_s: float = Field(default=2.0, gt=0, le=60)
    #: heygen: where assets are uploaded (empty: the same host as url).
    upload_url: str = ""
    #: duix: a folder vidkit writes the face video and audio into and the server reads ...
    shared_dir: str = ""
    #: ... and the same folder as the server sees it (empty: the same path).
    server_dir: str = ""

    _upload = field_validator("upload_url")(_check_url)


class CaptureServiceConfig(EndpointConfig):
    """Screen capture (``[services.capture]``): ``url`` is a Playwright MCP server's Streamable
    HTTP endpoint (``http://127.0.0.1:8931/mcp``; empty: local Chromium through Playwright, at
    ``chromium`` or found), its key sent as a Bearer header. ``allow_terminal`` and
    ``allow_local`` hold only for captures started over the HTTP API (Python, the CLI and the
    studio always may run terminal commands and open local pages); a terminal command's
    timeout and output cap hold everywhere."""

    chromium: str = ""
    allow_terminal: bool = False
    allow_local: bool = False
    command_timeout_s: float = Field(default=20.0, gt=0, le=3600)
    output_cap_bytes: int = Field(default=1_000_000, ge=1000, le=1_000_000_000)


class ServicesConfig(_Section):
    tts: ServiceConfig = ServiceConfig()
    transcribe: ModelServiceConfig = ModelServiceConfig()
    image: ImageServiceConfig = ImageServiceConfig()
    lipsync: LipsyncServiceConfig = LipsyncServiceConfig()
    matting: ModelServiceConfig = ModelServiceConfig()
    capture: CaptureServiceConfig = CaptureServiceConfig()


class VoiceConfig(_Section):
    """Which TTS speaks the narration."""

    backend: Literal["piper", "openai", "xtts", "gpt-sovits", "chatterbox", "elevenlabs"] = "piper"
    piper_voice: str = "en_US-joe-medium"
    chunk_chars: int = Field(default=1200, ge=100, le=20000)
    #: gpt-sovits: a folder vidkit copies references into and the server reads them from ...
    shared_dir: str = ""
    #: ... and where the server sees that folder (empty: at the same path).
    server_dir: str = ""


class TranscribeConfig(_Section):
    """Which speech-to-text backend transcribes recordings, and in which language."""

    backend: Literal["whisper", "openai"] = "whisper"
    language: str = ""  # empty: the backend detects it
    threads: int = Field(default=1, ge=1, le=64)


class TightenConfig(_Section):
    """How a recording is tightened: which pauses are cut, what is sped up, the margins."""

    min_silence_ms: int = Field(default=1000, ge=100, le=60_000)
    keep_pause_ms: int = Field(default=400, ge=0, le=10_000)
    word_margin_ms: int = Field(default=80, ge=50, le=1000)
    cut_fillers: bool = True
    fillers: tuple[str, ...] = (
        "um", "umm", "uh", "uhm", "erm", "er", "ah", "hmm", "mm", "you know",
    )  # fmt: skip
    cut_unworded: bool = True
    cut_restarts: bool = True
    speed_typing: bool = True
    typing_min_ms: int = Field(default=1500, ge=200, le=60_000)
    max_speed: float = Field(default=4.0, gt=1, le=16)
    crossfade_ms: int = Field(default=15, ge=0, le=100)


class AvatarConfig(_Section):
    """How the presenter is cut out and animated."""

    matting: Literal["rembg", "mediapipe"] = "rembg"
    animator: Literal["embedded", "command", "service"] = "embedded"
    command: str = ""
    max_side: int = Field(default=1024, ge=128, le=4096)
    seed: int = 0

    @field_validator("command")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        missing = [p for p in ("{image}", "{audio}", "{out}") if value and p not in value]
        if missing:
            raise ValueError(f"the command template needs the placeholder(s) {' '.join(missing)}")
        return value


class RenderConfig(_Section):
    """How scenes are rendered and where finished videos go."""

    output_dir: Path = Path("var/renders")
    workers: int = Field(default=2, ge=1, le=64)
    preset: Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"] = "veryfast"
    crf: int = Field(default=20, ge=0, le=51)
    min_speed: float = Field(default=0.5, gt=0, le=1)
    max_speed: float = Field(default=2.0, ge=1, le=16)
    beyond: Literal["auto", "freeze", "cut"] = "auto"
    burn_captions: bool = True
    title_cards: bool = True
    #: Where scenes are rendered: "local" (``workers`` processes here), "dask" (a Dask
    #: LocalCluster of ``workers`` processes) or a Dask scheduler's address (tcp://host:8786).
    executor: str = "local"

    @field_validator("executor")
    @classmethod
    def _executor(cls, value: str) -> str:
        if value in ("local", "dask") or re.fullmatch(r"(tcp|tls|ws|wss)://[^\s/]+:\d+", value):
            return value
        raise ValueError(
            'must be "local", "dask" or a Dask scheduler address such as "tcp://host:8786"'
        )


class QcConfig(_Section):
    """Limits of the quality checks measured on every rendered scene (:mod:`vidkit.qc`). Past a
    limit an item is amber; red further past it, as each field says."""

    #: Audio later or earlier than the picture: amber past this, red past three times it.
    av_offset_frames: float = Field(default=1.0, gt=0, le=100)
    #: A caption may show this long before its first word is heard (amber past it; red
    #: 500 ms further), and stay ``caption_linger_ms`` after the speech has ended.
    caption_lead_ms: int = Field(default=100, ge=0, le=10_000)
    caption_linger_ms: int = Field(default=1000, ge=0, le=60_000)
    #: The film (the joined scenes, normalised): integrated loudness within the tolerance
    #: (amber past it, red past twice it) and a true peak at most ``true_peak_dbtp`` (amber
    #: above, red above 0 dBTP).
    loudness_lufs: float = Field(default=-16.0, ge=-70, le=0)
    loudness_tolerance_lu: float = Field(default=2.0, gt=0, le=30)
    true_peak_dbtp: float = Field(default=-1.0, ge=-30, le=0)
    #: A scene before the film is normalised: how far from ``loudness_lufs`` it may be
    #: (amber past this, red past twice it or silent).
    scene_loudness_tolerance_lu: float = Field(default=6.0, gt=0, le=60)
    #: Clipping: runs of 3+ samples at full scale within any one second of sound. A peak
    #: normalised to full scale touches it once or twice a sentence: amber from
    #: :data:`vidkit.qc.checks.CLIPPED_AMBER` in a second, red from this many.
    clipped_per_s: int = Field(default=10, ge=1, le=100_000)
    #: Seconds of silence, of black picture, of picture that does not change, of presenter
    #: without a face: amber from this long, red from twice this long (silence where the
    #: narration has sound is always red: the sound was lost).
    silence_s: float = Field(default=1.5, gt=0, le=600)
    black_s: float = Field(default=0.5, gt=0, le=600)
    freeze_s: float = Field(default=2.0, gt=0, le=600)
    face_lost_s: float = Field(default=1.0, gt=0, le=600)
    #: Frames a second searched for the presenter's face.
    face_fps: float = Field(default=2.0, gt=0, le=30)


class Config(_Section):
    """The whole configuration. ``source`` is the file it came from (None for defaults)."""

    server: ServerConfig = ServerConfig()
    catalogue: CatalogueConfig = CatalogueConfig()
    assets: AssetsConfig = AssetsConfig()
    models: ModelsConfig = ModelsConfig()
    llm: LLMConfig = LLMConfig()
    services: ServicesConfig = ServicesConfig()
    voice: VoiceConfig = VoiceConfig()
    transcribe: TranscribeConfig = TranscribeConfig()
    tighten: TightenConfig = TightenConfig()
    avatar: AvatarConfig = AvatarConfig()
    render: RenderConfig = RenderConfig()
    qc: QcConfig = QcConfig()
    source: Path | None = None

    def resolved(self, base: Path) -> Config:
        """A copy whose relative paths are made absolute against ``base``."""
        return self.model_copy(
            update={
                "catalogue": self.catalogue.model_copy(
                    update={"path": _absolute(self.catalogue.path, base)}
                ),
                "assets": self.assets.model_copy(
                    update={"root": _absolute(self.assets.root, base)}
                ),
                "models": self.models.model_copy(update={"dir": _absolute(self.models.dir, base)}),
                "render": self.render.model_copy(
                    update={"output_dir": _absolute(self.render.output_dir, base)}
                ),
            }
        )


def _absolute(path: Path, base: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Locate the config file: ``explicit``, else ``$VIDKIT_CONFIG``, else the nearest
    ``config.toml`` in the working directory or one of its parents."""
    if explicit is not None:
        return Path(explicit).expanduser()
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    here = Path.cwd()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_NAME
        if candidate.is_file():
            return candidate
    return here / DEFAULT_NAME


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate a config file; see :func:`find_config` for how it is found."""
    file = find_config(path)
    if not file.exists():
        raise ConfigError(
            f"no config file at {file}",
            hint=Hint(
                "write_config",
                cli="run `vidkit init` to write a starter one, or pass -c/--config-file with "
                "the path of yours",
                studio=f"{SETUP} write one (or start the studio with the path of theirs)",
            ),
        )
    if not file.is_file():
        raise ConfigError(f"config path {file} is not a file")
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file} is not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {file}: {exc}") from exc
    return parse_config(raw, file)


def parse_config(raw: dict[str, Any], file: Path) -> Config:
    """Validate an already-parsed TOML mapping that came from ``file``."""
    if "source" in raw:
        raise ConfigError(f"{file}: unknown key 'source'")
    try:
        # JSON mode with strict types: TOML strings become paths, but "30" is no number.
        config = Config.model_validate_json(json.dumps(raw, default=str))
    except ValidationError as exc:
        raise ConfigError(_describe(exc, file)) from None
    file = file.resolve()
    return config.resolved(file.parent).model_copy(update={"source": file})


def _describe(exc: ValidationError, file: Path) -> str:
    lines = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        key = loc[-1] if loc else "?"
        section = f"[{'.'.join(loc[:-1])}] " if len(loc) > 1 else ""
        if err["type"] == "extra_forbidden":
            lines.append(f"{file}: unknown key {section}{key}")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{file}: {section}{key}: {msg} (got {err.get('input')!r})")
    return "; ".join(lines)


def secret(env_name: str, *, purpose: str) -> str:
    """Read a secret from the environment, or raise a :class:`ConfigError` that names it."""
    if not env_name:
        raise ConfigError(f"no environment variable is configured for the {purpose}")
    value = os.environ.get(env_name, "")
    if not value:
        raise ConfigError(f"set the environment variable {env_name} to the {purpose}")
    return value


def starter_config() -> str:
    """The text of a starter ``config.toml`` (what ``vidkit init`` writes)."""
    from importlib.resources import files

    return files("vidkit").joinpath("config_template.toml").read_text(encoding="utf-8")
