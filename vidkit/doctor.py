"""Health checks of an installation: is everything a render needs present and reachable?

:func:`run_checks` looks at ffmpeg (it runs, and has the libx264 and aac encoders), the catalogue
(it opens, and every row of every table reads back), the assets root (it is writable), the
offline models (present and verified), the embedded LLM when ``[llm] backend = "embedded"``
(llama-cpp-python imports, the GGUF file is there; the model is not loaded) and every
configured service (it answers an HTTP GET within 2 s; API keys are set; a lip-sync, matting,
image or voice-cloning service says what it offers: animates, removes backgrounds, generates
images, clones voices); a configured LLM server is asked for its models and one tiny
structured answer (which mode it takes); screen capture has its browser (local Chromium, or
an MCP server that opens a session and lists the tool the capture runs). Each finding is a
:class:`Check` whose ``fix`` names the config key or command that repairs it. Nothing here
prints, and no secret value is ever put into a check: only the names of environment variables.
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from vidkit.config import Config
from vidkit.errors import BackendError, CatalogueLocked, VidkitError

__all__ = ["Check", "run_checks"]

HTTP_TIMEOUT_S = 2.0
CATALOGUE_WAIT_S = 5.0
REQUIRED_ENCODERS = ("libx264", "aac")
_FFMPEG_FIX = "reinstall the ffmpeg binary: pip install --force-reinstall imageio-ffmpeg"


@dataclass(frozen=True, slots=True)
class Check:
    """One finding: what was checked, whether it passed, what was seen, and how to fix it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks(config: Config) -> list[Check]:
    """Every check, in a stable order; slow network checks run in parallel."""
    return [
        *check_ffmpeg(),
        check_catalogue(config),
        check_assets_root(config),
        *check_models(config),
        *check_llm(config),
        *check_services(config),
        *check_service_capabilities(config),
        *check_llm_server(config),
        check_capture(config),
    ]


def _in_config(config: Config) -> str:
    return f"in {config.source}" if config.source else "in the config"


# ffmpeg -------------------------------------------------------------------------------------


