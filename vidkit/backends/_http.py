"""One HTTP call to a configured service with its failures as one-line
:class:`~vidkit.errors.BackendError` messages that name the config section to fix."""

from __future__ import annotations

from typing import Any

from vidkit.errors import BackendError

__all__ = ["call", "detail", "json_body"]


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
    method: str, url: str, *, where: str, section: str, timeout_s: float, **kwargs: Any
) -> Any:
    """``method`` on ``url`` (``kwargs`` go to ``httpx.request``); the 2xx ``httpx.Response``.

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
    if status in (401, 403):
        raise BackendError(
            f"the {where} refused the request (HTTP {status}): check the key in the "
            f"environment variable {section} api_key_env names"
        )
    if status == 404:
        raise BackendError(
            f"the {where} answered 404 Not Found ({detail(response)}) for {url}: check "
            f"{section} url"
        )
    if status >= 400:
        kind = "failed" if status >= 500 else "rejected the request"
        raise BackendError(
            f"the {where} {kind} (HTTP {status}): {detail(response)}; see the server's log"
        )
    return response


def json_body(response: Any, where: str) -> dict[str, Any]:
    """The JSON object a service answered with; anything else is a :class:`BackendError`."""
    try:
        body = response.json()
    except ValueError as exc:
        raise BackendError(
            f"the {where} answered with something that is not JSON "
            f"({str(response.text)[:80]!r}); is the URL that of the right server?"
        ) from exc
    if not isinstance(body, dict):
        raise BackendError(f"the {where} answered with JSON that is not an object: {body!r:.80}")
    return body
