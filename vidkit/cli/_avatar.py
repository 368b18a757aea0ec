"""``vidkit avatar``, ``vidkit speak`` and ``vidkit animate``: the presenter, stage by stage.

Each command runs its stages through the cache, so running it again is instant and only the
stages whose inputs changed are redone; ``vidkit jobs`` style records land in the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vidkit.cli._common import JsonFlag, session
from vidkit.cli._logging import current as log_settings
from vidkit.cli._output import duration, print_json
from vidkit.cli._progress import Display, StageTally, Step, mode_for

if TYPE_CHECKING:
    from vidkit.config import Config
    from vidkit.stages.cutout import Cutout
    from vidkit.stages.rig import RigResult
    from vidkit.stages.speak import Speech
    from vidkit.workspace import Workspace

Matting = Annotated[
    str | None,
    typer.Option("--matting", help="Background removal: rembg or mediapipe (default: config)."),
]
SceneId = Annotated[int, typer.Option("--scene", help="The scene's id (see `vidkit scenes list`).")]
Voice = Annotated[
    str | None, typer.Option("--voice", help="A voice profile of the project, for cloning TTS.")
]


def _tag(cached: bool) -> str:
    return "cached" if cached else "done"


def _portrait(
    ws: Workspace, config: Config, slug: str, matting: str | None
) -> tuple[Cutout, RigResult]:
    from vidkit.backends import registry
    from vidkit.stages.cutout import cutout
    from vidkit.stages.rig import rig

    portrait = cutout(
        ws, slug, registry.build_matting(config, matting), max_side=config.avatar.max_side
    )
    typer.echo(f"cutout   {_tag(portrait.cached):7} {ws.asset_path(portrait.portrait)}")
    face = rig(ws, slug, registry.build_facerig(config), portrait=portrait.portrait)
    typer.echo(f"rig      {_tag(face.cached):7} {len(face.rig.landmarks)} landmarks")
    return portrait, face


def _speech(
    ws: Workspace, config: Config, slug: str, scene: int, voice: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> Speech:  # fmt: skip
    from vidkit.backends import registry
    from vidkit.stages.speak import speak as run_speak

    return run_speak(
        ws, slug, scene, registry.build_tts(config),
        chunk_chars=config.voice.chunk_chars, voice=voice, progress=progress,
    )  # fmt: skip


def avatar(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The project.")],
    photo: Annotated[
        Path | None,
        typer.Option("--photo", help="Import this portrait as the project's avatar photo first."),
    ] = None,
    matting: Matting = None,
) -> None:
    """Cut the avatar photo out of its background and find its face."""
    s = session(ctx)
    ws = s.workspace()
    if photo is not None:
        ws.import_asset(slug, photo, kind="avatar_image")
    _portrait(ws, s.config(), slug, matting)


def speak(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The project.")],
    scene: SceneId,
    voice: Voice = None,
    as_json: JsonFlag = False,
) -> None:
    """Speak one scene's narration; prints the audio file and its word timings."""
    s = session(ctx)
    ws = s.workspace()
    tally = StageTally(1, label="speak", weights={"speak": 1.0})
    mode = mode_for(as_json=as_json, quiet=log_settings().quiet, lines=False)
    with Display(tally, mode) as show:
        speech = _speech(
            ws, s.config(), slug, scene, voice, lambda d, t: show(Step("speak", None, d, t))
        )
        show(Step("speak", None, 1, 1, speech.cached))
    if as_json:
        words = [[w.word, w.start_ms, w.end_ms] for w in speech.timings.words]
        print_json({"audio": speech.audio.to_dict(), "cached": speech.cached, "words": words})
        return
    typer.echo(
        f"speak    {_tag(speech.cached):7} {ws.asset_path(speech.audio)} "
        f"({duration(speech.timings.duration_ms)}, {len(speech.timings.words)} words)"
    )


def animate(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The project.")],
    scene: SceneId,
    voice: Voice = None,
    matting: Matting = None,
) -> None:
    """Speak a scene and animate the presenter saying it (blinks, head motion, lip sync)."""
    from vidkit.backends import registry
    from vidkit.stages.animate import animate as run_animate

    s = session(ctx)
    ws, config = s.workspace(), s.config()
    speech = _speech(ws, config, slug, scene, voice)
    typer.echo(f"speak    {_tag(speech.cached):7} {duration(speech.timings.duration_ms)}")
    portrait, face = _portrait(ws, config, slug, matting)
    fps = ws.project(slug).fps
    with typer.progressbar(length=1, label="animate ", file=None) as bar:
        done = 0

        def progress(index: int, total: int) -> None:
            nonlocal done
            bar.length = total
            bar.update(index - done)
            done = index

        result = run_animate(
            ws, slug, scene, registry.build_animator(config),
            portrait=portrait.portrait, rig=face, speech=speech, fps=fps, progress=progress,
        )  # fmt: skip
    typer.echo(
        f"animate  {_tag(result.cached):7} {ws.asset_path(result.video)} ({result.frames} frames)"
    )
