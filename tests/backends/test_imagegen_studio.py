"""The studio's avatar generator panel: candidates side by side, marked as illustrations,
one picked becomes the avatar; a bad request is shown, not raised."""

from __future__ import annotations

from pathlib import Path

from tests.widgets.conftest import fast_workspace
from widgets.avatar_generation import AvatarGenerator
from widgets.errors import ErrorBox


def test_generate_show_and_pick(tmp_path: Path) -> None:
    ws = fast_workspace(tmp_path)
    ws.create_project("demo", "Demo")
    changed: list[bool] = []
    message = ErrorBox()
    panel = AvatarGenerator(ws, message, lambda: changed.append(True))
    panel.show("demo")
    panel.prompt.value = ""
    assert panel.generate() == [] and message.is_error and "describe" in message.message
    panel.prompt.value = "man with a beard"
    panel.count.value = 2
    made = panel.generate()
    assert len(made) == 2 and len(panel.candidates.children) == 2
    assert panel.progress.value == 1.0 and "illustrations" in panel.status.value
    photo = panel.pick(made[0].id)
    assert photo is not None and photo.kind == "avatar_image" and changed == [True]
    assert ws.assets("demo", kind="avatar_image")


def test_the_studio_has_the_panel_for_the_open_project(tmp_path: Path) -> None:
    from widgets.studio import Studio

    ws = fast_workspace(tmp_path)
    ws.create_project("demo", "Demo")
    studio = Studio(ws, background=False)
    studio.open_project("demo")
    assert studio.avatar_maker.slug == "demo"
    assert studio.avatar_section in studio.project_view.children
