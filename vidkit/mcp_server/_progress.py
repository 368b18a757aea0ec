"""Long work off the event loop, its progress as MCP progress notifications.

:func:`in_thread` runs a tool's work on a worker thread, so the server keeps answering while
a render or an LLM step runs, and hands the work a ``say(percent, words)`` that any thread may
call: the notifications go out in order, from the event loop.

A render's stage events become a percentage that only rises and what runs now in words
(``"scene 2: animating the presenter"``, :data:`vidkit.jobs.STAGE_WORDS`, the words the
studio and the HTTP API's job events use): MCP asks that each progress notification of a
request carries a larger value than the one before, so :class:`RenderProgress` says something
only when the whole percentage rises (at most 100 notifications, however many frames the
stages count).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final, TypeVar

import anyio
import anyio.from_thread
import anyio.lowlevel
import anyio.to_thread
from mcp.server.mcpserver import Context

from vidkit.jobs import STAGE_WORDS
from vidkit.pipeline import Event

__all__ = ["RenderProgress", "Say", "in_thread", "words_for"]

T = TypeVar("T")

#: ``say(percent, words)``: one progress notification (percent of 100).
Say = Callable[[int, str], None]

#: A scene's stages and the share of its time each usually takes (animate: with a presenter).
_WEIGHTS: Final = {"speak": 0.15, "animate": 0.25, "compose": 0.6}
#: Joining the scenes counts as this many scenes' work.
_ASSEMBLE: Final = 0.5


def words_for(event: Event) -> str:
    """``"scene 2: animating the presenter"``, or the project-wide step's words."""
    words = STAGE_WORDS.get(event.stage, "working")
    return words if event.position is None else f"scene {event.position}: {words}"


class RenderProgress:
    """Stage events of a render over ``scenes`` scenes (plus joining them when ``assemble``)
    → ``(percent, words)`` each time the whole percentage rises, else None."""

    def __init__(self, scenes: int, *, assemble: bool) -> None:
        self.scenes = max(1, scenes)
        self.assemble = assemble
        self.presenter = False
        self.shares: dict[tuple[str, int | None], float] = {}
        self.said = 0

    @property
    def fraction(self) -> float:
        weights = (
            _WEIGHTS if self.presenter else {k: w for k, w in _WEIGHTS.items() if k != "animate"}
        )
        whole = sum(weights.values())
        positions = {pos for (stage, pos) in self.shares if stage in weights and pos is not None}
        done = sum(
            sum(w * self.shares.get((stage, pos), 0.0) for stage, w in weights.items()) / whole
            for pos in positions
        )
        units = float(self.scenes)
        if self.assemble:
            done += _ASSEMBLE * self.shares.get(("assemble", None), 0.0)
            units += _ASSEMBLE
        return min(1.0, done / units)

    def add(self, event: Event) -> tuple[int, str] | None:
        if event.stage in ("cutout", "rig"):
            self.presenter = True
        key = (event.stage, event.position)
        share = 1.0 if event.total <= 0 else min(1.0, max(0, event.done) / event.total)
        self.shares[key] = max(self.shares.get(key, 0.0), share)
        percent = int(100 * self.fraction + 1e-6)
        if percent <= self.said:
            return None
        self.said = percent
        return percent, words_for(event)


async def in_thread(ctx: Context[Any, Any], work: Callable[[Say], T]) -> T:
    """``work(say)`` on a worker thread; what it says reaches the client as progress
    notifications of the current request (none when the client asked for no progress)."""
    send, receive = anyio.create_memory_object_stream[tuple[int, str]](math.inf)
    token = anyio.lowlevel.current_token()

    def say(percent: int, words: str) -> None:
        anyio.from_thread.run_sync(send.send_nowait, (percent, words), token=token)

    async def forward() -> None:
        async with receive:
            async for percent, words in receive:
                await ctx.report_progress(percent, 100, words)

    failed: Exception | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(forward)
        try:
            result = await anyio.to_thread.run_sync(work, say)
        except Exception as exc:  # raised after the group, not wrapped in an ExceptionGroup
            failed = exc
        finally:
            send.close()
    if failed is not None:
        raise failed
    return result
