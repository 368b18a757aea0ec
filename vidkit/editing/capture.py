"""Scenes whose screen is captured from a script: a browser or a terminal session.

::

    set_capture_script(ws, "demo", scene.id, '''
    [browser]
    url = "https://example.com/"
    steps = [{ click = { text = "More information" }, at = "follow the link" }]
    ''')                                          # checked, stored as the scene's screen
    still = preview_capture_step(ws, "demo", scene.id, 1)   # a PNG of the page after step 1
    video = capture_scene(ws, "demo", scene.id)             # speaks if needed, then captures

The script is a ``capture_script`` asset of the scene (one at a time: a new one replaces the
old); its screen comes before the scene's recording, code file or image (see
:mod:`vidkit.pipeline.sources`). Capturing goes through the pipeline's graph and cache, as a
render does: an unchanged script, size, frame rate and tie times reuse the captured video.

``surface`` says where a call comes from: ``"local"`` (Python, the CLI, the studio) may run
terminal commands and open pages on this machine; ``"http"`` only as ``[services.capture]``
``allow_terminal`` and ``allow_local`` allow.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from vidkit.capture import (
    BrowserScript,
    BrowserStep,
    CaptureScript,
    Step,
    load_script,
    preview_step,
)
from vidkit.capture.run import check_allowed
from vidkit.capture.service import Surface, capture_options
from vidkit.errors import Hint, InvalidInput
from vidkit.model import TEXT_MAX, Asset, Scene
from vidkit.pipeline.events import Progress
from vidkit.pipeline.graph import SceneGraph
from vidkit.pipeline.sources import capture_script_asset, stills_folder
from vidkit.workspace import Workspace

__all__ = [
    "CaptureStep",
    "capture_scene",
    "capture_script",
    "capture_steps",
    "drop_capture_script",
    "preview_capture_step",
    "preview_path",
    "script_kind",
    "set_capture_script",
]


@dataclass(frozen=True, slots=True)
class CaptureStep:
    """One step of a capture script in words: its number, what it does, the narration's words
    it is tied to ("" for none)."""

    index: int
    kind: str
    description: str
    at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "kind": self.kind, "description": self.description,
                "at": self.at}  # fmt: skip


def script_kind(script: CaptureScript) -> Literal["browser", "terminal"]:
    """Which table the script has: ``browser`` or ``terminal``."""
    return "browser" if isinstance(script, BrowserScript) else "terminal"


def capture_steps(script: CaptureScript) -> list[CaptureStep]:
    """The steps of ``script`` (from :func:`vidkit.capture.load_script`), in words."""
    steps: Sequence[BrowserStep | Step] = script.steps
    return [
        CaptureStep(index, step.kind, step.describe(), step.at)
        for index, step in enumerate(steps, 1)
    ]


def _load(text: str) -> CaptureScript:
    """:func:`~vidkit.capture.load_script`, its mistakes said to be the script's."""
    try:
        return load_script(text)
    except InvalidInput as exc:
        exc.field = exc.field or "script"
        raise


def _scene(ws: Workspace, slug: str, scene_id: int) -> Scene:
    return ws.scene(slug, scene_id)


def _script_of(ws: Workspace, slug: str, scene: Scene) -> tuple[Asset, CaptureScript]:
    """The scene's stored script, or one line saying how to give it one."""
    asset = capture_script_asset(ws, slug, scene.id)
    if asset is None:
        raise InvalidInput(
            f"scene {scene.position} has no capture script",
            field="script",
            hint=Hint(
                "set_capture_script",
                cli=f"store one with `vidkit capture {slug} --scene {scene.position} "
                "--script FILE.toml`",
                studio="write one under “Screen from a script” and save it",
            ),
        )
    return asset, _load(ws.asset_path(asset).read_text(encoding="utf-8"))


