"""The narration under the scene's preview: :class:`NarrationStrip`, an anywidget showing the
spoken narration's waveform with its words laid out along time, and a marker at the
scrubber's time; a click on a word (or Enter on it) seeks there.

Before the narration is spoken the words sit where the draft preview estimates them, with no
waveform and a plain note that says so. The words come from the scene's draft
(:attr:`vidkit.editing.SceneDraft.words`), the waveform from
:func:`vidkit.editing.narration_waveform` (a few hundred points, cached by the WAV's content
hash): nothing here reads audio itself.

The front end (the inline ES module below; nothing is loaded from the network) draws the
waveform as an SVG path and each word as a ``<button>`` at its start, in up to three rows so
that words never overlap; a long scene scrolls sideways, following the marker. The words are
one Tab stop (the word at the marker): ← / → move between words, Home and End go to the first
and the last, Enter or Space seeks to the focused word.

Messages from the page (``content`` of a custom message, see :class:`PageMessage`):
``{"event": "seek", "index": <the word's index in words>}``. Anything else is ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Literal, TypedDict

import anywidget
import traitlets

from vidkit import editing
from vidkit.editing import NarrationWords
from vidkit.errors import VidkitError

__all__ = [
    "ESTIMATED_NOTE",
    "HINT",
    "MAX_SHOWN",
    "NarrationStrip",
    "PageMessage",
    "Word",
    "parse_message",
]

ESTIMATED_NOTE: Final = "estimated — the words are placed exactly once the narration is spoken"
HINT: Final = "Click a word (or press Enter on it) to see that moment in the preview."
UNSAVED_NOTE: Final = "These are the saved narration's words: save to place the ones you typed."
EMPTY_TEXT: Final = "No narration in this scene yet."
#: At most this many words are laid out (a narration that long is split into scenes anyway).
MAX_SHOWN: Final = 4000


class Word(TypedDict):
    """One word as the page draws it: its text and when it is spoken (ms in the scene)."""

    text: str
    start_ms: int
    end_ms: int


class PageMessage(TypedDict):
    event: Literal["seek"]
    index: int


_ESM = r"""
const SVG = "http://www.w3.org/2000/svg";
const WAVE_PX = 44;       // the waveform's height
const ROW_PX = 28;        // one row of words
const MAX_ROWS = 3;
const MIN_PX_PER_S = 40;  // a long scene scrolls rather than squeezing its words
const GAP_PX = 4;

