"""``vidkit captions``: a scene's captions one by one, and editing the ones that should not read
as they are said (:mod:`vidkit.editing.captions`).

Without options it lists each caption with its times, what it shows, and — where the caption
and the speech part ways ("SQL" said as "sequel") — what is said. ``--edit N TEXT`` shows TEXT
in place of caption N at the same times; ``--reset N`` puts it back to the words;
``--drop-stale`` forgets edits whose caption the words no longer make.
"""

from __future__ import annotations

from typing import Annotated

import typer

from vidkit.cli._common import JsonFlag, SceneOption, scene_at, session
from vidkit.cli._output import print_json, table

__all__ = ["captions"]


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.1f}"


def captions(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(metavar="PROJECT", help="The project's slug.")],
    scene: SceneOption,
    edit: Annotated[
        tuple[int, str] | None,
        typer.Option(
            "--edit", metavar="N TEXT", help="Show TEXT in place of caption N (same times)."
        ),
    ] = None,
    reset: Annotated[
        int | None,
        typer.Option("--reset", metavar="N", min=1, help="Put caption N back to the words."),
    ] = None,
    drop_stale: Annotated[
        bool,
        typer.Option("--drop-stale", help="Forget edits that no caption reads any more."),
    ] = False,
    differs: Annotated[
        bool,
        typer.Option("--differs", help="List only the captions that read otherwise than said."),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """List a scene's captions, or edit one where it should not read as it is said.

    The times are the spoken narration's once the scene is spoken, else estimated. An edit
    keeps the caption's times; render again to burn it in (only that scene is composed again).
    """
    from vidkit import editing

    ws = session(ctx).workspace()
    chosen = scene_at(ws, slug, scene)
    if edit is not None:
        number, text = edit
        editing.edit_caption(ws, slug, chosen.id, number, text)
    if reset is not None:
        editing.edit_caption(ws, slug, chosen.id, reset, "")  # blank: back to the words
    if drop_stale:
        editing.drop_stale_caption_edits(ws, slug, chosen.id)
    found = editing.scene_captions(ws, slug, chosen.id)
    rows = [r for r in found.rows if r.differs or r.edited] if differs else list(found.rows)
    if as_json:
        print_json({"scene_id": chosen.id, "position": scene, **found.to_dict()})
        return
    if not found.rows:
        typer.echo(f"scene {scene} has no captions: its narration has no words")
    elif rows:
        cells = [
            [str(r.number), f"{_seconds(r.start_ms)}–{_seconds(r.end_ms)}",
             ("✎ " if r.edited else "") + " ".join(r.shown.split()),
             r.said if r.differs else ""]
            for r in rows
        ]  # fmt: skip
        typer.echo(table(["#", "seconds", "caption", "said (where it differs)"], cells, flex=2))
    else:
        typer.echo("every caption reads as it is said")
    if not found.spoken and found.rows:
        typer.echo("times: estimated — the scene is not spoken yet")
    for stale in found.stale:
        typer.echo(f"stale edit: no caption reads {stale.was!r} any more (--drop-stale forgets it)")
