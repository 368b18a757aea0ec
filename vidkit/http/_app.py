"""Building the FastAPI application and serving it with uvicorn."""

from __future__ import annotations

import copy
import logging
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from vidkit import __version__
from vidkit.config import Config
from vidkit.errors import ConfigError, InvalidInput
from vidkit.http import (
    _routes_assets,
    _routes_author,
    _routes_avatar,
    _routes_capture,
    _routes_jobs,
    _routes_projects,
    _routes_recordings,
    _routes_scenes,
    _routes_voices,
)
from vidkit.http._auth import BearerAuth, document_bearer
from vidkit.http._cross_site import CrossSiteGuard, document_refusals
from vidkit.http._errors import install_error_handlers
from vidkit.http._llm import LLMSource
from vidkit.http._schemas import Health
from vidkit.http._token import read_token, token_required
from vidkit.workspace import Workspace

if TYPE_CHECKING:
    from vidkit.authoring import LLM

__all__ = ["create_app", "serve"]

log = logging.getLogger("vidkit.http")

_DESCRIPTION = (
    "Projects, scenes and assets of a vidkit workspace, scenes made from raw recordings "
    "(transcribed, tightened, edited by text) or captured from a script (a browser or a "
    "terminal session), and writing and planning them with the "
    "configured LLM. Errors have a `detail`: a message, or for 422 a list of `{loc, msg, type}` "
    "naming the offending field; an LLM that fails answers 502, 503 or 504. Off loopback, "
    "every `/api` route but `GET /api/health` needs `Authorization: Bearer <token>`. A request "
    "for a host name the server does not serve, or a POST, PUT, PATCH or DELETE whose `Origin` "
    "is another site's, is refused with 403 (see `[server] allowed_hosts` and `allowed_origins`)."
)


def create_app(
    config: Config, *, require_token: bool | None = None, llm: LLM | None = None
) -> FastAPI:
    """The API over the workspace that ``config`` describes.

    ``require_token`` None: a bearer token is required when ``config.server.host`` is not a
    loopback address. True requires it anyway. The token comes from the environment variable
    ``config.server.token_env``; a :class:`ConfigError` says how to set it when it is missing.

    ``llm``: the model the authoring routes use (any :class:`~vidkit.authoring.LLM`);
    without one, ``[llm]`` in the config says which, built on the first authoring request.
    """
    if require_token is None:
        require_token = token_required(config.server.host)
    token = read_token(config.server) if require_token else None

    app = FastAPI(title="vidkit", version=__version__, description=_DESCRIPTION)
    app.state.workspace = Workspace(config)
    app.state.llm = LLMSource(config, llm)
    install_error_handlers(app)

    @app.get("/api/health", response_model=Health, tags=["health"])
    def health() -> dict[str, str]:
        """Liveness check; never needs the token."""
        return {"status": "ok", "version": __version__}

    app.include_router(_routes_projects.router)
    app.include_router(_routes_scenes.router)
    app.include_router(_routes_assets.router)
    app.include_router(_routes_recordings.router)
    app.include_router(_routes_capture.router)
    app.include_router(_routes_author.router)
    app.include_router(_routes_voices.router)
    app.include_router(_routes_avatar.router)
    app.include_router(_routes_jobs.router)
    if token is not None:
        app.add_middleware(BearerAuth, token=token, token_env=config.server.token_env)
    _document(app, bearer=token is not None)
    # Added last, so it runs first: a foreign Host or Origin is refused before anything else.
    app.add_middleware(CrossSiteGuard, server=config.server)
    return app


def _document(app: FastAPI, *, bearer: bool) -> None:
    """The OpenAPI schema states the 403 every route can answer and, with a token, the
    bearer scheme and its 401."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            if bearer:
                document_bearer(schema)
            document_refusals(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def serve(
    config: Config,
    *,
    host: str | None = None,
    port: int | None = None,
    require_token: bool = False,
    configure_logging: bool = True,
) -> None:
    """Serve the API until interrupted (Ctrl+C or SIGTERM).

    ``host`` and ``port`` default to ``[server]`` in the config. Listening on anything but
    loopback requires the bearer token (``require_token`` requires it on loopback too); without
    it this raises :class:`ConfigError` before anything listens. ``configure_logging=False``
    leaves logging as the caller set it up (``vidkit serve`` does, from ``-v``/``-q``/
    ``--log-level``/``--log-file``); by default uvicorn's and vidkit's loggers print at INFO.
    """
    bind_host = config.server.host if host is None else host
    bind_port = config.server.port if port is None else port
    if not 0 <= bind_port <= 65535:
        raise InvalidInput(
            f"port {bind_port} is invalid: use 1..65535 (0: any free port)", field="port"
        )
    needs_token = require_token or token_required(bind_host)
    if needs_token:
        read_token(config.server, host=bind_host)  # fail with the how-to before building
    app = create_app(config, require_token=needs_token)

    token_said = f"from ${config.server.token_env} required" if needs_token else "not required"
    run_on(
        app, bind_host, bind_port, configure_logging=configure_logging,
        say=lambda where: f"vidkit API on {where} (docs at /docs; bearer token {token_said})",
    )  # fmt: skip


def run_on(
    app: Any, host: str, port: int, *, configure_logging: bool, say: Callable[[str], str]
) -> None:
    """Serve ``app`` with uvicorn on ``host``:``port`` (0: any free port) until interrupted;
    once it listens, log ``say("http://host:port")``."""
    import uvicorn

    sock = _listen(host, port)
    try:
        server = uvicorn.Server(
            uvicorn.Config(
                app, host=host, port=port,
                log_config=_log_config() if configure_logging else None,
            )
        )  # fmt: skip
        shown = f"[{host}]" if ":" in host else host
        log.info("%s", say(f"http://{shown}:{sock.getsockname()[1]}"))
        server.run(sockets=[sock])
    finally:
        sock.close()


def _listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves, so a busy port is an error, not ``sys.exit``. It
    listens at once: a client that connects as soon as the server says where it is waits in
    the backlog until the server accepts, instead of being refused."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; check that the host is an "
            "address of this machine and that no other program uses the port, or choose "
            "another with --host/--port or [server] in the config"
        ) from exc
    return sock


def _log_config() -> dict[str, Any]:
    """uvicorn's logging setup, plus vidkit's own loggers at INFO."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["vidkit"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
