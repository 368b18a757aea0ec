"""`vidkit recordings`, `transcribe` and `tighten` on a real spoken recording.

The workspace is shared by the module, so the recording is transcribed and analysed once;
each test works in a project of its own."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer

import vidkit
from tests.cli.conftest import Result, assert_user_error
from tests.conftest import write_config
from tests.spoken_recording import spoken_recording
from vidkit.api import Workspace
from vidkit.cli import main
from vidkit.cli._recordings import parse_time_ms, parse_word_range, transcript_lines
from vidkit.editing.recording import TranscriptWord

pytestmark = pytest.mark.slow

Vk = Callable[..., Result]


@dataclass(frozen=True)
class Setup:
    config: Path
    recording: Path


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return Setup(write_config(tmp_path_factory.mktemp("cli-rec") / "ws"),
                 spoken_recording(tmp_path_factory))  # fmt: skip


@pytest.fixture
def ws(setup: Setup) -> Workspace:
    return vidkit.open(setup.config)


@pytest.fixture
def vk(setup: Setup, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Vk:
    """``vidkit -c <the module's config> ARGS`` in this process."""
    monkeypatch.setenv("COLUMNS", "100")

    def run(*args: str | int | Path) -> Result:
        argv = ("-c", str(setup.config), *(str(a) for a in args))
        status = main(list(argv))
        out, err = capsys.readouterr()
        return Result(argv, status, out, err)

    return run


@dataclass(frozen=True)
class Scene:
    slug: str
    scene: int
    recording: int


@pytest.fixture
def recorded(ws: Workspace, setup: Setup, vk: Vk) -> Scene:
    """A project whose scene 'Session' uses the spoken recording (not tightened yet)."""
    slug = f"r-{uuid.uuid4().hex[:10]}"
    ws.create_project(slug, "Recorded", width=640, height=360)
    scene = ws.add_scene(slug, "Session")
    imported = vk("assets", "import", slug, setup.recording, "--kind", "screen_capture", "--json")
    recording = int(imported.json()["id"])
    used = vk("recordings", "use", slug, "--scene", scene.id, recording)
    assert used.ok, used
    return Scene(slug, scene.id, recording)


def _words(vk: Vk, s: Scene) -> list[dict[str, Any]]:
    words: list[dict[str, Any]] = vk("transcribe", s.slug, "--scene", s.scene, "--json").json()[
        "words"
    ]
    return words


def _index(words: list[dict[str, Any]], text: str) -> int:
    return next(w["index"] for w in words if w["text"].lower().strip(".,") == text)


# happy paths ----------------------------------------------------------------------------------


def test_use_prints_the_window_and_the_next_step(vk: Vk, ws: Workspace, recorded: Scene) -> None:
    s = recorded
    used = vk("recordings", "use", s.slug, "--scene", s.scene, s.recording, "--in", "1.5",
              "--out", "0:08", "--voice", "project")  # fmt: skip
    assert used.ok, used
    first, hint = used.stdout.splitlines()
    assert first == (
        f"scene {s.scene} uses recording {s.recording} (session.mp4) from 1.50 s to 8.00 s, "
        "re-voiced in the project's voice"
    )
    assert hint.endswith(f"tighten {s.slug} --scene {s.scene} --dry-run")
    edit = ws.catalogue.scene_edit(s.slug, s.scene)
    assert edit is not None
    assert (edit.in_ms, edit.out_ms, edit.voice, edit.version) == (1500, 8000, "project", 2)

    as_json = vk("recordings", "use", s.slug, "--scene", s.scene, s.recording, "--json").json()
    assert (as_json["in_ms"], as_json["out_ms"], as_json["voice"]) == (0, None, "own")
    assert as_json["version"] == 3 and as_json["cuts"] is None

    shown = vk("recordings", "show", s.slug, "--scene", s.scene)
    assert shown.ok, shown
    lines = shown.stdout.splitlines()
    assert lines[0].startswith(f"scene {s.scene} uses recording {s.recording} (session.mp4)")
    assert lines[1].split() == ["VERSION", "WHEN", "EDIT", "CUTS"]
    assert [line.split()[0] for line in lines[2:]] == ["1", "2", "3"]
    assert all(line.endswith("not tightened") for line in lines[2:])
    history = vk("recordings", "show", s.slug, "--scene", s.scene, "--json").json()
    assert [e["version"] for e in history] == [1, 2, 3]


