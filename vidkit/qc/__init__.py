"""Quality checks measured on rendered files: each scene's A/V offset, captions against the
words, loudness and clipping, silences, black or frozen picture, the presenter's face and the
recording's fit (:func:`check_scene`), and the film's loudness and true peak
(:func:`check_film`). Each check is an :class:`Item`, green, amber or red with a sentence and
its numbers; the limits are ``[qc]`` in the config (:class:`~vidkit.config.QcConfig`).

The ``qc`` stage (:mod:`vidkit.stages.qc`) runs :func:`check_scene` on every composed scene
through the cache; ``vidkit qc PROJECT`` prints the reports and ``vidkit render --strict``
fails on a red item.
"""

from __future__ import annotations

from vidkit.qc.checks import Fit
from vidkit.qc.film import check_film
from vidkit.qc.report import STATUSES, Item, QcReport, Status, worst
from vidkit.qc.scene import SceneFacts, check_scene

__all__ = [
    "STATUSES",
    "Fit",
    "Item",
    "QcReport",
    "SceneFacts",
    "Status",
    "check_film",
    "check_scene",
    "worst",
]
