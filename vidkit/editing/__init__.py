"""What interactive editors need beyond the CRUD API, and never rendering anything:

- :mod:`vidkit.editing.stats` — narration statistics (words, spoken length, speaking rate);
- :mod:`vidkit.editing.status` — which scenes are rendered, a project's last render, its
  presenter prepared ahead of the first render;
- :mod:`vidkit.editing.draft` — a scene's draft preview, the render's own timeline over what
  the cache holds.

Used by the studio widgets and notebooks; no UI imports.

>>> narration_stats("Here is a loop you have probably written.").words
8
"""

from __future__ import annotations

from vidkit.editing.draft import (
    PREVIEW_SIZE,
    AvatarKind,
    SceneDraft,
    draft,
    nearest_corner,
    placed_at,
)
from vidkit.editing.stats import (
    DEFAULT_WPM,
    NarrationStats,
    estimated_ms,
    narration_stats,
    speaking_rate,
)
from vidkit.editing.status import (
    LastRender,
    ProjectSummary,
    SceneStatus,
    last_render,
    prepare_presenter,
    project_summaries,
    scene_statuses,
    use_example_presenter,
)

__all__ = [
    "DEFAULT_WPM",
    "PREVIEW_SIZE",
    "AvatarKind",
    "LastRender",
    "NarrationStats",
    "ProjectSummary",
    "SceneDraft",
    "SceneStatus",
    "draft",
    "estimated_ms",
    "last_render",
    "narration_stats",
    "nearest_corner",
    "placed_at",
    "prepare_presenter",
    "project_summaries",
    "scene_statuses",
    "speaking_rate",
    "use_example_presenter",
]
