"""The tools: projects, scenes, writing and planning with the LLM, rendering, the QC report.

Each answers structured content (the JSON the CLI's ``--json`` and the HTTP API use for the
same things) or, when vidkit refuses, a tool error in plain words (:mod:`._errors`). Work that
takes long (a render, an LLM step) runs on a worker thread and reports progress in words.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import ToolAnnotations
from pydantic import Field

from vidkit.errors import Conflict, InvalidInput
from vidkit.mcp_server._errors import tool_errors
from vidkit.mcp_server._progress import RenderProgress, Say, in_thread
from vidkit.mcp_server._state import State
from vidkit.mcp_server._views import qc_view

__all__ = ["register"]

Slug = Annotated[str, Field(description="The project's slug (list_projects shows them).")]
SceneId = Annotated[int, Field(description="The scene's id (not its position).")]
Narration = Annotated[str | None, Field(description="What the presenter says in this scene.")]
Notes = Annotated[str | None, Field(description="Notes for the author; not spoken.")]
TargetMs = Annotated[
    int | None, Field(description="How long the scene should last, in milliseconds.")
]
Corner = Annotated[
    Literal["top-left", "top-right", "bottom-left", "bottom-right"] | None,
    Field(description="Pin the presenter to this corner of the frame."),
]
Scale = Annotated[
    float | None, Field(description="The presenter's height as a fraction of the frame, 0.05..1.")
]
Captions = Annotated[bool | None, Field(description="Burn captions into the video.")]

_READ = ToolAnnotations(read_only_hint=True, open_world_hint=False)
_WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)
_DELETE = ToolAnnotations(read_only_hint=False, destructive_hint=True, open_world_hint=False)
_LLM = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=True)


def _given(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def register(server: MCPServer[Any], state: State) -> None:
    """Add every tool to ``server``, working on ``state``'s workspace."""
    _projects(server, state)
    _scenes(server, state)
    _authoring(server, state)
    _render(server, state)


def _projects(server: MCPServer[Any], state: State) -> None:
    ws = state.workspace

    @server.tool(annotations=_READ)
    @tool_errors
    def list_projects() -> dict[str, Any]:
        """List the projects of the workspace, most recently changed first."""
        return {"projects": [p.to_dict() for p in ws.projects()]}

    @server.tool(annotations=_READ)
    @tool_errors
    def show_project(slug: Slug) -> dict[str, Any]:
        """A project's settings and its scenes in order (ids, narration, layout)."""
        return {
            "project": ws.project(slug).to_dict(),
            "scenes": [s.to_dict() for s in ws.scenes(slug)],
        }

    @server.tool(annotations=_WRITE)
    @tool_errors
    def create_project(
        slug: Annotated[
            str, Field(description="Short name: lowercase letters, digits and hyphens.")
        ],
        title: str,
        subtitle: str = "",
        description: str = "",
        width: Annotated[int | None, Field(description="Frame width (default 1920).")] = None,
        height: Annotated[int | None, Field(description="Frame height (default 1080).")] = None,
        fps: Annotated[
            int | float | str | None,
            Field(description="Frame rate: 30, 29.97 or '30000/1001' (default 30)."),
        ] = None,
    ) -> dict[str, Any]:
        """Create an empty project; add scenes to it next (add_scene, or write_script and
        plan_scenes)."""
        fields = _given(width=width, height=height, fps=fps)
        project = ws.create_project(
            slug, title, subtitle=subtitle, description=description, **fields
        )
        return project.to_dict()


