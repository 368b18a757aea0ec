"""What a save in the scene editor writes: the fields that the edits changed (as
``Workspace.update_scene`` takes them), which of those someone else (another tab, the CLI)
changed meanwhile, and what the editor calls them when it says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from vidkit.model import Layout, Scene

__all__ = ["LABELS", "changed_fields", "conflict_message", "conflicting_fields", "saved_message"]

#: What the editor calls each field in its messages.
LABELS = {
    "title": "title",
    "narration": "narration",
    "avatar_corner": "presenter position",
    "avatar_x": "presenter position",
    "avatar_y": "presenter position",
    "avatar_scale": "presenter size",
    "avatar_margin": "margin",
    "captions": "captions",
}
_POSITION = ("avatar_corner", "avatar_x", "avatar_y")


def _value(scene: Scene, key: str) -> Any:
    return scene.to_dict()[key]


def changed_fields(scene: Scene, *, title: str, narration: str, layout: Layout) -> dict[str, Any]:
    """The fields of ``scene`` that the edited ``title``, ``narration`` and ``layout`` change,
    as ``update_scene`` takes them."""
    old, new = scene, layout
    out: dict[str, Any] = {}
    if title.strip() != old.title:
        out["title"] = title
    if narration != old.narration:
        out["narration"] = narration
    if (new.corner, new.x, new.y) != (old.layout.corner, old.layout.x, old.layout.y):
        if new.x is not None:
            out.update(avatar_x=new.x, avatar_y=new.y)
        else:
            out["avatar_corner"] = new.corner
    if new.scale != old.layout.scale:
        out["avatar_scale"] = new.scale
    if new.margin != old.layout.margin:
        out["avatar_margin"] = new.margin
    if new.captions != old.layout.captions:
        out["captions"] = new.captions
    return out


def conflicting_fields(
    loaded: Scene, fresh: Scene, changes: Mapping[str, Any], overwrite: Set[str]
) -> list[str]:
    """Changed fields that someone else also changed since the scene was ``loaded`` (``fresh``:
    the scene as saved now), except those in ``overwrite`` (the user chose to replace them).
    The presenter's corner and x, y count as one field, ``avatar_position``."""
    keys = set(changes)
    if keys & set(_POSITION):
        keys = (keys - set(_POSITION)) | {"avatar_position"}
    out = []
    for key in sorted(keys):
        fields = _POSITION if key == "avatar_position" else (key,)
        theirs = [_value(fresh, f) for f in fields]
        mine_before = [_value(loaded, f) for f in fields]
        if theirs != mine_before and key not in overwrite:
            out.append(key)
    return out


def conflict_message(found: list[str]) -> str:
    """What the editor says when a save finds :func:`conflicting_fields`."""
    names = sorted({LABELS.get(c, "presenter position") for c in found})
    return (
        f"The {' and '.join(names)} of this scene changed in another tab or program "
        "since you opened it. Click Save again to replace it with yours, or Reload "
        "to see the other version (your unsaved edits are then lost)."
    )


def saved_message(changes: Mapping[str, Any]) -> str:
    """What the editor says after saving ``changes``."""
    labels = ", ".join(dict.fromkeys(LABELS[k] for k in changes))
    return f"Scene saved ({labels})."
