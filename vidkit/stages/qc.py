"""qc: a composed scene → its QC report (JSON, kind ``qc_report``), measured on the files.

The checks (:func:`vidkit.qc.check_scene`) read the scene MP4, the narration WAV it was made
from and the caption cues rendered with it. The key holds the scene video's sha256, the
narration's, the cues', the word timings', the checks' :data:`VERSION`, every ``[qc]`` limit,
the scene facts (presenter box, screen, fit) and the face landmarker's fingerprint, so a
changed limit re-judges and an unchanged scene is checked once.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vidkit.backends.facerig import FaceRig
from vidkit.config import QcConfig
from vidkit.model import Asset
from vidkit.qc import QcReport, SceneFacts, check_scene
from vidkit.stages.step import Outputs, Progress, Step, Stored, text_hash
from vidkit.timing import Timings
from vidkit.workspace import Workspace

__all__ = ["STAGE", "VERSION", "Checked", "qc"]

STAGE = "qc"
VERSION = 2  # 2: without a presenter the picture may stand still

Cue = tuple[int, int, str]


@dataclass(frozen=True)
class Checked:
    """A scene's QC report (``asset``: its JSON, kind ``qc_report``)."""

    asset: Asset
    report: QcReport
    cached: bool = False


def qc(
    ws: Workspace,
    scene_id: int,
    video: Asset,
    *,
    narration: Asset | None,
    timings: Timings,
    cues: Sequence[Cue],
    facts: SceneFacts,
    limits: QcConfig,
    facerig: FaceRig | None,
    progress: Progress | None = None,
) -> Step[Checked]:
    """Check the composed scene ``video`` (kind ``composited_scene``) made from the speech
    ``narration`` (its WAV asset) with these word ``timings`` and caption ``cues``."""
    face = facerig.fingerprint() if facerig is not None and facts.presenter else "none"

    def work(folder: Path) -> Outputs:
        report = check_scene(
            ws.asset_path(video),
            narration=ws.asset_path(narration) if narration is not None else None,
            timings=timings, cues=cues, facts=facts, limits=limits, facerig=facerig,
            progress=progress,
        )  # fmt: skip
        out = folder / "qc.json"
        out.write_text(report.to_json(), encoding="utf-8")
        return {"qc": (out, "qc_report")}

    def read(stored: Stored) -> Checked:
        text = ws.asset_path(stored.asset).read_text(encoding="utf-8")
        return Checked(stored.asset, QcReport.from_json(text), stored.cached)

    return Step(
        stage=STAGE,
        version=VERSION,
        fingerprint=f"ffmpeg+{face}",
        inputs=[
            video.sha256,
            narration.sha256 if narration is not None else "",
            text_hash(json.dumps([list(c) for c in cues], ensure_ascii=False)),
            text_hash(timings.to_json()),
        ],
        params={
            "limits": limits.model_dump(mode="json"),
            "facts": json.loads(json.dumps(dataclasses.asdict(facts))),
        },
        work=work,
        read=read,
        scene_id=scene_id,
        metadata={"video_asset_id": video.id, "video_sha256": video.sha256},
    )
