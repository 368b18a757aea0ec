"""``vidkit capture``: a scene's screen captured from a script (a browser or terminal session).

``--script FILE.toml`` stores the script first (checked: a mistake is one line naming the
step, and the scene keeps its old script); then the scene is captured through the cache, as a
render would (the narration is spoken first when a step is tied to its words), and the video
and each step's time are printed. ``--preview STEP`` writes a still of the screen right after
that step instead; ``--show`` prints the stored script and ``--remove`` takes it away. All of
them call :mod:`vidkit.editing.capture`.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vidkit.cli._common import JsonFlag, scene_at, session
from vidkit.cli._logging import current as log_settings
from vidkit.cli._output import duration, print_json
from vidkit.cli._progress import Display, StageTally, mode_for

if TYPE_CHECKING:
    from vidkit.model import Asset

__all__ = ["capture"]

#: What capturing a scene runs, and the share of the time each usually takes.
_WEIGHTS = {"speak": 0.15, "capture": 0.85}


def _read(path: Path) -> str:
    from vidkit.errors import InvalidInput

    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise InvalidInput(f"cannot read {path}: {reason}", field="script") from None


def _copy(source: Path, target: Path) -> Path:
    target = target.expanduser()
    if target.is_dir():
        target = target / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def _steps(video: Asset, text: str) -> list[dict[str, Any]]:
    """Each step in words, with when it ran (seconds of the captured video)."""
    from vidkit.capture import load_script
    from vidkit.editing.capture import capture_steps

    meta = video.metadata.get("capture") or {}
    times = {int(i): (float(a), float(b)) for i, a, b in meta.get("steps", ())}
    out = []
    for step in capture_steps(load_script(text)):
        start, end = times.get(step.index, (None, None))
        out.append({**step.to_dict(), "start_s": start, "end_s": end})
    return out


def capture(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(metavar="PROJECT", help="The project's slug.")],
    scene: Annotated[
        int,
        typer.Option(
            "--scene", min=1, help="The scene's position (1 is the first; `vidkit scenes list`)."
        ),
    ],
    script: Annotated[
        Path | None,
        typer.Option(
            "--script",
            metavar="FILE.toml",
            help="Store this capture script as the scene's screen first ('-' reads stdin).",
        ),
    ] = None,
    preview: Annotated[
        int | None,
        typer.Option(
            "--preview",
            metavar="STEP",
            min=1,
            help="Write a still of the screen right after step STEP, instead of capturing.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="PATH", help="Also copy the video (or the still) to PATH."),
    ] = None,
    show: Annotated[
        bool, typer.Option("--show", help="Print the scene's capture script and stop.")
    ] = False,
    remove: Annotated[
        bool,
        typer.Option("--remove", help="Take the scene's capture script away and stop."),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Capture a scene's screen from its script: a browser or terminal session (docs/capture.md).

    Prints where the video is and when each step ran; --preview STEP prints where the still is.
    """
    from vidkit.editing import capture as editing

    ws = session(ctx).workspace()
    chosen = scene_at(ws, slug, scene)
    if script is not None:
        stored = editing.set_capture_script(ws, slug, chosen.id, _read(script))
        if not as_json:
            typer.echo(f"script:  stored for scene {scene} ({stored.metadata.get('steps')} steps)")
    if remove:
        editing.drop_capture_script(ws, slug, chosen.id)
        if as_json:
            print_json({"scene_id": chosen.id, "position": scene, "script": None})
        else:
            typer.echo(f"scene {scene} has no capture script now: it shows its other screen")
        return
    text = editing.capture_script(ws, slug, chosen.id)
    if text is None:
        from vidkit.errors import InvalidInput

        hint = session(ctx).command("capture", slug, "--scene", str(scene), "--script", "FILE")
        raise InvalidInput(
            f"scene {scene} has no capture script: store one with {hint}", field="script"
        )
    if show:
        if as_json:
            print_json({"scene_id": chosen.id, "position": scene, "script": text})
        else:
            typer.echo(text.rstrip("\n"))
        return
    if preview is not None:
        still = editing.preview_capture_step(ws, slug, chosen.id, preview)
        copied = _copy(still, out) if out is not None else None
        if as_json:
            print_json({"scene_id": chosen.id, "position": scene, "step": preview,
                        "still": str(still), "copy": str(copied) if copied else None})  # fmt: skip
            return
        typer.echo(f"still:   {still}  (the screen right after step {preview})")
        if copied is not None:
            typer.echo(f"copy:    {copied}")
        return
    tally = StageTally(1, label="capture", weights=_WEIGHTS)
    with Display(tally, mode_for(as_json=as_json, quiet=log_settings().quiet)) as display:
        video = editing.capture_scene(ws, slug, chosen.id, progress=display)
    path = ws.asset_path(video)
    copied = _copy(path, out) if out is not None else None
    steps = _steps(video, text)
    meta = video.metadata.get("capture") or {}
    if as_json:
        print_json({
            "scene_id": chosen.id, "position": scene, "video": video.to_dict(),
            "path": str(path), "copy": str(copied) if copied else None, "steps": steps,
            "warnings": list(meta.get("warnings", ())),
        })  # fmt: skip
        return
    typer.echo(f"video:   {path}  ({duration(video.duration_ms)}, {meta.get('kind', '?')})")
    if copied is not None:
        typer.echo(f"copy:    {copied}")
    for step in steps:
        when = f"{step['start_s']:6.2f} s" if step["start_s"] is not None else "      -"
        tied = f"  (at {step['at']!r})" if step["at"] else ""
        typer.echo(f"step {step['index']:<3} {when}  {step['description']}{tied}")
    for warning in meta.get("warnings", ()):
        typer.echo(f"warning: {warning}")
