"""Domain values: projects, scenes, layouts, assets and job records.

Pure, frozen dataclasses with no I/O. Validation helpers raise :class:`InvalidInput` with the
offending field named, so every surface reports the same rule in the same words.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any, Final

from vidkit.cuts import CutList
from vidkit.errors import InvalidInput, NarrationError

__all__ = [
    "ASSET_KINDS",
    "AUDIO_KINDS",
    "CORNERS",
    "IMAGE_KINDS",
    "JOB_STATUSES",
    "MEDIA_KINDS",
    "SCENE_VOICES",
    "VIDEO_KINDS",
    "Asset",
    "CaptionEdit",
    "Job",
    "Layout",
    "Project",
    "Scene",
    "SceneEdit",
    "Voice",
    "check_caption_edits",
    "check_narration",
    "suggest_slug",
    "validate_id",
    "validate_slug",
    "validate_title",
]

SLUG_RE: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX: Final = 64
TITLE_MAX: Final = 200
TEXT_MAX: Final = 1_000_000  # characters, for descriptions, narration and notes

CORNERS: Final = ("top-left", "top-right", "bottom-left", "bottom-right")

#: Kinds of asset whose files are media that ffmpeg must be able to read.
MEDIA_KINDS: Final = frozenset(
    {
        "avatar_image",
        "avatar_video",
        "tts_audio",
        "voice_sample",
        "screen_capture",
        "image",
        "music",
        "composited_scene",
        "final_video",
        "avatar_cutout",
        "recording_audio",
        "captured_screen",
    }
)
#: Media kinds whose picture must play from start to end when imported.
VIDEO_KINDS: Final = frozenset(
    {"screen_capture", "captured_screen", "avatar_video", "composited_scene", "final_video"}
)
#: Media kinds whose sound must play from start to end when imported.
AUDIO_KINDS: Final = frozenset({"tts_audio", "voice_sample", "music", "recording_audio"})
#: Media kinds that are still pictures, decoded whole (within the size limits) when imported.
IMAGE_KINDS: Final = frozenset({"avatar_image", "image", "avatar_cutout"})
#: Every kind of asset the catalogue accepts.
ASSET_KINDS: Final = MEDIA_KINDS | frozenset(
    {
        "code_file",
        "captions",
        "document",
        "timings",
        "face_rig",
        "lexicon",
        "transcript",
        "analysis",
        "capture_script",
        "qc_report",
        "other",
    }
)
#: How a recorded scene is voiced: the speaker's own voice, or the project voice re-speaking
#: the edited transcript.
SCENE_VOICES: Final = ("own", "project")

JOB_STATUSES: Final = ("running", "done", "failed")


def suggest_slug(title: str) -> str:
    """A valid slug made from a title ("Intro to Python: Loops!" → "intro-to-python-loops"):
    accents dropped, anything but letters and digits a hyphen, at most ``SLUG_MAX``
    characters; "" when the title has no letter or digit to keep."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def validate_slug(slug: str) -> str:
    """Return ``slug`` if it is a valid project slug, else raise :class:`InvalidInput`."""
    if not isinstance(slug, str) or not slug:
        raise InvalidInput(
            "slug is required: use lowercase letters, digits and hyphens", field="slug"
        )
    if len(slug) > SLUG_MAX:
        raise InvalidInput(f"slug is longer than {SLUG_MAX} characters", field="slug")
    if not SLUG_RE.match(slug):
        raise InvalidInput(
            f"slug {slug!r} is invalid: use lowercase letters, digits and single hyphens "
            "between them, for example 'intro-to-python'",
            field="slug",
        )
    return slug


def validate_title(title: str, *, field_name: str = "title") -> str:
    """Return the stripped title, or raise :class:`InvalidInput` if it is empty or too long."""
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput(f"{field_name} is required and cannot be blank", field=field_name)
    _check_encodable(title, field_name)
    title = title.strip()
    if len(title) > TITLE_MAX:
        raise InvalidInput(f"{field_name} is longer than {TITLE_MAX} characters", field=field_name)
    return title


def validate_text(text: str, *, field_name: str) -> str:
    """Return ``text`` if it is a string within the size limit."""
    if not isinstance(text, str):
        raise InvalidInput(f"{field_name} must be text", field=field_name)
    if len(text) > TEXT_MAX:
        raise InvalidInput(
            f"{field_name} has {len(text):,} characters; the limit is {TEXT_MAX:,}",
            field=field_name,
        )
    _check_encodable(text, field_name)
    return text


