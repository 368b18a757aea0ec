"""A terminal capture's script: steps (type a command, wait, press a key), from Python or TOML."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from vidkit.errors import InvalidInput

__all__ = ["KEYS", "Step", "TerminalScript"]

KEYS: dict[str, bytes] = {
    "Enter": b"\r",
    "Tab": b"\t",
    "Backspace": b"\x7f",
    "Escape": b"\x1b",
    "Up": b"\x1b[A",
    "Down": b"\x1b[B",
    "Right": b"\x1b[C",
    "Left": b"\x1b[D",
    "Space": b" ",
    **{f"Ctrl-{c}": bytes([ord(c) - 64]) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
}
_SCRIPT_KEYS = frozenset({"steps", "chars_per_s", "hold_ms", "shell", "title", "seed", "theme"})


@dataclass(frozen=True, slots=True)
class Step:
    """One scripted action. ``type`` types ``text`` (then Enter and waits for the prompt unless
    ``enter`` is false); ``wait`` pauses ``ms``; ``key`` presses ``text`` (a name in
    :data:`KEYS`; Enter waits for the prompt)."""

    kind: Literal["type", "wait", "key"]
    text: str = ""
    ms: int = 0
    enter: bool = True
    chars_per_s: float | None = None
    at: str = ""  # words of the narration the step starts at

    def describe(self) -> str:
        if self.kind == "type":
            return f"`{self.text}`"
        if self.kind == "wait":
            return f"wait {self.ms} ms"
        return f"key {self.text}"

    @property
    def waits_for_prompt(self) -> bool:
        return (self.kind == "type" and self.enter) or (self.kind == "key" and self.text == "Enter")


def _bad(index: int, message: str) -> InvalidInput:
    return InvalidInput(f"terminal script step {index}: {message}")


def _step(index: int, raw: object) -> Step:
    if not isinstance(raw, Mapping):
        return _fail(index, f'expected a table such as {{ type = "ls" }}, got {raw!r}')
    kinds = [k for k in ("type", "wait", "key") if k in raw]
    if len(kinds) != 1:
        return _fail(index, f"give exactly one of type, wait, key (got {sorted(raw)})")
    extra = set(raw) - {kinds[0], "enter", "chars_per_s", "at"}
    if extra:
        return _fail(index, f"unknown field(s) {', '.join(sorted(extra))}")
    at = raw.get("at", "")
    if not isinstance(at, str):
        return _fail(index, f"at names words of the narration, got {at!r}")
    at = " ".join(at.split())
    kind, value = kinds[0], raw[kinds[0]]
    if kind == "wait":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 600_000:
            return _fail(index, f"wait takes milliseconds 0..600000, got {value!r}")
        return Step("wait", ms=value, at=at)
    if not isinstance(value, str) or not value:
        return _fail(index, f"{kind} takes a non-empty string, got {value!r}")
    if kind == "key":
        if value not in KEYS:
            return _fail(index, f"unknown key {value!r} (known: Enter, Tab, Ctrl-C, Up, ...)")
        return Step("key", value, at=at)
    if "\n" in value or "\r" in value:
        return _fail(index, "a typed command is one line; use one step per command")
    enter, cps = raw.get("enter", True), raw.get("chars_per_s")
    if not isinstance(enter, bool):
        return _fail(index, f"enter is true or false, got {enter!r}")
    if cps is not None and (isinstance(cps, bool) or not isinstance(cps, int | float) or cps <= 0):
        return _fail(index, f"chars_per_s must be a positive number, got {cps!r}")
    cps = None if cps is None else float(cps)
    return Step("type", value, enter=enter, chars_per_s=cps, at=at)


def _fail(index: int, message: str) -> Step:
    raise _bad(index, message)


@dataclass(frozen=True, slots=True)
class TerminalScript:
    """The steps of a session, the typing pace and the shell (``bash`` or ``sh``)."""

    steps: tuple[Step, ...]
    chars_per_s: float = 14.0
    hold_ms: int = 1000  # the last screen stays this long
    shell: str = "bash"
    title: str = "bash"
    seed: int = 0  # the typing rhythm's jitter
    theme: str = "dark"  # an editor theme: dark, light or a pygments style

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> TerminalScript:
        """From a TOML table: ``steps`` (a list of one-key tables) and optional ``chars_per_s``,
        ``hold_ms``, ``shell``, ``title``, ``seed``, ``theme``."""
        unknown = set(table) - {
            "steps",
            "chars_per_s",
            "hold_ms",
            "shell",
            "title",
            "seed",
            "theme",
        }
        if unknown:
            raise InvalidInput(f"terminal script: unknown key(s) {', '.join(sorted(unknown))}")
        raw = table.get("steps")
        if not isinstance(raw, list) or not raw:
            raise InvalidInput("terminal script: `steps` must be a non-empty list of tables")
        steps = tuple(_step(i, item) for i, item in enumerate(raw, 1))
        cps = table.get("chars_per_s", 14.0)
        if isinstance(cps, bool) or not isinstance(cps, int | float) or cps <= 0:
            raise InvalidInput(f"terminal script: chars_per_s must be positive, got {cps!r}")
        shell = table.get("shell", "bash")
        if shell not in ("bash", "sh"):
            raise InvalidInput(f"terminal script: shell is bash or sh, got {shell!r}")
        hold = table.get("hold_ms", 1000)
        if isinstance(hold, bool) or not isinstance(hold, int) or hold < 0:
            raise InvalidInput(f"terminal script: hold_ms must be >= 0, got {hold!r}")
        title, seed, theme = table.get("title", shell), table.get("seed", 0), table.get("theme")
        if not isinstance(title, str) or isinstance(seed, bool) or not isinstance(seed, int):
            raise InvalidInput("terminal script: title is a string and seed an integer")
        if not isinstance(theme, str | None):
            raise InvalidInput("terminal script: theme is a string")
        return cls(steps, float(cps), hold, shell, title, seed, theme or "dark")

    @classmethod
    def from_toml(cls, text: str, table: str | None = None) -> TerminalScript:
        """From TOML text: the whole document, or its table called ``table``."""
        try:
            data: dict[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(f"terminal script: not valid TOML ({exc})") from exc
        if table is not None:
            found = data.get(table)
            if not isinstance(found, dict):
                raise InvalidInput(f"terminal script: no table [{table}]")
            data = found
        return cls.from_mapping(data)
