"""The formats a rendered project is exported in, each through an OpenTimelineIO adapter:

========  ==========  ===============================================================
format    file        what it carries (see docs/export.md for what each one loses)
========  ==========  ===============================================================
otio      .otio       everything: four tracks, cuts, speed changes, held frames,
                      markers, vidkit's metadata (the one ``import-edit`` reads back)
fcpxml    .fcpxml     Final Cut Pro X: the tracks as lanes, clips, markers
fcp7xml   .xml        Final Cut Pro 7 / Premiere / Resolve XML: the tracks, clips, markers
edl       .edl        CMX 3600: one video track (the screen), speed changes (M2),
                      held frames, markers as LOC comments
========  ==========  ===============================================================
"""

from __future__ import annotations

import copy
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from vidkit.errors import BackendError, InvalidInput
from vidkit.export.build import export_timeline, marks
from vidkit.export.trims import time_scalar
from vidkit.hints import install
from vidkit.workspace import Workspace

__all__ = ["FORMATS", "Format", "default_path", "write_export", "write_timeline"]


@dataclass(frozen=True, slots=True)
class Format:
    """A file format: its suffix, the OpenTimelineIO adapter that writes it, and the pip
    package that holds that adapter."""

    suffix: str
    adapter: str
    package: str
    title: str


FORMATS: Final = {
    "otio": Format(".otio", "otio_json", "opentimelineio==0.18.1", "OpenTimelineIO"),
    "fcpxml": Format(".fcpxml", "fcpx_xml", "otio-fcpx-xml-adapter==1.0.0", "Final Cut Pro X XML"),
    "fcp7xml": Format(".xml", "fcp_xml", "otio-fcp-adapter==1.0.0", "Final Cut Pro 7 XML"),
    "edl": Format(".edl", "cmx_3600", "otio-cmx3600-adapter==1.0.0", "CMX 3600 EDL"),
}


def _format(name: str) -> Format:
    if name not in FORMATS:
        raise InvalidInput(
            f"there is no export format {name!r}; choose one of {', '.join(FORMATS)}",
            field="format",
        )
    return FORMATS[name]


def default_path(ws: Workspace, slug: str, name: str) -> Path:
    """Where an export goes unless told: beside the rendered video, ``<slug><suffix>``."""
    return ws.config.render.output_dir / f"{slug}{_format(name).suffix}"


def for_edl(timeline: Any) -> Any:
    """The timeline as an EDL can hold it: the screen track alone (an EDL has one video track),
    with the narration's caption and chapter markers moved onto the screen clips playing then
    (an EDL has no markers of its own on audio)."""
    import opentimelineio as otio

    screen = next(t for t in timeline.tracks if marks(t).get("layer") == "screen")
    narration = next(t for t in timeline.tracks if marks(t).get("layer") == "narration")
    track = copy.deepcopy(screen)
    out = otio.schema.Timeline(name=timeline.name, global_start_time=timeline.global_start_time)
    out.tracks.append(track)
    for clip in narration.find_clips():
        placed = clip.range_in_parent()
        for marker in clip.markers:
            when = placed.start_time + (
                marker.marked_range.start_time - clip.source_range.start_time
            )
            for item in track.find_clips():
                where = item.range_in_parent()
                if where.contains(when):
                    moved = copy.deepcopy(marker)
                    offset = (when - where.start_time).value * float(time_scalar(item))
                    start = item.source_range.start_time
                    moved.marked_range = otio.opentime.TimeRange(
                        otio.opentime.RationalTime(start.value + round(offset), start.rate),
                        marker.marked_range.duration,
                    )
                    item.markers.append(moved)
                    break
    return out


def write_timeline(timeline: Any, name: str, path: Path) -> Path:
    """Write ``timeline`` as format ``name`` to ``path`` (through a temporary file: a failed
    write leaves nothing that looks finished)."""
    import opentimelineio as otio

    fmt = _format(name)
    if fmt.adapter not in otio.adapters.available_adapter_names():
        raise BackendError(
            f"OpenTimelineIO has no {fmt.title} adapter here",
            hint=install(f"the {fmt.title} adapter", fmt.package),
        )
    if name == "edl":
        timeline = for_edl(timeline)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=fmt.suffix, dir=path.parent
    )
    os.close(handle)
    try:
        otio.adapters.write_to_file(timeline, temporary, adapter_name=fmt.adapter)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path


def write_export(ws: Workspace, slug: str, name: str = "otio", path: Path | None = None) -> Path:
    """Export the rendered project ``slug`` as format ``name`` (a key of :data:`FORMATS`) to
    ``path`` (default: :func:`default_path`); returns the file written."""
    _format(name)
    timeline = export_timeline(ws, slug)
    return write_timeline(timeline, name, path or default_path(ws, slug, name))
