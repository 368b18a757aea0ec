"""vidkit's errors as MCP answers: a tool error the model can read (never a traceback), or a
resource error.

A :class:`~vidkit.errors.VidkitError` from a tool becomes a ``CallToolResult`` with
``isError: true`` whose text is the message and the CLI's hint (``<message>; <hint.cli>``, the
line ``vidkit`` itself prints), and whose structured content has the parts apart::

    {"error": "project 'p' has no scenes yet: add one first",
     "type": "InvalidInput", "hint": {"action": ..., "cli": ...}, "field": ...}

Anything else a tool raises is a bug: the SDK answers ``Error executing tool <name>`` and logs
the traceback on the server's stderr.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp_types import CallToolResult, TextContent

from vidkit.errors import NotFound, VidkitError

__all__ = ["resource_error", "tool_error", "tool_errors"]

F = TypeVar("F", bound=Callable[..., Any])


def tool_error(exc: VidkitError) -> CallToolResult:
    """The tool result that reports ``exc``."""
    data: dict[str, Any] = {"error": str(exc), "type": type(exc).__name__}
    if exc.hint is not None:
        data["hint"] = exc.hint.as_dict()
    field = getattr(exc, "field", None)
    if field is not None:
        data["field"] = field
    return CallToolResult(
        content=[TextContent(type="text", text=exc.for_cli())],
        structured_content=data,
        is_error=True,
    )


def tool_errors(fn: F) -> F:
    """``fn`` (a tool, sync or async) answering a :class:`VidkitError` with :func:`tool_error`;
    its signature, and so its input and output schemas, stay the same."""
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except VidkitError as exc:
                return tool_error(exc)

        return run_async  # type: ignore[return-value]

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except VidkitError as exc:
            return tool_error(exc)

    return run  # type: ignore[return-value]


def resource_error(exc: VidkitError) -> ResourceError:
    """The resource error that reports ``exc`` (not found: MCP's invalid-params code)."""
    kind = ResourceNotFoundError if isinstance(exc, NotFound) else ResourceError
    return kind(exc.for_cli())
