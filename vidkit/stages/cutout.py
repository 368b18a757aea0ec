"""cutout: the project's avatar photo → an RGBA portrait with its background removed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vidkit.backends.matting import Matting
from vidkit.backends.matting.refine import EdgeSettings
from vidkit.backends.matting.refine import cutout as refine_cutout
from vidkit.imaging import load_image, save_png
from vidkit.model import Asset
from vidkit.stages.step import Outputs, Step
from vidkit.workspace import Workspace

__all__ = ["STAGE", "VERSION", "Cutout", "cutout"]

STAGE = "cutout"
VERSION = 1


@dataclass(frozen=True)
class Cutout:
    portrait: Asset  # RGBA PNG, kind avatar_cutout
    cached: bool = False


def cutout(ws: Workspace, image: Asset, matting: Matting, *, max_side: int = 1024) -> Step[Cutout]:
    """Cut the person out of ``image`` (an ``avatar_image`` asset)."""
    name = str(image.metadata.get("filename", image.path))

    def work(folder: Path) -> Outputs:
        rgb = load_image(ws.asset_path(image), max_side=max_side, name=name)
        rgba = refine_cutout(rgb, matting.mask(rgb), name=name)
        height, width = rgba.shape[:2]
        rgba = rgba[: height - height % 2, : width - width % 2]  # video codecs want even sizes
        out = save_png(rgba, folder / "cutout.png")
        return {"portrait": (out, "avatar_cutout")}

    return Step(
        stage=STAGE,
        version=VERSION,
        fingerprint=f"{matting.fingerprint()}|{EdgeSettings().fingerprint()}",
        inputs=[image.sha256],
        params={"max_side": max_side},
        work=work,
        read=lambda stored: Cutout(stored.asset, stored.cached),
        metadata={"source_asset_id": image.id},
    )
