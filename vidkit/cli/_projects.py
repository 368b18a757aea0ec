"""``vidkit projects``: list, create, show, update, delete and import projects."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vidkit.cli._common import JsonFlag, YesFlag, confirm, fail, given, session
from vidkit.cli._output import clip, print_json, table, terminal_width, text_width, when
from vidkit.cli._scenes import scene_table

if TYPE_CHECKING:
    from vidkit.model import Project

app = typer.Typer(help="List, create, show, change and delete projects.", no_args_is_help=True)

Slug = Annotated[
    str,
    typer.Argument(metavar="SLUG", help="The project's slug, as `vidkit projects list` shows it."),
]
Title = Annotated[str | None, typer.Option(help="The title shown in the video.")]
Subtitle = Annotated[str | None, typer.Option(help="A line under the title.")]
Description = Annotated[str | None, typer.Option(help="What the video is about.")]
Width = Annotated[int | None, typer.Option(help="Frame width in pixels (even, 16..7680).")]
Height = Annotated[int | None, typer.Option(help="Frame height in pixels (even, 16..7680).")]
Fps = Annotated[str | None, typer.Option(help="Frame rate, such as 30 or 30000/1001.")]
Voice = Annotated[
    str | None,
    typer.Option(
        help="The voice profile every narration is spoken in; '' for the speech backend's "
        "default voice."
    ),
]


@app.command("list")
def list_projects(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List projects, most recently changed first."""
    state = session(ctx)
    projects = state.workspace().projects()
    if as_json:
        print_json([p.to_dict() for p in projects])
    elif not projects:
        hint = state.command("projects", "create", "--slug", "my-video", "--title", "My video")
        typer.echo(f"no projects yet; create one with: {hint}")
    else:
        rows = [[p.slug, p.title, str(p.scene_count), when(p.updated_at)] for p in projects]
        typer.echo(table(["SLUG", "TITLE", "SCENES", "UPDATED"], rows, flex=1, right={2}))


@app.command()
def create(
    ctx: typer.Context,
    slug: Annotated[str, typer.Option(help="Lowercase letters, digits and hyphens: intro-py.")],
    title: Annotated[str, typer.Option(help="The title shown in the video.")],
    subtitle: Subtitle = None,
    description: Description = None,
    width: Width = None,
    height: Height = None,
    fps: Fps = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a project."""
    state = session(ctx)
    fields = given(subtitle=subtitle, description=description, width=width, height=height, fps=fps)
    project = state.workspace().create_project(slug, title, **fields)
    if as_json:
        print_json(project.to_dict())
        return
    typer.echo(f"created project {project.slug}: {project.title}")
    hint = state.command("scenes", "add", project.slug, "--title", "Welcome")
    typer.echo(f"next: add a scene with: {hint}")


@app.command()
def show(ctx: typer.Context, slug: Slug, as_json: JsonFlag = False) -> None:
    """Show a project and its scenes."""
    ws = session(ctx).workspace()
    project = ws.project(slug)
    scenes = ws.scenes(slug)
    if as_json:
        print_json({"project": project.to_dict(), "scenes": [s.to_dict() for s in scenes]})
        return
    typer.echo(_describe(project))
    if scenes:
        typer.echo("")
        typer.echo(scene_table(scenes))


def _describe(project: Project) -> str:
    limit = terminal_width() - 14
    rows = [
        ("slug", project.slug),
        ("subtitle", project.subtitle),
        ("format", f"{project.width}x{project.height} @ {project.fps} fps"),
        ("voice", project.voice or "backend default"),
        ("scenes", str(project.scene_count)),
        ("created", when(project.created_at)),
        ("updated", when(project.updated_at)),
    ]
    if project.description:
        summary = " ".join(project.description.split())
        if text_width(summary) > limit:
            summary = f"{clip(summary, limit - 20)} ({len(project.description):,} chars)"
        rows.append(("description", summary))
    lines = [clip(" ".join(project.title.split()), terminal_width())]
    lines += [f"  {key:<11} {clip(' '.join(value.split()), limit)}" for key, value in rows if value]
    return "\n".join(lines)


@app.command()
def update(
    ctx: typer.Context,
    slug: Slug,
    new_slug: Annotated[str | None, typer.Option("--slug", help="Rename the project.")] = None,
    title: Title = None,
    subtitle: Subtitle = None,
    description: Description = None,
    width: Width = None,
    height: Height = None,
    fps: Fps = None,
    voice: Voice = None,
    as_json: JsonFlag = False,
) -> None:
    """Change a project's fields; --slug renames it, --voice chooses its narrator voice."""
    changes = given(
        slug=new_slug,
        title=title,
        subtitle=subtitle,
        description=description,
        width=width,
        height=height,
        fps=fps,
        voice=voice,
    )
    if not changes:
        fail(
            "nothing to change: pass one or more of --slug, --title, --subtitle, "
            "--description, --width, --height, --fps, --voice"
        )
    project = session(ctx).workspace().update_project(slug, **changes)
    if as_json:
        print_json(project.to_dict())
    else:
        typer.echo(f"updated project {project.slug}: {', '.join(sorted(changes))}")


@app.command()
def delete(ctx: typer.Context, slug: Slug, yes: YesFlag = False) -> None:
    """Delete a project with its scenes, assets and job records."""
    ws = session(ctx).workspace()
    project = ws.project(slug)
    assets = len(ws.assets(slug))
    confirm(
        f"Delete project {slug} ({project.title}) with {project.scene_count} scene(s) "
        f"and {assets} asset(s)?",
        yes=yes,
        action=f"delete project {slug}",
    )
    from vidkit.jobs import stop_project_jobs

    for job in stop_project_jobs(ws, slug):
        typer.echo(f"stopped its {job.kind} job {job.id}")
    ws.delete_project(slug)
    typer.echo(f"deleted project {slug}")


@app.command("import")
def import_project(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A TOML file with [project] and [[scenes]].")
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Make an existing project match the file.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Create a project from a TOML project file (or update it with --replace)."""
    from vidkit.example import load_project_file

    project = load_project_file(session(ctx).workspace(), file, replace=replace)
    if as_json:
        print_json(project.to_dict())
    else:
        typer.echo(
            f"imported project {project.slug}: {project.title} "
            f"({project.scene_count} scene(s)) from {file}"
        )