def test_transcribe_numbers_the_words(vk: Vk, recorded: Scene) -> None:
    s = recorded
    shown = vk("transcribe", s.slug, "--scene", s.scene)
    assert shown.ok, shown
    assert shown.stderr == "", "no progress lines when stderr is not a terminal"
    head, *lines = shown.stdout.splitlines()
    assert re.fullmatch(
        rf"scene {s.scene}: session\.mp4, (\d+) words \(\1 kept, en\); not tightened", head
    ), head
    words = _words(vk, s)
    assert len(words) >= 15
    text = " ".join(w["text"] for w in words).lower()
    for expected in ("welcome", "session", "function", "squares", "run"):
        assert expected in text
    # each line starts with its first word's index and time, and the lines hold every word
    starts = [int(line.split()[0]) for line in lines]
    assert starts[0] == 0 and starts == sorted(starts)
    for line in lines:
        index, seconds, *_ = line.split()
        assert float(seconds) == pytest.approx(words[int(index)]["start_ms"] / 1000, abs=0.01)
    assert " ".join(" ".join(line.split()[2:]) for line in lines) == " ".join(
        w["text"] for w in words
    )
    assert all(len(line) <= 100 for line in lines)

    table = vk("transcribe", s.slug, "--scene", s.scene, "--words").stdout.splitlines()
    assert table[1].split() == ["#", "FROM", "TO", "WORD", "CUT"]
    assert len(table) == 2 + len(words)
    assert table[2].split()[0] == "0" and table[2].split()[3] == words[0]["text"]

    view = vk("transcribe", s.slug, "--scene", s.scene, "--json").json()
    assert set(view) == {"scene_id", "edit", "cuts", "language", "words", "analysis"}
    assert set(view["words"][0]) == {
        "index", "text", "start_ms", "end_ms", "confidence", "kept", "reason"
    }  # fmt: skip
    assert view["scene_id"] == s.scene and view["edit"]["recording_id"] == s.recording


def test_dry_run_changes_nothing(vk: Vk, ws: Workspace, recorded: Scene) -> None:
    s = recorded
    before = ws.catalogue.scene_edit_history(s.slug, s.scene)
    dry = vk("tighten", s.slug, "--scene", s.scene, "--dry-run")
    assert dry.ok, dry
    lines = dry.stdout.splitlines()
    assert re.fullmatch(
        rf"scene {s.scene} would be tightened: (\d+\.\d) s → (\d+\.\d) s "
        r"\((\d+\.\d) s shorter\), \d+ cuts?(, \d+ sped up)?",
        lines[0],
    ), lines[0]
    assert lines[1].split() == ["FROM", "TO", "WHY", "WORDS"]
    assert "a pause with nothing happening on screen" in dry.stdout
    assert lines[-1] == "dry run: nothing was changed"
    assert ws.catalogue.scene_edit_history(s.slug, s.scene) == before

    report = vk("tighten", s.slug, "--scene", s.scene, "--dry-run", "--json").json()
    assert set(report) == {
        "scene_id", "before_ms", "after_ms", "dry_run", "summary", "changes", "cuts", "version"
    }  # fmt: skip
    assert report["dry_run"] is True and report["version"] is None
    assert report["after_ms"] < report["before_ms"]
    assert {c["reason"] for c in report["changes"]} >= {"silence"}
    assert ws.catalogue.scene_edit_history(s.slug, s.scene) == before


def test_tighten_delete_then_undo(vk: Vk, ws: Workspace, recorded: Scene) -> None:
    s = recorded
    tightened = vk("tighten", s.slug, "--scene", s.scene)
    assert tightened.ok, tightened
    lines = tightened.stdout.splitlines()
    assert lines[0].startswith(f"scene {s.scene} is tightened: ")
    assert lines[-1].startswith("saved as version 2; undo it with: vidkit -c ")
    assert lines[-1].endswith(f"tighten {s.slug} --scene {s.scene} --undo")
    rows = lines[2:-1]
    assert rows, "every cut gets a row"
    for row in rows:  # FROM and TO in seconds, then the reason in words
        start, end, *_ = row.split()
        assert float(start) < float(end)
    first_edit = ws.catalogue.scene_edit(s.slug, s.scene)
    assert first_edit is not None and first_edit.cuts is not None

    words = _words(vk, s)
    squares = _index(words, "squares")
    run = _index(words, "run")
    deleted = vk("tighten", s.slug, "--scene", s.scene, "--delete", f"{squares - 2}-{squares}",
                 "--delete", run, "--json").json()  # fmt: skip
    assert deleted["version"] == 3
    removed = [c for c in deleted["changes"] if c["reason"] == "deleted"]
    assert len(removed) == 2
    assert "squares" in removed[0]["text"] and "run" in removed[1]["text"]
    assert deleted["after_ms"] < first_edit.cuts.output_ms

    after = _words(vk, s)
    # (the first word of a range can show as kept: its start may fall in the frame before
    # the cut, which vidkit.editing.recording counts as playing)
    assert [w["reason"] for w in after[squares - 1 : squares + 1]] == ["deleted"] * 2
    shown = vk("transcribe", s.slug, "--scene", s.scene).stdout
    assert re.search(r"~~[^~]*squares\.?~~\[deleted\]", shown), shown

    undone = vk("tighten", s.slug, "--scene", s.scene, "--undo")
    assert undone.ok, undone
    assert undone.stdout.startswith(f"undid version 3 of scene {s.scene} (deleted 2 and ")
    assert "now version 2 (tightened)" in undone.stdout
    edit = ws.catalogue.scene_edit(s.slug, s.scene)
    assert edit is not None and edit.cuts == first_edit.cuts
    assert all(w["kept"] or w["reason"] != "deleted" for w in _words(vk, s))

    restored = vk("tighten", s.slug, "--scene", s.scene, "--restore", run, "--json").json()
    assert restored["version"] == 3
    assert not any("run" in c["text"] for c in restored["changes"])
    assert vk("tighten", s.slug, "--scene", s.scene, "--undo", "--json").json()["version"] == 2