function part(tag, className, attributes = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function render({ model, el }) {
  const note = part("p", "vk-words-note");
  const scroll = part("div", "vk-words-scroll");
  const track = part("div", "vk-words-track");
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "vk-waveform");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("focusable", "false");
  const wave = document.createElementNS(SVG, "path");
  svg.append(wave);
  const marker = part("div", "vk-words-marker", { "aria-hidden": "true" });
  const list = part("div", "vk-words", {
    role: "toolbar", "aria-label": "Words spoken in the scene", "aria-orientation": "horizontal",
  });
  track.append(svg, list, marker);
  scroll.append(track);
  const hint = part("p", "vk-words-hint");
  const empty = part("p", "vk-words-empty");
  el.append(note, scroll, hint, empty);

  let buttons = [];
  let scale = 0;       // px per ms
  let roving = 0;      // the word that is the strip's one Tab stop

  const words = () => model.get("words") || [];
  const length = () => {
    const all = words();
    const last = all.length ? all[all.length - 1].end_ms : 0;
    return Math.max(model.get("duration_ms") || 0, last, 1);
  };
  const currentIndex = () => {
    const at = model.get("position_ms") || 0;
    const all = words();
    let found = -1;
    for (let i = 0; i < all.length && all[i].start_ms <= at; i++) found = i;
    return found;
  };
  const setRoving = (index) => {
    if (!buttons.length) return;
    roving = Math.max(0, Math.min(buttons.length - 1, index));
    buttons.forEach((b, i) => b.setAttribute("tabindex", i === roving ? "0" : "-1"));
  };
  const focusWord = (index) => {
    setRoving(index);
    if (buttons[roving]) buttons[roving].focus();
  };

  function make(word, index) {
    const button = part("button", "vk-narration-word", {
      type: "button", "data-index": String(index),
    });
    button.textContent = word.text;
    // the name a screen reader reads starts with the visible text (WCAG 2.5.3)
    button.setAttribute("aria-label", `${word.text}, at ${seconds(word.start_ms)}`);
    button.title = `${seconds(word.start_ms)}: see this moment`;
    button.addEventListener("click", () => {
      setRoving(index);
      model.send({ event: "seek", index });
    });
    button.addEventListener("keydown", (event) => {
      const step = event.key === "ArrowLeft" ? -1 : event.key === "ArrowRight" ? 1 : 0;
      if (step) {
        event.preventDefault();
        event.stopPropagation();
        focusWord(index + step);
      } else if (event.key === "Home" || event.key === "End") {
        event.preventDefault();
        event.stopPropagation();
        focusWord(event.key === "Home" ? 0 : buttons.length - 1);
      }
    });
    return button;
  }

  // Words at their start, in the fewest rows (up to MAX_ROWS) where none overlaps; when they
  // cannot fit, the strip gets wider (and scrolls) until they do.
  function place() {
    const all = words();
    const total = length();
    const width = scroll.clientWidth || el.clientWidth || 600;
    const sizes = buttons.map((b) => b.offsetWidth || 8 * b.textContent.length + 12);
    scale = Math.max(width / total, MIN_PX_PER_S / 1000);
    let rows = [];
    let ends = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      rows = [];
      ends = [];
      let fits = true;
      for (let i = 0; i < all.length; i++) {
        const x = all[i].start_ms * scale;
        let row = ends.findIndex((end) => end + GAP_PX <= x);
        if (row < 0 && ends.length < MAX_ROWS) row = ends.push(-Infinity) - 1;
        if (row < 0) { fits = false; break; }
        ends[row] = x + sizes[i];
        rows.push(row);
      }
      if (fits) break;
      scale *= 1.4;
    }
    const trackWidth = Math.max(width, Math.ceil(total * scale), ...ends.map(Math.ceil));
    track.style.width = `${trackWidth}px`;
    list.style.height = `${Math.max(1, ends.length) * ROW_PX}px`;
    buttons.forEach((b, i) => {
      b.style.left = `${(all[i].start_ms * scale).toFixed(1)}px`;
      b.style.top = `${(rows[i] || 0) * ROW_PX}px`;
    });
    drawWave(total * scale);
    mark(false);
  }

  function drawWave(width) {
    const peaks = model.get("waveform") || [];
    svg.style.display = peaks.length ? "" : "none";
    if (!peaks.length) { wave.setAttribute("d", ""); return; }
    const n = peaks.length;
    svg.setAttribute("viewBox", `0 0 ${n} 100`);
    svg.style.width = `${width.toFixed(1)}px`;
    const y = (p, sign) => (50 + sign * p * 48 / 255).toFixed(1);
    const top = peaks.map((p, i) => `${i ? "L" : "M"}${i + 0.5} ${y(p, -1)}`);
    const bottom = peaks.map((_, i) => `L${n - i - 0.5} ${y(peaks[n - 1 - i], 1)}`);
    wave.setAttribute("d", `${top.join("")}${bottom.join("")}Z`);
  }

  function mark(follow) {
    const at = model.get("position_ms") || 0;
    const x = at * scale;
    marker.style.left = `${x.toFixed(1)}px`;
    marker.style.display = buttons.length ? "" : "none";
    const current = currentIndex();
    buttons.forEach((b, i) => {
      const on = i === current;
      b.classList.toggle("vk-narration-word-current", on);
      if (on) b.setAttribute("aria-current", "time");
      else b.removeAttribute("aria-current");
    });
    if (!el.contains(document.activeElement)) setRoving(Math.max(0, current));
    if (follow && (x < scroll.scrollLeft || x > scroll.scrollLeft + scroll.clientWidth - 20)) {
      scroll.scrollLeft = Math.max(0, x - scroll.clientWidth / 3);
    }
  }

  function draw() {
    const all = words();
    const hadFocus = buttons.indexOf(document.activeElement);
    list.replaceChildren();
    buttons = all.map(make);
    list.append(...buttons);
    el.classList.toggle("vk-words-spoken", !!model.get("spoken"));
    el.classList.toggle("vk-words-estimated", !model.get("spoken"));
    scroll.style.display = all.length ? "" : "none";
    empty.textContent = all.length ? "" : model.get("empty_text");
    hint.textContent = all.length ? model.get("hint") : "";
    setRoving(Math.max(0, currentIndex()));
    place();
    if (hadFocus >= 0 && buttons.length) focusWord(Math.min(hadFocus, buttons.length - 1));
  }

  const notes = () => {
    note.textContent = [model.get("note"), model.get("unsaved")].filter(Boolean).join(" ");
  };
  const follow = () => mark(true);
  const events = ["change:words", "change:duration_ms", "change:spoken", "change:waveform"];
  for (const name of events) model.on(name, draw);
  model.on("change:position_ms", follow);
  model.on("change:note", notes);
  model.on("change:unsaved", notes);
  const resized = new ResizeObserver(() => { if (buttons.length) place(); });
  resized.observe(scroll);
  draw();
  notes();
  return () => {
    for (const name of events) model.off(name, draw);
    model.off("change:position_ms", follow);
    model.off("change:note", notes);
    model.off("change:unsaved", notes);
    resized.disconnect();
  };
}

export default { render };
"""

_CSS = """
.vk-narration-strip { width: 100%; box-sizing: border-box; margin: 2px 0 6px; }
.vk-narration-strip .vk-words-note { margin: 0 0 2px; color: #4b5563; font-size: 12px;
  font-style: italic; }
