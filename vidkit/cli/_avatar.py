"""``vidkit avatar``, ``vidkit speak`` and ``vidkit animate``: the presenter, stage by stage.

Each command runs the pipeline's own graph (:class:`vidkit.pipeline.SceneGraph`) through the
cache, so running it again is instant, only the stages whose inputs changed are redone, and
a later ``vidkit render`` reuses what these made.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vidkit.cli._common import JsonFlag, session
from vidkit.cli._logging import current as log_settings
from vidkit.cli._output import duration, print_json
from vidkit.cli._progress import Display, StageTally, mode_for

if TYPE_CHECKING:
    from vidkit.config import Config
    from vidkit.pipeline import Event, Presenter, SceneGraph
    from vidkit.workspace import Workspace

Matting = Annotated[
    str | None,
    typer.Option("--matting", help="Background removal: rembg or mediapipe (default: config)."),
]
SceneId = Annotated[int, typer.Option("--scene", help="The scene's id (see `vidkit scenes list`).")]
Voice = Annotated[
    str | None,
    typer.Option(
        "--voice",
        help="Speak in this voice profile of the project instead of the project's own voice.",
    ),
]


def _tag(cached: bool) -> str:
    return "cached" if cached else "done"


def _graph(
    ws: Workspace,
    config: Config,
    slug: str,
    *,
    matting: str | None = None,
    voice: str | None = None,
    heard: list[Event] | None = None,
) -> SceneGraph:
    """The project's graph, with the matting chosen on the command line, if any; the events
    it reports are kept in ``heard``."""
    from vidkit.backends import registry
    from vidkit.pipeline import SceneGraph

    backends = {"matting": registry.build_matting(config, matting)} if matting else {}
    keep = heard.append if heard is not None else None
    return SceneGraph(ws, slug, progress=keep, backends=backends, voice=voice)


def _presenter(ws: Workspace, graph: SceneGraph, slug: str, heard: list[Event]) -> Presenter:
    from vidkit.backends.facerig import Rig
    from vidkit.errors import NotFound

    presenter = graph.presenter()
    if presenter is None:
        raise NotFound(
            f"project {slug!r} has no avatar photo; import one with `vidkit avatar {slug} "
            f"--photo portrait.png` or `vidkit assets import {slug} portrait.png --kind "
            "avatar_image`"
        )
    cached = {e.stage: e.cached for e in heard}
    portrait = ws.asset_path(ws.catalogue.asset(presenter.portrait))
    rig = Rig.from_json(ws.asset_path(ws.catalogue.asset(presenter.rig)).read_text())
    typer.echo(f"cutout   {_tag(cached.get('cutout', False)):7} {portrait}")
    typer.echo(f"rig      {_tag(cached.get('rig', False)):7} {len(rig.landmarks)} landmarks")
    return presenter


def avatar(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The project.")],
    photo: Annotated[
        Path | None,
        typer.Option("--photo", help="Import this portrait as the project's avatar photo first."),
    ] = None,
    matting: Matting = None,
) -> None:
    """Cut the avatar photo out of its background and find its face. A new --photo becomes
    the avatar only once both have worked; otherwise the previous one stays."""
    s = session(ctx)
    ws = s.workspace()
    heard: list[Event] = []
    graph = _graph(ws, s.config(), slug, matting=matting, heard=heard)
    if photo is not None:
        graph.adopt_photo(photo)
    _presenter(ws, graph, slug, heard)


def speak(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The project.")],
    scene: SceneId,
    voice: Voice = None,
    as_json: JsonFlag = False,
) -> None:
    """Speak one scene's narration; prints the audio file and its word timings."""
    from vidkit.pipeline import SceneGraph

    s = session(ctx)
    ws = s.workspace()
    tally = StageTally(1, label="speak", weights={"speak": 1.0})
    mode = mode_for(as_json=as_json, quiet=log_settings().quiet, lines=False)
    with Display(tally, mode) as show:
        graph = SceneGraph(ws, slug, progress=show, voice=voice)
        speech = graph.speech(ws.scene(slug, scene))
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
    s = session(ctx)
    ws = s.workspace()
    heard: list[Event] = []
    graph = _graph(ws, s.config(), slug, matting=matting, voice=voice, heard=heard)
    chosen = ws.scene(slug, scene)
    speech = graph.speech(chosen)
    typer.echo(f"speak    {_tag(speech.cached):7} {duration(speech.timings.duration_ms)}")
    presenter = _presenter(ws, graph, slug, heard)
    tally = StageTally(1, label="animate", weights={"animate": 1.0})
    mode = mode_for(as_json=False, quiet=log_settings().quiet, lines=False)
    with Display(tally, mode) as show:
        graph.say = show
        result, _ = graph.animation(ws.project(slug), chosen, speech, presenter, compose_live=False)
    assert result is not None  # there is a presenter, so there is an animation
    typer.echo(
        f"animate  {_tag(result.cached):7} {ws.asset_path(result.video)} ({result.frames} frames)"
    )


def avatar_generate(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The project.")],
    prompt: Annotated[
        str | None,
        typer.Option("--prompt", help="Describe the presenter, e.g. 'smiling woman, glasses'."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="The first candidate's seed.")] = 0,
    count: Annotated[int, typer.Option("--count", help="How many candidates (1..8).")] = 3,
    pick: Annotated[
        int | None,
        typer.Option("--pick", help="Make this candidate (an asset id) the project's avatar."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Generate candidate avatar portraits ([services.image]; offline: illustrations), then
    `--pick ID` one: it is cut out and rigged like a photo and becomes the avatar."""
    from vidkit.editing.avatar_generation import adopt_avatar_candidate, generate_avatar_candidates
    from vidkit.errors import InvalidInput

    s = session(ctx)
    ws = s.workspace()
    if pick is not None:
        photo, presenter = adopt_avatar_candidate(ws, slug, pick)
        if as_json:
            print_json({"avatar_image": photo.to_dict(), "portrait": presenter.portrait})
        else:
            typer.echo(f"avatar   done    asset {photo.id} (from candidate {pick})")
        return
    if not prompt:
        raise InvalidInput("give --prompt to generate candidates, or --pick ID to choose one")

    def show(index: int, total: int, fraction: float) -> None:
        if not as_json and not log_settings().quiet and fraction >= 1.0:
            typer.echo(f"candidate {index + 1}/{total} done", err=True)

    made = generate_avatar_candidates(ws, slug, prompt, seed=seed, count=count, progress=show)
    if as_json:
        print_json({"candidates": [a.to_dict() for a in made]})
        return
    for asset in made:
        meta = asset.metadata
        kind = "illustration" if meta.get("illustration") else "image"
        typer.echo(
            f"{asset.id:>5}  seed {meta.get('seed')}  {meta.get('generated_by')} {kind}  "
            f"{ws.asset_path(asset)}"
        )
    typer.echo(f"pick one: vidkit avatar-generate {slug} --pick ID")
