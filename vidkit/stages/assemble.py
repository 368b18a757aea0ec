"""assemble: the project's rendered scenes → the finished video, captions and chapters.

Scenes are joined by stream copy (see :func:`vidkit.render.assemble.assemble`), loudness is
normalised, captions are written as SRT and WebVTT and chapters go into the MP4 and a
YouTube-style list. The result is cached by the scenes' content and copied to
``[render] output_dir`` as ``<slug>.mp4`` with its sidecars.

Between assemblies of a project, its decoded scene audio and the pieces of its AAC stream
are kept in the asset store's cache folder for the project (named by content, pruned as
they fall out of use), so re-assembling after one scene changed decodes that scene only and
encodes only the audio that moved.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vidkit.model import Asset
from vidkit.stages.step import Outputs, Progress, Step, Stored
from vidkit.workspace import Workspace

__all__ = ["SIDECARS", "STAGE", "VERSION", "Assembled", "assemble"]

STAGE = "assemble"
VERSION = 3  # 3: AAC without noise substitution; audio kept between assemblies

#: The final video's sidecar files: role -> suffix.
SIDECARS = {"srt": ".srt", "vtt": ".vtt", "chapters": ".chapters.txt"}


class Assembled(Stored):
    """The assembled video (``asset``) and its sidecars (``srt``, ``vtt``, ``chapters``)."""

    @property
    def report(self) -> dict[str, Any]:
        return dict(self.asset.metadata.get("report", {}))


def assemble(
    ws: Workspace,
    slug: str,
    title: str,
    scenes: Sequence[tuple[str, Asset, Asset]],
    *,
    progress: Progress | None = None,
) -> Step[Assembled]:
    """Join the rendered ``scenes`` (title, scene video, caption cues JSON; in order) into the
    project's video, titled ``title``."""
    from vidkit.render.assemble import assemble as join
    from vidkit.render.captions import CaptionCue

    report: dict[str, Any] = {}

    def work(folder: Path) -> Outputs:
        captions = [
            [CaptionCue(a, b, t) for a, b, t in json.loads(ws.asset_path(c).read_text("utf-8"))]
            for _, _, c in scenes
        ]
        out = folder / "video.mp4"
        result = join(
            [ws.asset_path(video) for _, video, _ in scenes], out,
            titles=[name for name, _, _ in scenes], captions=captions, title=title,
            progress=progress, cache=ws.store.cache_folder(STAGE, slug),
            keys=[video.sha256 for _, video, _ in scenes],
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
        for role, suffix in SIDECARS.items():
            side = out.with_name(out.stem + suffix)
            if side.is_file():
                outputs[role] = (side, "captions" if role in ("srt", "vtt") else "document")
        return outputs

    return Step(
        stage=STAGE,
        version=VERSION,
        fingerprint="ffmpeg-concat",
        inputs=[video.sha256 for _, video, _ in scenes] + [c.sha256 for _, _, c in scenes],
        params={"titles": [name for name, _, _ in scenes], "title": title},
        work=work,
        read=lambda stored: Assembled(stored.asset, stored.sidecars, stored.cached, stored.job),
        metadata={"report": report},
    )
