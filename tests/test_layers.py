"""The house's layering, read from the source with ``ast``: no module imports a higher layer,
no two modules import each other (directly or round a longer loop), private modules are used
only inside their own package, and widgets use only vidkit's public API.

The layers, lowest first (docs/architecture.md draws them)::

    errors, hints, timing, cuts, _lazy
    model, config, timeline, visemes
    catalogue, assets, media, imaging, audio, video, models, workspace, fonts
    text
    backends (every role, LLMs included)
    render, screen, recordings, capture, qc
    stages
    pipeline
    editing, authoring, example, doctor, export, jobs
    api, cli, http, mcp_server, __main__, and the package itself
    widgets (outside vidkit: public API only)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

LAYERS: list[set[str]] = [
    {"errors", "hints", "timing", "cuts", "_lazy"},
    {"model", "config", "timeline", "visemes"},
    {"catalogue", "assets", "media", "imaging", "audio", "video", "models", "workspace", "fonts"},
    {"text"},
    {"backends"},
    {"render", "screen", "recordings", "capture", "qc"},
    {"stages"},
    {"pipeline"},
    {"editing", "authoring", "example", "doctor", "export", "jobs"},
    {"api", "cli", "http", "mcp_server", "__main__", ""},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}

#: What widgets may import from vidkit: these modules, and only the names in their ``__all__``.
PUBLIC_MODULES = (
    "vidkit",
    "vidkit.authoring",
    "vidkit.capture",
    "vidkit.config",
    "vidkit.editing",
    "vidkit.errors",
    "vidkit.example",
    "vidkit.jobs",
    "vidkit.model",
    "vidkit.pipeline",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> Iterator[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every absolute import in ``path``,
    wherever it stands (inside functions and ``TYPE_CHECKING`` blocks too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [a.name for a in node.names], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}:{node.lineno}: relative import; use an absolute one")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno


def package_of(module: str) -> str:
    """The top-level part of vidkit a module belongs to: ``vidkit.stages.speak`` → ``stages``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def vidkit_files() -> list[Path]:
    return sorted((ROOT / "vidkit").rglob("*.py"))


def test_every_part_of_vidkit_has_a_layer() -> None:
    parts = {package_of(module_name(p)) for p in vidkit_files()}
    assert parts - RANK.keys() == set(), "give new packages a layer in LAYERS (and the docs)"


def test_no_module_imports_a_higher_layer() -> None:
    wrong = []
    for path in vidkit_files():
        here = module_name(path)
        for target, _names, line in imports(path):
            if not target.startswith("vidkit.") and target != "vidkit":
                continue
            if RANK[package_of(target)] > RANK[package_of(here)]:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {here} imports {target}")
    assert wrong == []


def _resolve(target: str, names: list[str], known: set[str]) -> list[str]:
    """Modules an import statement loads: ``from vidkit.stages import speak`` loads
    ``vidkit.stages.speak`` when that is a module."""
    found = [f"{target}.{n}" for n in names if f"{target}.{n}" in known]
    return found or ([target] if target in known else [])


def test_no_import_cycles() -> None:
    files = vidkit_files()
    known = {module_name(p) for p in files}
    graph: dict[str, set[str]] = {m: set() for m in known}
    for path in files:
        here = module_name(path)
        for target, names, _line in imports(path):
            for module in _resolve(target, names, known):
                # a package's __init__ re-exporting its own modules is not a cycle
                if module != here and not module.startswith(here + "."):
                    graph[here].add(module)
    cycles = _cycles(graph)
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def test_private_modules_stay_inside_their_package() -> None:
    wrong = []
    for path in [*vidkit_files(), *sorted((ROOT / "widgets").rglob("*.py"))]:
        here = module_name(path)
        for target, names, line in imports(path):
            if not target.startswith("vidkit"):
                continue
            for module in [target, *(f"{target}.{n}" for n in names)]:
                parts = module.split(".")
                private = [i for i, p in enumerate(parts) if p.startswith("_")]
                if not private:
                    continue
                owner = ".".join(parts[: private[0]])
                if here != owner and not here.startswith(owner + "."):
                    wrong.append(f"{path.relative_to(ROOT)}:{line}: {here} imports {module}")
    assert wrong == []


@pytest.mark.parametrize("path", sorted((ROOT / "widgets").rglob("*.py")), ids=lambda p: p.name)
def test_widgets_use_only_the_public_api(path: Path) -> None:
    import importlib

    wrong = []
    for target, names, line in imports(path):
        if not (target == "vidkit" or target.startswith("vidkit.")):
            continue
        if target not in PUBLIC_MODULES:
            wrong.append(f"{path.name}:{line}: imports {target}, which is not public")
            continue
        public = set(importlib.import_module(target).__all__)
        wrong += [
            f"{path.name}:{line}: {target}.{n} is not public"
            for n in names
            if n not in public and f"{target}.{n}" not in PUBLIC_MODULES
        ]
    assert wrong == []


def test_the_layer_check_sees_a_cycle_and_an_upward_import() -> None:
    """The checks above would fail on the tree this test was written against."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert RANK["stages"] > RANK["workspace"] and RANK["text"] < RANK["backends"]