def _ffmpeg(exe: str, *args: str) -> str:
    try:
        result = subprocess.run(
            [exe, "-hide_banner", *args],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackendError(f"`ffmpeg {' '.join(args)}` did not run: {exc}") from exc
    if result.returncode != 0:
        tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise BackendError(f"`ffmpeg {' '.join(args)}` failed ({result.returncode}): {tail}")
    return result.stdout


def _encoder_names(listing: str) -> set[str]:
    """Names from ``ffmpeg -encoders`` lines such as `` V....D libx264  H.264 ...``."""
    names = set()
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 6 and parts[0][0] in "VAS":
            names.add(parts[1])
    return names


def check_ffmpeg() -> list[Check]:
    """ffmpeg runs (``-version``) and can encode H.264 video and AAC audio."""
    from vidkit.media import ffmpeg_exe

    try:
        exe = ffmpeg_exe()
        version = _ffmpeg(exe, "-version").splitlines()
        encoders = _encoder_names(_ffmpeg(exe, "-encoders"))
    except VidkitError as exc:
        return [Check("ffmpeg", False, str(exc), _FFMPEG_FIX)]
    banner = version[0].split(" Copyright")[0] if version else "ffmpeg"
    missing = [name for name in REQUIRED_ENCODERS if name not in encoders]
    codecs = (
        Check("ffmpeg encoders", True, f"{' and '.join(REQUIRED_ENCODERS)} available")
        if not missing
        else Check(
            "ffmpeg encoders",
            False,
            f"{exe} lacks the encoder(s) {', '.join(missing)}",
            "use an ffmpeg built with them: unset IMAGEIO_FFMPEG_EXE to use the one that "
            "imageio-ffmpeg bundles",
        )
    )
    return [Check("ffmpeg", True, f"{banner} ({exe})"), codecs]


# catalogue and assets root --------------------------------------------------------------------


def check_catalogue(config: Config) -> Check:
    """The catalogue opens (and is migrated, as every use does) and every row of every table
    can be read, so a damaged file is found here rather than halfway through a render. Waits at
    most a few seconds for another process's lock, so the doctor stays quick. A damaged
    catalogue's fix names the newest backup to restore."""
    from vidkit.catalogue import Catalogue, restore_advice

    path = config.catalogue.path
    wait = min(config.catalogue.lock_timeout_s, CATALOGUE_WAIT_S)
    catalogue = Catalogue(path, lock_timeout_s=wait)
    try:
        with catalogue.session():
            version = catalogue.schema_version()
            counts = catalogue.verify()
    except CatalogueLocked as exc:
        return Check("catalogue", False, str(exc), "close the program holding it, then retry")
    except VidkitError as exc:
        fix = f"{restore_advice(path.absolute())}; or see [catalogue] path {_in_config(config)}"
        return Check("catalogue", False, str(exc), fix)
    rows = sum(counts.values())
    found = catalogue.backups()
    newest = f"newest backup {found[0]}" if found else "no backups yet (`vidkit catalogue backup`)"
    return Check(
        "catalogue",
        True,
        f"{path} (schema version {version}; {len(counts)} tables, {rows} rows read; {newest})",
    )


def check_assets_root(config: Config) -> Check:
    """The assets root exists (it is created if missing) and a file can be written into it."""
    root = config.assets.root
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".vidkit-doctor-"):
            pass
        free = shutil.disk_usage(root).free
    except OSError as exc:
        return Check(
            "assets root",
            False,
            f"cannot write into {root}: {exc.strerror or exc}",
            f"make it writable, or point [assets] root {_in_config(config)} at another folder",
        )
    return Check("assets root", True, f"{root} is writable ({free / 1e9:.1f} GB free)")


# offline models -------------------------------------------------------------------------------


def check_models(config: Config) -> list[Check]:
    """One check per pinned offline model: present in the models folder and verified."""
    from vidkit.models import statuses

    return [Check(f"model {s.name}", s.ok, s.detail, s.fix) for s in statuses(config)]


# the embedded LLM -------------------------------------------------------------------------------

#: How long importing llama_cpp may take in the child process (it loads libllama, no model).
IMPORT_TIMEOUT_S = 60.0
_EMBEDDED_MODEL = "smollm2-135m"
_LLAMA_INSTALL = (
    "run `make models` (it installs llama-cpp-python, building its wheel once, about 11 minutes, "
    "and fetches the model), or choose another [llm] backend"
)


def check_llm(config: Config) -> list[Check]:
    """With ``[llm] backend = "embedded"``: llama-cpp-python imports, and the GGUF file that
    ``[llm.embedded] gguf`` names (empty: the fetched SmolLM2-135M) is there and is GGUF. The
    model is not loaded. Other backends are servers, checked with the services."""
    if config.llm.backend != "embedded":
        return []
    return [_llama_cpp_check(), _gguf_check(config)]


def _llama_cpp_check() -> Check:
    """Imported in a child process, so a build that crashes (a CPU it was not built for)
    cannot take the doctor down with it."""
    name = "llm embedded"
    if importlib.util.find_spec("llama_cpp") is None:
        return Check(name, False, "llama-cpp-python is not installed", _LLAMA_INSTALL)
    code = "import sys, llama_cpp; sys.stdout.write(llama_cpp.__version__)"
    try:
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=IMPORT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check(name, False, f"importing llama_cpp did not finish: {exc}", _LLAMA_INSTALL)
    if result.returncode == 0:
        return Check(name, True, f"llama-cpp-python {result.stdout.strip()} imports")
    if result.returncode < 0:
        try:
            how = signal.Signals(-result.returncode).name
        except ValueError:
            how = f"signal {-result.returncode}"
        return Check(
            name,
            False,
            f"importing llama_cpp crashed ({how}): its build does not run on this machine",
            "rebuild it: delete the llama_cpp_python wheel in ~/.cache/vidkit/wheels and "
            ".venv/bin/.installed, then run `make models`; or choose another [llm] backend",
        )
    tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
    return Check(name, False, f"importing llama_cpp failed: {tail}", _LLAMA_INSTALL)


