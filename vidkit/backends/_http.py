"""One HTTP call to a configured service with its failures as one-line
:class:`~vidkit.errors.BackendError` messages that name the config section to fix."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vidkit.errors import BackendError

__all__ = [
    "PROBE_TIMEOUT_S",
    "call",
    "detail",
    "json_body",
    "json_value",
    "listed",
    "shown_url",
]

#: The longest a capability query (``vidkit doctor``) waits for its one answer.
PROBE_TIMEOUT_S = 5.0


def shown_url(url: str) -> str:
    """``url`` fit to show: without user, password and query string, which may hold secrets."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, "…" if parts.query else "", ""))


def listed(names: Sequence[str], limit: int = 6) -> str:
    """``names`` for a message: the first ``limit``, and how many there are when that is more."""
    if not names:
        return "none"
    more = f", ... ({len(names)} in all)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def detail(response: Any) -> str:
    """The reason a server gave, from a JSON body's usual keys or the start of its text."""
    try:
        body = response.json()
    except ValueError:
        return str(response.text)[:200].strip() or "no detail"
    if isinstance(body, dict):
        for key in ("detail", "message", "msg", "error"):
            value = body.get(key)
            if value:
                if isinstance(value, dict):
                    value = value.get("message") or value
                return str(value)[:200]
    return str(body)[:200]


def call(
    method: str,
    url: str,
    *,
    where: str,
    section: str,
    timeout_s: float,
    accept: Collection[int] = (),
    **kwargs: Any,
) -> Any:
    """``method`` on ``url`` (``kwargs`` go to ``httpx.request``); the 2xx ``httpx.Response``,
    or one whose status is in ``accept`` (an error answer the caller expects).

    ``where`` names the service in messages, ``section`` its config section."""
    import httpx

    try:
        response = httpx.request(method, url, timeout=timeout_s, **kwargs)
    except httpx.TimeoutException as exc:
        raise BackendError(
            f"the {where} did not answer in {timeout_s:g} s; it may be busy: try again, or "
            f"raise {section} timeout_s"
        ) from exc
    except httpx.HTTPError as exc:
        raise BackendError(
            f"cannot reach the {where} ({type(exc).__name__}): is the server running? "
            f"check {section} url"
        ) from exc
    status = response.status_code
    if status in accept:
        return response
    if status in (401, 403):
        raise BackendError(
            f"the {where} refused the request (HTTP {status}): check the key in the "
            f"environment variable {section} api_key_env names"
        )
    if status == 404:
        raise BackendError(
            f"the {where} answered 404 Not Found ({detail(response)}) for {shown_url(url)}: check "
            f"{section} url"
        )
    if status >= 400:
        kind = "failed" if status >= 500 else "rejected the request"
        raise BackendError(
            f"the {where} {kind} (HTTP {status}): {detail(response)}; see the server's log"
        )
    return response


def json_value(response: Any, where: str) -> Any:
    """The JSON a service answered with; a body that is not JSON is a :class:`BackendError`."""
    try:
        return response.json()
    except ValueError as exc:
        raise BackendError(
            f"the {where} answered with something that is not JSON "
            f"({str(response.text)[:80]!r}); is the URL that of the right server?"
        ) from exc


def json_body(response: Any, where: str) -> dict[str, Any]:
    """The JSON object a service answered with; anything else is a :class:`BackendError`."""
    body = json_value(response, where)
    if not isinstance(body, dict):
        raise BackendError(f"the {where} answered with JSON that is not an object: {body!r:.80}")
    return body
