"""Which hosts need the API token, and reading it from the environment.

No FastAPI here, so the CLI and ``vidkit doctor`` can ask :func:`token_required` cheaply.
"""

from __future__ import annotations

import ipaddress
import os

from vidkit.config import ServerConfig
from vidkit.errors import ConfigError, Hint

__all__ = ["read_token", "token_required"]


def token_required(host: str) -> bool:
    """Whether listening on ``host`` needs a token: anything but a loopback address does.

    Unlike a prefix test, a host name such as ``127.example.com`` is not taken for loopback.
    """
    if host.strip().lower() == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return True


def read_token(server: ServerConfig, *, host: str | None = None) -> str:
    """The API token from the environment, or a :class:`ConfigError` that says how to set it."""
    where = f" on {host}" if host is not None else ""
    if not server.token_env:
        raise ConfigError(
            f"the API{where} needs a bearer token, but [server] token_env in the config is empty; "
            "set it to the name of an environment variable such as VIDKIT_API_TOKEN"
        )
    token = os.environ.get(server.token_env, "").strip()
    if not token:
        raise ConfigError(
            f"the API{where} needs a bearer token: set the environment variable "
            f"{server.token_env} to a long random secret, or listen on 127.0.0.1 only",
            hint=Hint(
                "set_token",
                cli="for a secret, run `python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'`",
            ),
        )
    return token
