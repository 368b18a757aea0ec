"""Caption cues from word timings, and the SRT, WebVTT and ASS writers."""

from __future__ import annotations

import itertools
import re
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from vidkit.media import ffmpeg_exe
from vidkit.render.caption_files import AssStyle, to_ass, to_srt, to_vtt
from vidkit.render.captions import CaptionCue, captions_from_timings, offset_cues, to_frames
from vidkit.timing import Timings, WordTiming

NARRATION = (
    "Welcome back. In this lesson we look at list comprehensions, a compact way to build a "
    "list from another one. First, we write the loop the long way, with an empty list and "
    "append. Then we fold it into one line. The result is the same list, but the intent is "
    "easier to see at a glance, and it runs a little faster too. Finally we add a condition "
    "that filters the items, so only the even numbers are kept."
)


def spoken(text: str, *, ms_per_char: int = 60, pause_ms: int = 450) -> Timings:
    """Timings for ``text`` read one word per token: a word lasts 60 ms a character, 40 ms
    between words, ``pause_ms`` after a sentence."""
    words, t = [], 250
    for token in text.split():
        word = token.strip(".,!?;:")
        end = t + ms_per_char * len(word) + 60
        words.append(WordTiming(word.lower(), t, end))
        t = end + (pause_ms if token.endswith((".", "!", "?")) else 40)
    return Timings(duration_ms=t + 500, words=tuple(words))


def first_words(cues: list[CaptionCue], timings: Timings) -> list[WordTiming]:
    """The first spoken word of each cue (one spoken word per written token)."""
    out, index = [], 0
    for cue in cues:
        out.append(timings.words[index])
        index += len(cue.text.split())
    assert index == len(timings.words)
    return out


def last_words(cues: list[CaptionCue], timings: Timings) -> list[WordTiming]:
    out, index = [], 0
    for cue in cues:
        index += len(cue.text.split())
        out.append(timings.words[index - 1])
    return out


@pytest.fixture
def lesson() -> tuple[Timings, list[CaptionCue]]:
    timings = spoken(NARRATION)
    return timings, captions_from_timings(timings, text=NARRATION)


def test_every_word_is_captioned_once_in_order(lesson: tuple[Timings, list[CaptionCue]]) -> None:
    _, cues = lesson
    assert " ".join(c.text.replace("\n", " ") for c in cues) == NARRATION


def test_no_cue_appears_before_its_first_word(lesson: tuple[Timings, list[CaptionCue]]) -> None:
    timings, cues = lesson
    for cue, word in zip(cues, first_words(cues, timings), strict=True):
        assert cue.start_ms >= word.start_ms


def test_lines_are_short_and_few(lesson: tuple[Timings, list[CaptionCue]]) -> None:
    _, cues = lesson
    assert all(len(line) <= 42 for c in cues for line in c.lines)
    assert all(1 <= len(c.lines) <= 2 for c in cues)
    assert any(len(c.lines) == 2 for c in cues)


def test_cues_are_ordered_and_never_overlap(lesson: tuple[Timings, list[CaptionCue]]) -> None:
    _, cues = lesson
    for cue, following in itertools.pairwise(cues):
        assert cue.start_ms < cue.end_ms <= following.start_ms


def test_timing_follows_the_speech(lesson: tuple[Timings, list[CaptionCue]]) -> None:
    timings, cues = lesson
    lasts = last_words(cues, timings)
    for k, (cue, last) in enumerate(zip(cues, lasts, strict=True)):
        reading = max(1000, 1000 * len(cue.text) / 17)
        assert cue.end_ms <= max(last.end_ms + 700, cue.start_ms + reading + 1)  # short linger
        following = cues[k + 1].start_ms if k + 1 < len(cues) else None
        assert cue.end_ms >= min(last.end_ms, following or last.end_ms)  # not before its words
        assert cue.end_ms - cue.start_ms <= 6000 or cue.end_ms <= last.end_ms
        assert cue.end_ms - cue.start_ms >= min(1000, (following or 10**9) - cue.start_ms)


def test_breaks_fall_at_sentences_and_clauses(lesson: tuple[Timings, list[CaptionCue]]) -> None:
    _, cues = lesson
    assert cues[0].text == "Welcome back."
    ends = [c.text.rstrip()[-1] for c in cues]
    assert sum(e in ".,!?" for e in ends) >= len(cues) - 1
    weak = {"a", "an", "the", "to", "of", "with", "and", "in", "at"}
    assert not [line for c in cues for line in c.lines if line.split()[-1] in weak]


def test_two_lines_are_balanced() -> None:
    text = "this sentence has no commas at all and it goes on for quite a while"
    cues = captions_from_timings(spoken(text), text=text)
    assert len(cues) == 1 and len(cues[0].lines) == 2
    top, bottom = cues[0].lines
    assert abs(len(top) - len(bottom)) <= 8


