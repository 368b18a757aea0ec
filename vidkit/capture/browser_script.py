"""A browser capture's script: steps (open, click, type, press, scroll, wait, highlight, zoom).

>>> script = BrowserScript.from_toml('''
... url = "http://127.0.0.1:8000/"
... steps = [
...   { click = "#save", at = "now click save" },
...   { type = "hello", into = { role = "textbox", name = "Name" } },
... ]
... ''')
>>> [step.describe() for step in script.steps]
["click '#save'", "type 'hello' into textbox 'Name'"]

A target is a CSS selector (a string), or a table with ``text`` (the smallest visible element
whose text contains it) or ``role`` and ``name`` (ARIA role, accessible name contains it). Both
capture paths (Playwright here, or a Playwright MCP server) find targets with the same
JavaScript (:data:`FIND_JS`), so they act on the same element.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from vidkit.errors import InvalidInput

__all__ = ["ACTIONS", "FIND_JS", "KEY_NAMES", "BrowserScript", "BrowserStep", "Target"]

#: What a step does; each step has exactly one of these keys.
ACTIONS: tuple[str, ...] = ("open", "click", "type", "press", "scroll", "wait", "highlight", "zoom")
Action = Literal["open", "click", "type", "press", "scroll", "wait", "highlight", "zoom"]

#: Keys a ``press`` step may name (Playwright's names; also ``Control+A`` style chords of them
#: and of single characters).
KEY_NAMES = frozenset(
    ("Enter", "Tab", "Escape", "Backspace", "Delete", "Space", "ArrowUp", "ArrowDown",
     "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown",
     *(f"F{n}" for n in range(1, 13)))
)  # fmt: skip
_MODIFIERS = frozenset({"Control", "Shift", "Alt", "Meta"})
_COMMON = frozenset({"at", "hold"})
_EXTRA: dict[str, frozenset[str]] = {
    "open": frozenset(),
    "click": frozenset({"zoom"}),
    "type": frozenset({"into", "chars_per_s", "zoom"}),
    "press": frozenset(),
    "scroll": frozenset(),
    "wait": frozenset(),
    "highlight": frozenset(),
    "zoom": frozenset({"scale"}),
}
_SCRIPT_KEYS = frozenset(
    {"url", "steps", "chars_per_s", "hold_ms", "pointer", "zoom", "timeout_ms", "settle_ms"}
)


@dataclass(frozen=True, slots=True)
class Target:
    """An element on the page: a CSS ``selector``, or visible ``text``, or ``role`` + ``name``."""

    selector: str = ""
    text: str = ""
    role: str = ""
    name: str = ""

    def describe(self) -> str:
        if self.selector:
            return repr(self.selector)
        if self.role:
            return f"{self.role} {self.name!r}" if self.name else self.role
        return f"text {self.text!r}"

    def to_json(self) -> str:
        return json.dumps(
            {"selector": self.selector, "text": self.text, "role": self.role, "name": self.name}
        )


@dataclass(frozen=True, slots=True)
class BrowserStep:
    """One scripted action; ``at`` ties it to words of the narration (the action happens when
    they start being said), ``hold`` (ms) keeps the screen still after it."""

    kind: Action
    target: Target | None = None
    text: str = ""  # open: the URL; type: the text; press: the key
    ms: int = 0  # wait: how long; highlight/zoom: how long it lasts
    pixels: int = 0  # scroll: how far down (negative: up)
    at: str = ""
    hold: int = 0
    zoom: float = 0.0  # click/type: zoom towards the target (0: the script's default)
    scale: float = 2.0  # zoom step: how far in
    chars_per_s: float | None = None

    def describe(self) -> str:
        where = self.target.describe() if self.target else ""
        if self.kind == "open":
            return f"open {self.text}"
        if self.kind == "type":
            return f"type {self.text!r}" + (f" into {where}" if where else "")
        if self.kind == "press":
            return f"press {self.text}"
        if self.kind == "scroll":
            return f"scroll to {where}" if where else f"scroll {self.pixels} px"
        if self.kind == "wait":
            return f"wait for {where}" if where else f"wait {self.ms} ms"
        return f"{self.kind} {where}"


def _fail(index: int, message: str) -> InvalidInput:
    return InvalidInput(f"browser script step {index}: {message}")


def _target(index: int, raw: object, key: str) -> Target:
    if isinstance(raw, str) and raw.strip():
        return Target(selector=raw.strip())
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"selector", "text", "role", "name"}
        if unknown:
            raise _fail(index, f"{key}: unknown field(s) {', '.join(sorted(unknown))}")
        values = {k: raw[k] for k in raw}
        if any(not isinstance(v, str) or not v.strip() for v in values.values()):
            raise _fail(index, f"{key}: selector, text, role and name are non-empty strings")
        kinds = [k for k in ("selector", "text", "role") if k in values]
        if len(kinds) != 1 or ("name" in values and kinds != ["role"]):
            raise _fail(
                index,
                f"{key}: give one of selector, text, or role (with an optional name), e.g. "
                f'{{ role = "button", name = "Save" }}',
            )
        return Target(**{k: str(v).strip() for k, v in values.items()})
    raise _fail(
        index, f'{key} takes a CSS selector or a table such as {{ text = "Save" }}, got {raw!r}'
    )


def _number(index: int, name: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(index, f"{name} is a number, got {value!r}")
    if not low <= value <= high:
        raise _fail(index, f"{name} must be {low:g}..{high:g}, got {value!r}")
    return float(value)


def _whole(index: int, name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(index, f"{name} takes whole milliseconds {low}..{high}, got {value!r}")
    return value


def check_key(index: int, key: str) -> str:
    """``key`` if a ``press`` step may name it (``Enter``, ``Control+A``, ``a``), else raise."""
    parts = key.split("+")
    *mods, last = parts
    if any(m not in _MODIFIERS for m in mods) or not (last in KEY_NAMES or len(last) == 1):
        raise _fail(
            index,
            f"unknown key {key!r} (known: Enter, Tab, Escape, ArrowDown, ..., a single "
            "character, or chords like Control+A)",
        )
    return key


def check_url(index: int, url: str) -> str:
    if not isinstance(url, str) or not url.strip():
        raise _fail(index, f"open takes a URL, got {url!r}")
    url = url.strip()
    if not url.startswith(("http://", "https://", "file://", "about:", "data:")):
        raise _fail(index, f"open takes an http(s) URL, got {url!r}")
    return url


def _step(index: int, raw: object) -> BrowserStep:
    if not isinstance(raw, Mapping):
        raise _fail(index, f'expected a table such as {{ click = "#save" }}, got {raw!r}')
    kinds = [k for k in ACTIONS if k in raw]
    if len(kinds) == 2 and kinds[1] == "zoom" and kinds[0] in ("click", "type"):
        kinds = kinds[:1]  # { click = "#save", zoom = 1.5 }: zoom is how far the click zooms
    if len(kinds) != 1:
        raise _fail(index, f"give exactly one of {', '.join(ACTIONS)} (got {sorted(raw)})")
    kind: Action = kinds[0]  # type: ignore[assignment]
    extra = set(raw) - {kind} - _COMMON - _EXTRA[kind]
    if extra:
        raise _fail(index, f"{kind}: unknown field(s) {', '.join(sorted(extra))}")
    at = raw.get("at", "")
    if not isinstance(at, str):
        raise _fail(index, f"at names words of the narration, got {at!r}")
    common: dict[str, Any] = {
        "at": " ".join(at.split()),
        "hold": _whole(index, "hold", raw.get("hold", 0), 0, 600_000),
    }
    value = raw[kind]
    if kind == "open":
        return BrowserStep("open", text=check_url(index, value), **common)
    if kind == "press":
        if not isinstance(value, str) or not value:
            raise _fail(index, f"press takes a key name, got {value!r}")
        return BrowserStep("press", text=check_key(index, value), **common)
    if kind == "type":
        if not isinstance(value, str) or not value:
            raise _fail(index, f"type takes a non-empty string, got {value!r}")
        if len(value) > 5000:
            raise _fail(index, f"type takes at most 5000 characters, got {len(value)}")
        into = _target(index, raw["into"], "into") if "into" in raw else None
        cps = raw.get("chars_per_s")
        return BrowserStep(
            "type", into, text=value,
            chars_per_s=None if cps is None else _number(index, "chars_per_s", cps, 1, 200),
            zoom=_number(index, "zoom", raw.get("zoom", 0.0), 0, 4), **common,
        )  # fmt: skip
    if kind == "scroll":
        if isinstance(value, int) and not isinstance(value, bool):
            return BrowserStep(
                "scroll", pixels=_whole(index, "scroll", value, -100_000, 100_000), **common
            )
        return BrowserStep("scroll", _target(index, value, "scroll"), **common)
    if kind == "wait":
        if isinstance(value, int) and not isinstance(value, bool):
            return BrowserStep("wait", ms=_whole(index, "wait", value, 0, 600_000), **common)
        return BrowserStep("wait", _target(index, value, "wait"), **common)
    target = _target(index, value, kind)
    if kind == "click":
        zoom = _number(index, "zoom", raw.get("zoom", 0.0), 0, 4)
        return BrowserStep("click", target, zoom=zoom, **common)
    if kind == "zoom":
        scale = _number(index, "scale", raw.get("scale", 2.0), 1, 4)
        return BrowserStep("zoom", target, scale=scale, **common)
    return BrowserStep("highlight", target, **common)


@dataclass(frozen=True, slots=True)
class BrowserScript:
    """The steps, the page to start on and the look: typing pace, how long the last screen
    stays, the drawn pointer, the default zoom on clicks (1: none), how long to look for a
    target before giving up, and how long the page gets to settle after each action."""

    steps: tuple[BrowserStep, ...]
    url: str = ""
    chars_per_s: float = 12.0
    hold_ms: int = 1000
    pointer: bool = True
    zoom: float = 1.0
    timeout_ms: int = 5000
    settle_ms: int = 300

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> BrowserScript:
        """From a TOML table (see the module docs and docs/capture.md)."""
        unknown = set(table) - _SCRIPT_KEYS
        if unknown:
            raise InvalidInput(f"browser script: unknown key(s) {', '.join(sorted(unknown))}")
        raw = table.get("steps")
        if not isinstance(raw, list) or not raw:
            raise InvalidInput("browser script: `steps` must be a non-empty list of tables")
        if len(raw) > 500:
            raise InvalidInput(f"browser script: at most 500 steps, got {len(raw)}")
        steps = tuple(_step(i, item) for i, item in enumerate(raw, 1))
        url = table.get("url", "")
        if url:
            url = check_url(0, url)
        elif steps[0].kind != "open":
            raise InvalidInput(
                'browser script: give the page to start on, as url = "https://..." or a '
                'first step { open = "https://..." }'
            )
        try:
            pointer = table.get("pointer", True)
            if not isinstance(pointer, bool):
                raise _fail(0, f"pointer is true or false, got {pointer!r}")
            return cls(
                steps, url,
                chars_per_s=_number(0, "chars_per_s", table.get("chars_per_s", 12.0), 1, 200),
                hold_ms=_whole(0, "hold_ms", table.get("hold_ms", 1000), 0, 600_000),
                pointer=pointer,
                zoom=_number(0, "zoom", table.get("zoom", 1.0), 1, 4),
                timeout_ms=_whole(0, "timeout_ms", table.get("timeout_ms", 5000), 100, 120_000),
                settle_ms=_whole(0, "settle_ms", table.get("settle_ms", 300), 0, 10_000),
            )  # fmt: skip
        except InvalidInput as exc:
            message = str(exc).replace("browser script step 0:", "browser script:")
            raise InvalidInput(message) from None

    @classmethod
    def from_toml(cls, text: str, table: str | None = None) -> BrowserScript:
        """From TOML text: the whole document, or its table called ``table``."""
        try:
            data: dict[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(f"browser script: not valid TOML ({exc})") from exc
        if table is not None:
            found = data.get(table)
            if not isinstance(found, dict):
                raise InvalidInput(f"browser script: no table [{table}]")
            data = found
        return cls.from_mapping(data)


#: Finds a target's box on the page: called with the target as a JSON object, returns
#: ``{x, y, width, height}`` in viewport pixels for the first visible match (scrolled into
#: view first), or null. The same function runs through Playwright and through MCP.
FIND_JS = """(t) => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const implicit = {A: 'link', BUTTON: 'button', TEXTAREA: 'textbox', SELECT: 'combobox',
    H1: 'heading', H2: 'heading', H3: 'heading', H4: 'heading', H5: 'heading', H6: 'heading',
    LI: 'listitem', UL: 'list', OL: 'list', IMG: 'img', NAV: 'navigation', MAIN: 'main',
    TABLE: 'table', TR: 'row', TD: 'cell', TH: 'columnheader', DIALOG: 'dialog', FORM: 'form'};
  const inputRole = {button: 'button', submit: 'button', reset: 'button', checkbox: 'checkbox',
    radio: 'radio', range: 'slider', search: 'searchbox'};
  const roleOf = (el) => {
    if (el.getAttribute('role')) return el.getAttribute('role');
    if (el.tagName === 'INPUT') return inputRole[(el.type || 'text').toLowerCase()] || 'textbox';
    if (el.tagName === 'A' && !el.hasAttribute('href')) return '';
    return implicit[el.tagName] || '';
  };
  const nameOf = (el) => {
    const label = el.getAttribute('aria-label');
    if (label) return label;
    const by = el.getAttribute('aria-labelledby');
    if (by) {
      return by.split(/\\s+/).map((id) => (document.getElementById(id) || {}).textContent || '')
        .join(' ');
    }
    if (el.labels && el.labels.length) {
      return Array.from(el.labels).map((l) => l.textContent).join(' ');
    }
    if (el.tagName === 'INPUT' && ['button', 'submit', 'reset'].includes(el.type)) return el.value;
    return el.getAttribute('placeholder') || el.getAttribute('alt') || el.getAttribute('title')
      || el.textContent || '';
  };
  const norm = (s) => (s || '').replace(/\\s+/g, ' ').trim().toLowerCase();
  let found = null;
  if (t.selector) {
    found = Array.from(document.querySelectorAll(t.selector)).find(visible) || null;
  } else if (t.role) {
    const want = norm(t.name);
    found = Array.from(document.querySelectorAll('body *')).find((el) => roleOf(el) === t.role
      && visible(el) && (!want || norm(nameOf(el)).includes(want))) || null;
  } else {
    const want = norm(t.text);
    const all = Array.from(document.querySelectorAll('body *')).filter((el) => visible(el)
      && norm(el.innerText || el.value || '').includes(want));
    found = all.find((el) => !all.some((o) => o !== el && el.contains(o))) || null;
  }
  if (!found) return null;
  found.scrollIntoView({block: 'nearest', inline: 'nearest'});
  const r = found.getBoundingClientRect();
  return {x: r.x, y: r.y, width: r.width, height: r.height};
}"""