def _scenes(server: MCPServer[Any], state: State) -> None:
    ws = state.workspace

    @server.tool(annotations=_WRITE)
    @tool_errors
    def add_scene(
        slug: Slug,
        title: str,
        narration: Narration = None,
        notes: Notes = None,
        target_duration_ms: TargetMs = None,
        position: Annotated[
            int | None, Field(description="1-based place in the order (default: at the end).")
        ] = None,
        avatar_corner: Corner = None,
        avatar_scale: Scale = None,
        captions: Captions = None,
    ) -> dict[str, Any]:
        """Add a scene to a project; the presenter speaks its narration when it renders."""
        fields = _given(
            narration=narration, notes=notes, target_duration_ms=target_duration_ms,
            avatar_corner=avatar_corner, avatar_scale=avatar_scale, captions=captions,
        )  # fmt: skip
        return ws.add_scene(slug, title, position=position, **fields).to_dict()

    @server.tool(annotations=_WRITE)
    @tool_errors
    def edit_scene(
        slug: Slug,
        scene_id: SceneId,
        title: str | None = None,
        narration: Narration = None,
        notes: Notes = None,
        target_duration_ms: TargetMs = None,
        position: Annotated[
            int | None, Field(description="Move the scene to this 1-based place.")
        ] = None,
        avatar_corner: Corner = None,
        avatar_scale: Scale = None,
        captions: Captions = None,
    ) -> dict[str, Any]:
        """Change a scene's fields (only those given) or move it; the next render remakes
        only what the change affects."""
        changes = _given(
            title=title, narration=narration, notes=notes, target_duration_ms=target_duration_ms,
            avatar_corner=avatar_corner, avatar_scale=avatar_scale, captions=captions,
        )  # fmt: skip
        if not changes and position is None:
            raise InvalidInput("nothing to change: give one or more fields to set")
        scene = ws.update_scene(slug, scene_id, **changes) if changes else ws.scene(slug, scene_id)
        if position is not None and position != scene.position:
            ws.move_scene(slug, scene_id, position)
            scene = ws.scene(slug, scene_id)
        return scene.to_dict()

    @server.tool(annotations=_DELETE)
    @tool_errors
    def delete_scene(slug: Slug, scene_id: SceneId) -> dict[str, Any]:
        """Delete a scene and the files only it used; the scenes after it move up."""
        ws.delete_scene(slug, scene_id)
        return {"deleted": scene_id, "scenes": [s.to_dict() for s in ws.scenes(slug)]}


