"""Progress in words and numbers: the pipeline's stage names (``rig``, ``assemble``) as a
non-coder reads them, with a percentage instead of counters, and a job's progress summed from
its log — one place for every surface that shows progress (the studio's panels, the HTTP
API)::

    >>> doing("animate", 2, 5)
    'animating the presenter, 40%'
    >>> doing("rig", 1, 1)
    "finding the presenter's face"
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["STAGE_WORDS", "JobProgress", "SceneProgress", "doing", "percent"]

#: Each stage of the pipeline, as what is being done.
STAGE_WORDS: Final = {
    "speak": "speaking the narration",
    "cutout": "cutting out the presenter",
    "rig": "finding the presenter's face",
    "animate": "animating the presenter",
    "capture": "capturing the screen",
    "transcribe": "transcribing what is said",
    "analyse": "finding the pauses and the still screen",
    "tighten": "tightening the recording",
    "compose": "composing the scene",
    "qc": "checking the scene",
    "assemble": "putting the scenes together",
}

#: The stages that make one scene in each kind of job (``animate`` only with a presenter).
SCENE_STAGES: Final = {
    "render": ("speak", "animate", "compose", "qc"),
    "speak": ("speak",),
    "capture": ("speak", "capture"),
    "tighten": ("transcribe", "analyse", "tighten"),
}


def percent(done: float, total: float) -> int | None:
    """How far along, 0..100 (rounded down, so 100 only when done); None without a total."""
    if total <= 1:
        return None
    return max(0, min(100, int(100 * done // total)))


def doing(stage: str, done: float = 0, total: float = 0) -> str:
    """What a stage is doing, with how far along it is when it counts more than one step:
    ``"animating the presenter, 40%"``; an unknown stage is "working"."""
    words = STAGE_WORDS.get(stage, "working")
    share = percent(done, total)
    return words if share is None else f"{words}, {share}%"


@dataclass
class SceneProgress:
    """One scene of a job: what it is doing now and whether it is done."""

    position: int
    scene_id: int | None
    title: str
    stage: str | None = None
    done: int = 0
    total: int = 0
    finished: bool = False
    cached: bool = False

    @property
    def words(self) -> str:
        if self.finished:
            return "done (from the cache)" if self.cached else "done"
        if self.stage is None:
            return "waiting"
        return doing(self.stage, self.done, self.total)

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position, "scene_id": self.scene_id, "title": self.title,
            "stage": self.stage, "words": self.words,
            "percent": 100 if self.finished else percent(self.done, self.total),
            "finished": self.finished, "cached": self.cached,
        }  # fmt: skip


@dataclass
class JobProgress:
    """A job's progress from its log records (:meth:`add` each as it is read): the share done
    (:attr:`percent`), what runs now (:attr:`words`) and each scene's state."""

    kind: str = "render"
    scenes: dict[int, SceneProgress] = field(default_factory=dict)
    stage: str | None = None
    position: int | None = None
    words: str = "waiting to start"
    _units: float = 1.0
    _done: dict[tuple[Any, Any], float] = field(default_factory=dict)
    _stages: frozenset[str] = frozenset()
    _ended: bool = False

    @classmethod
    def of(cls, kind: str, records: Iterable[dict[str, Any]]) -> JobProgress:
        progress = cls(kind)
        for record in records:
            progress.add(record)
        return progress

    def add(self, record: dict[str, Any]) -> None:
        event = record.get("event")
        if event == "plan":
            self._plan(record)
        elif event == "progress":
            self._step(record)
        elif event == "scene":
            found = self._scene(record.get("position"))
            if found is not None:
                found.finished, found.cached = True, bool(record.get("cached"))
        elif event in ("started", "resumed"):
            self.words = "starting"
        elif event == "finished":
            self._ended = True
            self.words = "finished"
            for scene in self.scenes.values():
                scene.finished = True
        elif event in ("failed", "stopped", "cancelled", "interrupted"):
            self._ended = True
            self.words = {"stopped": "cancelled"}.get(str(event), str(event))

    def _plan(self, record: dict[str, Any]) -> None:
        avatar = bool(record.get("avatar"))
        stages = SCENE_STAGES.get(self.kind, ("speak",))
        if not avatar:
            stages = tuple(s for s in stages if s != "animate")
        self._stages = frozenset(stages)
        known = self.scenes
        self.scenes = {}
        for scene in record.get("scenes", []):
            position = int(scene.get("position", 0))
            old = known.get(position)
            self.scenes[position] = old or SceneProgress(
                position, scene.get("scene_id"), str(scene.get("title", ""))
            )
        count = max(1, len(self.scenes))
        self._units = count * len(stages) + (2 if avatar else 0)
        self._units += 1 if record.get("whole") and self.kind == "render" else 0
        self.words = "starting"

    def _scene(self, position: Any) -> SceneProgress | None:
        return self.scenes.get(int(position)) if position is not None else None

    def _step(self, record: dict[str, Any]) -> None:
        stage = str(record.get("stage", ""))
        total = max(1, int(record.get("total", 1) or 1))
        done = int(record.get("done", 0) or 0)
        position = record.get("position")
        if stage in self._stages or position is None:
            self._done[(stage, position)] = min(1.0, done / total)
        self.stage, self.position = stage, position
        what = doing(stage, done, total)
        self.words = f"scene {position}: {what}" if position is not None else what
        scene = self._scene(position)
        if scene is not None and not scene.finished:
            scene.stage, scene.done, scene.total = stage, done, total

    @property
    def percent(self) -> int:
        if self._ended and self.words == "finished":
            return 100
        return min(99, int(100 * sum(self._done.values()) / self._units))

    def to_dict(self) -> dict[str, Any]:
        return {
            "percent": self.percent, "stage": self.stage, "words": self.words,
            "scenes": [s.to_dict() for s in sorted(self.scenes.values(), key=lambda s: s.position)],
        }  # fmt: skip
