"""``vidkit write``, ``plan``, ``revise`` and ``lexicon``: authoring with the configured LLM.

The model is ``[llm] backend`` (the embedded SmolLM2 by default: weak but valid, for demos and
tests). Answers stream in as a progress bar on a terminal; a summary line (tokens, seconds)
and any notes (input shortened, a non-English topic) go to stderr, results to stdout.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vidkit.cli._common import JsonFlag, Session, fail, session
from vidkit.cli._output import duration, print_json, table

if TYPE_CHECKING:
    from vidkit.authoring import LLM, PlanMode

Slug = Annotated[str, typer.Argument(metavar="SLUG", help="The project's slug.")]

lexicon_app = typer.Typer(
    help="The project's pronunciation lexicon, and proposals for it from the LLM.",
    no_args_is_help=True,
)


class _Progress:
    """Tokens streaming in, as a bar on a terminal; one summary line on stderr at the end."""

    def __init__(self, label: str, *, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled
        self.start = time.monotonic()
        self.done = 0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        self.done = done
        if not self.enabled or total <= 0:
            return
        filled = min(30, done * 30 // total)
        rate = done / max(1e-6, time.monotonic() - self.start)
        typer.echo(
            f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} tokens "
            f"{rate:4.0f}/s",
            nl=False,
            err=True,
        )
        self.shown = True

    def finish(self, *, cached: bool, tokens: int, seconds: float, notes: Any = ()) -> None:
        if self.shown:
            typer.echo(err=True)
        if cached:
            typer.echo(f"{self.label}: cached (same inputs, model and prompt)", err=True)
        else:
            rate = f", {tokens / seconds:.0f} tokens/s" if seconds > 0 else ""
            typer.echo(f"{self.label}: {tokens} tokens in {seconds:.1f} s{rate}", err=True)
        for note in notes:
            typer.echo(f"note: {note}", err=True)


def _llm(s: Session) -> tuple[LLM, int]:
    from vidkit.authoring import build_llm

    config = s.config()
    return build_llm(config), config.llm.retries + 1


def _bar(label: str, as_json: bool) -> _Progress:
    return _Progress(label, enabled=not as_json and sys.stderr.isatty())


def _read(path: Path, what: str) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{what} {path} does not exist")
    except UnicodeDecodeError:
        fail(f"{what} {path} is not UTF-8 text")
    except OSError as exc:
        fail(f"cannot read {what} {path}: {exc.strerror or exc}")


def write(
    ctx: typer.Context,
    slug: Slug,
    topic: Annotated[str, typer.Option(help="What the video is about, in a line.")] = "",
    outline: Annotated[
        Path | None,
        typer.Option(help="An outline or notes to follow, from a text file ('-' reads stdin)."),
    ] = None,
    audience: Annotated[str, typer.Option(help="Who it is for.")] = "",
    minutes: Annotated[float, typer.Option(help="About how long, spoken.")] = 2.0,
    tone: Annotated[str, typer.Option(help="How it should sound.")] = "",
    source: Annotated[
        list[Path] | None,
        typer.Option(help="Source material (a code file, notes) to follow; repeatable."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write the narration script for a project from a topic or an outline."""
    from vidkit.authoring import write_script

    s = session(ctx)
    text = _read(outline, "outline file") if outline is not None else ""
    sources = {p.name: _read(p, "source file") for p in source or []}
    ws = s.workspace()
    ws.project(slug)
    llm, attempts = _llm(s)
    bar = _bar("write", as_json)
    script = write_script(
        ws, slug, llm, topic=topic, outline=text, audience=audience, minutes=minutes,
        tone=tone, sources=sources, attempts=attempts, progress=bar,
    )  # fmt: skip
    bar.finish(cached=script.cached, tokens=script.tokens, seconds=script.seconds,
               notes=script.notes)  # fmt: skip
    if as_json:
        print_json(
            {"script": script.asset.to_dict(), "title": script.title, "text": script.text,
             "notes": list(script.notes), "cached": script.cached}
        )  # fmt: skip
        return
    spoken = duration(round(script.word_count / 150 * 60_000))
    typer.echo(f"script  {ws.asset_path(script.asset)} ({script.word_count} words, ≈{spoken})")
    typer.echo(f"title   {script.title}\n")
    typer.echo(script.text)
    typer.echo(f"\nnext: {s.command('plan', slug)}")


