"""One way in for every capture: load a scene's script, tie its steps to the narration, run it.

A capture script is TOML with one table, ``[browser]`` or ``[terminal]`` (see docs/capture.md):

>>> script = load_script('[terminal]\\nsteps = [{ type = "ls", at = "list the files" }]')
>>> type(script).__name__, script.steps[0].at
('TerminalScript', 'list the files')

Steps tied to the narration (``at = "click save"``) act when those words start being said:
:func:`tie_times` finds each tied phrase in the speech's word timings, in order, each after the
one before.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from vidkit.capture._errors import CaptureError
from vidkit.capture.browser_script import BrowserScript, BrowserStep
from vidkit.capture.script import Step, TerminalScript
from vidkit.errors import InvalidInput
from vidkit.timing import WordTiming

__all__ = [
    "CaptureOptions",
    "CaptureScript",
    "Captured",
    "capture",
    "check_allowed",
    "load_script",
    "preview_step",
    "tie_times",
]

CaptureScript = BrowserScript | TerminalScript
Progress = Callable[[str, float], None]


def load_script(text: str) -> CaptureScript:
    """A capture script from TOML text with one table, ``[browser]`` or ``[terminal]``; raises
    :class:`~vidkit.errors.InvalidInput` with one line naming what is wrong (and the step)."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"capture script: not valid TOML ({exc})", field="script") from exc
    tables = [k for k in ("browser", "terminal") if k in data]
    extra = sorted(set(data) - {"browser", "terminal"})
    if len(tables) != 1 or extra:
        raise InvalidInput(
            "capture script: give one table, [browser] or [terminal]"
            + (f" (unknown: {', '.join(extra)})" if extra else ""),
            field="script",
        )
    table = data[tables[0]]
    if not isinstance(table, dict):
        raise InvalidInput(f"capture script: [{tables[0]}] must be a table", field="script")
    if tables[0] == "browser":
        return BrowserScript.from_mapping(table)
    return TerminalScript.from_mapping(table)


def _words(text: str) -> list[str]:
    return [w for w in re.sub(r"[^\w']+", " ", text.lower()).split() if w]


def tie_times(script: CaptureScript, words: Sequence[WordTiming]) -> tuple[int | None, ...]:
    """For each step, the time (ms) its ``at`` words start in ``words`` (None: not tied).
    Each phrase is looked for after the previous tied one; raises
    :class:`~vidkit.errors.InvalidInput` naming the step when the narration never says it."""
    spoken = [(_words(w.word), w.start_ms) for w in words]
    flat = [(token, start) for tokens, start in spoken for token in tokens]
    tokens = [t for t, _ in flat]
    kind = "browser" if isinstance(script, BrowserScript) else "terminal"
    out: list[int | None] = []
    at = 0
    steps: Sequence[BrowserStep | Step] = script.steps
    for index, step in enumerate(steps, 1):
        if not step.at:
            out.append(None)
            continue
        want = _words(step.at)
        found = next(
            (
                i
                for i in range(at, len(tokens) - len(want) + 1)
                if tokens[i : i + len(want)] == want
            ),
            None,
        )
        if not want or found is None:
            where = " after the words the steps before it are tied to" if at else ""
            raise InvalidInput(
                f"{kind} script step {index}: the narration does not say {step.at!r}{where}; "
                "change its `at` to words the narration says",
                field="script",
            )
        out.append(flat[found][1])
        at = found + len(want)
    return tuple(out)


@dataclass(frozen=True)
class CaptureOptions:
    """How captures run: through a Playwright MCP server (``mcp_url``) or local Chromium
    (``chromium``: its path, empty to find one); whether pages on this machine or its network
    and ``file:`` URLs may be opened (``allow_local``) and terminal scripts may run commands
    (``allow_commands``); a terminal command's timeout and output cap; where a still of the
    page is saved when a step fails (None: next to the output); how long the MCP server may
    take to answer one call."""

    mcp_url: str = ""
    chromium: str = ""
    allow_local: bool = True
    allow_commands: bool = True
    timeout_s: float = 20.0
    output_cap_bytes: int = 1_000_000
    stills_dir: Path | None = None
    mcp_headers: dict[str, str] = field(default_factory=dict)
    mcp_timeout_s: float = 60.0

    def driver(self) -> Any:
        """The browser this capture drives (a :class:`~vidkit.capture.driver.BrowserDriver`)."""
        if self.mcp_url:
            from vidkit.capture.mcp import McpDriver

            return McpDriver(self.mcp_url, timeout_s=self.mcp_timeout_s,
                             headers=self.mcp_headers or None)  # fmt: skip
        from vidkit.capture.local import PlaywrightDriver

        return PlaywrightDriver(executable=self.chromium, allow_local=self.allow_local)


@dataclass(frozen=True)
class Captured:
    """A finished capture: the MP4, its kind, length and frames, when each step ran (seconds
    of video: ``(index, start_s, end_s)``), warnings, and what drove it."""

    path: Path
    kind: Literal["browser", "terminal"]
    duration_ms: int
    frames: int
    steps: tuple[tuple[int, float, float], ...]
    warnings: tuple[str, ...]
    via: str


