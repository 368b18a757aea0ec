"""Chapters: from scene titles to MP4 chapter metadata and a YouTube chapter list.

A chapter starts at each scene whose title differs from the chapter before it; untitled
scenes continue the current chapter. :func:`to_ffmetadata` writes ffmpeg's metadata format,
which the assembler maps into the MP4 (``-map_chapters``); :func:`parse_ffmetadata` reads it
back (``ffmpeg -i video.mp4 -f ffmetadata -``). :func:`youtube_chapters` writes the list for a
video description, following YouTube's rules: the first chapter at 0:00, at least three
chapters, each at least 10 seconds long. Chapters under 10 s are merged into a neighbour and
a warning says so; fewer than three chapters only warns. The list is always written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from vidkit.errors import InvalidInput

__all__ = [
    "Chapter",
    "FFMetadata",
    "YouTubeChapters",
    "chapters_from_scenes",
    "check_chapters",
    "parse_ffmetadata",
    "to_ffmetadata",
    "youtube_chapters",
    "youtube_timestamp",
]

YOUTUBE_MIN_MS = 10_000
YOUTUBE_MIN_COUNT = 3
_SPECIAL = "\\=;#\n"


@dataclass(frozen=True, slots=True)
class Chapter:
    """``title`` from ``start_ms`` up to ``end_ms`` of the finished video."""

    title: str
    start_ms: int
    end_ms: int

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


@dataclass(frozen=True, slots=True)
class FFMetadata:
    """What an ffmetadata file holds: global tags and chapters."""

    tags: dict[str, str]
    chapters: tuple[Chapter, ...]


@dataclass(frozen=True, slots=True)
class YouTubeChapters:
    """A YouTube chapter list: ``text`` for the description, the ``chapters`` it lists
    (after merging short ones) and ``warnings`` about YouTube's rules."""

    text: str
    chapters: tuple[Chapter, ...]
    warnings: tuple[str, ...]


def chapters_from_scenes(
    titles: Sequence[str | None], durations_ms: Sequence[int], *, untitled: str = "Intro"
) -> list[Chapter]:
    """Chapters for scenes of ``durations_ms`` played in order. A scene whose title is empty,
    or the same as the chapter it follows, continues that chapter; leading untitled scenes
    form a chapter called ``untitled``."""
    if len(titles) != len(durations_ms):
        raise InvalidInput(
            f"{len(titles)} scene titles for {len(durations_ms)} scenes: give one title per "
            "scene (an empty title continues the chapter before it)",
            field="titles",
        )
    chapters: list[Chapter] = []
    start = 0
    for raw, duration in zip(titles, durations_ms, strict=True):
        if duration < 0:
            raise InvalidInput(f"a scene cannot last {duration} ms", field="durations_ms")
        title = " ".join((raw or "").split())
        end = start + duration
        if chapters and (not title or title == chapters[-1].title):
            last = chapters[-1]
            chapters[-1] = Chapter(last.title, last.start_ms, end)
        else:
            chapters.append(Chapter(title or untitled, start, end))
        start = end
    return [c for c in chapters if c.duration_ms > 0]


def check_chapters(chapters: Sequence[Chapter]) -> None:
    """Raise :class:`InvalidInput` unless ``chapters`` are in order, without overlaps."""
    previous_end = 0
    for number, c in enumerate(chapters, 1):
        if c.start_ms < previous_end or c.end_ms <= c.start_ms:
            raise InvalidInput(
                f"chapter {number} ({c.title!r}, {c.start_ms}-{c.end_ms} ms) overlaps the one "
                "before it or ends before it starts: give chapters in order, each ending after "
                "it starts",
                field="chapters",
            )
        previous_end = c.end_ms


def to_ffmetadata(chapters: Sequence[Chapter], *, title: str | None = None) -> str:
    """An ffmetadata file (``;FFMETADATA1``) with ``chapters`` in milliseconds."""
    check_chapters(chapters)
    lines = [";FFMETADATA1"]
    if title:
        lines.append(f"title={_escape(title)}")
    for c in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={c.start_ms}", f"END={c.end_ms}"]
        lines.append(f"title={_escape(c.title)}")
    return "\n".join(lines) + "\n"


