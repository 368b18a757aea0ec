"""The capture stage's key: the script's content, the size, the frame rate and the tie times it
used; not how it ran (MCP or local Chromium), and not narration timings that move no tied
step."""

from __future__ import annotations

from typing import Any

from vidkit.capture import CaptureOptions, load_script, tie_times
from vidkit.model import Asset
from vidkit.stages.capture import capture_screen
from vidkit.stages.step import text_hash
from vidkit.timing import WordTiming

SCRIPT = """[browser]
url = "https://example.com/"
steps = [{ click = "#save", at = "click save" }, { press = "Enter" }]
"""
WORDS = (WordTiming("now", 0, 300), WordTiming("click", 400, 700), WordTiming("save", 720, 900))


def _asset(text: str) -> Asset:
    return Asset(
        id=1, project_id=1, scene_id=1, kind="capture_script", path="x.toml",
        sha256=text_hash(text), size_bytes=len(text), duration_ms=None, metadata={},
    )  # fmt: skip


def _key(
    text: str = SCRIPT,
    *,
    size: tuple[int, int] = (640, 360),
    fps: int = 25,
    words: tuple[WordTiming, ...] = WORDS,
    options: CaptureOptions | None = None,
) -> str:
    script = load_script(text)
    chosen = options or CaptureOptions()
    step = capture_screen(
        1, _asset(text), script, size=size, fps=fps, ties=tie_times(script, words), words=words,
        options=lambda: chosen,
    )  # fmt: skip
    return step.key


def test_every_input_of_the_capture_changes_its_key() -> None:
    base = _key()
    changed: dict[str, Any] = {
        "script": _key(SCRIPT.replace('"Enter"', '"Tab"')),
        "size": _key(size=(1280, 720)),
        "fps": _key(fps=30),
        "tie": _key(words=(WORDS[0], WordTiming("click", 500, 800), WordTiming("save", 820, 1000))),
    }
    assert all(key != base for key in changed.values()), changed
    assert len(set(changed.values())) == len(changed)


def test_how_it_runs_and_words_that_move_no_tied_step_keep_the_key() -> None:
    base = _key()
    mcp = CaptureOptions(mcp_url="http://127.0.0.1:8931/mcp", mcp_headers={"A": "b"})
    assert _key(options=mcp) == base
    assert _key(options=CaptureOptions(allow_local=False, allow_commands=False)) == base
    # "save" ends later and "now" moves: the tied step still acts at "click".
    retimed = (
        WordTiming("now", 0, 200),
        WordTiming("click", 400, 700),
        WordTiming("save", 720, 990),
    )
    assert _key(words=retimed) == base


def test_an_untied_script_ignores_the_narration() -> None:
    untied = SCRIPT.replace(', at = "click save"', "")
    assert _key(untied, words=WORDS) == _key(untied, words=())
