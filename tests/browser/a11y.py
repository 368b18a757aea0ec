"""Accessibility helpers for the browser tests: axe-core (installed from npm once, cached) and
moving focus with the keyboard only.

axe-core is the npm package ``axe-core`` at :data:`AXE_VERSION`; :func:`axe_script` installs it
with ``npm install`` into ``$XDG_CACHE_HOME/vidkit/npm/`` (``~/.cache`` by default) the first
time and returns the path of its ``axe.min.js``, which a test injects with Playwright's
``page.add_script_tag(path=...)``. No npm is a failure that says how to get it, never a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

AXE_VERSION = "4.14.1"
NO_NPM = (
    "npm is needed to install axe-core for the accessibility tests and was not found on PATH: "
    "install Node.js (Debian: apt-get install npm)"
)
SERIOUS = ("serious", "critical")


def _cache() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "vidkit" / "npm" / f"axe-core-{AXE_VERSION}"


def axe_script() -> Path:
    """The path of axe-core's ``axe.min.js``, installing it with npm the first time."""
    folder = _cache()
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if script.is_file():
        return script
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(NO_NPM)
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Install beside the cache and move it in whole: two test workers may both get here.
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".axe-") as tmp:
        result = subprocess.run(
            [npm, "install", "--prefix", tmp, "--no-audit", "--no-fund", "--no-save",
             f"axe-core@{AXE_VERSION}"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(
                f"npm install axe-core@{AXE_VERSION} failed ({result.returncode}):\n"
                f"{result.stderr[-2000:]}"
            )
        try:
            os.replace(tmp, folder)
        except OSError:
            if not script.is_file():  # not the other worker's install: a real failure
                raise
        else:
            Path(tmp).mkdir()  # for TemporaryDirectory's clean-up
    return script


def run_axe(page: Any, script: Path) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (all WCAG 2.x A/AA rules and best
    practices), each with its impact, rule id, help text and offending nodes."""
    page.add_script_tag(path=str(script))
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ['violations']});
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300),
                                      summary: n.failureSummary}))}));
        }"""
    )
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} ({v['help']})")
        lines.extend(f"    {n['target']}: {n['html']}" for n in v["nodes"][:5])
    return "\n".join(lines)


# --- the keyboard ------------------------------------------------------------------------

# True when the focused element is, or is inside, an element matching the selector.
_FOCUS_IN = """(selector) => {
  const el = document.activeElement;
  return !!el && el !== document.body && !!el.closest(selector);
}"""

_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const classes = (node) => (node && node.className && node.className.baseVal === undefined)
      ? String(node.className) : '';
  return {tag: el.tagName.toLowerCase(), classes: classes(el),
          widget: classes(el.closest('.jupyter-widgets')),
          outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
          outlineColor: style.outlineColor, text: (el.innerText || el.value || '').slice(0, 60)};
}"""


def focused(page: Any) -> dict[str, Any] | None:
    """What has the keyboard focus: its tag, classes, its widget's classes and its outline."""
    value: dict[str, Any] | None = page.evaluate(_FOCUSED)
    return value


def tab_to(page: Any, selector: str, *, limit: int = 200) -> int:
    """Press Tab until the focus is in ``selector`` (Shift+Tab if it is not ahead); return how
    many presses it took. Fails if the keyboard cannot reach it."""
    if page.evaluate(_FOCUS_IN, selector):
        return 0
    for key in ("Tab", "Shift+Tab"):
        for presses in range(1, limit + 1):
            page.keyboard.press(key)
            if page.evaluate(_FOCUS_IN, selector):
                return presses
    raise AssertionError(
        f"{selector} cannot be reached with Tab or Shift+Tab ({limit} presses each way)"
    )


def contrast(color: str, background: tuple[int, int, int] = (255, 255, 255)) -> float:
    """WCAG contrast ratio of a CSS ``rgb(...)``/``rgba(...)`` colour against ``background``."""
    parts = color[color.index("(") + 1 : color.index(")")].split(",")
    rgb = tuple(int(float(p)) for p in parts[:3])

    def luminance(c: tuple[int, ...]) -> float:
        def channel(v: int) -> float:
            s = v / 255
            return s / 12.92 if s <= 0.03928 else float(((s + 0.055) / 1.055) ** 2.4)

        r, g, b = (channel(v) for v in c)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted((luminance(rgb), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
