"""ipywidgets editors for vidkit, built only on vidkit's public API.

Everything here runs in JupyterLab and in Voila apps. The library (:mod:`vidkit`) never imports
this package. The parts (see docs/studio.md):

- :mod:`widgets.studio`: the whole app, ``studio()``;
- :mod:`widgets.projects`: the project browser;
- :mod:`widgets.timeline` (with :mod:`widgets.scene_strip`, an anywidget): the scenes of a
  project as proportional blocks with thumbnails and statuses, dragged or moved by keyboard;
- :mod:`widgets.scene_editor` (with :mod:`widgets.sources` and :mod:`widgets.uploads`, upload
  buttons without a file count and plain words for a file that is not media): one scene and its
  live preview, with :mod:`widgets.narration_strip` (an anywidget) under it: the narration's
  waveform and words along time, a click on a word seeks there;
- :mod:`widgets.recording` (with :mod:`widgets.recording_words` and
  :mod:`widgets.recording_pictures`): a scene made from a raw recording, edited by its words;
- :mod:`widgets.render_panel`: renders in their own process (:mod:`widgets.render_runs`, over
  :mod:`vidkit.jobs`), followed from their log;
- :mod:`widgets.voices_panel` (with :mod:`widgets.recorder`, a microphone recorder): voice
  profiles with their consent records, uploaded or recorded in the browser;
- :mod:`widgets.avatar_generation`: presenter portraits generated from a prompt, one picked;
- :mod:`widgets.errors`: errors as inline messages (a vidkit error's hint for the studio,
  never a command); :mod:`widgets.progress_words`: the pipeline's stages in words;
- :mod:`widgets.serve`: serving the studio with Voila.
"""

from __future__ import annotations

from widgets.errors import ErrorBox, describe_error

__all__ = ["ErrorBox", "describe_error"]
