"""rig: an RGBA portrait → face landmarks and blendshapes (exactly one face)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vidkit.backends.facerig import FaceRig, Rig
from vidkit.imaging import open_image
from vidkit.model import Asset
from vidkit.stages.step import Outputs, Step, Stored
from vidkit.workspace import Workspace

__all__ = ["STAGE", "VERSION", "RigResult", "rig"]

STAGE = "rig"
VERSION = 1


@dataclass(frozen=True)
class RigResult:
    asset: Asset  # JSON, kind face_rig
    rig: Rig
    cached: bool = False


def rig(ws: Workspace, portrait: Asset, facerig: FaceRig) -> Step[RigResult]:
    """Find the face in ``portrait`` (an ``avatar_cutout`` asset, or any image asset)."""
    name = str(portrait.metadata.get("filename", portrait.path))

    def work(folder: Path) -> Outputs:
        picture = open_image(ws.asset_path(portrait), max_side=None, name=name)
        found = facerig.detect(picture.over((255, 255, 255)), name=name)
        out = folder / "rig.json"
        out.write_text(found.to_json(), encoding="utf-8")
        return {"rig": (out, "face_rig")}

    def read(stored: Stored) -> RigResult:
        text = ws.asset_path(stored.asset).read_text(encoding="utf-8")
        return RigResult(stored.asset, Rig.from_json(text), stored.cached)

    return Step(
        stage=STAGE,
        version=VERSION,
        fingerprint=facerig.fingerprint(),
        inputs=[portrait.sha256],
        params={},
        work=work,
        read=read,
        metadata={"portrait_asset_id": portrait.id},
    )