def test_split_at_pauses(vk: Vk, ws: Workspace, recorded: Scene) -> None:
    s = recorded
    split = vk("recordings", "split", s.slug, s.recording, "--min-pause", "2", "--title", "Take")
    assert split.ok, split
    lines = split.stdout.splitlines()
    assert lines[0].startswith(f"split session.mp4 into 3 scene(s) of project {s.slug}")
    assert lines[1].split() == ["#", "ID", "TITLE", "FROM", "TO", "LENGTH"]
    scenes = ws.scenes(s.slug)[1:]
    assert [sc.title for sc in scenes] == ["Take 1", "Take 2", "Take 3"]
    windows = []
    for sc in scenes:
        edit = ws.catalogue.scene_edit(s.slug, sc.id)
        assert edit is not None and edit.recording_id == s.recording
        windows.append((edit.in_ms, edit.out_ms))
    assert windows[0][0] == 0 and windows[-1][1] is None
    for (_, out), (start, _) in itertools.pairwise(windows):
        assert out == start, "the parts follow each other"

    again = vk("recordings", "split", s.slug, s.recording, "--min-pause", "2", "--json").json()
    assert [sc["title"] for sc in again] == ["Part 1", "Part 2", "Part 3"]
    assert [sc["position"] for sc in again] == [5, 6, 7]


# mistakes -------------------------------------------------------------------------------------

USER_ERRORS = [
    ("transcribe {slug} --scene 999999", ["no scene with id 999999"]),
    ("transcribe {slug} --scene {empty}", ["is not made from a recording", "recordings use"]),
    ("tighten {slug} --scene {empty}", ["is not made from a recording", "recordings use"]),
    ("tighten {slug} --scene {empty} --undo", ["is not made from a recording"]),
    ("recordings show {slug} --scene {empty}", ["is not made from a recording"]),
    ("tighten nope --scene {scene}", ["no project with slug 'nope'"]),
    ("tighten {slug} --scene {scene} --delete 3-9999", ["word 3..9999 is not in this scene"]),
    ("tighten {slug} --scene {scene} --restore 9999", ["word 9999 is not in this scene"]),
    ("tighten {slug} --scene {scene} --undo", ["there is no edit of this scene to undo"]),
    ("tighten {slug} --scene {scene} --undo --delete 2", ["--undo undoes the last edit"]),
    ("recordings use {slug} --scene {empty} {document}", ["is a document, not a recording"]),
    ("recordings use {slug} --scene {empty} 999999", ["has no asset with id 999999"]),
    ("recordings use {slug} --scene {empty} {recording} --out 99", ["past the end"]),
    ("recordings use {slug} --scene {empty} {recording} --in 9 --out 4", ["in point"]),
    ("recordings use {slug} --scene {empty} {recording} --voice robot", ["'own'", "'robot'"]),
    ("recordings split {slug} {document}", ["is a document, not a recording"]),
    ("recordings split other-{slug} {recording}", ["has no asset with id"]),
]


