"""What every backend that speaks an OpenAI-compatible API shares: the base URL rule and the
client (imported on first use, with vidkit's own retries instead of the package's)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from vidkit.errors import BackendError
from vidkit.hints import install


def base_url(url: str) -> str:
    """``url`` without a trailing slash; a bare host gets the conventional ``/v1`` path."""
    url = url.rstrip("/")
    return url if urlsplit(url).path else f"{url}/v1"


def openai_client(url: str, api_key: str, timeout_s: float) -> Any:
    """An ``openai.OpenAI`` client for ``url`` that never retries on its own."""
    try:
        from openai import OpenAI
    except ImportError as exc:
        raise BackendError(
            "the openai package is missing", hint=install("the openai package", "openai")
        ) from exc
    return OpenAI(base_url=url, api_key=api_key, timeout=timeout_s, max_retries=0)
