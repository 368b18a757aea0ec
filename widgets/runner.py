"""The render process the studio starts: ``python -m widgets.runner --config C --slug S
[--scene N ...] --log L``. It renders with :func:`vidkit.pipeline.render` and appends its
progress to the log (see :mod:`widgets.render_runs`), so the render goes on when the browser
tab or its kernel goes away. SIGTERM (the studio's Stop) ends it and everything it started;
the stages it finished stay cached, so rendering again resumes there."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = ["RunLog", "main"]

#: At most one progress record per stage and scene this often (seconds); ends always.
PROGRESS_EVERY_S = 0.3


class RunLog:
    """Appends JSON records to the render's log, each flushed to disk at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._last: dict[tuple[str, int | None], float] = {}

    def write(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, "time": time.time(), **fields}, default=str)
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()

    def progress(self, event: Any) -> None:
        """A :class:`vidkit.pipeline.Event`, thinned out to a few records a second."""
        key = (event.stage, event.position)
        now = time.monotonic()
        final = event.total > 0 and event.done >= event.total
        if not final and now - self._last.get(key, 0.0) < PROGRESS_EVERY_S:
            return
        self._last[key] = now
        self.write(
            "progress", stage=event.stage, position=event.position, done=event.done,
            total=event.total, cached=event.cached,
        )  # fmt: skip


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m widgets.runner", description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--slug", required=True)
    parser.add_argument("--log", required=True, type=Path)
    parser.add_argument("--scene", type=int, action="append", dest="positions")
    parser.add_argument("--lock-fd", type=int, default=None, help="held until the end")
    return parser.parse_args(argv)


def _render(log: RunLog, config: str, slug: str, positions: list[int] | None) -> None:
    import vidkit
    from vidkit.pipeline import render

    ws = vidkit.open(config)
    scenes = ws.scenes(slug)
    chosen = [s for s in scenes if not positions or s.position in positions]
    log.write(
        "plan",
        scenes=[{"position": s.position, "title": s.title} for s in chosen],
        avatar=bool(ws.assets(slug, kind="avatar_image")),
        whole=not positions,
    )
    result = render(ws, slug, positions=positions, progress=log.progress)
    log.write(
        "finished",
        final=str(result.final) if result.final else None,
        scenes=[
            {
                "position": s.position,
                "title": s.title,
                "video": str(ws.asset_path(s.video)),
                "cached": all(s.cached.values()),
            }
            for s in result.scenes
        ],
        seconds=round(result.seconds, 2),
    )


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    log = RunLog(args.log)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        log.write("stopped", message="stopped before it finished; render again to resume")
        os._exit(143)  # at once: workers and ffmpeg got the same signal (one process group)

    signal.signal(signal.SIGTERM, stop)
    log.write("started", pid=os.getpid())
    try:
        _render(log, args.config, args.slug, args.positions)
    except Exception as exc:
        from vidkit.errors import VidkitError

        if isinstance(exc, VidkitError):
            message = exc.for_studio()
        else:
            traceback.print_exc()
            message = (
                f"Something went wrong ({type(exc).__name__}: {exc}); the details are in "
                f"{args.log.with_suffix('.err')}"
            )
        log.write("failed", message=message)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
