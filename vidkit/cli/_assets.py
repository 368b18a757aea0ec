"""``vidkit assets``: import files into a project's asset store and list them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vidkit.cli._common import JsonFlag, session
from vidkit.cli._output import duration, print_json, size, table
from vidkit.model import ASSET_KINDS

if TYPE_CHECKING:
    from vidkit.model import Asset

app = typer.Typer(help="Import files into a project and list its assets.", no_args_is_help=True)

Slug = Annotated[str, typer.Argument(metavar="SLUG", help="The project's slug.")]
_KINDS = ", ".join(sorted(ASSET_KINDS))


def _summary(asset: Asset) -> str:
    meta = asset.metadata
    parts = [asset.kind]
    if asset.duration_ms is not None:
        parts.append(duration(asset.duration_ms))
    if meta.get("width") and meta.get("height"):
        parts.append(f"{meta['width']}x{meta['height']}")
    parts.append(size(asset.size_bytes))
    return ", ".join(parts)


@app.command("import")
def import_asset(
    ctx: typer.Context,
    slug: Slug,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The file to copy into the asset store.")
    ],
    kind: Annotated[str, typer.Option(help=f"What the file is: {_KINDS}.")],
    scene: Annotated[int | None, typer.Option(help="Attach it to this scene id.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Copy a file into the project's assets (media files must decode). An avatar_image
    becomes the presenter only once it has been cut out and its face found."""
    from vidkit.editing import import_asset

    asset = import_asset(session(ctx).workspace(), slug, file, kind=kind, scene_id=scene)
    if as_json:
        print_json(asset.to_dict())
        return
    owner = f"scene {asset.scene_id}" if asset.scene_id is not None else f"project {slug}"
    typer.echo(f"imported {file.name} into {owner} as asset {asset.id} ({_summary(asset)})")


@app.command("list")
def list_assets(
    ctx: typer.Context,
    slug: Slug,
    scene: Annotated[int | None, typer.Option(help="Only this scene's assets.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only assets of this kind.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List a project's assets."""
    assets = session(ctx).workspace().assets(slug, scene_id=scene, kind=kind)
    if as_json:
        print_json([a.to_dict() for a in assets])
        return
    if not assets:
        typer.echo(
            f"no assets match; import one with `vidkit assets import {slug} FILE --kind KIND`"
        )
        return
    headers = ["ID", "KIND", "SCENE", "FILE", "DURATION", "SIZE"]
    rows = [
        [
            str(a.id),
            a.kind,
            str(a.scene_id) if a.scene_id is not None else "-",
            str(a.metadata.get("filename", a.path)),
            duration(a.duration_ms),
            size(a.size_bytes),
        ]
        for a in assets
    ]
    typer.echo(table(headers, rows, flex=3, right={0, 2, 4, 5}))