def check_narration(text: str, *, spoken: bool = False, where: str | None = None) -> str:
    """The narration rule, the one every surface applies: text of at most :data:`TEXT_MAX`
    characters; to be spoken (``spoken``) it must also hold at least one word. ``where``
    names the scene in the message ("scene 3"). Raises :class:`NarrationError`."""
    subject = f"the narration of {where}" if where else "the narration"
    if not isinstance(text, str):
        raise NarrationError(f"{subject} must be text", reason="not_text")
    if len(text) > TEXT_MAX:
        raise NarrationError(
            f"{subject} has {len(text):,} characters; the limit is {TEXT_MAX:,}. "
            "Split it over several scenes",
            reason="too_long",
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NarrationError(
            f"{subject} contains characters that are not valid Unicode text", reason="not_text"
        ) from None
    if spoken and not text.strip():
        message = (
            f"{where} has no narration yet: write what the presenter says"
            if where
            else "the narration is empty: write what the presenter says"
        )
        raise NarrationError(message, reason="empty")
    return text


def _check_encodable(text: str, field_name: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            f"{field_name} contains characters that are not valid Unicode text", field=field_name
        ) from None


def validate_id(value: object, *, field_name: str = "id") -> int:
    """Return ``value`` if it is a plausible row id (a positive 64-bit integer)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise InvalidInput(f"{field_name} must be a positive whole number", field=field_name)
    return value


#: A caption edit's text may be this long (a caption is a line or two, not a paragraph).
CAPTION_EDIT_MAX: Final = 500
#: At most this many caption edits per scene.
CAPTION_EDITS_MAX: Final = 2000


@dataclass(frozen=True, slots=True)
class CaptionEdit:
    """A caption shown in place of the one made from the words: wherever the scene's caption
    reads ``was`` (its lines joined by spaces), it shows ``text`` instead, at the same times.
    ``text`` may hold line breaks; without them it is set on lines like any caption."""

    was: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"was": self.was, "text": self.text}


def check_caption_edits(raw: Any) -> tuple[CaptionEdit, ...]:
    """Caption edits from a list of ``{"was": ..., "text": ...}`` (or :class:`CaptionEdit`):
    whitespace tidied, an edit that changes nothing left out; a caption edited twice, a blank
    ``was`` or ``text``, or text over :data:`CAPTION_EDIT_MAX` characters is refused."""
    name = "caption_edits"
    if isinstance(raw, (str, bytes)) or not isinstance(raw, (list, tuple)):
        raise InvalidInput(f'{name} must be a list of {{"was": ..., "text": ...}}', field=name)
    if len(raw) > CAPTION_EDITS_MAX:
        raise InvalidInput(f"{name} holds {len(raw):,} edits; the limit is {CAPTION_EDITS_MAX:,}",
                           field=name)  # fmt: skip
    out: dict[str, CaptionEdit] = {}
    for number, item in enumerate(raw, 1):
        if isinstance(item, CaptionEdit):
            was, text = item.was, item.text
        elif isinstance(item, dict) and set(item) == {"was", "text"}:
            was, text = item["was"], item["text"]
        else:
            raise InvalidInput(f'caption edit {number} must be {{"was": ..., "text": ...}}',
                               field=name)  # fmt: skip
        if not isinstance(was, str) or not isinstance(text, str):
            raise InvalidInput(f"caption edit {number}: was and text must be text", field=name)
        was = " ".join(was.split())
        lines = [" ".join(line.split()) for line in text.splitlines()]
        text = "\n".join(line for line in lines if line)
        if not was or not text:
            raise InvalidInput(
                f"caption edit {number} is blank: a caption must say something", field=name
            )
        if len(text) > CAPTION_EDIT_MAX:
            raise InvalidInput(
                f"caption edit {number} has {len(text):,} characters; a caption holds at most "
                f"{CAPTION_EDIT_MAX:,}",
                field=name,
            )
        _check_encodable(text, name)
        if was in out:
            raise InvalidInput(f"the caption {was!r} is edited twice", field=name)
        if " ".join(text.split()) != was:
            out[was] = CaptionEdit(was, text)
    return tuple(out.values())


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the avatar sits over the screen source, and whether captions are burned in.

    The avatar is either pinned to a ``corner`` with a ``margin`` in pixels, or placed with its
    centre at ``x``/``y`` given as fractions of the frame (0..1). ``scale`` is the avatar's height
    as a fraction of the frame height.
    """

    corner: str | None = "bottom-right"
    x: float | None = None
    y: float | None = None
    scale: float = 0.35
    margin: int = 32
    captions: bool = True

    def __post_init__(self) -> None:
        if self.corner is not None and self.corner not in CORNERS:
            raise InvalidInput(
                f"avatar corner {self.corner!r} is invalid: choose one of {', '.join(CORNERS)}",
                field="avatar_corner",
            )
        if (self.x is None) != (self.y is None):
            raise InvalidInput("give both avatar_x and avatar_y, or neither", field="avatar_x")
        if self.corner is None and self.x is None:
            raise InvalidInput(
                "give an avatar corner or an avatar_x/avatar_y position", field="avatar_corner"
            )
        for name in ("x", "y"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise InvalidInput(f"avatar_{name} must be between 0 and 1", field=f"avatar_{name}")
        if not 0.05 <= self.scale <= 1.0:
            raise InvalidInput("avatar_scale must be between 0.05 and 1", field="avatar_scale")
        if not 0 <= self.margin <= 1000:
            raise InvalidInput(
                "avatar_margin must be between 0 and 1000 pixels", field="avatar_margin"
            )

    @property
    def placement(self) -> str:
        """A short human description of where the avatar sits."""
        if self.x is not None and self.y is not None:
            return f"at ({self.x:.2f}, {self.y:.2f})"
        return f"{self.corner}, margin {self.margin}px"


@dataclass(frozen=True, slots=True)
class Project:
    """A video project: an ordered list of scenes plus its output format and narrator voice.

    ``voice`` is the name of one of the project's voice profiles that every narration is spoken
    in; "" leaves the choice to the speech backend (its own default voice).
    """

    id: int
    slug: str
    title: str
    subtitle: str = ""
    description: str = ""
    width: int = 1920
    height: int = 1080
    fps: Fraction = Fraction(30)
    scene_count: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    voice: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form used by the CLI's ``--json`` and the HTTP API."""
        return {
            "id": self.id,
            "slug": self.slug,
            "title": self.title,
            "subtitle": self.subtitle,
            "description": self.description,
            "width": self.width,
            "height": self.height,
            "fps": str(self.fps),
            "voice": self.voice,
            "scene_count": self.scene_count,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
        }

    def _repr_html_(self) -> str:
        rows = [
            ("slug", self.slug),
            ("scenes", str(self.scene_count)),
            ("format", f"{self.width}×{self.height} @ {self.fps} fps"),
            ("voice", self.voice or "backend default"),
            ("updated", _iso(self.updated_at) or ""),
        ]
        subtitle = f"<div><i>{_e(self.subtitle)}</i></div>" if self.subtitle else ""
        desc = f"<p>{_e(_clip(self.description, 400))}</p>" if self.description else ""
        return (
            f"<div class='vidkit-project'><b>{_e(self.title)}</b>{subtitle}{desc}"
            f"{_table(rows)}</div>"
        )


@dataclass(frozen=True, slots=True)
class Scene:
    """One scene of a project: narration plus how it is laid out."""

    id: int
    project_id: int
    position: int
    title: str
    narration: str = ""
    notes: str = ""
    target_duration_ms: int | None = None
    layout: Layout = field(default_factory=Layout)
    caption_edits: tuple[CaptionEdit, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def word_count(self) -> int:
        return len(self.narration.split())

    @property
    def estimated_duration_ms(self) -> int:
        """Spoken length estimated at 150 words per minute."""
        return round(self.word_count / 150 * 60_000)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project_id": self.project_id,
            "position": self.position,
            "title": self.title,
            "narration": self.narration,
            "notes": self.notes,
            "target_duration_ms": self.target_duration_ms,
            "avatar_corner": self.layout.corner,
            "avatar_x": self.layout.x,
            "avatar_y": self.layout.y,
            "avatar_scale": self.layout.scale,
            "avatar_margin": self.layout.margin,
            "captions": self.layout.captions,
            "caption_edits": [e.to_dict() for e in self.caption_edits],
            "word_count": self.word_count,
            "estimated_duration_ms": self.estimated_duration_ms,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
        }

    def _repr_html_(self) -> str:
        rows = [
            ("position", str(self.position)),
            ("words", f"{self.word_count} (≈ {self.estimated_duration_ms / 1000:.1f} s spoken)"),
            ("avatar", f"{self.layout.placement}, scale {self.layout.scale:.2f}"),
            ("captions", "on" if self.layout.captions else "off"),
        ]
        if self.target_duration_ms is not None:
            rows.append(("target", f"{self.target_duration_ms / 1000:.1f} s"))
        narration = (
            f"<blockquote>{_e(_clip(self.narration, 600))}</blockquote>" if self.narration else ""
        )
        return (
            f"<div class='vidkit-scene'><b>{self.position}. {_e(self.title)}</b>"
            f"{narration}{_table(rows)}</div>"
        )


@dataclass(frozen=True, slots=True)
class Asset:
    """Metadata of one file in the asset store; ``path`` is relative to the assets root."""

    id: int
    project_id: int
    kind: str
    path: str
    sha256: str
    size_bytes: int
    scene_id: int | None = None
    duration_ms: int | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project_id": self.project_id,
            "scene_id": self.scene_id,
            "kind": self.kind,
            "path": self.path,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "duration_ms": self.duration_ms,
            "metadata": json.loads(json.dumps(dict(self.metadata))),
            "created_at": _iso(self.created_at),
        }

    def _repr_html_(self) -> str:
        duration = f", {self.duration_ms / 1000:.2f} s" if self.duration_ms is not None else ""
        return (
            f"<div class='vidkit-asset'><b>{_e(self.kind)}</b> "
            f"{_e(self.metadata.get('filename', ''))}"
            f" <code>{self.sha256[:12]}</code> ({self.size_bytes:,} bytes{duration})</div>"
        )


@dataclass(frozen=True, slots=True)
class Voice:
    """A voice profile: a reference recording (an asset), its transcript and recorded consent."""

    id: int
    project_id: int
    name: str
    sample_asset_id: int
    transcript: str
    consent: str
    created_at: datetime | None = None
    #: The consent record: who agreed (``consent``, above, is the statement they agreed to)
    #: and when. Profiles from before consent records have no ``consent_by``.
    consent_by: str = ""
    consent_at: datetime | None = None
    language: str = "en"
    #: Further reference recordings of the same speaker (asset ids).
    more_sample_ids: tuple[int, ...] = ()

    @property
    def has_consent(self) -> bool:
        """Whether the profile carries a consent statement (and so may be used)."""
        return len(self.consent.strip()) >= 10

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project_id": self.project_id,
            "name": self.name,
            "sample_asset_id": self.sample_asset_id,
            "transcript": self.transcript,
            "consent": self.consent,
            "created_at": _iso(self.created_at),
            "consent_by": self.consent_by,
            "consent_at": _iso(self.consent_at),
            "language": self.language,
            "more_sample_ids": list(self.more_sample_ids),
        }


