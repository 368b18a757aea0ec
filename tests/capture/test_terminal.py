"""Terminal capture: a real shell session typed, recorded through pyte and encoded to MP4."""

from __future__ import annotations

import itertools
import math
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from vidkit.capture import CaptureError, Step, TerminalCapture, TerminalScript, capture_terminal
from vidkit.capture._render import Painter, cell_colors
from vidkit.errors import InvalidInput
from vidkit.media import ffmpeg_exe, probe
from vidkit.screen import editor_theme

PY = shlex.quote(sys.executable)
COLOURS = (
    "import sys,time; "
    "print('\\033[31mred\\033[0m \\033[1;32mbold\\033[0m \\033[38;5;208morange\\033[0m'); "
    "[(sys.stdout.write('\\r[%-10s] %3d%%' % ('#'*i, i*10)), sys.stdout.flush(), time.sleep(0.04))"
    " for i in range(11)]; print()"
)
SIZE = (1280, 720)


def _last_frame(path: Path) -> np.ndarray:
    out = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-sseof", "-0.2", "-i", str(path),
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    frames = np.frombuffer(out, np.uint8).reshape(-1, SIZE[1], SIZE[0], 3)
    return frames[-1].astype(np.int16)


def _find(screen: tuple[str, ...], text: str) -> tuple[int, int]:
    for y, line in enumerate(screen):
        if text in line:
            return y, line.index(text)
    raise AssertionError(f"{text!r} is not on the screen:\n" + "\n".join(screen))


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> tuple[TerminalCapture, Path]:
    out = tmp_path_factory.mktemp("capture") / "session.mp4"
    script = TerminalScript(
        (
            Step("type", "touch notes.txt data.csv"),
            Step("type", f'{PY} -c "{COLOURS}"', chars_per_s=400),
            Step("type", "echo paced", enter=False, chars_per_s=25),
            Step("key", "Enter"),
            Step("wait", ms=200),
            Step("type", "ls"),
        ),
        chars_per_s=40,
        hold_ms=300,
    )
    result = capture_terminal(script, out)
    return result, out


@pytest.mark.slow
def test_the_screen_holds_real_output(session: tuple[TerminalCapture, Path]) -> None:
    result, _ = session
    screen = result.screen
    assert _find(screen, "red bold orange")
    y, x = _find(screen, "[##########] 100%")
    assert x == 0 and screen[y].rstrip() == "[##########] 100%"  # \r redrew one line
    assert _find(screen, "data.csv  notes.txt")
    assert _find(screen, "paced")
    assert result.warnings == ()


@pytest.mark.slow
def test_the_last_frame_matches_pyte_buffer(session: tuple[TerminalCapture, Path]) -> None:
    result, path = session
    theme, _ = editor_theme("dark")
    painter = Painter(*SIZE, 100, 30, theme, "bash")
    expected = painter.frame(result.final).astype(np.int16)
    decoded = _last_frame(path)
    lay = painter.layout
    diffs = []
    for row in range(lay.rows):
        for col in range(lay.cols):
            left, top, right, bottom = lay.cell_box(row, col)
            cell_a, cell_b = expected[top:bottom, left:right], decoded[top:bottom, left:right]
            diffs.append(np.abs(cell_a.mean(axis=(0, 1)) - cell_b.mean(axis=(0, 1))).max())
    assert max(diffs) < 12, max(diffs)
    rows = result.final.rows
    y, x = _find(result.screen, "red bold orange")
    cells = ((x, "f38ba8", False), (x + 4, "a6e3a1", True), (x + 9, "ff8700", False))
    for col, colour, bold in cells:
        char = rows[y][col]
        fg, bg = cell_colors(char, theme, painter.palette)
        assert fg == tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4)) and char.bold is bold
        left, top, right, bottom = lay.cell_box(y, col)
        pixels = decoded[top:bottom, left:right].reshape(-1, 3)
        assert np.abs(pixels - np.array(bg)).sum(axis=1).min() < 20  # the cell's background
        ink = pixels[np.abs(pixels - np.array(bg)).sum(axis=1).argmax()]  # its strongest ink
        to_fg, to_plain = (np.abs(ink - np.array(c)).sum() for c in (fg, theme.foreground))
        assert to_fg < 160 and to_fg < to_plain, (col, ink, fg)  # 4:2:0 pales thin ink


@pytest.mark.slow
def test_timings_are_monotonic_and_typing_is_paced(session: tuple[TerminalCapture, Path]) -> None:
    result, path = session
    timings = result.timings
    assert [t.index for t in timings] == [1, 2, 3, 4, 5, 6]
    for before, after in itertools.pairwise(timings):
        assert before.start_s <= before.end_s <= after.start_s
    typed = timings[2]  # "echo paced" at 25 chars/s, no Enter
    assert 0.6 * 10 / 25 < typed.end_s - typed.start_s < 10 / 25 + 1.0
    assert 0.18 < timings[4].end_s - timings[4].start_s < 1.0
    info = probe(path)
    assert info.width == SIZE[0] and info.height == SIZE[1]
    assert result.frames == math.ceil((timings[-1].end_s + 0.3) * 30)
    assert abs((info.duration_ms or 0) / 1000 - result.duration_s) < 0.1
    assert result.rendered_frames < result.frames