@pytest.mark.parametrize(("command", "phrases"), USER_ERRORS, ids=[c for c, _ in USER_ERRORS])
def test_mistakes_are_one_clear_line_and_change_nothing(
    vk: Vk, ws: Workspace, recorded: Scene, tmp_path: Path, command: str, phrases: list[str]
) -> None:
    s = recorded
    empty = ws.add_scene(s.slug, "Empty")
    note = tmp_path / "notes.txt"
    note.write_text("not a recording\n", encoding="utf-8")
    document = ws.import_asset(s.slug, note, kind="document")
    ws.create_project(f"other-{s.slug}", "Other")
    before = (ws.scenes(s.slug), ws.scenes(f"other-{s.slug}"),
              ws.catalogue.scene_edit_history(s.slug, s.scene),
              ws.catalogue.scene_edit(s.slug, empty.id))  # fmt: skip
    args = command.format(slug=s.slug, scene=s.scene, empty=empty.id, document=document.id,
                          recording=s.recording)  # fmt: skip
    assert_user_error(vk(*args.split()), *phrases)
    after = (ws.scenes(s.slug), ws.scenes(f"other-{s.slug}"),
             ws.catalogue.scene_edit_history(s.slug, s.scene),
             ws.catalogue.scene_edit(s.slug, empty.id))  # fmt: skip
    assert after == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tighten", "{slug}", "--scene", "{scene}", "--delete", "x"], "not a word index"),
        (["tighten", "{slug}", "--scene", "{scene}", "--delete", "7-3"], "ends before it starts"),
        (["recordings", "use", "{slug}", "--scene", "{scene}", "1", "--in", "1:75"], "not a time"),
    ],
)
def test_malformed_options_are_usage_errors(
    vk: Vk, recorded: Scene, args: list[str], message: str
) -> None:
    result = vk(*(a.format(slug=recorded.slug, scene=recorded.scene) for a in args))
    assert result.returncode == 2, result
    assert message in result.stderr and "Traceback" not in result.stderr


# parsing and layout ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ms"),
    [("12.5", 12_500), ("300", 300_000), ("0:07", 7_000), ("1:02.5", 62_500),
     ("1:00:03", 3_603_000), (" 4 ", 4_000)],
)  # fmt: skip
def test_times_in_seconds_or_minutes(text: str, ms: int) -> None:
    assert parse_time_ms(text) == ms


@pytest.mark.parametrize("text", ["", "-1", "1:60", "1:75:00", "a", "1:2:3:4", "1e3"])
def test_what_is_not_a_time(text: str) -> None:
    with pytest.raises(typer.BadParameter):
        parse_time_ms(text)


def test_word_ranges() -> None:
    assert parse_word_range("12", "--delete") == 12
    assert parse_word_range("3-7", "--delete") == (3, 7)
    assert parse_word_range("3..7", "--delete") == (3, 7)
    assert parse_word_range("4-4", "--delete") == (4, 4)
    for bad in ("", "-3", "3-", "a-b", "7-3", "1,2"):
        with pytest.raises(typer.BadParameter):
            parse_word_range(bad, "--delete")


def test_transcript_lines_break_at_sentences_pauses_and_width() -> None:
    said = [("Hello", 0, True, ""), ("there.", 300, True, ""), ("Um", 700, False, "filler"),
            ("so", 1000, True, ""), ("we", 1200, False, "deleted"),
            ("we", 1400, False, "deleted"), ("go", 4000, True, "")]  # fmt: skip
    words = [TranscriptWord(i, text, start, start + 200, 0.9, kept, why)
             for i, (text, start, kept, why) in enumerate(said)]  # fmt: skip
    assert transcript_lines(words, 80) == [
        "    0     0.00  Hello there.",
        "    2     0.70  ~~Um~~[filler] so ~~we we~~[deleted]",
        "    6     4.00  go",
    ]
    narrow = transcript_lines(words, 36)  # 20 cells after the index and the time
    assert narrow[1:3] == [
        "    2     0.70  ~~Um~~[filler] so",
        "    4     1.20  ~~we we~~[deleted]",
    ]


def test_the_commands_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    top = capsys.readouterr().out
    for command in ("recordings", "transcribe", "tighten"):
        assert f"  {command} " in top
    assert main(["recordings", "--help"]) == 0
    group = capsys.readouterr().out
    for command in ("use", "split", "show"):
        assert f"  {command} " in group


def test_only_text_cuts_just_the_deleted_words(vk: Vk, recorded: Scene) -> None:
    s = recorded
    squares = _index(_words(vk, s), "squares")
    out = vk("tighten", s.slug, "--scene", s.scene, "--delete", squares, "--only-text",
             "--json").json()  # fmt: skip
    assert [c["reason"] for c in out["changes"]] == ["deleted"]
    assert (
        "--only-text" in vk("tighten", s.slug, "--scene", s.scene, "--undo", "--only-text").stderr
    )
