"""Chapters from scene titles, ffmetadata (escaped, read back through ffmpeg), YouTube lists."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.render.media import ToneScene, make_scenes
from vidkit.errors import InvalidInput
from vidkit.media import ffmpeg_exe
from vidkit.render.chapters import (
    Chapter,
    chapters_from_scenes,
    parse_ffmetadata,
    to_ffmetadata,
    youtube_chapters,
    youtube_timestamp,
)

AWKWARD = "Keys=values; #hash \\ back\\slash\nand a second line"


def test_a_chapter_starts_at_each_new_title() -> None:
    chapters = chapters_from_scenes(
        [None, "Setup", "", "Setup", "Loops", "  Loops  ", "Wrap up"],
        [3000, 20_000, 5000, 4000, 30_000, 1000, 12_000],
    )
    assert chapters == [
        Chapter("Intro", 0, 3000),
        Chapter("Setup", 3000, 32_000),
        Chapter("Loops", 32_000, 63_000),
        Chapter("Wrap up", 63_000, 75_000),
    ]
    with pytest.raises(InvalidInput, match="2 scene titles for 3 scenes"):
        chapters_from_scenes(["a", "b"], [1, 2, 3])


def test_ffmetadata_escapes_special_characters() -> None:
    text = to_ffmetadata([Chapter(AWKWARD, 0, 1500), Chapter("Two", 1500, 4000)], title="A=B")
    assert text.splitlines()[:2] == [";FFMETADATA1", "title=A\\=B"]
    assert "title=Keys\\=values\\; \\#hash \\\\ back\\\\slash\\\nand a second line\n" in text
    assert "[CHAPTER]\nTIMEBASE=1/1000\nSTART=1500\nEND=4000\ntitle=Two\n" in text
    meta = parse_ffmetadata(text)
    assert meta.tags == {"title": "A=B"}
    assert meta.chapters == (Chapter(AWKWARD, 0, 1500), Chapter("Two", 1500, 4000))


def test_chapters_survive_a_trip_through_an_mp4(tmp_path: Path) -> None:
    (scene,) = make_scenes(tmp_path, [ToneScene(frames=60)])
    meta = tmp_path / "meta.txt"
    meta.write_text(to_ffmetadata([Chapter(AWKWARD, 0, 1000), Chapter("Two", 1000, 2000)]))
    out = tmp_path / "chaptered.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(scene), "-f", "ffmetadata", "-i", str(meta),
         "-map", "0", "-map_chapters", "1", "-c", "copy", str(out)],
        check=True,
    )  # fmt: skip
    read = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(out), "-f", "ffmetadata", "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    chapters = parse_ffmetadata(read).chapters
    assert [(c.title, c.start_ms, c.end_ms) for c in chapters] == [
        (AWKWARD, 0, 1000),
        ("Two", 1000, 2000),
    ]


def test_ffmetadata_parser_reads_other_timebases_and_comments() -> None:
    text = ";FFMETADATA1\n# a comment\nartist=Me\n[CHAPTER]\nTIMEBASE=1/15360\nSTART=15360\n"
    text += "END=46080\ntitle=Middle\n[STREAM]\ntitle=ignored\n"
    meta = parse_ffmetadata(text)
    assert meta.tags == {"artist": "Me"}
    assert meta.chapters == (Chapter("Middle", 1000, 3000),)
    with pytest.raises(InvalidInput, match="not an ffmetadata file"):
        parse_ffmetadata("title=x\n")


def test_youtube_list_follows_youtube_rules() -> None:
    chapters = [
        Chapter("Intro", 0, 12_000),
        Chapter("Setup", 12_000, 71_500),
        Chapter("Loops", 71_500, 400_000),
        Chapter("Wrap up", 400_000, 430_000),
    ]
    listing = youtube_chapters(chapters)
    assert listing.text == "0:00 Intro\n0:12 Setup\n1:11 Loops\n6:40 Wrap up\n"
    assert listing.warnings == ()


def test_short_chapters_are_merged_with_a_warning() -> None:
    chapters = [
        Chapter("Hook", 0, 4000),
        Chapter("Setup", 4000, 60_000),
        Chapter("Aside", 60_000, 66_000),
        Chapter("Loops", 66_000, 120_000),
        Chapter("Wrap up", 120_000, 150_000),
    ]
    listing = youtube_chapters(chapters)
    assert listing.text == "0:00 Setup\n1:06 Loops\n2:00 Wrap up\n"  # the aside joins Setup
    assert all(c.duration_ms >= 10_000 for c in listing.chapters)
    assert len(listing.warnings) == 2 and "'Hook' lasts 4.0 s" in listing.warnings[0]


def test_too_few_chapters_still_make_a_list() -> None:
    listing = youtube_chapters([Chapter("Only", 0, 50_000), Chapter("Two", 50_000, 90_000)])
    assert listing.text == "0:00 Only\n0:50 Two\n"
    assert "at least 3" in listing.warnings[0]
    late = youtube_chapters([Chapter("A", 5000, 20_000), Chapter("B", 20_000, 40_000)])
    assert late.text.startswith("0:00 A\n") and "needs one at 0:00" in late.warnings[0]


def test_timestamps_round_down_and_grow_hours() -> None:
    assert youtube_timestamp(59_999) == "0:59"
    assert youtube_timestamp(3_599_999) == "59:59"
    assert youtube_timestamp(3_600_000) == "1:00:00"
    long = [Chapter(f"Part {n}", n * 1_200_000, (n + 1) * 1_200_000) for n in range(4)]
    assert youtube_chapters(long).text.splitlines()[0] == "0:00:00 Part 0"
    assert youtube_chapters([Chapter("A\nB", 0, 20_000)]).text == "0:00 A B\n"


def test_overlapping_chapters_are_refused() -> None:
    with pytest.raises(InvalidInput, match="overlaps"):
        to_ffmetadata([Chapter("A", 0, 5000), Chapter("B", 4000, 8000)])