def _embedded_gguf(config: Config) -> Path:
    """The GGUF file the embedded backend runs: ``[llm.embedded] gguf`` (relative to the config
    file), or the fetched SmolLM2-135M in the models folder."""
    if config.llm.embedded.gguf:
        path = Path(config.llm.embedded.gguf).expanduser()
        if not path.is_absolute() and config.source is not None:
            path = config.source.parent / path
        return path
    from vidkit.models import manifest

    spec = next(s for s in manifest() if s.name == _EMBEDDED_MODEL)
    return config.models.dir / spec.file


def _gguf_check(config: Config) -> Check:
    name = "llm embedded model"
    path = _embedded_gguf(config)
    where = _in_config(config)
    own = bool(config.llm.embedded.gguf)
    key = f"[llm.embedded] gguf {where}"
    fix = (
        f"correct {key}, or leave it empty for SmolLM2-135M (`make models`)"
        if own
        else "run `make models` (or `vidkit models fetch smollm2-135m`)"
    )
    try:
        with path.open("rb") as file:
            magic = file.read(4)
        size = path.stat().st_size
    except FileNotFoundError:
        return Check(name, False, f"{path} is missing", fix)
    except OSError as exc:
        return Check(name, False, f"cannot read {path}: {exc.strerror or exc}", fix)
    if magic != b"GGUF":
        return Check(
            name,
            False,
            f"{path} is not a GGUF file (llama.cpp reads GGUF only)",
            f"point {key} at a .gguf model" if own else f"delete it and {fix}",
        )
    return Check(name, True, f"{path} (GGUF, {size / 1e6:.0f} MB)")


# configured services --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Endpoint:
    name: str
    url: str
    url_key: str
    key_env: str | None = None  # None: no API key needed; "": one is needed but none is named
    key_env_key: str = ""


def _endpoints(config: Config) -> list[_Endpoint]:
    endpoints = []
    for name in type(config.services).model_fields:
        service = getattr(config.services, name)
        if service.url:
            endpoints.append(
                _Endpoint(
                    f"service {name}",
                    service.url,
                    f"[services.{name}] url",
                    service.api_key_env or None,
                    f"[services.{name}] api_key_env",
                )
            )
    llm = config.llm
    if llm.backend == "ollama":
        endpoints.append(_Endpoint("llm ollama", llm.local.ollama_url, "[llm.local] ollama_url"))
    elif llm.backend == "llamacpp":
        endpoints.append(
            _Endpoint("llm llamacpp", llm.local.llamacpp_url, "[llm.local] llamacpp_url")
        )
    elif llm.backend == "openai":
        endpoints.append(
            _Endpoint(
                "llm openai",
                llm.cloud.base_url,
                "[llm.cloud] base_url",
                llm.cloud.api_key_env,
                "[llm.cloud] api_key_env",
            )
        )
    return endpoints