def test_a_long_run_is_split_to_stay_on_screen_at_most_six_seconds() -> None:
    text = " ".join(["and then another word"] * 20)
    timings = spoken(text, ms_per_char=90)
    cues = captions_from_timings(timings, text=text)
    assert len(cues) > 4
    assert all(c.end_ms - c.start_ms <= 6000 for c in cues)


def test_a_short_cue_stays_long_enough_to_read() -> None:
    timings = Timings(1500, (WordTiming("yes", 100, 300),))
    (cue,) = captions_from_timings(timings, text="Yes.")
    assert cue.start_ms == 100 and cue.end_ms == 1100  # a second, though the word took 200 ms
    crowded = Timings(3000, (WordTiming("yes", 100, 300), WordTiming("no", 1800, 2000)))
    first, _ = captions_from_timings(crowded, text="Yes. No.")
    assert first.end_ms == 1100  # under 1 s, then gone 700 ms before "No." appears


def test_never_past_the_next_cue_or_the_scene_end() -> None:
    timings = Timings(900, (WordTiming("yes", 100, 300), WordTiming("no", 500, 800)))
    first, second = captions_from_timings(timings, text="Yes. No.")
    assert first.end_ms == 420 and second.start_ms == 500  # an 80 ms gap between cues
    assert second.end_ms == 900  # the scene ends at 900 ms
    (only,) = captions_from_timings(Timings(700, (WordTiming("yes", 100, 600),)), end_ms=650)
    assert only.end_ms == 650


def test_captions_show_what_was_written() -> None:
    text = "Query SQL tables — it costs $3.50 today."
    said = ["query", "sequel", "tables", "it", "costs", "three", "dollars", "fifty", "today"]
    sources = [0, 1, 2, 4, 5, 6, 6, 6, 7]
    words = tuple(WordTiming(w, 200 + 300 * i, 450 + 300 * i) for i, w in enumerate(said))
    timings = Timings(3500, words, meta={"word_sources": sources})
    (cue,) = captions_from_timings(timings, text=text)
    assert cue.text == "Query SQL tables — it costs $3.50 today."
    assert cue.start_ms == 200
    without = captions_from_timings(timings)
    assert without[0].text.replace("\n", " ").startswith("query sequel tables it costs three")


def test_offset_and_scene_end() -> None:
    timings = spoken("One sentence here. And another one.")
    plain = captions_from_timings(timings)
    moved = captions_from_timings(timings, offset_ms=10_000)
    assert [(c.start_ms + 10_000, c.text) for c in plain] == [(c.start_ms, c.text) for c in moved]
    assert moved[-1].end_ms <= 10_000 + timings.duration_ms
    placed = offset_cues(plain, 5000, until_ms=5000 + plain[-1].start_ms + 100)
    assert placed[0].start_ms == plain[0].start_ms + 5000
    assert placed[-1].end_ms == 5000 + plain[-1].start_ms + 100


def test_nothing_spoken_gives_no_cues() -> None:
    assert captions_from_timings(Timings(1000)) == []


def test_other_line_rules() -> None:
    timings = spoken(NARRATION)
    cues = captions_from_timings(timings, text=NARRATION, max_chars=32, max_lines=3)
    assert all(len(line) <= 32 for c in cues for line in c.lines)
    assert max(len(c.lines) for c in cues) == 3
    with pytest.raises(ValueError, match="positive"):
        captions_from_timings(timings, max_chars=0)


# Writers ------------------------------------------------------------------------------------

SRT_BLOCK = re.compile(
    r"(\d+)\n(\d{2}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2}):(\d{2}):(\d{2}),(\d{3})\n"
)
VTT_TIMING = re.compile(
    r"^(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})$"
)


def ms(h: str, m: str, s: str, milli: str) -> int:
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(milli)


def parse_vtt(text: str) -> list[CaptionCue]:
    """A strict reading of the WebVTT we write: header, then cue blocks, nothing else."""
    assert text.startswith("WEBVTT\n\n") and text.endswith("\n\n")
    cues = []
    for block in text[len("WEBVTT\n\n") :].rstrip("\n").split("\n\n"):
        timing, *lines = block.split("\n")
        m = VTT_TIMING.match(timing)
        assert m, timing
        assert lines and all(lines) and not any("-->" in ln for ln in lines)
        assert not any(re.search(r"<|&(?!amp;|lt;|gt;)", ln) for ln in lines)
        body = "\n".join(lines).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        cues.append(CaptionCue(ms(*m.groups()[:4]), ms(*m.groups()[4:]), body))
    return cues