def plan(
    ctx: typer.Context,
    slug: Slug,
    script: Annotated[
        Path | None,
        typer.Option(help="Plan this script file ('-' reads stdin) instead of the latest one."),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace existing scenes (saved first).")
    ] = False,
    append: Annotated[
        bool, typer.Option("--append", help="Add the planned scenes after existing ones.")
    ] = False,
    max_scenes: Annotated[
        int | None, typer.Option(min=1, max=40, help="At most this many scenes.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Cut the project's script into scenes (title, narration, screen, duration)."""
    from vidkit.authoring import plan_scenes, save_script
    from vidkit.cli._scenes import scene_table

    if replace and append:
        fail("pass --replace or --append, not both")
    s = session(ctx)
    ws = s.workspace()
    text = _read(script, "script file") if script is not None else None
    ws.project(slug)
    llm, attempts = _llm(s)
    bar = _bar("plan", as_json)
    mode: PlanMode = "replace" if replace else "append" if append else "new"
    result = plan_scenes(
        ws, slug, llm, script=text, mode=mode, max_scenes=max_scenes, attempts=attempts,
        progress=bar,
    )  # fmt: skip
    if script is not None and text is not None:  # your script becomes the project's latest
        save_script(ws, slug, text, source=script.name)
    bar.finish(cached=result.cached, tokens=result.tokens, seconds=result.seconds,
               notes=result.notes)  # fmt: skip
    if as_json:
        print_json(
            {"scenes": [sc.to_dict() for sc in result.scenes], "plan": result.asset.to_dict(),
             "backup": result.backup.to_dict() if result.backup else None,
             "notes": list(result.notes), "cached": result.cached}
        )  # fmt: skip
        return
    verb = {"new": "planned", "append": "appended", "replace": "replaced the scenes with"}[mode]
    typer.echo(f"{verb} {len(result.scenes)} scene(s) in project {slug}")
    if result.backup is not None:
        typer.echo(f"the previous scenes are saved in {ws.asset_path(result.backup)}")
    typer.echo(scene_table(ws.scenes(slug)))


def revise(
    ctx: typer.Context,
    slug: Slug,
    scene: Annotated[int, typer.Option("--scene", help="The scene's id (`vidkit scenes list`).")],
    ask: Annotated[
        str, typer.Option("--ask", help='How to change it: "shorter", "friendlier", "fit 20 s".')
    ],
    as_json: JsonFlag = False,
) -> None:
    """Rewrite one scene's narration as asked; the other scenes stay as they are."""
    from vidkit.authoring import revise_scene

    s = session(ctx)
    ws = s.workspace()
    ws.scene(slug, scene)
    llm, attempts = _llm(s)
    bar = _bar("revise", as_json)
    result = revise_scene(ws, slug, scene, llm, ask=ask, attempts=attempts, progress=bar)
    bar.finish(cached=result.cached, tokens=result.tokens, seconds=result.seconds)
    if as_json:
        print_json({"scene": result.scene.to_dict(), "before": result.before,
                    "revision": result.asset.to_dict(), "cached": result.cached})  # fmt: skip
        return
    before = len(result.before.split())
    typer.echo(
        f"revised scene {scene} ({result.scene.title}): {before} → {result.scene.word_count} "
        f"words, ≈{duration(result.scene.estimated_duration_ms)} spoken"
    )
    typer.echo(f"the previous narration is kept in {ws.asset_path(result.asset)}\n")
    typer.echo(result.scene.narration)


@lexicon_app.command("suggest")
def suggest(
    ctx: typer.Context,
    slug: Slug,
    apply: Annotated[
        bool, typer.Option("--apply", help="Add the proposals to the project lexicon.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Propose how to say the identifiers and acronyms in the project's script."""
    from vidkit.authoring import suggest_lexicon

    s = session(ctx)
    ws = s.workspace()
    ws.project(slug)
    llm, attempts = _llm(s)
    bar = _bar("lexicon", as_json)
    result = suggest_lexicon(ws, slug, llm, apply=apply, attempts=attempts, progress=bar)
    if result.asset is not None:
        meta = result.asset.metadata
        bar.finish(cached=result.cached, tokens=int(meta.get("tokens", 0)),
                   seconds=float(meta.get("seconds", 0.0)))  # fmt: skip
    if as_json:
        print_json({"candidates": list(result.candidates), "entries": result.entries,
                    "applied": result.applied})  # fmt: skip
        return
    if not result.candidates:
        typer.echo("no identifiers or acronyms that the lexicon does not cover already")
        return
    if result.entries:
        rows = [[term, say] for term, say in result.entries.items()]
        typer.echo(table(["TERM", "SAY"], rows, flex=1))
    else:
        typer.echo(f"no proposals for {', '.join(result.candidates)}")
    if apply:
        typer.echo(f"added {len(result.applied)} entr(ies) to the lexicon of {slug}")
    elif result.entries:
        typer.echo(f"to add them: {s.command('lexicon', 'suggest', slug, '--apply')}")


@lexicon_app.command("show")
def show(ctx: typer.Context, slug: Slug, as_json: JsonFlag = False) -> None:
    """The project's own lexicon entries (on top of the built-in ones)."""
    entries = session(ctx).workspace().lexicon(slug)
    if as_json:
        print_json(entries)
    elif entries:
        typer.echo(table(["TERM", "SAY"], [[k, v] for k, v in sorted(entries.items())], flex=1))
    else:
        typer.echo(f"project {slug} has no lexicon entries of its own")
