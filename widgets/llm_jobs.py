"""LLM jobs in the background, one at a time, with their tokens streaming into a progress bar.

LLM calls take from seconds to minutes (the embedded model writes about 20 tokens a second), so
:class:`LLMJobs` runs each in a thread: whoever owns it disables its buttons meanwhile
(``on_busy``), a second job is refused with a message, and :class:`TokenProgress` shows the
tokens against the budget. A failure becomes the inline message, never a traceback.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import ipywidgets as w

from widgets.errors import ErrorBox, describe_error

if TYPE_CHECKING:
    from vidkit.authoring import LLM

__all__ = ["PROGRESS_EVERY_S", "LLMJobs", "TokenProgress"]

R = TypeVar("R")
#: Progress reaches the page at most this often while tokens stream in.
PROGRESS_EVERY_S = 0.1


class TokenProgress:
    """The progress callback of one job: tokens so far against the budget, into the bar and
    the status line, at most every :data:`PROGRESS_EVERY_S` seconds."""

    def __init__(self, bar: w.IntProgress, status: w.HTML, label: str) -> None:
        self.bar = bar
        self.status = status
        self.label = label
        self.started = time.monotonic()
        self.shown = 0.0
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        self.done = done
        now = time.monotonic()
        if self.shown and now - self.shown < PROGRESS_EVERY_S and done < total:
            return
        self.shown = now
        rate = done / max(1e-6, now - self.started)
        self.bar.max = max(1, total)
        self.bar.value = min(done, total)
        self.status.value = (
            f"{html.escape(self.label)}: {done} of at most {total} tokens ({rate:.0f} tokens/s)…"
        )

    def finished(self, *, cached: bool, count: int, seconds: float) -> None:
        """The bar full and green, and a line on what the job cost."""
        label = self.label
        self.bar.value = self.bar.max
        self.bar.bar_style = "success"
        wall = time.monotonic() - self.started
        if cached:
            self.status.value = f"{label}: cached (same inputs, model and prompt)."
        elif count == 0:
            self.status.value = f"{label}: done in {wall:.1f} s without asking the model."
        else:
            rate = f", {count / seconds:.0f} tokens/s" if seconds > 0 else ""
            self.status.value = (
                f"{label}: {count} tokens in {seconds:.1f} s{rate}; {wall:.1f} s in all."
            )

    def failed(self) -> None:
        self.bar.bar_style = "danger"
        self.status.value = f"{html.escape(self.label)}: failed after {self.done} tokens."


class LLMJobs:
    """Runs one LLM job at a time for a panel.

    ``model()`` gives the LLM (it may load it: it is called in the job's thread), ``loaded()``
    says whether it is loaded already; ``progress``, ``status`` and ``message`` are the
    panel's bar, status line and message box; ``on_busy(doing)`` is called with what the job
    is doing when it starts and with None when it ends. ``background=False`` runs jobs inline
    (scripts); :meth:`wait` waits for the running one.
    """

    def __init__(
        self,
        *,
        model: Callable[[], LLM],
        loaded: Callable[[], bool],
        progress: w.IntProgress,
        status: w.HTML,
        message: ErrorBox,
        on_busy: Callable[[str | None], None],
        background: bool = True,
        thread_name: str = "vk-llm-job",
    ) -> None:
        self.model = model
        self.loaded = loaded
        self.progress = progress
        self.status = status
        self.message = message
        self.on_busy = on_busy
        self.background = background
        self.thread_name = thread_name
        self.busy: str | None = None  # what the running job is doing, e.g. "writing the script"
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.busy is not None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the running job ends (scripts and tests); True when none runs."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def refused(self) -> bool:
        """True (and a message) when a job is running: one at a time."""
        busy = self.busy
        if busy is None:
            return False
        self.message.show(
            f"Wait until the panel has finished {busy}: it runs one LLM job at a time."
        )
        return True

    def _set_busy(self, doing: str | None) -> None:
        self.busy = doing
        self.on_busy(doing)

    def start(
        self,
        doing: str,
        label: str,
        job: Callable[[LLM, TokenProgress], R],
        finished: Callable[[R, TokenProgress], None],
    ) -> bool:
        """Run ``job(llm, progress)`` in the background, then ``finished(result, progress)``;
        a failure becomes the message. False when another job is still running."""
        with self._lock:
            if self.refused():
                return False
            self._set_busy(doing)
        self.message.clear()
        self.progress.bar_style, self.progress.value = "", 0
        tokens = TokenProgress(self.progress, self.status, label)
        first = "" if self.loaded() else " (loading the model)"
        self.status.value = f"{html.escape(doing.capitalize())}{first}…"

        def run() -> None:
            try:
                result = job(self.model(), tokens)
                finished(result, tokens)
            except Exception as exc:
                tokens.failed()
                self.message.show(describe_error(exc))
            finally:
                self._set_busy(None)

        if not self.background:
            self._thread = None
            run()
            return True
        self._thread = threading.Thread(target=run, daemon=True, name=self.thread_name)
        self._thread.start()
        return True

    def news(self, text: str, notes: Sequence[str] = ()) -> None:
        """Good news in the message box, with the step's notes."""
        self.message.info(" ".join([text, *(f"Note: {n}." for n in notes)]))