def check_llm_server(config: Config) -> list[Check]:
    """With an LLM server configured (``openai``, ``ollama``, ``llamacpp``) that answers: does it
    list ``model``, and which structured-output mode works (one tiny request)?"""
    llm = config.llm
    if llm.backend == "embedded":
        return []
    from vidkit.backends.llm.probe import probe
    from vidkit.backends.registry import build_llm

    section = "[llm.cloud]" if llm.backend == "openai" else "[llm.local]"
    model = llm.cloud.model if llm.backend == "openai" else llm.local.model
    where = _in_config(config)
    name = f"llm {llm.backend} server"
    try:
        backend = build_llm(config)
    except VidkitError:
        return []  # a missing key: the "api key" check says which variable to set
    from vidkit.backends.llm.ollama_chat import OllamaChat
    from vidkit.backends.llm.openai_chat import OpenAIChat

    if not isinstance(backend, OpenAIChat | OllamaChat):  # pragma: no cover
        return []
    report = probe(backend)
    if report.models is None and report.problem.startswith("cannot reach"):
        return []  # the reachability check above says so and how to fix it
    if report.models is not None and not report.lists(model):
        shown = ", ".join(report.models[:8]) or "none"
        fix = f"`ollama pull {model}`, or " if llm.backend == "ollama" else ""
        return [
            Check(
                name,
                False,
                f"the server does not list model {model!r} (it lists: {shown})",
                f"{fix}set {section} model {where} to one it lists",
            )
        ]
    listed = "" if report.models is None else f"lists model {model!r}; "
    if report.mode is None:
        return [
            Check(
                name,
                False,
                f"{listed}no structured output worked: {report.problem}",
                f"set {section} structured {where} to a mode the server takes, or see docs/llm.md",
            )
        ]
    return [Check(name, True, f"{listed}structured output works as {report.mode}")]


def check_services(config: Config) -> list[Check]:
    """Every configured endpoint answers, and the API keys they need are in the environment."""
    endpoints = _endpoints(config)
    if not endpoints:
        return []
    where = _in_config(config)
    with ThreadPoolExecutor(max_workers=len(endpoints)) as pool:
        reached = list(pool.map(lambda e: _reach(e, where), endpoints))
    checks = []
    for endpoint, check in zip(endpoints, reached, strict=True):
        checks.append(check)
        if endpoint.key_env is not None:
            checks.append(_key_check(endpoint, where))
    return checks


#: The ``[voice] backend`` values that clone from a reference, at ``[services.tts]``.
CLONING_BACKENDS = ("xtts", "gpt-sovits", "chatterbox", "elevenlabs")


def check_service_capabilities(config: Config) -> list[Check]:
    """What each configured lip-sync, matting, image or voice-cloning service really offers,
    by one cheap read-only request to what its protocol has for that (Duix's status query,
    HeyGen's quota, rembg's OpenAPI schema, the image server's models or checkpoints, the
    cloning server's languages, health or plan), not only that its URL answers. The requests
    run in parallel."""
    wanted = _capability_services(config)
    if not wanted:
        return []
    where = _in_config(config)
    with ThreadPoolExecutor(max_workers=len(wanted)) as pool:
        found = list(pool.map(lambda w: _capability(w[0], w[1], where), wanted))
    return [check for check in found if check is not None]


def _capability_services(config: Config) -> list[tuple[str, Callable[[], object]]]:
    """(section name, how to build its backend) for each service with a capability query: the
    offline defaults (no url) and a ``[services.tts]`` that only speaks (``openai``) have none."""
    from vidkit.backends import registry

    services = config.services
    wanted: list[tuple[str, Callable[[], object]]] = []
    if services.lipsync.url:
        wanted.append(("lipsync", lambda: registry.build_animator(config)))
    if services.matting.url:
        wanted.append(("matting", lambda: registry.build_matting(config)))
    if services.image.url:
        wanted.append(("image", lambda: registry.build_imagegen(config)))
    if services.tts.url and config.voice.backend in CLONING_BACKENDS:
        wanted.append(("tts", lambda: registry.build_cloning_tts(config)))
    return wanted


def _capability(name: str, build: Callable[[], object], where: str) -> Check | None:
    label = f"service {name} capability"
    try:
        capability: Callable[[], str] | None = getattr(build(), "capability", None)
        if capability is None:  # pragma: no cover - every service backend has one
            return None
        return Check(label, True, str(capability()))
    except VidkitError as exc:
        return Check(label, False, str(exc), f"fix [services.{name}] {where}")


