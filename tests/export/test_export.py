"""A rendered project exported through OpenTimelineIO: four tracks timed to the rendered scenes
to the frame, a tightened recording as real cuts, markers, FCP XML and an EDL; refused before
the render."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import opentimelineio as otio
import pytest

from tests.export.conftest import Rendered
from vidkit.errors import NotFound
from vidkit.export import export_timeline, write_export
from vidkit.media import probe

pytestmark = pytest.mark.slow


def scene_items(track: Any, scene_id: int) -> list[Any]:
    return [i for i in track if i.metadata.get("vidkit", {}).get("scene_id") == scene_id]


def frames(items: list[Any]) -> int:
    return sum(round(i.duration().value) for i in items)


def path_of(clip: Any) -> Path:
    url = urlparse(clip.media_reference.target_url)
    assert url.scheme == "file"
    return Path(unquote(url.path))


def track(timeline: Any, name: str) -> Any:
    return next(t for t in timeline.tracks if t.name == name)


def test_the_otio_file_opens_with_four_tracks_timed_to_the_rendered_scenes(
    rendered: Rendered, tmp_path: Path
) -> None:
    path = write_export(rendered.ws, rendered.slug, "otio", tmp_path / "lesson.otio")
    timeline = otio.adapters.read_from_file(str(path))
    assert [(t.name, t.kind) for t in timeline.tracks] == [
        ("Screen", "Video"), ("Presenter", "Video"), ("Narration", "Audio"), ("Music", "Audio"),
    ]  # fmt: skip
    assert timeline.duration().rate == 25
    total = 0
    for scene in rendered.result.scenes:
        info = probe(rendered.ws.asset_path(scene.video))
        assert info.duration_ms is not None
        rendered_frames = round(info.duration_ms * 25 / 1000)
        assert rendered_frames == scene.report["frames"]
        for layer in timeline.tracks:
            items = scene_items(layer, scene.scene_id)
            assert frames(items) == rendered_frames, (layer.name, scene.title)
        total += rendered_frames
    assert all(round(t.duration().value) == total for t in timeline.tracks)
    # Every clip points at a file in the asset store, by its absolute path.
    store = rendered.ws.store.root.resolve()
    for clip in timeline.find_clips():
        found = path_of(clip)
        assert found.is_absolute() and found.is_file() and store in found.parents, clip.name


def test_each_layer_points_at_the_files_the_render_used(rendered: Rendered) -> None:
    ws, slug = rendered.ws, rendered.slug
    timeline = export_timeline(ws, slug)
    code = rendered.result.scenes[0]
    assert code.scene_id == rendered.code
    # Code is typed out at render time: the screen shows the rendered scene.
    (screen,) = scene_items(track(timeline, "Screen"), rendered.code)
    assert path_of(screen) == ws.asset_path(code.video).resolve()
    speech = {a.scene_id: ws.asset_path(a).resolve() for a in ws.assets(slug, kind="tts_audio")}
    (narration,) = scene_items(track(timeline, "Narration"), rendered.code)
    assert path_of(narration) == speech[rendered.code]
    avatars = {ws.asset_path(a).resolve() for a in ws.assets(slug, kind="avatar_video")}
    presenter = list(track(timeline, "Presenter").find_clips())
    assert len(presenter) == 3 and {path_of(c) for c in presenter} <= avatars
    # The music restarts in every scene and loops (1.5 s long) as the render plays it.
    music = ws.asset_path(ws.assets(slug, kind="music")[0]).resolve()
    for scene in rendered.result.scenes:
        clips = scene_items(track(timeline, "Music"), scene.scene_id)
        assert {path_of(c) for c in clips} == {music}
        assert all(c.source_range.start_time.value == 0 for c in clips)
        assert all(c.source_range.duration.value <= 37 for c in clips)


def test_a_tightened_recording_is_its_cut_list_as_real_cuts(rendered: Rendered) -> None:
    ws, slug = rendered.ws, rendered.slug
    timeline = export_timeline(ws, slug)
    recording = ws.asset_path(ws.assets(slug, kind="screen_capture")[0]).resolve()
    for scene_id in (rendered.hello, rendered.run):
        edit = ws.catalogue.scene_edit(slug, scene_id)
        assert edit is not None and edit.cuts is not None
        pieces = edit.cuts.pieces()
        playing = [s for s in edit.cuts.spans if s.action != "cut"]
        clips = list(scene_items(track(timeline, "Screen"), scene_id))
        held = [c for c in clips if c.metadata["vidkit"].get("hold")]
        cuts = [c for c in clips if c not in held]
        assert len(cuts) == len(pieces) >= 2 and len(held) <= 1
        for clip, piece, span in zip(cuts, pieces, playing, strict=True):
            assert path_of(clip) == recording
            assert clip.source_range.start_time.value == piece.start
            assert abs(clip.source_range.duration.value - piece.out_frames) <= 1
            warps = [e for e in clip.effects if isinstance(e, otio.schema.LinearTimeWarp)]
            if span.action == "speed":
                (warp,) = warps
                assert warp.time_scalar == pytest.approx(span.frames / span.out_frames)
                assert warp.time_scalar > 3
            else:
                assert not warps
        # The recording's own voice is cut at the same frames.
        sound = [c for c in track(timeline, "Narration").find_clips()
                 if c.metadata["vidkit"]["scene_id"] == scene_id]  # fmt: skip
        assert [(c.source_range.start_time.value, path_of(c)) for c in sound] == [
            (c.source_range.start_time.value, recording) for c in cuts
        ]
    sped = [c for c in timeline.find_clips() if c.effects]
    assert len(sped) == 1, "only the run scene's pause is sped up"


def test_captions_and_chapters_are_markers(rendered: Rendered) -> None:
    timeline = export_timeline(rendered.ws, rendered.slug)
    narration = track(timeline, "Narration")
    markers = [(m, c) for c in narration.find_clips() for m in c.markers]
    chapters = [m.name for m, _ in markers if m.metadata["vidkit"]["kind"] == "chapter"]
    assert chapters == ["Intro", "Hello", "Run it"]
    captions = [m for m, _ in markers if m.metadata["vidkit"]["kind"] == "caption"]
    assert len(captions) == sum(s.report["captions"] for s in rendered.result.scenes)
    srt = rendered.result.sidecars["srt"].read_text(encoding="utf-8")
    flat = " ".join(srt.split())
    assert all(m.name in flat for m in captions)
    assert any(m.name == "Maps make a list." for m in captions)
    for marker, clip in markers:  # inside the clip it marks, in the clip's own media time
        assert clip.source_range.contains(marker.marked_range.start_time), marker.name
        assert marker.marked_range.end_time_exclusive() <= clip.source_range.end_time_exclusive()


def test_fcp_xml_exports_parse_and_name_the_media(rendered: Rendered, tmp_path: Path) -> None:
    ws, slug = rendered.ws, rendered.slug
    recording = ws.asset_path(ws.assets(slug, kind="screen_capture")[0]).resolve().as_uri()
    narration = {ws.asset_path(a).resolve().as_uri() for a in ws.assets(slug, kind="tts_audio")}

    fcp7 = ET.parse(write_export(ws, slug, "fcp7xml", tmp_path / "lesson.xml")).getroot()
    assert fcp7.tag == "xmeml"
    urls = {e.text for e in fcp7.iter("pathurl")}
    assert recording in urls and narration <= urls
    sequence = fcp7.find(".//sequence")
    assert sequence is not None and sequence.findtext("name") == "Lists in Python"
    assert len(sequence.findall("./media/video/track")) == 2
    assert len(sequence.findall("./media/audio/track")) == 2
    assert {m.findtext("name") for m in fcp7.iter("marker")} >= {"Intro", "Hello", "Run it"}

    fcpx = ET.parse(write_export(ws, slug, "fcpxml", tmp_path / "lesson.fcpxml")).getroot()
    assert fcpx.tag == "fcpxml"
    sources = {a.get("src") for a in fcpx.iter("asset")}
    assert recording in sources and narration <= sources
    assert {m.get("value") for m in fcpx.iter("marker")} >= {"Intro", "Maps make a list."}


def test_an_edl_holds_the_screen_track(rendered: Rendered, tmp_path: Path) -> None:
    ws, slug = rendered.ws, rendered.slug
    path = write_export(ws, slug, "edl", tmp_path / "lesson.edl")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("TITLE: Lists in Python")
    timeline = export_timeline(ws, slug)
    screen = list(track(timeline, "Screen").find_clips())
    events = [line for line in text.splitlines() if line[:3].isdigit()]
    assert len(events) == len(screen)
    assert sum(1 for line in text.splitlines() if line.startswith("M2 ")) == 1  # the sped-up piece
    assert "* LOC:" in text and "RUN IT" in text  # chapters (and captions) as locators
    back = otio.adapters.read_from_file(str(path), rate=25)
    assert [t.kind for t in back.tracks] == ["Video"]
    assert round(back.duration().value) == round(timeline.duration().value)


def test_a_project_not_rendered_as_it_is_now_is_refused(rendered: Rendered) -> None:
    ws = rendered.ws
    ws.create_project("draft", "Not rendered", width=640, height=360, fps=25)
    ws.add_scene("draft", "Only", narration="Nothing is rendered yet.")
    with pytest.raises(NotFound, match=r"scene 1 \('Only'\) is not rendered") as caught:
        export_timeline(ws, "draft")
    assert caught.value.hint is not None and caught.value.hint.cli is not None
    assert "vidkit render draft" in caught.value.hint.cli
    ws.create_project("empty", "No scenes")
    with pytest.raises(NotFound, match="has no scenes"):
        write_export(ws, "empty", "edl")
