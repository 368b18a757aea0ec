"""assemble: the project's rendered scenes → the finished video, captions and chapters.

Scenes are joined by stream copy (see :func:`vidkit.render.assemble.assemble`), loudness is
normalised, captions are written as SRT and WebVTT and chapters go into the MP4 and a
YouTube-style list. The result is cached by the scenes' content and copied to
``[render] output_dir`` as ``<slug>.mp4`` with its sidecars.

Between assemblies of a project, its decoded scene audio and the pieces of its AAC stream
are kept in ``<assets root>/cache/assemble/<slug>/`` (named by content, pruned as they fall
out of use), so re-assembling after one scene changed decodes that scene only and encodes
only the audio that moved.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vidkit.workspace import Workspace
from vidkit.config import Config
from vidkit.stages.cache import Outputs, run_cached

if TYPE_CHECKING:
    from vidkit.pipeline import Event, SceneResult

__all__ = ["STAGE", "VERSION", "assemble_project"]

STAGE = "assemble"
VERSION = 3  # 3: AAC without noise substitution; audio kept between assemblies

_SIDECARS = {"srt": ".srt", "vtt": ".vtt", "chapters": ".chapters.txt"}


def assemble_project(
    ws: Workspace,
    slug: str,
    scenes: Sequence[SceneResult],
    config: Config,
    say: Callable[[Event], None],
) -> tuple[Path, dict[str, Path], dict[str, Any]]:
    """Assemble the scenes (in order); returns the final video's path in ``output_dir``, its
    sidecar files and a report."""
    from vidkit.pipeline import Event
    from vidkit.render.assemble import assemble
    from vidkit.render.captions import CaptionCue

    with ws.catalogue.session():  # one connection for the lookups
        project = ws.project(slug)
        cue_assets = [
            ws.catalogue.asset(int(s.video.metadata["sidecars"]["captions"])) for s in scenes
        ]
    report: dict[str, Any] = {}

    def work(folder: Path) -> Outputs:
        captions = [
            [CaptionCue(a, b, t) for a, b, t in json.loads(ws.asset_path(c).read_text("utf-8"))]
            for c in cue_assets
        ]
        out = folder / "video.mp4"
        result = assemble(
            [ws.asset_path(s.video) for s in scenes], out,
            titles=[s.title for s in scenes], captions=captions, title=project.title,
            progress=lambda d, t: say(Event("assemble", None, d, t)),
            cache=ws.store.cache_folder(STAGE, slug), keys=[s.video.sha256 for s in scenes],
        )  # fmt: skip
        report.update(
            duration_ms=result.duration_ms,
            frames=result.frames,
            loudness_lufs=result.loudness_after.integrated_lufs if result.loudness_after else None,
            true_peak_dbtp=result.loudness_after.true_peak_dbtp if result.loudness_after else None,
            scene_starts_ms=[o.start_ms for o in result.scenes],
            warnings=list(result.warnings),
            seconds=round(result.seconds, 2),
            audio={
                "scenes_decoded": result.audio.scenes_decoded if result.audio else 0,
                "pieces_encoded": result.audio.pieces_encoded if result.audio else 0,
                "pieces_reused": result.audio.pieces_reused if result.audio else 0,
            },
        )
        outputs: Outputs = {"video": (out, "final_video")}
        for role, suffix in _SIDECARS.items():
            side = out.with_name(out.stem + suffix)
            if side.is_file():
                outputs[role] = (side, "captions" if role in ("srt", "vtt") else "document")
        return outputs

    result = run_cached(
        ws, slug, stage=STAGE, version=VERSION, fingerprint="ffmpeg-concat",
        inputs=[s.video.sha256 for s in scenes] + [c.sha256 for c in cue_assets],
        params={"titles": [s.title for s in scenes], "title": project.title},
        work=work, metadata={"report": report},
    )  # fmt: skip
    say(Event("assemble", None, 1, 1, result.cached))
    folder = config.render.output_dir
    folder.mkdir(parents=True, exist_ok=True)
    final = _publish(ws.asset_path(result.asset), folder / f"{slug}.mp4")
    sidecars = {
        role: _publish(ws.asset_path(asset), folder / f"{slug}{_SIDECARS[role]}")
        for role, asset in result.sidecars.items()
    }
    return final, sidecars, dict(result.asset.metadata.get("report", report))


def _publish(source: Path, target: Path) -> Path:
    """Copy a stored file to where users look for it (atomically)."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    shutil.copyfile(source, partial)
    os.replace(partial, target)
    return target
