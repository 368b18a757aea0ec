"""analyse: a recording → where speech is, where the screen is idle, a waveform strip.

See :mod:`vidkit.recordings.analysis` (coarse to fine, without decoding the picture). Keyed by
the recording's content, so scenes cut from one recording share one analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vidkit.model import Asset
from vidkit.recordings.analysis import ANALYSIS_VERSION, Analysis, analyse
from vidkit.stages.step import Outputs, Progress, Step, Stored
from vidkit.workspace import Workspace

__all__ = ["STAGE", "VERSION", "Analysed", "analyse_recording"]

STAGE = "analyse"
VERSION = 1


@dataclass(frozen=True)
class Analysed:
    asset: Asset  # kind "analysis", JSON
    analysis: Analysis
    cached: bool = False


def analyse_recording(
    ws: Workspace, recording: Asset, *, progress: Progress | None = None
) -> Step[Analysed]:
    """Analyse ``recording`` (a ``screen_capture`` asset)."""
    name = str(recording.metadata.get("filename", recording.path))

    def work(folder: Path) -> Outputs:
        found = analyse(ws.asset_path(recording), name=name, progress=progress)
        out = folder / "analysis.json"
        out.write_text(found.to_json(), encoding="utf-8")
        return {"analysis": (out, "analysis")}

    def read(stored: Stored) -> Analysed:
        text = ws.asset_path(stored.asset).read_text(encoding="utf-8")
        return Analysed(stored.asset, Analysis.from_json(text), stored.cached)

    return Step(
        stage=STAGE,
        version=VERSION,
        fingerprint=f"vidkit-analysis:v{ANALYSIS_VERSION}",
        inputs=[recording.sha256],
        params={},
        work=work,
        read=read,
        metadata={"recording_asset_id": recording.id},
    )