.vk-narration-strip .vk-words-note:empty, .vk-narration-strip .vk-words-hint:empty,
.vk-narration-strip .vk-words-empty:empty { display: none; }
.vk-narration-strip .vk-words-scroll { overflow-x: auto; overflow-y: hidden; width: 100%;
  border: 1px solid #d0d7de; border-radius: 6px; background: #f8fafc; }
.vk-narration-strip .vk-words-track { position: relative; min-width: 100%;
  padding: 4px 0 6px; box-sizing: border-box; }
.vk-narration-strip .vk-waveform { display: block; height: 44px; }
.vk-narration-strip .vk-waveform path { fill: #4a6fa5; }
.vk-narration-strip.vk-words-estimated .vk-words-track { padding-top: 6px; }
.vk-narration-strip .vk-words { position: relative; margin-top: 2px; }
.vk-narration-strip .vk-narration-word { position: absolute; margin: 0; padding: 1px 5px;
  height: 24px; box-sizing: border-box; white-space: nowrap; font: inherit; font-size: 12px;
  line-height: 20px; color: #1f2328; background: #ffffff; border: 1px solid #8c959f;
  border-radius: 4px; cursor: pointer; }
.vk-narration-strip.vk-words-estimated .vk-narration-word { border-style: dashed; color: #374151; }
.vk-narration-strip .vk-narration-word:hover { background: #eef4ff; }
.vk-narration-strip .vk-narration-word.vk-narration-word-current { background: #1a56db;
  border-color: #1a56db; color: #ffffff; }
.vk-narration-strip .vk-narration-word:focus { outline: none; }
.vk-narration-strip .vk-narration-word:focus-visible { outline: 3px solid #1a56db;
  outline-offset: 1px; box-shadow: 0 0 0 5px #ffffff; z-index: 2; }
.vk-narration-strip .vk-words-marker { position: absolute; top: 0; bottom: 0; width: 2px;
  margin-left: -1px; background: #b00020; pointer-events: none; z-index: 1; }
.vk-narration-strip .vk-words-hint, .vk-narration-strip .vk-words-empty { margin: 2px 0 0;
  color: #4b5563; font-size: 12px; }
"""


class NarrationStrip(anywidget.AnyWidget):
    """The scene's narration word by word under the preview. :meth:`show` a draft's words;
    ``position_ms`` is the marker (the scrubber's time); ``on_seek(ms)`` follows a click or
    Enter on a word, with the word's start."""

    _esm = _ESM
    _css = _CSS
    words = traitlets.List(traitlets.Dict()).tag(sync=True)
    duration_ms = traitlets.Int(0).tag(sync=True)
    spoken = traitlets.Bool(False).tag(sync=True)
    waveform = traitlets.List(traitlets.Int()).tag(sync=True)  # 0..255 per point
    position_ms = traitlets.Int(0).tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)  # estimated, or words left out
    unsaved = traitlets.Unicode("").tag(sync=True)  # the narration was edited since its save
    hint = traitlets.Unicode(HINT).tag(sync=True)
    empty_text = traitlets.Unicode(EMPTY_TEXT).tag(sync=True)

    def __init__(self, *, on_seek: Callable[[int], object] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_seek = on_seek
        self.add_class("vk-narration-strip")
        self.on_msg(self._received)

    def show(self, narration: NarrationWords) -> None:
        """Show these words (and, once spoken, the waveform)."""
        shown = narration.words[:MAX_SHOWN]
        notes = [] if narration.spoken else [ESTIMATED_NOTE]
        if len(narration.words) > len(shown):
            notes.append(f"(the first {MAX_SHOWN:,} words are shown)")
        try:
            waveform = list(editing.narration_waveform(narration))
        except (VidkitError, OSError):
            waveform = []  # the words still seek; the sound is read again next time
        with self.hold_sync():
            self.words = [
                {"text": w.word, "start_ms": w.start_ms, "end_ms": w.end_ms} for w in shown
            ]  # each a Word
            self.duration_ms = narration.duration_ms
            self.spoken = narration.spoken
            self.waveform = waveform
            self.note = " ".join(notes)

    def clear(self) -> None:
        """No scene, or no draft: nothing to show."""
        with self.hold_sync():
            self.words, self.waveform, self.duration_ms = [], [], 0
            self.note = self.unsaved = ""

    def mark_unsaved(self, edited: bool) -> None:
        """Say that the words are the saved narration's while the typed one is not saved."""
        self.unsaved = UNSAVED_NOTE if edited and self.words else ""

    def seek(self, index: int) -> None:
        """As a click on word ``index`` does: ``on_seek`` with its start."""
        if 0 <= index < len(self.words) and self.on_seek is not None:
            self.on_seek(int(self.words[index]["start_ms"]))

    def _received(self, _widget: object, content: object, _buffers: object) -> None:
        message = parse_message(content, len(self.words))
        if message is not None:
            self.seek(message["index"])


def parse_message(content: object, count: int) -> PageMessage | None:
    """The page's message when it is a seek to one of ``count`` words; None otherwise."""
    if not isinstance(content, dict) or content.get("event") != "seek":
        return None
    index = content.get("index")
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < count:
        return PageMessage(event="seek", index=index)
    return None