def _authoring(server: MCPServer[Any], state: State) -> None:
    from vidkit.authoring import plan_scenes as plan
    from vidkit.authoring import revise_scene as revise
    from vidkit.authoring import save_script
    from vidkit.authoring import write_script as write

    ws = state.workspace

    def tokens(say: Say) -> Any:
        """The LLM's token counts as progress: a percentage when it rises."""
        said = [0]

        def progress(done: int, total: int) -> None:
            percent = min(99, done * 100 // total) if total > 0 else 0
            if percent > said[0]:
                said[0] = percent
                say(percent, f"{done} of about {total} tokens")

        return progress

    @server.tool(annotations=_LLM)
    @tool_errors
    async def write_script(
        slug: Slug,
        ctx: Context[Any, Any],
        topic: Annotated[str, Field(description="What the video is about, in a line.")] = "",
        outline: Annotated[str, Field(description="An outline or notes to follow.")] = "",
        audience: str = "",
        minutes: Annotated[float, Field(description="About how long, spoken.", gt=0)] = 2.0,
        tone: str = "",
    ) -> dict[str, Any]:
        """Write the project's narration script from a topic or an outline with the configured
        LLM; plan_scenes then cuts it into scenes."""

        def work(say: Say) -> dict[str, Any]:
            ws.project(slug)  # an unknown project is said before the LLM is set up
            with state.writing:
                script = write(
                    ws, slug, state.llm(), topic=topic, outline=outline, audience=audience,
                    minutes=minutes, tone=tone, attempts=state.attempts, progress=tokens(say),
                )  # fmt: skip
            return {
                "title": script.title, "text": script.text, "word_count": script.word_count,
                "notes": list(script.notes), "cached": script.cached,
                "script": script.asset.to_dict(),
            }  # fmt: skip

        return await in_thread(ctx, work)

    @server.tool(annotations=_LLM)
    @tool_errors
    async def plan_scenes(
        slug: Slug,
        ctx: Context[Any, Any],
        mode: Annotated[
            Literal["new", "append", "replace"],
            Field(
                description="new: the project must have no scenes; append: after them; "
                "replace: instead of them (saved first)."
            ),
        ] = "new",
        max_scenes: Annotated[int | None, Field(ge=1, le=40)] = None,
        script: Annotated[
            str | None,
            Field(
                description="Plan this text (kept as the project's script) instead of the "
                "latest written one."
            ),
        ] = None,
    ) -> dict[str, Any]:
        """Cut the project's script into scenes (title, narration, screen, duration) with the
        configured LLM."""

        def work(say: Say) -> dict[str, Any]:
            ws.project(slug)  # an unknown project is said before the LLM is set up

            with state.writing:
                result = plan(
                    ws, slug, state.llm(), script=script, mode=mode, max_scenes=max_scenes,
                    attempts=state.attempts, progress=tokens(say),
                )  # fmt: skip
            if script is not None:
                save_script(ws, slug, script, source="mcp")
            return {
                "scenes": [s.to_dict() for s in result.scenes], "plan": result.asset.to_dict(),
                "backup": result.backup.to_dict() if result.backup else None,
                "notes": list(result.notes), "cached": result.cached,
            }  # fmt: skip

        return await in_thread(ctx, work)

    @server.tool(annotations=_LLM)
    @tool_errors
    async def revise_scene(
        slug: Slug,
        scene_id: SceneId,
        ask: Annotated[
            str, Field(description='How to change it: "shorter", "friendlier", "fit 20 s".')
        ],
        ctx: Context[Any, Any],
    ) -> dict[str, Any]:
        """Rewrite one scene's narration as asked with the configured LLM; the previous
        narration is kept, the other scenes stay as they are."""

        def work(say: Say) -> dict[str, Any]:
            ws.scene(slug, scene_id)  # an unknown scene is said before the LLM is set up
            with state.writing:
                result = revise(
                    ws, slug, scene_id, state.llm(), ask=ask, attempts=state.attempts,
                    progress=tokens(say),
                )  # fmt: skip
            return {"scene": result.scene.to_dict(), "before": result.before,
                    "cached": result.cached}  # fmt: skip

        return await in_thread(ctx, work)


def _render(server: MCPServer[Any], state: State) -> None:
    from vidkit.editing import film_qc
    from vidkit.pipeline import render as run

    ws = state.workspace

    @server.tool(annotations=_WRITE)
    @tool_errors
    async def render(
        slug: Slug,
        ctx: Context[Any, Any],
        scenes: Annotated[
            list[int] | None,
            Field(description="Render only the scenes at these positions (no joined video)."),
        ] = None,
        workers: Annotated[int | None, Field(ge=1, description="Scenes at once.")] = None,
    ) -> dict[str, Any]:
        """Render the project to an MP4 with captions and chapters (scenes that did not change
        come from the cache), with progress in words, and check each scene; answers the video's
        path and each scene's quality checks."""

        def work(say: Say) -> dict[str, Any]:
            if not state.rendering.acquire(blocking=False):
                raise Conflict("another render is running on this server; wait until it ends")
            try:
                count = len(scenes) if scenes else len(ws.scenes(slug))
                tally = RenderProgress(count, assemble=not scenes)
                if count:
                    say(0, f"rendering {count} scene(s) of {slug}")
                result = run(
                    ws, slug, positions=scenes or None, workers=workers,
                    progress=lambda event: _say(say, tally.add(event)),
                )  # fmt: skip
                if tally.said < 100:
                    say(100, "done")
            finally:
                state.rendering.release()
            film = film_qc(ws, slug) if result.final is not None else None
            return {
                "project": slug,
                "video": str(result.final) if result.final is not None else None,
                "sidecars": {name: str(path) for name, path in sorted(result.sidecars.items())},
                "seconds": round(result.seconds, 2),
                "duration_ms": result.report.get("duration_ms"),
                "scenes": [
                    {"position": s.position, "scene_id": s.scene_id, "title": s.title,
                     "cached": all(s.cached.values()), "video": str(ws.asset_path(s.video)),
                     "duration_ms": s.report.get("duration_ms"), "qc": _qc(s.report.get("qc"))}
                    for s in result.scenes
                ],
                "film_qc": film.to_dict() if film is not None else None,
            }  # fmt: skip

        return await in_thread(ctx, work)

    @server.tool(annotations=_READ)
    @tool_errors
    def qc_report(
        slug: Slug,
        scenes: Annotated[
            list[int] | None,
            Field(description="Only the scenes at these positions, with every check."),
        ] = None,
    ) -> dict[str, Any]:
        """The quality checks measured on the rendered scenes and the film: A/V offset,
        captions, loudness, clipping, silence, black or frozen picture, the presenter's face,
        a recording's fit. A scene changed since its render has none until it renders again."""
        return qc_view(ws, slug, positions=scenes)


def _say(say: Say, said: tuple[int, str] | None) -> None:
    if said is not None:
        say(*said)


def _qc(report: Any) -> dict[str, Any] | None:
    """A scene's QC in a render's report: its status and its amber and red items."""
    if not report:
        return None
    return {"status": report.get("status"), "flagged": list(report.get("flagged", ()))}
