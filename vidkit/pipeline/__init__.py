"""The pipeline: the only part of vidkit that knows each scene's stage graph and its cache.

- :mod:`vidkit.pipeline.graph` — the per-scene graph (speak → capture → cutout → rig →
  animate → compose), the presenter's crop and the title-card rules, the scene's timeline,
  and :func:`peek_scene`, which tells what is already made without making anything;
- :mod:`vidkit.pipeline.sources` — which screen a scene shows and how it is fitted;
- :mod:`vidkit.pipeline.runner` — :func:`render`: which scenes, scheduled over workers,
  resumed after a crash;
- :mod:`vidkit.pipeline.schedule` — the render's plan (presenter, speech, longest scene
  first) and the loop that follows it over a pool of workers:
  :mod:`vidkit.pipeline.processes` (local processes) or :mod:`vidkit.pipeline.cluster` (a
  Dask cluster, whose tasks read and write the catalogue through
  :mod:`vidkit.pipeline.detached`: rows in, records out, written by the coordinator);
- :mod:`vidkit.pipeline.cache` — runs a stage's :class:`~vidkit.stages.step.Step` through the
  content-keyed cache and the job records (lookup-only, or work);
- :mod:`vidkit.pipeline.events` — progress :class:`Event` s and the results of a render.

Importing this package does no work; its names load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vidkit._lazy import lazy_names

__all__ = [
    "SCREEN_KINDS",
    "Event",
    "NotCached",
    "Presenter",
    "Progress",
    "RenderResult",
    "SceneGraph",
    "ScenePeek",
    "SceneResult",
    "peek_scene",
    "render",
]

if TYPE_CHECKING:
    from vidkit.pipeline.cache import NotCached
    from vidkit.pipeline.events import Event, Progress, RenderResult, SceneResult
    from vidkit.pipeline.graph import Presenter, SceneGraph, ScenePeek, peek_scene
    from vidkit.pipeline.runner import render
    from vidkit.pipeline.sources import SCREEN_KINDS

_LAZY = {
    "NotCached": "vidkit.pipeline.cache",
    "Event": "vidkit.pipeline.events",
    "Progress": "vidkit.pipeline.events",
    "RenderResult": "vidkit.pipeline.events",
    "SceneResult": "vidkit.pipeline.events",
    "Presenter": "vidkit.pipeline.graph",
    "SceneGraph": "vidkit.pipeline.graph",
    "ScenePeek": "vidkit.pipeline.graph",
    "peek_scene": "vidkit.pipeline.graph",
    "render": "vidkit.pipeline.runner",
    "SCREEN_KINDS": "vidkit.pipeline.sources",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