def check_allowed(script: CaptureScript, options: CaptureOptions) -> None:
    """Raise :class:`~vidkit.errors.InvalidInput` naming the config key when ``options`` do
    not let ``script`` run: a terminal script without ``allow_commands``, a browser script
    opening a ``file:`` URL or a page on this machine or its network without
    ``allow_local``."""
    if isinstance(script, TerminalScript):
        if not options.allow_commands:
            raise InvalidInput(
                "terminal capture runs commands on the server, which this server does not "
                "allow; set [services.capture] allow_terminal = true in its config to allow it",
                field="script",
            )
        return
    if options.allow_local:
        return
    from vidkit.capture.local import is_local_url

    urls = [(0, script.url)] + [
        (i, s.text) for i, s in enumerate(script.steps, 1) if s.kind == "open"
    ]
    for index, url in urls:
        if url and is_local_url(url):
            where = f"browser script step {index}" if index else "browser script"
            raise InvalidInput(
                f"{where}: {url} is on this machine or its network (or a file), which this "
                "server does not open; set [services.capture] allow_local = true to allow it",
                field="script",
            )


def capture(
    script: CaptureScript,
    out_mp4: Path | str,
    *,
    size: tuple[int, int],
    fps: int,
    words: Sequence[WordTiming] = (),
    options: CaptureOptions | None = None,
    progress: Progress | None = None,
) -> Captured:
    """Run ``script`` and render it to ``out_mp4``; steps with ``at`` act when ``words`` (the
    narration's timings) say them. Raises :class:`CaptureError` or
    :class:`~vidkit.errors.InvalidInput` naming the step; ``out_mp4`` is written only on
    success."""
    options = options or CaptureOptions()
    check_allowed(script, options)
    steps: Sequence[BrowserStep | Step] = script.steps
    ties = tie_times(script, words) if any(s.at for s in steps) else ()
    out = Path(out_mp4)
    if isinstance(script, TerminalScript):
        from vidkit.capture._render import grid_for
        from vidkit.capture.terminal import capture_terminal

        if not float(fps).is_integer():
            raise InvalidInput(f"terminal capture needs a whole frame rate, got {fps}")
        cols, rows = grid_for(*size)
        term = capture_terminal(
            script, out, size=size, fps=int(fps), cols=cols, rows=rows,
            timeout_s=options.timeout_s, output_cap_bytes=options.output_cap_bytes,
            progress=progress, ties=ties,
        )  # fmt: skip
        return Captured(
            out, "terminal", round(term.duration_s * 1000), term.frames,
            tuple((t.index, t.start_s, t.end_s) for t in term.timings), term.warnings, "shell",
        )  # fmt: skip
    from vidkit.capture.browser import capture_browser

    found = capture_browser(
        script, out, driver=options.driver(), size=size, fps=int(fps), ties=ties,
        stills_dir=options.stills_dir, progress=progress,
    )  # fmt: skip
    return Captured(
        out, "browser", round(found.duration_s * 1000), found.frames,
        tuple((t.index, t.start_s, t.end_s) for t in found.timings), found.warnings, found.via,
    )  # fmt: skip


def preview_step(
    script: CaptureScript,
    step: int,
    out_png: Path | str,
    *,
    size: tuple[int, int],
    options: CaptureOptions | None = None,
) -> Path:
    """A still (PNG) of the screen right after step ``step`` (1-based) has run."""
    options = options or CaptureOptions()
    check_allowed(script, options)
    if not 1 <= step <= len(script.steps):
        raise InvalidInput(f"the script has steps 1..{len(script.steps)}, not {step}", field="step")
    out = Path(out_png)
    if isinstance(script, BrowserScript):
        from vidkit.capture.browser import preview_browser

        return preview_browser(
            script, step, out, driver=options.driver(), size=size, stills_dir=options.stills_dir
        )
    import dataclasses
    import tempfile

    from vidkit.capture._render import grid_for
    from vidkit.capture.terminal import capture_terminal

    first = dataclasses.replace(script, steps=script.steps[:step], hold_ms=0)
    cols, rows = grid_for(*size)
    with tempfile.TemporaryDirectory(prefix="vidkit-preview-") as folder:
        term = capture_terminal(
            first, Path(folder) / "preview.mp4", size=size, fps=10, cols=cols, rows=rows,
            timeout_s=options.timeout_s, output_cap_bytes=options.output_cap_bytes,
        )  # fmt: skip
    if term.final is None:
        raise CaptureError("the terminal showed nothing")
    from PIL import Image

    from vidkit.capture._render import Painter
    from vidkit.screen import editor_theme

    theme, _ = editor_theme(script.theme)
    painter = Painter(size[0], size[1], cols, rows, theme, script.title)
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(painter.frame(term.final)).save(out, format="PNG")
    return out
