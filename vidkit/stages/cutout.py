"""cutout: the project's avatar photo → an RGBA portrait with its background removed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vidkit.workspace import Workspace
from vidkit.backends.matting import Matting
from vidkit.backends.matting.refine import EdgeSettings
from vidkit.backends.matting.refine import cutout as refine_cutout
from vidkit.errors import NotFound
from vidkit.imaging import load_image, save_png
from vidkit.model import Asset
from vidkit.stages.cache import Outputs, run_cached

__all__ = ["STAGE", "VERSION", "Cutout", "avatar_image", "cutout"]

STAGE = "cutout"
VERSION = 1


@dataclass(frozen=True)
class Cutout:
    portrait: Asset  # RGBA PNG, kind avatar_cutout
    cached: bool = False


def avatar_image(ws: Workspace, slug: str) -> Asset:
    """The project's avatar photo: its most recently imported ``avatar_image`` asset."""
    images = ws.assets(slug, kind="avatar_image")
    if not images:
        raise NotFound(
            f"project {slug!r} has no avatar photo; import one with `vidkit assets import {slug} "
            "portrait.png --kind avatar_image`"
        )
    return images[-1]


def cutout(
    ws: Workspace, slug: str, matting: Matting, *, image: Asset | None = None, max_side: int = 1024
) -> Cutout:
    """Cut the person out of ``image`` (default: the project's avatar photo)."""
    source = image or avatar_image(ws, slug)
    name = str(source.metadata.get("filename", source.path))

    def work(folder: Path) -> Outputs:
        rgb = load_image(ws.asset_path(source), max_side=max_side, name=name)
        rgba = refine_cutout(rgb, matting.mask(rgb), name=name)
        height, width = rgba.shape[:2]
        rgba = rgba[: height - height % 2, : width - width % 2]  # video codecs want even sizes
        out = save_png(rgba, folder / "cutout.png")
        return {"portrait": (out, "avatar_cutout")}

    result = run_cached(
        ws,
        slug,
        stage=STAGE,
        version=VERSION,
        fingerprint=f"{matting.fingerprint()}|{EdgeSettings().fingerprint()}",
        inputs=[source.sha256],
        params={"max_side": max_side},
        work=work,
        metadata={"source_asset_id": source.id},
    )
    return Cutout(result.asset, result.cached)