@dataclass(frozen=True, slots=True)
class SceneEdit:
    """How a scene uses a recording: the recording (an asset), its in and out points (ms;
    ``out_ms`` None for its end), whose voice speaks (:data:`SCENE_VOICES`), the user's edits
    by text (``deleted``/``restored`` source intervals, ms) and the cut list last planned from
    them. Every change is a new ``version``; undo returns to the one before."""

    scene_id: int
    version: int
    recording_id: int
    in_ms: int = 0
    out_ms: int | None = None
    voice: str = "own"
    deleted: tuple[tuple[int, int], ...] = ()
    restored: tuple[tuple[int, int], ...] = ()
    cuts: CutList | None = None
    note: str = ""
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.voice not in SCENE_VOICES:
            raise InvalidInput(
                f"voice must be 'own' (the speaker's) or 'project' (re-voiced), not {self.voice!r}",
                field="voice",
            )
        if self.in_ms < 0 or (self.out_ms is not None and self.out_ms <= self.in_ms):
            raise InvalidInput(
                f"the out point must come after the in point ({self.in_ms} ms .. {self.out_ms} ms)",
                field="out_ms",
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "scene_id": self.scene_id,
            "version": self.version,
            "recording_id": self.recording_id,
            "in_ms": self.in_ms,
            "out_ms": self.out_ms,
            "voice": self.voice,
            "deleted": [list(i) for i in self.deleted],
            "restored": [list(i) for i in self.restored],
            "cuts": self.cuts.to_dict() if self.cuts else None,
            "note": self.note,
            "created_at": _iso(self.created_at),
        }


@dataclass(frozen=True, slots=True)
class Job:
    """One run of one pipeline stage, recorded so that renders can resume and skip work."""

    id: int
    project_id: int
    stage: str
    cache_key: str
    status: str
    scene_id: int | None = None
    error: str | None = None
    output_asset_id: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project_id": self.project_id,
            "scene_id": self.scene_id,
            "stage": self.stage,
            "cache_key": self.cache_key,
            "status": self.status,
            "error": self.error,
            "output_asset_id": self.output_asset_id,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _e(text: object) -> str:
    return html.escape(str(text))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(rows: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{_e(k)}</th><td>{_e(v)}</td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"
