"""The timeline's strip: :class:`SceneStrip`, an anywidget with one block per scene, as wide as
the scene is long, with its thumbnail, length and status in words and colour, and a rendered
scene's quality checks as a badge ("Checks OK", "Check warnings", "Checks failed").

The front end (the inline ES module below; nothing is loaded from the network) draws each block
as a ``<button>``: a click, Enter or Space opens the scene; it is dragged to another place with
the mouse (HTML5 drag and drop: the dragged scene takes the place of the one it is dropped on);
Ctrl or Alt with ← / → moves the focused scene one place earlier or later, and ← / →, Home and
End move the focus between scenes. The page never changes the order itself: it sends a message,
the kernel moves the scene in the catalogue and sends the new order back.

Messages from the page (``content`` of a custom message, see :class:`PageMessage`):
``{"event": "open", "id": <scene id>}`` and ``{"event": "move", "id": <scene id>,
"to": <1-based position>}``. Anything else, or a scene no longer shown, is ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypedDict, TypeGuard

import anywidget
import traitlets

__all__ = ["HINT", "Block", "PageMessage", "QcKind", "SceneStrip", "StatusKind"]

StatusKind = Literal["rendered", "needs-rendering", "failed"]
#: A rendered scene's quality checks at their worst; "" when it is not checked.
QcKind = Literal["", "green", "amber", "red"]

#: Shown under the strip, and read by screen readers with every block.
HINT = (
    "Click a scene (or press Enter) to open it. Drag it to move it, or press Ctrl+← / Ctrl+→ "
    "(Alt+← / Alt+→ also work) to move it one place earlier or later."
)


class Block(TypedDict):
    """One scene as the page draws it."""

    id: int
    position: int
    title: str
    ms: int  # its length: the block's share of the strip's width
    length: str  # "24 s", or "≈24 s" when estimated
    status: StatusKind
    status_text: str  # "Rendered", "Needs rendering", "Failed"
    label: str  # what a screen reader says: scene, title, length, status
    tooltip: str
    qc: QcKind  # the badge's colour
    qc_text: str  # the badge's words ("" without a badge)


class PageMessage(TypedDict, total=False):
    event: Literal["open", "move"]
    id: int
    to: int


_ESM = r"""
function part(tag, className, attributes = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

let made = 0;

function render({ model, el }) {
  const hintId = `vk-strip-hint-${++made}-${Math.random().toString(36).slice(2, 8)}`;
  const list = part("ol", "vk-strip", { "aria-label": "Scenes, in the order they play" });
  const empty = part("p", "vk-strip-empty");
  const hint = part("p", "vk-strip-hint", { id: hintId });
  const live = part("div", "vk-strip-live", { role: "status", "aria-live": "polite" });
  el.append(list, empty, hint, live);

  const shown = new Map();  // scene id -> {item, button, thumb, name, length, status}
  let dragged = null;       // id of the scene being dragged
  let refocus = null;       // id of the scene to keep the focus on after a redraw

  const blocks = () => model.get("blocks") || [];
  const positionOf = (id) => {
    const block = blocks().find((b) => b.id === id);
    return block ? block.position : null;
  };
  const send = (message) => model.send(message);
  const move = (id, to) => {
    const from = positionOf(id);
    if (from === null || to < 1 || to > blocks().length || to === from) return;
    refocus = id;
    send({ event: "move", id, to });
  };
  const focusAt = (index) => {
    const order = blocks();
    const block = order[Math.max(0, Math.min(order.length - 1, index))];
    if (block && shown.has(block.id)) shown.get(block.id).button.focus();
  };
  const clearMarks = () => {
    for (const parts of shown.values()) {
      parts.item.classList.remove("vk-drop-before", "vk-drop-after");
    }
  };

  function make(id) {
    const item = part("li", "vk-strip-item");
    const button = part("button", "vk-scene-block", {
      type: "button", draggable: "true", "aria-describedby": hintId, "data-scene-id": String(id),
    });
    const thumb = part("img", "vk-scene-thumb", { alt: "", draggable: "false" });
    const text = part("span", "vk-scene-text");
    const name = part("span", "vk-scene-name");
    const length = part("span", "vk-scene-length");
    const status = part("span", "vk-scene-status");
    const checks = part("span", "vk-scene-qc");
    text.append(name, " ", length, " ", status, " ", checks);
    button.append(thumb, text);
    item.append(button);

    button.addEventListener("click", () => send({ event: "open", id }));
    button.addEventListener("keydown", (event) => {
      const index = blocks().findIndex((b) => b.id === id);
      const arrow = event.key === "ArrowLeft" ? -1 : event.key === "ArrowRight" ? 1 : 0;
      if (arrow && (event.ctrlKey || event.altKey || event.metaKey)) {
        event.preventDefault();
        event.stopPropagation();
        move(id, index + 1 + arrow);
      } else if (arrow && !event.shiftKey) {
        event.preventDefault();
        focusAt(index + arrow);
      } else if (event.key === "Home" || event.key === "End") {
        event.preventDefault();
        focusAt(event.key === "Home" ? 0 : blocks().length - 1);
      }
    });
    button.addEventListener("dragstart", (event) => {
      dragged = id;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("application/x-vidkit-scene", String(id));
      event.dataTransfer.setData("text/plain", String(id));
      button.classList.add("vk-dragging");
    });
    button.addEventListener("dragend", () => {
      dragged = null;
      button.classList.remove("vk-dragging");
      clearMarks();
    });
    item.addEventListener("dragover", (event) => {
      if (dragged === null) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      const from = positionOf(dragged);
      const to = positionOf(id);
      clearMarks();
      if (from !== null && to !== null && to !== from) {
        item.classList.add(to < from ? "vk-drop-before" : "vk-drop-after");
      }
    });
    item.addEventListener("dragleave", (event) => {
      if (!item.contains(event.relatedTarget)) {
        item.classList.remove("vk-drop-before", "vk-drop-after");
      }
    });
    item.addEventListener("drop", (event) => {
      if (dragged === null) return;
      event.preventDefault();
      event.stopPropagation();
      const moving = dragged;
      dragged = null;
      clearMarks();
      const to = positionOf(id);
      if (to !== null) move(moving, to);
    });
    return { item, button, thumb, name, length, status, checks };
  }

  // Dropped on the strip past the last scene: it goes last.
  list.addEventListener("dragover", (event) => {
    if (dragged !== null) event.preventDefault();
  });
  list.addEventListener("drop", (event) => {
    if (dragged === null) return;
    event.preventDefault();
    const moving = dragged;
    dragged = null;
    clearMarks();
    move(moving, blocks().length);
  });

  function draw() {
    const order = blocks();
    const selected = model.get("selected");
    const pictures = model.get("thumbnails") || {};
    const active = document.activeElement;
    const focused = [...shown.entries()].find(([, parts]) => parts.button === active);
    const keep = refocus !== null ? refocus : focused ? focused[0] : null;
    const ids = new Set(order.map((b) => b.id));
    for (const [id, parts] of shown) {
      if (!ids.has(id)) {
        parts.item.remove();
        shown.delete(id);
      }
    }
    let previous = null;
    for (const block of order) {
      let parts = shown.get(block.id);
      if (!parts) {
        parts = make(block.id);
        shown.set(block.id, parts);
      }
      const { item, button, thumb, name, length, status, checks } = parts;
      item.style.flex = `${Math.max(block.ms, 1)} 1 0px`;
      item.dataset.ms = String(block.ms);
      button.className = `vk-scene-block vk-status-${block.status}`;
      button.classList.toggle("vk-dragging", block.id === dragged);
      button.classList.toggle("vk-selected", block.id === selected);
      if (block.id === selected) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
      button.title = block.tooltip;
      button.dataset.position = String(block.position);
      name.textContent = `${block.position}. ${block.title}`;
      length.textContent = block.length;
      status.textContent = block.status_text;
      checks.textContent = block.qc_text || "";
      checks.className = block.qc ? `vk-scene-qc vk-qc-${block.qc}` : "vk-scene-qc";
      // the name a screen reader reads starts with the visible text (WCAG 2.5.3)
      let visible = `${name.textContent} ${length.textContent} ${status.textContent}`;
      if (checks.textContent) visible += ` ${checks.textContent}`;
      button.setAttribute("aria-label", `${visible}: ${block.label}`);
      const src = pictures[String(block.id)] || "";
      if (thumb.getAttribute("src") !== src) {
        if (src) thumb.setAttribute("src", src);
        else thumb.removeAttribute("src");
      }
      thumb.classList.toggle("vk-thumb-missing", !src);
      const next = previous ? previous.nextSibling : list.firstChild;
      if (next !== item) list.insertBefore(item, next);
      previous = item;
    }
    empty.textContent = order.length ? "" : model.get("empty_text");
    hint.textContent = order.length ? model.get("hint") : "";
    if (keep !== null && shown.has(keep) && document.activeElement !== shown.get(keep).button) {
      shown.get(keep).button.focus();
    }
    if (refocus !== null && positionOf(refocus) !== null) refocus = null;
  }

  const announce = () => { live.textContent = model.get("announcement"); };
  const events = [
    "change:blocks", "change:selected", "change:thumbnails", "change:empty_text", "change:hint",
  ];
  for (const name of events) model.on(name, draw);
  model.on("change:announcement", announce);
  draw();
  announce();
  return () => {
    for (const name of events) model.off(name, draw);
    model.off("change:announcement", announce);
  };
}

export default { render };
"""

_CSS = """
.vk-scene-strip { width: 100%; }
.vk-strip { display: flex; gap: 6px; list-style: none; margin: 0; padding: 6px 4px 10px;
  overflow-x: auto; align-items: stretch; min-height: 40px; }
.vk-strip-item { display: flex; min-width: 7.5rem; border-radius: 8px; }
.vk-strip-item.vk-drop-before { box-shadow: -5px 0 0 0 #1a56db; }
.vk-strip-item.vk-drop-after { box-shadow: 5px 0 0 0 #1a56db; }
.vk-scene-strip .vk-scene-block { display: flex; flex-direction: column; align-items: stretch;
  gap: 3px; width: 100%; box-sizing: border-box; margin: 0; padding: 4px 4px 5px;
  border: 2px solid #b8bfc9; border-top-width: 5px; border-radius: 8px; background: #ffffff;
  color: #1f2328; font: inherit; font-size: 12px; line-height: 1.3; text-align: left;
  cursor: grab; overflow: hidden; }
.vk-scene-strip .vk-scene-block:hover { background: #f5f7fa; }
.vk-scene-strip .vk-scene-block:focus { outline: none; }
.vk-scene-strip .vk-scene-block:focus-visible { outline: 3px solid #1a56db;
  outline-offset: 2px; box-shadow: 0 0 0 5px #ffffff; }
.vk-scene-strip .vk-scene-block.vk-selected { border-left-color: #1a56db;
  border-right-color: #1a56db; border-bottom-color: #1a56db; background: #eef4ff;
  box-shadow: inset 0 0 0 1px #1a56db; }
.vk-scene-strip .vk-scene-block.vk-dragging { opacity: 0.5; cursor: grabbing; }
.vk-scene-strip .vk-status-rendered { border-top-color: #1b7f3b; }
.vk-scene-strip .vk-status-needs-rendering { border-top-color: #b7791f; }
.vk-scene-strip .vk-status-failed { border-top-color: #b00020; }
.vk-scene-strip .vk-scene-thumb { display: block; height: 54px; width: 96px; max-width: 100%;
  object-fit: cover; border-radius: 4px; background: #d9dde3; }
.vk-scene-strip .vk-scene-text { display: flex; flex-direction: column; min-width: 0; }
.vk-scene-strip .vk-scene-name { font-weight: 600; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.vk-scene-strip .vk-scene-length { color: #4b5563; font-variant-numeric: tabular-nums; }
.vk-scene-strip .vk-scene-status { align-self: flex-start; padding: 0 6px; border-radius: 9px;
  font-weight: 600; white-space: nowrap; }
.vk-scene-strip .vk-status-rendered .vk-scene-status { background: #e3f4e8; color: #14532d; }
.vk-scene-strip .vk-status-needs-rendering .vk-scene-status { background: #fff4d6;
  color: #6b4500; }
.vk-scene-strip .vk-status-failed .vk-scene-status { background: #fde7ea; color: #8b0016; }
.vk-scene-strip .vk-scene-qc { align-self: flex-start; padding: 0 6px; border-radius: 9px;
  border: 1px solid currentColor; font-weight: 600; white-space: nowrap; }
.vk-scene-strip .vk-scene-qc:empty { display: none; }
.vk-scene-strip .vk-qc-green { color: #14532d; background: #e3f4e8; }
.vk-scene-strip .vk-qc-amber { color: #6b4500; background: #fff4d6; }
.vk-scene-strip .vk-qc-red { color: #8b0016; background: #fde7ea; }
.vk-scene-strip .vk-strip-empty { margin: 6px 4px; font-style: italic; }
.vk-scene-strip .vk-strip-empty:empty, .vk-scene-strip .vk-strip-hint:empty { display: none; }
.vk-scene-strip .vk-strip-hint { margin: 0 4px 4px; color: #4b5563; font-size: 12px; }
.vk-scene-strip .vk-strip-live { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
"""


class SceneStrip(anywidget.AnyWidget):
    """The scenes as blocks. ``on_open(scene_id)`` follows a click (or Enter) on a block;
    ``on_move(scene_id, position)`` a drag or a Ctrl/Alt+arrow (``position`` is 1-based)."""

    _esm = _ESM
    _css = _CSS
    blocks = traitlets.List(traitlets.Dict()).tag(sync=True)
    selected = traitlets.Int(0).tag(sync=True)  # a scene id; 0: none
    thumbnails = traitlets.Dict(value_trait=traitlets.Unicode()).tag(sync=True)  # id: data URL
    empty_text = traitlets.Unicode("No scenes yet: click “Add scene”.").tag(sync=True)
    hint = traitlets.Unicode(HINT).tag(sync=True)
    announcement = traitlets.Unicode("").tag(sync=True)  # read out by screen readers

    def __init__(
        self,
        *,
        on_open: Callable[[int], object] | None = None,
        on_move: Callable[[int, int], object] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.on_open = on_open
        self.on_move = on_move
        self.add_class("vk-scene-strip")
        self.on_msg(self._received)

    def _received(self, _widget: object, content: object, _buffers: object) -> None:
        message = parse_message(content, [b["id"] for b in self.blocks])
        if message is None:
            return
        if message["event"] == "open" and self.on_open is not None:
            self.on_open(message["id"])
        elif message["event"] == "move" and self.on_move is not None:
            self.on_move(message["id"], message["to"])


def parse_message(content: object, ids: list[int]) -> PageMessage | None:
    """The page's message when it is well formed and names a scene in ``ids`` (and, to move,
    a position among them); None for anything else."""
    if not isinstance(content, dict):
        return None
    event, scene = content.get("event"), content.get("id")
    if not _whole(scene) or scene not in ids:
        return None
    if event == "open":
        return PageMessage(event="open", id=scene)
    to = content.get("to")
    if event == "move" and _whole(to) and 1 <= to <= len(ids):
        return PageMessage(event="move", id=scene, to=to)
    return None


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
