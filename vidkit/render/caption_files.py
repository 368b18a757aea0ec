"""Caption files from cues: SRT and WebVTT sidecars, and the ASS subtitle file the renderer
burns in with ffmpeg's ``ass=``/``subtitles=`` filter (:class:`AssStyle`: font, size, colours,
box). Cues are made by :mod:`vidkit.render.captions`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vidkit.render.captions import CaptionCue

__all__ = ["AssStyle", "to_ass", "to_srt", "to_vtt"]


def to_srt(cues: Sequence[CaptionCue]) -> str:
    """SubRip: numbered cues, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, a blank line after each."""
    blocks = []
    for number, cue in enumerate(cues, 1):
        times = f"{_clock(cue.start_ms, ',')} --> {_clock(cue.end_ms, ',')}"
        blocks.append(f"{number}\n{times}\n" + "\n".join(_clean_lines(cue)))
    return "".join(block + "\n\n" for block in blocks)


def to_vtt(cues: Sequence[CaptionCue]) -> str:
    """WebVTT: the ``WEBVTT`` header, then cues with ``HH:MM:SS.mmm`` times; ``&``, ``<``
    and ``>`` in the text are written as character references."""
    out = ["WEBVTT\n\n"]
    for cue in cues:
        body = "\n".join(_vtt_escape(line) for line in _clean_lines(cue))
        out.append(f"{_clock(cue.start_ms, '.')} --> {_clock(cue.end_ms, '.')}\n{body}\n\n")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class AssStyle:
    """How burned-in captions look. Sizes are fractions of the frame: ``size`` of its height
    for the font, ``margin`` of its height below the text, ``side_margin`` of its width.
    ``box``: white text on a translucent dark box; otherwise white text with a dark outline."""

    font: str = "DejaVu Sans"
    size: float = 0.05
    margin: float = 0.06
    side_margin: float = 0.06
    text_rgb: tuple[int, int, int] = (255, 255, 255)
    box_rgb: tuple[int, int, int] = (0, 0, 0)
    box_opacity: float = 0.6
    box: bool = True
    bold: bool = False


def to_ass(
    cues: Sequence[CaptionCue], width: int, height: int, style: AssStyle = AssStyle()
) -> str:
    """An Advanced SubStation Alpha file for a ``width`` x ``height`` video: bottom-centred
    cues in ``style``, lines broken as the cues break them (no automatic wrapping)."""
    size = max(8, round(height * style.size))
    pad = max(1, round(size * 0.25)) if style.box else max(1, round(size * 0.08))
    text = _ass_colour(style.text_rgb, 1.0)
    side, bottom = round(width * style.side_margin), round(height * style.margin)
    bold = -1 if style.bold else 0
    common = f"{style.font},{size}"
    tail = f"2,{side},{side},{bottom},1"
    if style.box:
        # One box per line, under the text. BorderStyle 3 would box each run of one font on
        # its own, darker where two runs' boxes overlap (a CJK or emoji run in Latin text);
        # BorderStyle 4 boxes a whole event in the back colour, padded by the outline width.
        # So each line gets a box event (its text invisible, on its own layer, so that libass
        # does not move overlapping boxes apart) and the cue's text goes on top.
        hidden, box = (
            _ass_colour(style.text_rgb, 0.0),
            _ass_colour(style.box_rgb, style.box_opacity),
        )
        styles = (
            f"Style: Default,{common},{text},{text},{box},{box},{bold},0,0,0,"
            f"100,100,0,0,1,0,0,{tail}\n"
            f"Style: Box,{common},{hidden},{hidden},{hidden},{box},{bold},0,0,0,"
            f"100,100,0,0,4,{pad},0,{tail}\n"
        )
    else:  # white text with a dark outline and shadow
        outline, back = (
            _ass_colour(style.box_rgb, 1.0),
            _ass_colour(style.box_rgb, style.box_opacity),
        )
        styles = (
            f"Style: Default,{common},{text},{text},{outline},{back},{bold},0,0,0,"
            f"100,100,0,0,1,{pad},1,{tail}\n"
        )
    head = (
        "[Script Info]\nScriptType: v4.00+\n"
        f"PlayResX: {width}\nPlayResY: {height}\n"
        "WrapStyle: 2\nScaledBorderAndShadow: yes\nYCbCr Matrix: TV.709\n\n"
        "[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
        f"{styles}\n"
        "[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )
    events = []
    for i, cue in enumerate(cues):
        start = -(-cue.start_ms // 10)  # centiseconds, rounded up: never early
        end = cue.end_ms // 10
        if i + 1 < len(cues):
            end = min(end, -(-cues[i + 1].start_ms // 10))
        if end <= start:
            continue
        when = f"{_ass_clock(start)},{_ass_clock(end)}"
        lines = [_ass_line(line, style) for line in _clean_lines(cue)]
        layer = 0
        if style.box:
            for row, line in enumerate(lines):
                margin = bottom + (len(lines) - 1 - row) * size
                events.append(f"Dialogue: {row},{when},Box,,0,0,{margin},,{line}\n")
            layer = len(lines)
        body = r"\N".join(lines)
        events.append(f"Dialogue: {layer},{when},Default,,0,0,0,,{body}\n")
    return head + "".join(events)


# Formatting helpers -------------------------------------------------------------------------


def _clean_lines(cue: CaptionCue) -> list[str]:
    lines = [" ".join(line.split()) for line in cue.text.splitlines()]
    return [line for line in lines if line] or ["\u00a0"]


def _clock(ms: int, sep: str) -> str:
    ms = max(0, ms)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def _ass_clock(cs: int) -> str:
    h, rest = divmod(cs, 360_000)
    m, rest = divmod(rest, 6000)
    s, c = divmod(rest, 100)
    return f"{h}:{m:02d}:{s:02d}.{c:02d}"


def _vtt_escape(line: str) -> str:
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _ass_line(line: str, style: AssStyle) -> str:
    """``line`` for an ASS event: characters the style's font lacks (CJK, emoji) in the fallback
    face that has them (``{\\fn…}``, regular weight, as the preview draws them), back to the
    style after (``{\\r}``). See :mod:`vidkit.fonts`."""
    from vidkit.fonts import faces, runs

    chain = faces(style.bold)
    out: list[str] = []
    for text, index in runs(line, chain):
        if index == 0:
            out.append(("{\\r}" if out else "") + _ass_escape(text))
        else:
            weight = "\\b0" if style.bold else ""
            out.append(f"{{\\fn{chain[index].family}{weight}}}{_ass_escape(text)}")
    return "".join(out)


def _ass_escape(line: str) -> str:
    """Text libass shows as written: a backslash is followed by a word joiner (so ``\\N``
    stays two characters) and braces cannot open an override block."""
    return line.replace("\\", "\\\u2060").replace("{", "\\{").replace("}", "\\}")


def _ass_colour(rgb: tuple[int, int, int], opacity: float) -> str:
    r, g, b = rgb
    alpha = round((1 - min(1.0, max(0.0, opacity))) * 255)
    return f"&H{alpha:02X}{b:02X}{g:02X}{r:02X}"
