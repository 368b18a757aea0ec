"""Progress in words: the pipeline's stage names (``rig``, ``assemble``) as a non-coder reads
them, with a percentage instead of counters — one map for every part of the studio that shows
progress (the render panel, the recording editor)::

    >>> doing("animate", 2, 5)
    'animating the presenter, 40%'
    >>> doing("rig", 1, 1)
    "finding the presenter's face"
"""

from __future__ import annotations

from typing import Final

__all__ = ["STAGE_WORDS", "doing", "percent"]

#: Each stage of the pipeline, as what is being done.
STAGE_WORDS: Final = {
    "speak": "speaking the narration",
    "cutout": "cutting out the presenter",
    "rig": "finding the presenter's face",
    "animate": "animating the presenter",
    "capture": "capturing the screen",
    "transcribe": "transcribing what is said",
    "analyse": "finding the pauses and the still screen",
    "compose": "composing the scene",
    "qc": "checking the scene",
    "assemble": "putting the scenes together",
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
