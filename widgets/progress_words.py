"""Progress in words for the studio: the pipeline's stage names (``rig``, ``assemble``) as a
non-coder reads them, with a percentage instead of counters — the one map in
:mod:`vidkit.jobs`, which the HTTP API's job events use too::

    >>> doing("animate", 2, 5)
    'animating the presenter, 40%'
    >>> doing("rig", 1, 1)
    "finding the presenter's face"
"""

from __future__ import annotations

from vidkit.jobs import STAGE_WORDS, doing, percent

__all__ = ["STAGE_WORDS", "doing", "percent"]