def parse_ffmetadata(text: str) -> FFMetadata:
    """Read an ffmetadata file: its global tags and its chapters (times in ms)."""
    lines = list(_logical_lines(text))
    if not lines or "".join(ch for ch, _ in lines[0]) != ";FFMETADATA1":
        raise InvalidInput("not an ffmetadata file: the first line is not ;FFMETADATA1")
    tags: dict[str, str] = {}
    sections: list[dict[str, str]] = []
    current = tags
    for line in lines[1:]:
        raw = "".join(ch for ch, _ in line)
        if not line or (raw[:1] in ";#" and not line[0][1]):
            continue
        if raw.startswith("[") and raw.endswith("]"):
            current = {}
            if raw == "[CHAPTER]":
                sections.append(current)
            continue
        cut = next((i for i, (ch, esc) in enumerate(line) if ch == "=" and not esc), None)
        if cut is not None:
            key = "".join(ch for ch, _ in line[:cut])
            current[key] = "".join(ch for ch, _ in line[cut + 1 :])
    return FFMetadata(tags, tuple(_chapter(section) for section in sections))


def youtube_timestamp(ms: int, *, hours: bool = False) -> str:
    """``M:SS`` (or ``H:MM:SS``) of whole seconds, rounded down: a chapter link never lands
    after the start of what it names."""
    seconds = max(0, ms) // 1000
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if hours or h else f"{m}:{s:02d}"


def youtube_chapters(
    chapters: Sequence[Chapter], *, min_ms: int = YOUTUBE_MIN_MS
) -> YouTubeChapters:
    """The chapter list for a YouTube description, one ``0:00 Title`` line per chapter."""
    check_chapters(chapters)
    warnings: list[str] = []
    items = [Chapter(" ".join(c.title.split()), c.start_ms, c.end_ms) for c in chapters]
    if items and items[0].start_ms > 0:
        warnings.append(
            f"the first chapter starts at {youtube_timestamp(items[0].start_ms)}; YouTube needs "
            "one at 0:00, so it is listed from 0:00"
        )
        items[0] = Chapter(items[0].title, 0, items[0].end_ms)
    warnings += _merge_short(items, min_ms)
    if len(items) < YOUTUBE_MIN_COUNT:
        warnings.append(
            f"YouTube shows chapters only when there are at least {YOUTUBE_MIN_COUNT}; this "
            f"list has {len(items)}, so YouTube will ignore it until more scenes have titles"
        )
    hours = bool(items) and items[-1].start_ms >= 3_600_000
    text = "".join(f"{youtube_timestamp(c.start_ms, hours=hours)} {c.title}\n" for c in items)
    return YouTubeChapters(text, tuple(items), tuple(warnings))


def _merge_short(items: list[Chapter], min_ms: int) -> list[str]:
    """Merge chapters shorter than ``min_ms`` into a neighbour (the one before; the first
    chapter into the one after), keeping the longer one's title. Shortest first."""
    warnings: list[str] = []
    while len(items) > 1:
        short = [i for i, c in enumerate(items) if c.duration_ms < min_ms]
        if not short:
            break
        i = min(short, key=lambda k: items[k].duration_ms)
        j = i - 1 if i > 0 else 1
        a, b = sorted((i, j))
        first, second = items[a], items[b]
        keep = first.title if first.duration_ms >= second.duration_ms else second.title
        warnings.append(
            f"chapter {items[i].title!r} lasts {items[i].duration_ms / 1000:.1f} s, under "
            f"YouTube's {min_ms // 1000} s minimum: merged with {items[j].title!r} as {keep!r}"
        )
        items[a : b + 1] = [Chapter(keep, first.start_ms, second.end_ms)]
    return warnings


def _escape(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in value)


def _logical_lines(text: str) -> Iterator[list[tuple[str, bool]]]:
    """Lines as (character, was escaped) pairs; an escaped newline continues the line."""
    line: list[tuple[str, bool]] = []
    escaped = False
    for ch in text:
        if escaped:
            line.append((ch, True))
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "\n":
            yield line
            line = []
        else:
            line.append((ch, False))
    if line:
        yield line


def _chapter(section: dict[str, str]) -> Chapter:
    num, _, den = section.get("TIMEBASE", "1/1000000000").partition("/")
    base = Fraction(int(num), int(den or 1))
    try:
        start, end = int(section["START"]), int(section["END"])
    except (KeyError, ValueError) as exc:
        raise InvalidInput(f"a [CHAPTER] without a valid START and END: {section}") from exc
    return Chapter(section.get("title", ""), round(start * base * 1000), round(end * base * 1000))