def _key_check(endpoint: _Endpoint, where: str) -> Check:
    name = f"{endpoint.name} api key"
    env = endpoint.key_env
    if not env:
        return Check(
            name,
            False,
            "no environment variable is named for the API key",
            f"set {endpoint.key_env_key} {where}",
        )
    if os.environ.get(env):
        return Check(name, True, f"environment variable {env} is set")
    return Check(
        name,
        False,
        f"environment variable {env} is not set",
        f"export {env}=<your key>, or change {endpoint.key_env_key} {where}",
    )


def _reach(endpoint: _Endpoint, where: str) -> Check:
    """Any HTTP answer, even 404 or 401, shows the service is there. What is shown of the URL
    leaves out user, password and query string, which may hold secrets."""
    parts = urlsplit(endpoint.url)
    plain = parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1])  # urllib cannot take user:pw@
    shown = urlunsplit(plain._replace(query="…" if parts.query else "", fragment=""))
    request = urllib.request.Request(urlunsplit(plain), headers={"User-Agent": "vidkit-doctor"})
    try:
        with _opener(endpoint.url).open(request, timeout=HTTP_TIMEOUT_S) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
        exc.close()
    except (OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return Check(
            endpoint.name,
            False,
            f"{shown} is unreachable: {reason}",
            f"start the service, or correct {endpoint.url_key} {where}",
        )
    return Check(endpoint.name, True, f"{shown} answered (HTTP {status})")


def _opener(url: str) -> urllib.request.OpenerDirector:
    """The default opener (environment proxies apply), but none for loopback addresses, which
    no proxy can reach on the user's behalf."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host == "::1" or host.startswith("127."):
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


# screen capture ---------------------------------------------------------------------------------


def check_capture(config: Config) -> Check:
    """The browser captures run in: with ``[services.capture] url`` empty, Playwright and a
    local Chromium (``chromium``, or one found); with a url, a Playwright MCP server there that
    opens a session and offers the tool the capture runs its steps with."""
    from vidkit.capture.service import RUN_TOOLS, probe_mcp

    section = config.services.capture
    where = _in_config(config)
    if section.url:
        name = "capture mcp server"
        headers = {}
        if section.api_key_env and os.environ.get(section.api_key_env):
            headers["Authorization"] = f"Bearer {os.environ[section.api_key_env]}"
        try:
            found = probe_mcp(section.url, headers=headers, timeout_s=HTTP_TIMEOUT_S * 2)
        except VidkitError as exc:
            return Check(
                name, False, str(exc),
                f"start it (docs/capture.md), or correct [services.capture] url {where} "
                "(empty: local Chromium)",
            )  # fmt: skip
        offers = f"{found.server} {found.version}, {len(found.tools)} tools"
        if not found.can_capture:
            return Check(
                name, False, f"{offers}, but none of {', '.join(RUN_TOOLS)}",
                "run the Playwright MCP server (npx @playwright/mcp@latest --port 8931 "
                "--headless), a release that has browser_run_code",
            )  # fmt: skip
        return Check(name, True, offers)
    name = "capture chromium"
    if importlib.util.find_spec("playwright") is None:
        return Check(name, False, "playwright is not installed", "pip install playwright")
    from vidkit.capture.local import find_chromium

    if section.chromium:
        path = Path(section.chromium).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return Check(name, True, f"{path} ([services.capture] chromium)")
        return Check(
            name, False, f"{path} is not an executable file",
            f"correct [services.capture] chromium {where}, or leave it empty to find one",
        )  # fmt: skip
    chromium = find_chromium()
    if chromium is None:
        return Check(
            name, False, "no Chromium found (/usr/bin/chromium, chromium or chromium-browser)",
            "install Chromium (Debian: apt-get install chromium; elsewhere: playwright install "
            f"chromium), or set [services.capture] chromium or url {where}",
        )  # fmt: skip
    return Check(name, True, f"{chromium} (found)")