def test_vtt_round_trips_and_escapes() -> None:
    cues = [
        CaptionCue(0, 1500, "if a < b && b > c"),
        CaptionCue(1500, 4000, "two\nlines"),
        CaptionCue(3_725_004, 3_726_000, "past an hour --> still fine"),
    ]
    text = to_vtt(cues)
    assert "if a &lt; b &amp;&amp; b &gt; c" in text
    assert "01:02:05.004 --> 01:02:06.000" in text
    assert parse_vtt(text) == cues
    lesson = captions_from_timings(spoken(NARRATION), text=NARRATION)
    assert parse_vtt(to_vtt(lesson)) == lesson


def test_srt_numbers_cues_and_uses_commas() -> None:
    cues = [CaptionCue(250, 1999, "first"), CaptionCue(61_000, 62_500, "second\nline")]
    text = to_srt(cues)
    assert text == (
        "1\n00:00:00,250 --> 00:00:01,999\nfirst\n\n"
        "2\n00:01:01,000 --> 00:01:02,500\nsecond\nline\n\n"
    )
    lesson = captions_from_timings(spoken(NARRATION), text=NARRATION)
    blocks = to_srt(lesson).split("\n\n")[:-1]
    assert len(blocks) == len(lesson)
    for number, (block, cue) in enumerate(zip(blocks, lesson, strict=True), 1):
        m = SRT_BLOCK.match(block + "\n")
        assert m and int(m.group(1)) == number
        assert ms(*m.groups()[1:5]) == cue.start_ms and ms(*m.groups()[5:]) == cue.end_ms
        assert block.split("\n", 2)[2] == cue.text


def test_blank_lines_cannot_break_a_cue() -> None:
    text = to_srt([CaptionCue(0, 1000, "one\n\n  \ntwo")])
    assert text.endswith("one\ntwo\n\n") and text.count("\n\n") == 1


def test_frames_never_start_early() -> None:
    fps = Fraction(30000, 1001)
    cues = [CaptionCue(1001, 2000, "a"), CaptionCue(2010, 2030, "b"), CaptionCue(2040, 5000, "c")]
    frames = to_frames(cues, fps)
    for caption in frames:
        cue = next(c for c in cues if c.text == caption.text)
        assert caption.start * 1000 / fps >= cue.start_ms
    for a, b in itertools.pairwise(frames):
        assert a.end <= b.start
    assert [c.text for c in frames] == ["a", "c"]  # "b" is shorter than a frame


def test_ass_file_describes_the_style() -> None:
    text = to_ass([CaptionCue(1234, 3456, "Hello {world}\nback\\N")], 1920, 1080)
    assert "PlayResX: 1920\nPlayResY: 1080" in text and "WrapStyle: 2" in text
    styles = {
        ln.split(",")[0]: ln.split(",") for ln in text.splitlines() if ln.startswith("Style: ")
    }
    fields, box = styles["Style: Default"], styles["Style: Box"]
    assert fields[2] == box[2] == "54"  # 5 % of the height
    assert fields[3] == "&H00FFFFFF" and fields[15:18] == ["1", "0", "0"]  # white, bare
    assert box[3] == "&HFFFFFFFF" and box[6] == "&H66000000"  # no text, on 60 % black
    assert box[15:17] == ["4", "14"] and fields[18] == box[18] == "2"  # a box, bottom centre
    # one box per line (each on its own layer), then the text over them
    assert "0:00:01.24,0:00:03.45,Default,,0,0,0,,Hello \\{world\\}\\Nback\\\u2060N" in text
    assert "Dialogue: 0,0:00:01.24,0:00:03.45,Box,,0,0,119,,Hello \\{world\\}\n" in text
    assert "Dialogue: 1,0:00:01.24,0:00:03.45,Box,,0,0,65,,back\\\u2060N\n" in text
    assert "Dialogue: 2,0:00:01.24,0:00:03.45,Default," in text
    outlined = to_ass([], 640, 360, AssStyle(box=False, bold=True))
    assert ",-1,0,0,0,100,100,0,0,1," in outlined


def test_ass_burns_in_at_the_bottom_centre(tmp_path: Path) -> None:
    import matplotlib

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    ass = tmp_path / "cues.ass"
    ass.write_text(to_ass([CaptionCue(0, 2000, "Captions {here}\nsecond line")], 640, 360))
    frame = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "color=c=0x808080:s=640x360:d=1",
         "-vf", f"subtitles={ass}:fontsdir={fonts}", "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    image = np.frombuffer(frame, np.uint8).reshape(360, 640)
    rows = np.flatnonzero((image != 128).any(axis=1))
    cols = np.flatnonzero((image != 128).any(axis=0))
    assert rows.min() > 360 * 0.75 and 360 - rows.max() >= 360 * 0.05  # low, with a margin
    assert abs((cols.min() + cols.max()) / 2 - 320) <= 4  # centred
    assert (image > 200).sum() > 200  # white letters
    assert (image < 100).sum() > 2000  # on a dark box