@pytest.mark.slow
def test_a_hanging_command_is_stopped_with_a_clear_error(tmp_path: Path) -> None:
    script = TerminalScript((Step("type", "echo hi"), Step("type", "sleep 100")), chars_per_s=80)
    started = time.monotonic()
    with pytest.raises(CaptureError, match=r"step 2 \(`sleep 100`\) ran past 2 s"):
        capture_terminal(script, tmp_path / "x.mp4", timeout_s=2)
    assert time.monotonic() - started < 10
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.slow
def test_flooding_output_is_cut(tmp_path: Path) -> None:
    command = f"{PY} -c \"print('x'*10_000_000)\""
    script = TerminalScript((Step("type", command, chars_per_s=400),), hold_ms=200)
    started = time.monotonic()
    result = capture_terminal(script, tmp_path / "flood.mp4", output_cap_bytes=1_000_000)
    assert time.monotonic() - started < 30
    cut_row, _ = _find(result.screen, "[output cut at 1 MB]")
    assert any(line.startswith("demo:~$") for line in result.screen[cut_row + 1 :]), result.screen
    assert len(result.warnings) == 1 and "step 1" in result.warnings[0]
    assert (tmp_path / "flood.mp4").stat().st_size > 0


def test_a_missing_shell_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CaptureError, match="bash was not found on PATH"):
        capture_terminal(TerminalScript((Step("type", "ls"),)), tmp_path / "x.mp4")


def test_a_toml_script_loads() -> None:
    script = TerminalScript.from_toml(
        """
        [terminal]
        chars_per_s = 20
        shell = "sh"
        steps = [
            { type = "ls -l" },
            { type = "vim", enter = false, chars_per_s = 5 },
            { key = "Ctrl-C" },
            { wait = 500 },
        ]
        """,
        table="terminal",
    )
    assert script.chars_per_s == 20 and script.shell == "sh"
    assert script.steps == (
        Step("type", "ls -l"),
        Step("type", "vim", enter=False, chars_per_s=5.0),
        Step("key", "Ctrl-C"),
        Step("wait", ms=500),
    )


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ('{ type = "" }', "step 2: type takes a non-empty string"),
        ('{ wait = "soon" }', "step 2: wait takes milliseconds"),
        ('{ key = "Hyper-Q" }', "step 2: unknown key 'Hyper-Q'"),
        ('{ type = "ls", key = "Enter" }', "step 2: give exactly one of type, wait, key"),
        ('{ type = "ls", speed = 3 }', "step 2: unknown field(s) speed"),
        ('{ type = "ls", chars_per_s = -1 }', "step 2: chars_per_s must be a positive number"),
        ('"ls"', "step 2: expected a table"),
    ],
)
def test_a_bad_step_is_one_clear_line(step: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        TerminalScript.from_toml(f'steps = [{{ type = "pwd" }}, {step}]')
    text = str(caught.value)
    assert "\n" not in text and text.startswith("terminal script " + message.split(":")[0])
    assert message in text


def test_the_docs_toml_example_loads() -> None:
    from tests.conftest import REPO
    from vidkit.capture import BrowserScript, load_script

    text = (REPO / "docs" / "capture.md").read_text(encoding="utf-8")
    blocks = [part.split("```", 1)[0] for part in text.split("```toml\n")[1:]]
    scripts = [load_script(b) for b in blocks if b.lstrip().startswith(("[browser]", "[terminal]"))]
    assert len(scripts) >= 3
    terminal = next(s for s in scripts if isinstance(s, TerminalScript))
    assert [step.kind for step in terminal.steps] == ["type", "type", "key", "wait", "type"]
    assert terminal.steps[-1].chars_per_s == 30
    browser = next(s for s in scripts if isinstance(s, BrowserScript))
    assert [step.kind for step in browser.steps] == [
        "type",
        "click",
        "wait",
        "press",
        "scroll",
        "highlight",
        "zoom",
        "open",
        "wait",
    ]


@pytest.mark.slow
def test_sh_runs_the_script_too(tmp_path: Path) -> None:
    script = TerminalScript(
        (Step("type", "echo from-sh"),), chars_per_s=80, hold_ms=100, shell="sh"
    )
    result = capture_terminal(script, tmp_path / "sh.mp4", size=(640, 360), cols=60, rows=12)
    assert _find(result.screen, "from-sh") and result.screen[0].startswith("$ echo from-sh")
    assert probe(tmp_path / "sh.mp4").width == 640


def test_a_step_tied_to_a_word_starts_on_that_word(tmp_path: Path) -> None:
    from vidkit.capture import capture, load_script
    from vidkit.timing import WordTiming

    words = [WordTiming("first", 0, 300), WordTiming("we", 1500, 1700),
             WordTiming("list", 2400, 2700), WordTiming("files", 2700, 3000)]  # fmt: skip
    script = load_script(
        '[terminal]\nhold_ms = 200\nsteps = [{ type = "echo one" }, '
        '{ type = "ls", at = "list files" }]'
    )
    done = capture(script, tmp_path / "tied.mp4", size=SIZE, fps=30, words=words)
    index, start_s, _end = done.steps[1]
    assert index == 2 and abs(start_s - 2.4) <= 1 / 30, start_s
    assert not done.warnings
    with pytest.raises(InvalidInput, match=r"terminal script step 2: the narration does not say"):
        capture(script, tmp_path / "x.mp4", size=SIZE, fps=30, words=words[:2])


@pytest.mark.parametrize("size", [(320, 180), (640, 360), (1280, 720)])
def test_a_small_project_gets_a_terminal_that_fits(size: tuple[int, int], tmp_path: Path) -> None:
    from vidkit.capture import capture, load_script
    from vidkit.capture._render import grid_for

    cols, rows = grid_for(*size)
    assert ((cols, rows) == (100, 30)) == (size == (1280, 720))
    Painter(size[0], size[1], cols, rows, editor_theme("dark")[0], "bash")  # fits
    script = load_script('[terminal]\nhold_ms = 100\nsteps = [{ type = "echo small" }]')
    done = capture(script, tmp_path / "small.mp4", size=size, fps=10)
    assert probe(done.path).width == size[0]
