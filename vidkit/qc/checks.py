"""The verdicts: each function turns measurements of a rendered scene into one
:class:`~vidkit.qc.report.Item` (green, amber or red, a sentence, the numbers), judged by the
limits of ``[qc]`` (:class:`~vidkit.config.QcConfig`). Nothing here reads files; see
:mod:`vidkit.qc.scene` for the measuring.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from vidkit.config import QcConfig
from vidkit.qc.report import Item, Status
from vidkit.render.caption_edits import cue_word_spans
from vidkit.timing import Timings

__all__ = [
    "CAPTION_RED_MS",
    "CLIPPED_AMBER",
    "Fit",
    "av_offset",
    "black",
    "captions",
    "clipping",
    "face",
    "fit",
    "frozen",
    "loudness",
    "seconds",
    "silence",
]

Span = tuple[int, int]
Cue = tuple[int, int, str]

#: Clipped runs within one second from which clipping is amber (red: ``[qc] clipped_per_s``).
CLIPPED_AMBER = 3
#: A caption this much past its allowance is red (amber up to it).
CAPTION_RED_MS = 500
#: Below this correlation the narration is not found in the rendered sound.
MIN_MATCH = 0.3
#: Integrated loudness at or under this is silence (EBU R128's absolute gate).
SILENT_LUFS = -70.0
#: Speeds within this fraction of the cap count as within it.
SPEED_SLACK = 0.01


def seconds(ms: float) -> str:
    """``1500`` → ``"1.5 s"``."""
    return f"{ms / 1000:.1f} s"


def _at(spans: Sequence[Span]) -> str:
    shown = ", ".join(f"{a / 1000:.1f}–{b / 1000:.1f} s" for a, b in spans[:3])
    return shown + (f" and {len(spans) - 3} more" if len(spans) > 3 else "")


def _by_length(length_ms: float, limit_s: float) -> Status:
    """Amber from ``limit_s``, red from twice it."""
    if length_ms >= 2000 * limit_s:
        return "red"
    return "amber" if length_ms >= 1000 * limit_s else "green"


# Sound and picture ------------------------------------------------------------------------


def av_offset(
    lag_ms: float, match: float, video_start_ms: float, fps: float, limits: QcConfig
) -> Item:
    """The sound against the picture: how much later the narration is heard in the file than
    in its WAV (``lag_ms``, found with correlation ``match``), less where the picture starts."""
    frame_ms = 1000 / fps
    offset = lag_ms - video_start_ms
    frames = offset / frame_ms
    numbers = {"offset_ms": round(offset, 1), "frames": round(frames, 2), "match": round(match, 3)}
    if match < MIN_MATCH:
        return Item(
            "av_offset", "amber",
            f"not measured: the narration was not found in the scene's sound (match {match:.2f})",
            numbers,
        )  # fmt: skip
    limit = limits.av_offset_frames
    status: Status = "green"
    if abs(frames) > 3 * limit:
        status = "red"
    elif abs(frames) > limit:
        status = "amber"
    if abs(offset) < 0.5:
        said = "the sound is in sync with the picture"
    else:
        way = "late" if offset > 0 else "early"
        said = (
            f"the sound is {abs(offset):.0f} ms ({abs(frames):.1f} frames) {way} "
            "against the picture"
        )
    return Item("av_offset", status, f"{said} (limit {limit:g} frame)", numbers)


def loudness(integrated: float | None, true_peak: float | None, limits: QcConfig) -> Item:
    """A scene's loudness before the film is normalised: near enough to the target that one
    gain for the whole film brings it there with the other scenes."""
    numbers = {"integrated_lufs": integrated, "true_peak_dbtp": true_peak}
    if integrated is None or integrated <= SILENT_LUFS:
        return Item("loudness", "red", "the scene has no sound", numbers)
    target, tolerance = limits.loudness_lufs, limits.scene_loudness_tolerance_lu
    off = integrated - target
    status: Status = "green"
    if abs(off) > 2 * tolerance:
        status = "red"
    elif abs(off) > tolerance:
        status = "amber"
    peak = f", true peak {true_peak:.1f} dBTP" if true_peak is not None else ""
    level = f"{integrated:.1f} LUFS{peak} before the film is normalised to {target:g} LUFS"
    if status == "green":
        return Item("loudness", status, f"{level}: within {tolerance:g} LU", numbers)
    way = "louder" if off > 0 else "quieter"
    return Item(
        "loudness", status,
        f"{level}: {abs(off):.1f} LU {way}, so it will stand out from scenes near the target",
        numbers,
    )  # fmt: skip


def clipping(runs_at_ms: Sequence[int], limits: QcConfig) -> Item:
    """Runs of samples at full scale, judged by the most in any one second: a sound
    normalised to full scale touches it once or twice a sentence, a clipped one a hundred
    times a second."""
    count = len(runs_at_ms)
    per_second = Counter(ms // 1000 for ms in runs_at_ms)
    worst_second, most = per_second.most_common(1)[0] if per_second else (0, 0)
    numbers = {
        "clipped_runs": count,
        "most_in_a_second": most,
        "first_ms": runs_at_ms[0] if count else None,
    }
    if most < CLIPPED_AMBER:
        said = "no clipping" if not count else f"no clipping ({count} peak(s) touch full scale)"
        return Item("clipping", "green", said, numbers)
    status: Status = "red" if most >= limits.clipped_per_s else "amber"
    return Item(
        "clipping", status,
        f"the sound clips {count} time(s), {most} of them in the second from "
        f"{worst_second} s: lower the level of the recording or the music",
        numbers,
    )  # fmt: skip


def silence(found: Sequence[tuple[Span, float]], has_sound: bool, limits: QcConfig) -> Item:
    """Silent stretches of the rendered sound (at least ``[qc] silence_s``), each with the
    share of it in which the narration itself sounds: where it does, the sound was lost."""
    numbers = {
        "silences": [list(span) for span, _ in found],
        "lost": [list(span) for span, share in found if share > 0.5],
    }
    if not has_sound:
        return Item("silence", "red", "the scene has no sound at all", numbers)
    if not found:
        return Item("silence", "green", f"no silence of {limits.silence_s:g} s or more", numbers)
    lost = [span for span, share in found if share > 0.5]
    if lost:
        return Item(
            "silence", "red",
            f"the sound drops out where the narration speaks, at {_at(lost)}",
            numbers,
        )  # fmt: skip
    spans = [span for span, _ in found]
    longest = max(b - a for a, b in spans)
    return Item(
        "silence", "amber",
        f"silent for {seconds(longest)} at {_at(spans)} (a pause in the narration itself)",
        numbers,
    )  # fmt: skip


def black(spans: Sequence[Span], duration_ms: int, limits: QcConfig) -> Item:
    """Stretches of black picture."""
    numbers = {"black": [list(s) for s in spans]}
    if not spans:
        return Item("black", "green", "no black picture", numbers)
    longest = max(b - a for a, b in spans)
    status = _by_length(longest, limits.black_s)
    if sum(b - a for a, b in spans) >= duration_ms - 100:
        status = "red"
    return Item(
        "black", status if status != "green" else "amber",
        f"the picture is black for {seconds(longest)} at {_at(spans)}",
        numbers,
    )  # fmt: skip


def frozen(
    picture: Sequence[Span], presenter: Sequence[Span], *, has_presenter: bool,
    still_expected: bool, limits: QcConfig,
) -> Item:  # fmt: skip
    """Stretches in which the picture (or the presenter's box) does not change at all. A
    presenter always moves (blinks, sways), so one that stops has frozen; without one, a
    still picture is expected (a screenshot, finished typing, an idle page)."""
    numbers = {"picture": [list(s) for s in picture], "presenter": [list(s) for s in presenter]}
    spans = sorted([*picture, *presenter]) if has_presenter else list(picture)
    if not spans:
        return Item("frozen", "green", "the picture keeps moving", numbers)
    longest = max(b - a for a, b in spans)
    if still_expected and not has_presenter:
        return Item(
            "frozen", "green",
            f"the picture is still for {seconds(longest)}, as it may be without a presenter",
            numbers,
        )  # fmt: skip
    status = _by_length(longest, limits.freeze_s)
    what = "the presenter stops moving" if has_presenter else "the picture stops changing"
    return Item(
        "frozen", status if status != "green" else "amber",
        f"{what} for {seconds(longest)} at {_at(spans)}",
        numbers,
    )  # fmt: skip


def face(
    found: Sequence[bool] | None, face_fps: float, limits: QcConfig, *, note: str = ""
) -> Item:
    """Whether the presenter's face is found in frames sampled ``face_fps`` times a second
    (None: no presenter in the scene; ``note``: why it could not be checked)."""
    if note:
        return Item("face", "amber", f"the presenter's face was not checked: {note}", {})
    if found is None:
        return Item("face", "green", "no presenter in this scene", {})
    step = 1000 / face_fps
    lost: list[Span] = []
    at = 0
    for hit, run in itertools.groupby(found):
        count = len(list(run))
        if not hit:
            lost.append((round(at * step), round((at + count) * step)))
        at += count
    numbers = {
        "samples": len(found),
        "found": sum(found),
        "lost": [list(s) for s in lost],
    }
    if not found:
        return Item("face", "amber", "the presenter's box held no frame to search", numbers)
    if not lost:
        return Item(
            "face", "green", f"the presenter's face is found in all {len(found)} frames searched",
            numbers,
        )  # fmt: skip
    longest = max(b - a for a, b in lost)
    status = _by_length(longest, limits.face_lost_s)
    if not any(found):
        status = "red"
    share = 100 * (len(found) - sum(found)) / len(found)
    return Item(
        "face", status,
        f"the presenter's face is lost for {seconds(longest)} at {_at(lost)} "
        f"({share:.0f}% of the frames searched)",
        numbers,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Fit:
    """A screen recording fitted to the scene: what plays before fitting (``source_ms``: the
    file's length, or its cut list's), how the fit played it, and the speed cap."""

    source_ms: int
    speed: float
    mode: str
    min_speed: float
    max_speed: float
    cut_list: bool = False


def fit(plan: Fit | None, scene_ms: int, screen: str) -> Item:
    """The speed the recording needs to fill the scene (its length over the scene's, both
    measured on the files), against the speed cap."""
    if plan is None:
        return Item("fit", "green", f"no recording to fit (the screen is {screen})", {})
    needed = plan.source_ms / scene_ms if scene_ms > 0 else 0.0
    numbers = {
        "source_ms": plan.source_ms, "scene_ms": scene_ms, "needed_speed": round(needed, 3),
        "played_speed": round(plan.speed, 3), "mode": plan.mode,
        "min_speed": plan.min_speed, "max_speed": plan.max_speed,
    }  # fmt: skip
    low, high = plan.min_speed * (1 - SPEED_SLACK), plan.max_speed * (1 + SPEED_SLACK)
    if low <= needed <= high:
        return Item(
            "fit", "green",
            f"the recording plays at {needed:.2f}× (cap {plan.min_speed:g}×–{plan.max_speed:g}×)",
            numbers,
        )  # fmt: skip
    beyond = needed / plan.max_speed if needed > high else plan.min_speed / max(needed, 1e-6)
    status: Status = "red" if beyond > 2 else "amber"
    cap = f"{plan.max_speed:g}×" if needed > high else f"{plan.min_speed:g}×"
    said = f"the recording needs {needed:.2f}× to fill the scene, past the {cap} cap"
    if plan.mode == "cut":
        rest = plan.source_ms - scene_ms * plan.speed
        said += f": it plays at {plan.speed:g}× and its last {seconds(rest)} are cut"
    elif plan.mode == "freeze":
        held = scene_ms - plan.source_ms / plan.speed
        said += f": it plays at {plan.speed:g}× and its last frame is held for {seconds(held)}"
    else:
        said += f": it plays at {plan.speed:.2f}×"
    return Item("fit", status, said, numbers)


# Captions ---------------------------------------------------------------------------------


def captions(
    cues: Sequence[Cue],
    timings: Timings,
    *,
    offset_ms: float,
    speech_end_ms: float,
    duration_ms: int,
    limits: QcConfig,
) -> Item:
    """Each caption against its words as heard in the file (their timings moved by the
    measured ``offset_ms``): it must not show more than ``caption_lead_ms`` before its first
    word, nor start after its last word, nor stay more than ``caption_linger_ms`` after the
    speech ends (``speech_end_ms``, in the file), nor past the video's end."""
    if not cues:
        return Item("captions", "green", "no captions in this scene", {"cues": 0})
    spans = cue_word_spans([text for _s, _e, text in cues], timings)
    problems: list[tuple[float, str]] = []  # (ms past the allowance, what)
    lead, linger = limits.caption_lead_ms, limits.caption_linger_ms
    for number, ((start, end, _text), words) in enumerate(zip(cues, spans, strict=True), 1):
        if words is not None:
            first = timings.words[words[0]].start_ms + offset_ms
            last = timings.words[words[1]].end_ms + offset_ms
            if first - start > lead:
                problems.append(
                    (
                        first - start - lead,
                        f"caption {number} shows {first - start:.0f} ms before its first word",
                    )
                )
            if start - last > lead:
                problems.append(
                    (
                        start - last - lead,
                        f"caption {number} shows {start - last:.0f} ms after its words were said",
                    )
                )
        if end - speech_end_ms > linger:
            problems.append(
                (end - speech_end_ms - linger,
                 f"caption {number} stays {seconds(end - speech_end_ms)} after the speech ends")
            )  # fmt: skip
        if end > duration_ms + 1:
            problems.append((CAPTION_RED_MS + 1, f"caption {number} ends after the video"))
    numbers = {
        "cues": len(cues),
        "offset_ms": round(offset_ms, 1),
        "speech_end_ms": round(speech_end_ms),
    }
    if not problems:
        return Item(
            "captions", "green", f"all {len(cues)} caption(s) show while their words are heard",
            numbers,
        )  # fmt: skip
    excess, first_problem = max(problems)
    status: Status = "red" if excess > CAPTION_RED_MS else "amber"
    more = f" ({len(problems) - 1} more)" if len(problems) > 1 else ""
    return Item(
        "captions", status, f"{first_problem}{more}", {**numbers, "problems": len(problems)}
    )
