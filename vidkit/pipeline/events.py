"""Progress events and the results of a render."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidkit.model import Asset

__all__ = ["Event", "Progress", "RenderResult", "SceneResult", "serialised"]


@dataclass(frozen=True, slots=True)
class Event:
    """Progress: ``stage`` of scene ``position`` (None for project-wide work) is ``done`` of
    ``total`` units (chunks, frames); ``cached`` when its result came from the cache."""

    stage: str
    position: int | None
    done: int
    total: int
    cached: bool = False


Progress = Callable[[Event], None]


@dataclass(frozen=True)
class SceneResult:
    position: int
    scene_id: int
    title: str
    video: Asset
    captions: Asset  # the scene's caption cues (JSON, milliseconds)
    report: dict[str, Any]
    cached: dict[str, bool]


@dataclass(frozen=True)
class RenderResult:
    project: str
    scenes: list[SceneResult]
    seconds: float
    final: Path | None = None
    sidecars: dict[str, Path] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def cache_hits(self) -> int:
        return sum(all(s.cached.values()) for s in self.scenes)


def serialised(progress: Progress | None) -> Progress:
    """``progress``, called by one thread at a time (a scene's animate and compose report
    from two threads while they run together)."""
    if progress is None:
        return lambda _e: None
    lock = threading.Lock()

    def say(event: Event) -> None:
        with lock:
            progress(event)

    return say
