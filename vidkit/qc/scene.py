"""Checking one rendered scene: measure the file (:mod:`vidkit.qc.measure`), the narration WAV
it was made from and the caption cues rendered with it, then judge (:mod:`vidkit.qc.checks`).

What is measured where:

* A/V offset — the scene's sound cross-correlated with the narration WAV (16 kHz): how much
  later the narration is heard in the file than in the WAV, less the time the picture starts;
* captions — the rendered cues against the narration's word timings moved by that offset,
  and against the end of the narration's sound (measured in the WAV, moved likewise);
* loudness and true peak — ``ebur128`` over the scene's sound;
* clipping — runs of 3+ samples at full scale in the decoded sound (48 kHz);
* silence — 10 ms windows under -50 dBFS in the scene's sound; for each silent stretch, whether
  the narration sounds there (then the sound was lost) or pauses itself;
* black, frozen — ``blackdetect`` and ``freezedetect`` over the picture and the presenter's box;
* face — the face landmarker (the project's face rig backend) on the presenter's box, sampled
  ``[qc] face_fps`` times a second;
* fit — the recording's length over the scene file's (the speed it needs) against the cap.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.backends.facerig import FaceRig
from vidkit.config import QcConfig
from vidkit.errors import BackendError, InvalidInput
from vidkit.qc import checks
from vidkit.qc.checks import Fit
from vidkit.qc.measure import SYNC_RATE, Box, Measured, decode_sound, measure_file
from vidkit.qc.report import QcReport
from vidkit.qc.sound import clipped_runs, lag_ms, silences, sound_share, sounding
from vidkit.timing import Timings

__all__ = ["SceneFacts", "check_scene"]

log = logging.getLogger("vidkit.qc")

Cue = tuple[int, int, str]
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class SceneFacts:
    """What the checks need to know of how the scene was made (from its timeline): the
    frame rate, the presenter's box in the picture (None: no presenter), what the screen is
    (``recording``, ``image``, ``code``, ``none``...) and the recording's fit, if any."""

    fps: float
    presenter: Box | None = None
    screen: str = "none"
    fit: Fit | None = None

    @property
    def still_expected(self) -> bool:
        """Whether the picture may stand still: without a presenter nothing has to move (a
        picture, finished typing, an idle page or recording); a presenter always moves."""
        return self.presenter is None


def check_scene(
    video: Path,
    *,
    narration: Path | None,
    timings: Timings,
    cues: Sequence[Cue],
    facts: SceneFacts,
    limits: QcConfig,
    facerig: FaceRig | None = None,
    subject: str = "",
    progress: Progress | None = None,
) -> QcReport:
    """Measure and judge the rendered scene ``video`` (see the module docs). ``narration``:
    the speech WAV its sound was made from; ``timings``: its word timings; ``cues``: the
    caption cues rendered with it (ms); ``facerig``: finds the presenter's face (None: the
    face is not checked)."""
    began = time.perf_counter()
    say = progress or (lambda _d, _t: None)
    m = measure_file(
        video, presenter=facts.presenter, black_s=limits.black_s, freeze_s=limits.freeze_s,
        face_fps=limits.face_fps,
    )  # fmt: skip
    say(1, 3)
    speech = decode_sound(narration) if narration is not None else np.zeros(0, np.float32)
    lag, match = lag_ms(m.sound, speech, SYNC_RATE)
    offset = lag if match >= checks.MIN_MATCH else 0.0
    spoken = sounding(speech, SYNC_RATE)
    if spoken is not None:
        speech_end = spoken[1] + offset
    elif timings.words:
        speech_end = timings.words[-1].end_ms + offset
    else:
        speech_end = float(m.duration_ms)
    found = [
        (span, sound_share(speech, SYNC_RATE, _moved(span, -offset)))
        for span in silences(m.sound, SYNC_RATE, min_ms=round(1000 * limits.silence_s))
    ]
    has_sound = sounding(m.sound, SYNC_RATE) is not None
    say(2, 3)
    faces, note = _faces(m, facerig) if facts.presenter is not None else (None, "")
    say(3, 3)
    loud = m.loudness
    items = [
        checks.av_offset(lag, match, m.video_start_ms, facts.fps, limits),
        checks.captions(
            cues,
            timings,
            offset_ms=offset,
            speech_end_ms=speech_end,
            duration_ms=m.duration_ms,
            limits=limits,
        ),
        checks.loudness(
            loud.integrated_lufs if loud else None, loud.true_peak_dbtp if loud else None, limits
        ),
        checks.clipping(clipped_runs(m.samples, m.sample_rate), limits),
        checks.silence(found, has_sound, limits),
        checks.black(m.black, m.duration_ms, limits),
        checks.frozen(
            m.frozen,
            m.presenter_frozen,
            has_presenter=facts.presenter is not None,
            still_expected=facts.still_expected,
            limits=limits,
        ),
        checks.face(faces, limits.face_fps, limits, note=note),
        checks.fit(facts.fit, m.duration_ms, facts.screen),
    ]
    elapsed = time.perf_counter() - began
    report_facts: dict[str, Any] = {
        "duration_ms": m.duration_ms,
        "width": m.info.width,
        "height": m.info.height,
        "fps": facts.fps,
        "presenter_box": list(facts.presenter) if facts.presenter else None,
        "screen": facts.screen,
        "seconds": round(elapsed, 3),
    }
    log.info("checked %s in %.2f s", subject or video.name, elapsed)
    return QcReport(tuple(items), subject, report_facts)


def _moved(span: tuple[int, int], by: float) -> tuple[int, int]:
    return round(span[0] + by), round(span[1] + by)


def _faces(m: Measured, facerig: FaceRig | None) -> tuple[list[bool] | None, str]:
    """Whether each sampled frame of the presenter's box shows a face; or why not searched."""
    if facerig is None:
        return None, "no face landmarker was given"
    if m.faces is None:
        return None, "the presenter is outside the picture"
    found: list[bool] = []
    for frame in m.faces:
        try:
            facerig.detect(np.ascontiguousarray(frame), name="the presenter")
        except InvalidInput:
            found.append(False)
        except BackendError as exc:
            return None, str(exc)
        else:
            found.append(True)
    return found, ""
