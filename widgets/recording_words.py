"""The words of a recorded scene as buttons: cut ones struck through in red (the reason in their
tooltip), selected ones blue; a page at a time (long recordings have thousands of words).

Whether a word is cut is read from the cut list at the word's middle (:func:`cut_words`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import ipywidgets as w

from vidkit import editing
from vidkit.editing import RecordingView, TranscriptWord

__all__ = ["WORDS_PER_PAGE", "WordPicker", "cut_words", "length_text", "word_ranges"]

#: Words shown at once (the page buttons move through the rest).
WORDS_PER_PAGE: Final = 200
_SELECTED_COLOUR: Final = "#bbdefb"
_CUT_COLOUR: Final = "#b3261e"


def length_text(ms: int) -> str:
    """A length in words: "12.8 s" under a minute, "10:02" from one minute."""
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


def word_ranges(indices: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of consecutive word indices as inclusive (first, last) pairs: [3, 4, 5, 9] →
    [(3, 5), (9, 9)]."""
    runs: list[tuple[int, int]] = []
    for index in sorted(set(indices)):
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def cut_words(view: RecordingView) -> dict[int, str]:
    """The cut words of a view, by index, each with why it is cut (a key of
    :data:`vidkit.editing.REASONS`). A word counts as cut when its middle is: cuts land on
    frame boundaries and keep a margin around the kept words next to them, so a cut may begin a
    little after the start of the word it removes (``TranscriptWord.kept`` looks at the start
    alone and would call that word kept)."""
    spans = [(view.cuts.ms(s.start), view.cuts.ms(s.end), s) for s in view.cuts.spans]
    out: dict[int, str] = {}
    for word in view.words:
        middle = (word.start_ms + word.end_ms) / 2
        if view.cuts.to_output(middle) is not None:
            continue
        inside = next((s for a, b, s in spans if a <= middle < b), None)
        out[word.index] = (
            inside.reason if inside is not None and inside.reason else word.reason or "deleted"
        )
    return out


class WordPicker(w.VBox):  # type: ignore[misc]
    """The words of :meth:`show`'s view; a click calls ``on_click(index)``."""

    def __init__(self, on_click: Callable[[int], None]) -> None:
        self.on_click = on_click
        self.words: tuple[TranscriptWord, ...] = ()
        #: The cut words by index, with the reason (see :func:`cut_words`).
        self.cut: dict[int, str] = {}
        self.selected: set[int] = set()
        self.page = 0
        self.buttons: dict[int, w.Button] = {}
        self.box = w.Box(
            layout=w.Layout(display="flex", flex_flow="row wrap", width="100%", padding="4px 0")
        )
        self.box.add_class("vk-transcript")
        self.earlier = w.Button(description="◀ Earlier", layout=w.Layout(width="auto"))
        self.earlier.add_class("vk-words-earlier")
        self.earlier.on_click(lambda _b: self.turn(-1))
        self.later = w.Button(description="Later ▶", layout=w.Layout(width="auto"))
        self.later.add_class("vk-words-later")
        self.later.on_click(lambda _b: self.turn(+1))
        self.page_info = w.HTML()
        self.pager = w.HBox([self.earlier, self.page_info, self.later])
        super().__init__([self.box, self.pager], layout=w.Layout(flex="3 1 0%"))

    def show(self, view: RecordingView | None, *, keep_selection: bool = True) -> None:
        """Show a view's words (None: none), the selection kept where it still fits."""
        self.words = view.words if view is not None else ()
        self.cut = cut_words(view) if view is not None else {}
        count = len(self.words)
        self.selected = {i for i in self.selected if i < count} if keep_selection else set()
        self.page = min(self.page, max(0, (count - 1) // WORDS_PER_PAGE))
        self._draw()

    def reset(self) -> None:
        """Another scene: no selection, the first page."""
        self.selected.clear()
        self.page = 0

    def _page(self) -> Sequence[TranscriptWord]:
        first = self.page * WORDS_PER_PAGE
        return self.words[first : first + WORDS_PER_PAGE]

    def _draw(self) -> None:
        words = self._page()
        self.buttons = {}
        for word in words:
            button = w.Button(
                description=word.text,
                layout=w.Layout(width="auto", height="auto", margin="1px", padding="0 4px"),
            )
            button.add_class("vk-word")
            button.on_click(lambda _b, i=word.index: self.on_click(i))
            self.buttons[word.index] = button
            self._style(word)
        self.box.children = tuple(self.buttons.values())
        count = len(self.words)
        self.pager.layout.display = "" if count > WORDS_PER_PAGE else "none"
        if words:
            self.page_info.value = (
                f"<small style='padding:0 8px'>words {words[0].index + 1}–{words[-1].index + 1} "
                f"of {count}</small>"
            )
        self.earlier.disabled = self.page == 0
        self.later.disabled = (self.page + 1) * WORDS_PER_PAGE >= count

    def _style(self, word: TranscriptWord) -> None:
        button = self.buttons.get(word.index)
        if button is None:
            return
        chosen = word.index in self.selected
        reason = self.cut.get(word.index)
        at = f"at {word.start_ms / 1000:.1f} s"
        if reason is None:
            button.tooltip = f"{at}: click to select it and see the recording there"
            button.remove_class("vk-word-cut")
        else:
            why = editing.REASONS.get(reason, "cut")
            button.tooltip = f"Cut: {why} ({at}). Click it, then Restore, to bring it back."
            button.add_class("vk-word-cut")
        (button.add_class if chosen else button.remove_class)("vk-word-selected")
        button.style.text_decoration = "none" if reason is None else "line-through"
        button.style.text_color = None if reason is None else _CUT_COLOUR
        button.style.button_color = _SELECTED_COLOUR if chosen else None

    def turn(self, pages: int) -> None:
        """Show the next (+1) or previous (-1) page of words."""
        last = max(0, (len(self.words) - 1) // WORDS_PER_PAGE)
        self.page = max(0, min(last, self.page + pages))
        self._draw()

    def toggle(self, index: int) -> None:
        """Select word ``index``, or unselect it."""
        if 0 <= index < len(self.words):
            self.selected ^= {index}
            self._style(self.words[index])

    def select(self, indices: Sequence[int]) -> None:
        """Select exactly these words."""
        self.selected = {i for i in indices if 0 <= i < len(self.words)}
        for word in self._page():
            self._style(word)
