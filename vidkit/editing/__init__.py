"""What interactive editors need beyond the CRUD API, and never rendering anything:

- :mod:`vidkit.editing.stats` — narration statistics (words, spoken length, speaking rate);
- :mod:`vidkit.editing.status` — which scenes are rendered, a project's last render, its
  presenter prepared ahead of the first render;
- :mod:`vidkit.editing.avatar_generation` — candidate presenter portraits generated from a
  prompt, one picked becomes the avatar (cutout and rig like a photo);
- :mod:`vidkit.editing.draft` — a scene's draft preview, the render's own timeline over what
  the cache holds;
- :mod:`vidkit.editing.captions` — a scene's captions one by one (what each shows, what is
  said meanwhile); :mod:`vidkit.editing.caption_edits` edits those that should not read as
  they are said;
- :mod:`vidkit.editing.narration` — a scene's narration word by word with times (spoken, else
  estimated) and its waveform, for a strip of words that seeks the preview;
- :mod:`vidkit.editing.imports` — importing a file as an asset; an avatar photo becomes the
  presenter only once it has been cut out and rigged;
- :mod:`vidkit.editing.recording` — scenes made from a raw recording: choose it, transcribe it,
  tighten it (pauses, fillers, restarts cut), delete and restore words by text, undo; with
  :data:`REASONS`, why a cut is made, in words;
- :mod:`vidkit.editing.capture` — scenes whose screen a capture script makes (a browser or a
  terminal session): store the script, see a still after one step, capture the scene;
- :mod:`vidkit.editing.thumbnails` — a small JPEG of each scene for a timeline (a frame of its
  rendered video, else of its draft), cached by content;
- :mod:`vidkit.editing.qc` — each rendered scene's QC report (its worst status and sentences,
  for a badge) and the film's.

Used by the studio widgets and notebooks; no UI imports.

>>> narration_stats("Here is a loop you have probably written.").words
8
"""

from __future__ import annotations

from vidkit.cuts import REASONS
from vidkit.editing.avatar_generation import (
    adopt_avatar_candidate,
    generate_avatar_candidates,
)
from vidkit.editing.caption_edits import drop_stale_caption_edits, edit_caption, scene_captions
from vidkit.editing.captions import CaptionRow, SceneCaptions, caption_rows
from vidkit.editing.capture import (
    CaptureStep,
    capture_scene,
    capture_script,
    capture_steps,
    drop_capture_script,
    preview_capture_step,
    set_capture_script,
)
from vidkit.editing.draft import (
    PREVIEW_SIZE,
    AvatarKind,
    SceneDraft,
    draft,
    nearest_corner,
    placed_at,
)
from vidkit.editing.imports import import_asset
from vidkit.editing.narration import NarrationWords, narration_waveform, narration_words
from vidkit.editing.qc import SceneQc, film_qc, qc_reports, qc_summary, require_no_red
from vidkit.editing.recording import (
    RecordingView,
    TightenReport,
    TranscriptWord,
    WordRange,
    drop_recording,
    recording_edit,
    recording_view,
    set_cuts,
    split_recording,
    tighten,
    transcript,
    undo,
    use_recording,
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
from vidkit.editing.thumbnails import THUMBNAIL_WIDTH, scene_thumbnail, thumbnail_cache
from vidkit.editing.voices import add_voice_profile, use_voice

__all__ = [
    "DEFAULT_WPM",
    "PREVIEW_SIZE",
    "REASONS",
    "THUMBNAIL_WIDTH",
    "AvatarKind",
    "CaptionRow",
    "CaptureStep",
    "LastRender",
    "NarrationStats",
    "NarrationWords",
    "ProjectSummary",
    "RecordingView",
    "SceneCaptions",
    "SceneDraft",
    "SceneQc",
    "SceneStatus",
    "TightenReport",
    "TranscriptWord",
    "WordRange",
    "add_voice_profile",
    "adopt_avatar_candidate",
    "caption_rows",
    "capture_scene",
    "capture_script",
    "capture_steps",
    "draft",
    "drop_capture_script",
    "drop_recording",
    "drop_stale_caption_edits",
    "edit_caption",
    "estimated_ms",
    "film_qc",
    "generate_avatar_candidates",
    "import_asset",
    "last_render",
    "narration_stats",
    "narration_waveform",
    "narration_words",
    "nearest_corner",
    "placed_at",
    "prepare_presenter",
    "preview_capture_step",
    "project_summaries",
    "qc_reports",
    "qc_summary",
    "recording_edit",
    "recording_view",
    "require_no_red",
    "scene_captions",
    "scene_statuses",
    "scene_thumbnail",
    "set_capture_script",
    "set_cuts",
    "speaking_rate",
    "split_recording",
    "thumbnail_cache",
    "tighten",
    "transcript",
    "undo",
    "use_example_presenter",
    "use_recording",
    "use_voice",
]