def set_capture_script(
    ws: Workspace, slug: str, scene_id: int, text: str, *, surface: Surface = "local"
) -> Asset:
    """Check ``text`` (TOML with a ``[browser]`` or ``[terminal]`` table) and store it as the
    scene's capture script, replacing the one it had. A script with a mistake raises
    :class:`~vidkit.errors.InvalidInput` in one line naming the step, and the scene keeps what
    it had; so does one that ``surface`` may not run (a terminal script, or a local page,
    over HTTP unless ``[services.capture]`` allows it)."""
    scene = _scene(ws, slug, scene_id)
    if not isinstance(text, str) or len(text) > TEXT_MAX:
        raise InvalidInput(f"a capture script is text of at most {TEXT_MAX} characters",
                           field="script")  # fmt: skip
    script = _load(text)
    if surface != "local":
        check_allowed(script, capture_options(ws.config, surface))
    old = ws.assets(slug, scene_id=scene.id, kind="capture_script")
    kind = script_kind(script)
    stored = ws.import_stream(
        slug, io.BytesIO(text.encode("utf-8")), filename=f"{kind}-capture.toml",
        kind="capture_script", scene_id=scene.id,
        metadata={"script": kind, "steps": len(script.steps)},
    )  # fmt: skip
    for asset in old:
        ws.delete_asset(slug, asset.id)
    return stored


def capture_script(ws: Workspace, slug: str, scene_id: int) -> str | None:
    """The scene's capture script (its TOML text), or None when it has none."""
    asset = capture_script_asset(ws, slug, _scene(ws, slug, scene_id).id)
    return None if asset is None else ws.asset_path(asset).read_text(encoding="utf-8")


def drop_capture_script(ws: Workspace, slug: str, scene_id: int) -> None:
    """The scene no longer has a capture script: it shows its recording, code file or image
    again (its captured videos stay in the cache, for an undo)."""
    scene = _scene(ws, slug, scene_id)
    for asset in ws.assets(slug, scene_id=scene.id, kind="capture_script"):
        ws.delete_asset(slug, asset.id)


def capture_scene(
    ws: Workspace,
    slug: str,
    scene_id: int,
    *,
    surface: Surface = "local",
    progress: Progress | None = None,
) -> Asset:
    """Capture the scene's screen from its script, as a render would (through the cache),
    speaking the narration first when a step is tied to its words. Returns the captured video
    (a ``captured_screen`` asset; when each step ran is in its ``metadata["capture"]``). A
    failure raises its one-line error naming the step, and nothing is stored."""
    scene = _scene(ws, slug, scene_id)
    _script_of(ws, slug, scene)
    if ws.catalogue.scene_edit(slug, scene.id) is not None:
        raise InvalidInput(
            f"scene {scene.position} is made from a recording, which it shows instead of its "
            "capture script: stop using the recording for it first",
            field="script",
        )
    graph = SceneGraph(ws, slug, progress=progress, capture=surface)
    captured = graph.captured(ws.project(slug), scene, None)
    assert captured is not None  # the scene has a script and no recording
    return captured.video


def preview_path(ws: Workspace, slug: str, scene_id: int, step: int) -> Path:
    """Where :func:`preview_capture_step` writes the still of ``step``."""
    folder = ws.config.catalogue.path.parent / "previews" / slug
    return folder / f"capture-{scene_id}-{step}.png"


def preview_capture_step(
    ws: Workspace, slug: str, scene_id: int, step: int, *, surface: Surface = "local"
) -> Path:
    """A still (PNG, the project's size) of the scene's screen right after ``step``
    (1-based) of its script has run; nothing is stored in the catalogue. A step that fails
    saves a still of the page in the scene's capture folder and names it in its error."""
    scene = _scene(ws, slug, scene_id)
    _asset, script = _script_of(ws, slug, scene)
    project = ws.project(slug)
    options = capture_options(ws.config, surface, stills_dir=stills_folder(ws, slug, scene.id))
    out = preview_path(ws, slug, scene.id, step)
    return preview_step(script, step, out, size=(project.width, project.height), options=options)
