"""``vidkit scenes``: the ordered scenes of a project, addressed by their stable ids."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vidkit.cli._common import JsonFlag, YesFlag, confirm, fail, given, session
from vidkit.cli._output import duration, print_json, table

if TYPE_CHECKING:
    from vidkit.model import Scene

app = typer.Typer(
    help="List, add, change, reorder and delete the scenes of a project.", no_args_is_help=True
)

Slug = Annotated[str, typer.Argument(metavar="SLUG", help="The project's slug.")]
SceneId = Annotated[
    int,
    typer.Argument(metavar="SCENE_ID", help="The scene's id, as `vidkit scenes list` shows it."),
]
Narration = Annotated[str | None, typer.Option(help="What the avatar says in this scene.")]
NarrationFile = Annotated[
    Path | None,
    typer.Option(help="Read the narration from a UTF-8 text file ('-' reads stdin)."),
]
Notes = Annotated[str | None, typer.Option(help="Notes for yourself; not spoken.")]
TargetMs = Annotated[
    int | None, typer.Option(help="How long the scene should last, in milliseconds.")
]
Corner = Annotated[
    str | None,
    typer.Option(help="Pin the avatar to top-left, top-right, bottom-left or bottom-right."),
]
AvatarX = Annotated[
    float | None,
    typer.Option(help="Avatar centre as a fraction of the width, 0..1 (with --avatar-y)."),
]
AvatarY = Annotated[
    float | None,
    typer.Option(help="Avatar centre as a fraction of the height, 0..1 (with --avatar-x)."),
]
AvatarScale = Annotated[
    float | None, typer.Option(help="Avatar height as a fraction of the frame, 0.05..1.")
]
AvatarMargin = Annotated[
    int | None, typer.Option(help="Pixels between a pinned avatar and the frame edge.")
]
Captions = Annotated[
    bool | None, typer.Option("--captions/--no-captions", help="Burn captions into the video.")
]


def scene_table(scenes: Sequence[Scene]) -> str:
    """The scenes in order, with their ids (used by ``scenes list`` and ``projects show``)."""
    headers = ["#", "ID", "TITLE", "WORDS", "SPOKEN", "TARGET"]
    rows = [
        [
            str(s.position),
            str(s.id),
            s.title,
            str(s.word_count),
            "≈" + duration(s.estimated_duration_ms),
            duration(s.target_duration_ms),
        ]
        for s in scenes
    ]
    return table(headers, rows, flex=2, right={0, 1, 3, 4, 5})


def _read_narration(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read().strip()
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        fail(f"narration file {path} does not exist")
    except UnicodeDecodeError:
        fail(f"narration file {path} is not UTF-8 text")
    except OSError as exc:
        fail(f"cannot read narration file {path}: {exc.strerror or exc}")


def _fields(narration: str | None, narration_file: Path | None, **options: Any) -> dict[str, Any]:
    """Scene fields from the options given, with the narration read from its file if asked."""
    if narration is not None and narration_file is not None:
        fail("pass --narration or --narration-file, not both")
    if narration_file is not None:
        narration = _read_narration(narration_file)
    return given(narration=narration, **options)


def _show_order(ctx: typer.Context, slug: str, scenes: Sequence[Scene], as_json: bool) -> None:
    if as_json:
        print_json([s.to_dict() for s in scenes])
    elif scenes:
        typer.echo(scene_table(scenes))
    else:
        hint = session(ctx).command("scenes", "add", slug, "--title", "Welcome")
        typer.echo(f"project {slug} has no scenes yet; add one with: {hint}")


@app.command("list")
def list_scenes(ctx: typer.Context, slug: Slug, as_json: JsonFlag = False) -> None:
    """List a project's scenes in order."""
    _show_order(ctx, slug, session(ctx).workspace().scenes(slug), as_json)


@app.command()
def add(
    ctx: typer.Context,
    slug: Slug,
    title: Annotated[str, typer.Option(help="The scene's title.")],
    narration: Narration = None,
    narration_file: NarrationFile = None,
    notes: Notes = None,
    target_duration_ms: TargetMs = None,
    position: Annotated[int | None, typer.Option(help="1-based; default: at the end.")] = None,
    avatar_corner: Corner = None,
    avatar_x: AvatarX = None,
    avatar_y: AvatarY = None,
    avatar_scale: AvatarScale = None,
    avatar_margin: AvatarMargin = None,
    captions: Captions = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a scene (at the end, or at --position)."""
    fields = _fields(
        narration,
        narration_file,
        notes=notes,
        target_duration_ms=target_duration_ms,
        avatar_corner=avatar_corner,
        avatar_x=avatar_x,
        avatar_y=avatar_y,
        avatar_scale=avatar_scale,
        avatar_margin=avatar_margin,
        captions=captions,
    )
    scene = session(ctx).workspace().add_scene(slug, title, position=position, **fields)
    if as_json:
        print_json(scene.to_dict())
    else:
        typer.echo(f"added scene {scene.id} at position {scene.position}: {scene.title}")


@app.command()
def update(
    ctx: typer.Context,
    slug: Slug,
    scene_id: SceneId,
    title: Annotated[str | None, typer.Option(help="The scene's title.")] = None,
    narration: Narration = None,
    narration_file: NarrationFile = None,
    notes: Notes = None,
    target_duration_ms: TargetMs = None,
    avatar_corner: Corner = None,
    avatar_x: AvatarX = None,
    avatar_y: AvatarY = None,
    avatar_scale: AvatarScale = None,
    avatar_margin: AvatarMargin = None,
    captions: Captions = None,
    as_json: JsonFlag = False,
) -> None:
    """Change a scene's fields."""
    changes = _fields(
        narration,
        narration_file,
        title=title,
        notes=notes,
        target_duration_ms=target_duration_ms,
        avatar_corner=avatar_corner,
        avatar_x=avatar_x,
        avatar_y=avatar_y,
        avatar_scale=avatar_scale,
        avatar_margin=avatar_margin,
        captions=captions,
    )
    if not changes:
        fail(
            "nothing to change: pass one or more options; `vidkit scenes update --help` lists them"
        )
    scene = session(ctx).workspace().update_scene(slug, scene_id, **changes)
    if as_json:
        print_json(scene.to_dict())
    else:
        typer.echo(f"updated scene {scene.id}: {', '.join(sorted(changes))}")


@app.command()
def move(
    ctx: typer.Context,
    slug: Slug,
    scene_id: SceneId,
    to: Annotated[int, typer.Option("--to", help="The new 1-based position.")],
    as_json: JsonFlag = False,
) -> None:
    """Move a scene to another position; prints the new order."""
    _show_order(ctx, slug, session(ctx).workspace().move_scene(slug, scene_id, to), as_json)


@app.command()
def delete(ctx: typer.Context, slug: Slug, scene_id: SceneId, yes: YesFlag = False) -> None:
    """Delete a scene with its assets and job records."""
    ws = session(ctx).workspace()
    scene = ws.scene(slug, scene_id)
    confirm(
        f"Delete scene {scene.id} ({scene.position}. {scene.title}) of project {slug}?",
        yes=yes,
        action=f"delete scene {scene_id} of project {slug}",
    )
    ws.delete_scene(slug, scene_id)
    typer.echo(f"deleted scene {scene_id} of project {slug}")
