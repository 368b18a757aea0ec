"""The scene editor, driven as a user would: typing, dragging on the preview, sliders, saving
alongside another program, uploads that are not what they claim."""

from __future__ import annotations

import io
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.backends.portraits import astronaut, no_face
from tests.widgets.conftest import NARRATION, catalogue_held, fast_workspace, mouse, upload
from vidkit import editing
from vidkit.api import Workspace
from vidkit.model import TEXT_MAX
from widgets.scene_editor import FREE, SceneEditor


def _editor(demo: tuple[Workspace, int]) -> SceneEditor:
    ws, scene_id = demo
    editor = SceneEditor(ws)
    editor.load("demo", scene_id)
    return editor


def _cli(ws: Workspace, *args: str) -> None:
    """Run the vidkit CLI in its own process on the same catalogue (another 'tab')."""
    subprocess.run(
        [sys.executable, "-m", "vidkit.cli", "-c", str(ws.config.source), *args],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def test_a_scene_loads_with_stats_and_a_preview(demo: tuple[Workspace, int]) -> None:
    editor = _editor(demo)
    assert editor.title.value == "First" and editor.narration.value == NARRATION
    assert "13 words" in editor.stats.value and "about 5 s" in editor.stats.value
    assert editor.preview.value[:2] == b"\xff\xd8"  # a JPEG
    assert editor.size == (960, 540) and editor.scrubber.max == pytest.approx(5.2)
    assert editor.scrubber.value == pytest.approx(2.6)
    assert (
        "estimated" in editor.preview_info.value and "placeholder" not in editor.preview_info.value
    )
    assert editor.dirty.value == "" and not editor.is_dirty
    for widget, css in [
        (editor.title, "vk-scene-title"), (editor.narration, "vk-narration"),
        (editor.stats, "vk-narration-stats"), (editor.preview, "vk-preview"),
        (editor.scale, "vk-scale"), (editor.margin, "vk-margin"),
        (editor.captions, "vk-captions"), (editor.scrubber, "vk-scrubber"),
        (editor.save_button, "vk-save-scene"), (editor.message, "vk-message"),
        (editor.sources.upload, "vk-source-upload"), (editor.sources.code, "vk-source-code"),
    ]:  # fmt: skip
        assert css in widget._dom_classes


def test_dragging_the_presenter_moves_it_and_changes_the_preview(
    demo: tuple[Workspace, int],
) -> None:
    editor = _editor(demo)
    assert editor.draft is not None
    x, y, w, h = editor.draft.avatar_box(editor.layout_edit, editor.size)  # type: ignore[misc]
    before = editor.preview.value
    # Grab the presenter 10 px right of its centre and drag it left and up.
    start = (x + w / 2 + 10, y + h / 2)
    editor.on_mouse(mouse("mousedown", *start))
    assert editor.layout_edit.x == pytest.approx((x + w / 2) / 960, abs=0.002)
    editor.on_mouse(mouse("mousemove", 400, 250))
    editor.on_mouse(mouse("mousemove", 300, 200))
    editor.on_mouse(mouse("mouseup", 250, 180))
    layout = editor.layout_edit
    assert layout.corner is None and editor.corner.value == FREE
    assert (layout.x, layout.y) == (
        pytest.approx(240 / 960, abs=0.002),
        pytest.approx(180 / 540, abs=0.002),
    )
    assert editor.preview.value != before and editor.is_dirty
    assert "unsaved" in editor.dirty.value
    # After the button is released, moving does nothing.
    editor.on_mouse(mouse("mousemove", 10, 10, buttons=0))
    assert editor.layout_edit == layout


def test_pressing_beside_the_presenter_puts_it_there(demo: tuple[Workspace, int]) -> None:
    editor = _editor(demo)
    editor.on_mouse(mouse("mousedown", 100, 120))
    editor.on_mouse(mouse("mouseleave", 900, 500))  # leaving the picture ends the drag
    editor.on_mouse(mouse("mousemove", 900, 500))
    assert (editor.layout_edit.x, editor.layout_edit.y) == (
        pytest.approx(100 / 960, abs=0.002), pytest.approx(120 / 540, abs=0.002),
    )  # fmt: skip


def test_without_image_coordinates_the_relative_position_is_used(
    demo: tuple[Workspace, int],
) -> None:
    editor = _editor(demo)
    event = mouse("mousedown", 0, 0)
    del event["dataX"], event["dataY"]
    event.update(relativeX=240, relativeY=135)  # the middle of a 480×270 picture
    editor.on_mouse(event)
    assert (editor.layout_edit.x, editor.layout_edit.y) == (0.5, 0.5)
    editor.on_mouse({"type": "mousedown"})  # no coordinates at all: ignored
    assert (editor.layout_edit.x, editor.layout_edit.y) == (0.5, 0.5)


def test_sliders_corner_and_captions_update_the_preview(demo: tuple[Workspace, int]) -> None:
    editor = _editor(demo)
    seen = {editor.preview.value}
    editor.scale.value = 0.6
    seen.add(editor.preview.value)
    editor.on_mouse(mouse("mousedown", 200, 150))
    editor.on_mouse(mouse("mouseup", 200, 150))
    seen.add(editor.preview.value)
    editor.margin.value = 80  # a dragged presenter snaps to its nearest corner
    assert (editor.layout_edit.corner, editor.layout_edit.margin) == ("top-left", 80)
    assert editor.corner.value == "top-left"
    seen.add(editor.preview.value)
    editor.corner.value = "bottom-right"
    seen.add(editor.preview.value)
    editor.captions.value = False
    seen.add(editor.preview.value)
    editor.scrubber.value = 0.5
    seen.add(editor.preview.value)
    assert len(seen) == 7
    assert editor.changes() == {"avatar_scale": 0.6, "avatar_margin": 80, "captions": False}
    editor.corner.value = FREE  # "where I dragged it" keeps the presenter where it is
    assert editor.layout_edit.x is not None and editor.layout_edit.x > 0.5


def test_typed_narration_shows_in_the_captions_before_saving(
    demo: tuple[Workspace, int],
) -> None:
    editor = _editor(demo)
    before = editor.preview.value
    editor.narration.value = "Completely different words appear in the captions now."
    assert editor.preview.value != before
    editor.narration.value = NARRATION
    assert editor.preview.value == before


def test_save_writes_the_changes_and_says_saved(demo: tuple[Workspace, int]) -> None:
    ws, scene_id = demo
    editor = _editor(demo)
    saved: list[int] = []
    editor.on_saved = lambda scene: saved.append(scene.id)
    editor.title.value = "  The loop  "
    editor.narration.value = "A new narration."
    editor.scale.value = 0.5
    editor.save_button.click()
    assert "saved" in editor.message.message and "vk-info" in editor.message.value
    scene = ws.scene("demo", scene_id)
    assert (scene.title, scene.narration, scene.layout.scale) == (
        "The loop",
        "A new narration.",
        0.5,
    )
    assert saved == [scene_id] and not editor.is_dirty and "3 words" in editor.stats.value
    assert "Scene 1: The loop" in editor.heading.value
    editor.save_button.click()
    assert "saved" in editor.message.message


def test_another_program_saving_other_fields_is_kept(demo: tuple[Workspace, int]) -> None:
    ws, scene_id = demo
    editor = _editor(demo)
    editor.scale.value = 0.5  # unsaved here, while another process changes the narration
    _cli(ws, "scenes", "update", "demo", str(scene_id), "--narration", "Theirs.")
    assert editor.save()
    scene = ws.scene("demo", scene_id)
    assert (scene.narration, scene.layout.scale) == ("Theirs.", 0.5)
    assert editor.narration.value == "Theirs."  # the editor shows what is saved now


def test_the_same_field_changed_elsewhere_is_not_overwritten_silently(
    demo: tuple[Workspace, int],
) -> None:
    ws, scene_id = demo
    editor = _editor(demo)
    editor.narration.value = "Mine."
    other = SceneEditor(ws)  # a second tab
    other.load("demo", scene_id)
    other.narration.value = "Theirs."
    assert other.save()
    assert not editor.save()
    assert "narration" in editor.message.message and "another tab" in editor.message.message
    assert ws.scene("demo", scene_id).narration == "Theirs."
    assert editor.narration.value == "Mine."  # nothing typed is lost
    assert editor.save()  # asked twice: the user's version wins
    assert ws.scene("demo", scene_id).narration == "Mine."


def test_a_locked_catalogue_is_an_inline_message_and_loses_nothing(tmp_path: Path) -> None:
    ws = fast_workspace(tmp_path / "ws", lock_timeout_s=0.3)
    ws.create_project("demo", "Demo")
    scene_id = ws.add_scene("demo", "First", narration=NARRATION).id
    editor = SceneEditor(ws)
    editor.load("demo", scene_id)
    editor.narration.value = "Typed while the catalogue is busy."
    with catalogue_held(ws):
        assert not editor.save()
    assert editor.message.is_error and "locked" in editor.message.message
    assert "Traceback" not in editor.message.value
    assert editor.narration.value == "Typed while the catalogue is busy." and editor.is_dirty
    assert editor.save()
    assert ws.scene("demo", scene_id).narration == "Typed while the catalogue is busy."


def test_a_5_mb_paste_is_refused_clearly_without_hanging(demo: tuple[Workspace, int]) -> None:
    ws, scene_id = demo
    editor = _editor(demo)
    started = time.perf_counter()
    editor.narration.value = "word " * 1_000_000
    assert time.perf_counter() - started < 0.5
    assert "vk-error" in editor.stats.value and f"{TEXT_MAX:,}" in editor.stats.value
    assert editor.message.is_error and "Split it over several scenes" in editor.message.message
    # The page stops sending megabytes on every keystroke: it sends when the field is left.
    assert not editor.narration.continuous_update and "leave the field" in editor.stats.value
    assert not editor.save()
    assert "limit" in editor.message.message and editor.message.about == "narration"
    assert ws.scene("demo", scene_id).narration == NARRATION
    editor.narration.value = "Short again."
    assert not editor.message.is_error and editor.narration.continuous_update
    assert editor.save()


def test_an_empty_title_is_refused(demo: tuple[Workspace, int]) -> None:
    ws, scene_id = demo
    editor = _editor(demo)
    editor.title.value = "   "
    editor.save_button.click()
    assert editor.message.is_error and "title is required" in editor.message.message
    assert ws.scene("demo", scene_id).title == "First"


def test_reload_discards_edits(demo: tuple[Workspace, int]) -> None:
    editor = _editor(demo)
    editor.title.value = "Changed"
    editor.scale.value = 0.8
    editor.reload_button.click()
    assert editor.title.value == "First" and editor.scale.value == 0.35 and not editor.is_dirty


def test_no_scene_shows_a_hint(demo: tuple[Workspace, int]) -> None:
    editor = _editor(demo)
    editor.load("demo", None)
    assert editor.empty in editor.children and editor.scene is None
    assert editor.save()
    editor.on_mouse(mouse("mousedown", 1, 1))  # nothing to drag: ignored


def test_a_text_file_uploaded_as_a_recording_is_a_clear_error(
    demo: tuple[Workspace, int],
) -> None:
    ws, scene_id = demo
    editor = _editor(demo)
    editor.sources.upload.value = upload("notes.txt", b"just some notes\n" * 20)
    assert editor.message.is_error
    assert editor.message.message == (
        "notes.txt is not a video or a picture: choose a screen recording (MP4, MOV or WebM) "
        "or an image (PNG or JPEG)"
    )
    assert editor.sources.upload.value == ()
    assert ws.assets("demo", scene_id=scene_id) == []
    assert "none" in editor.sources.summary.value


def test_uploads_become_the_scene_screen(
    demo: tuple[Workspace, int], make_media: Callable[..., Path]
) -> None:
    ws, scene_id = demo
    editor = _editor(demo)
    before = editor.preview.value
    editor.sources.upload.value = upload("voice.wav", make_media("audio", 1.0).read_bytes())
    assert "no video stream" in editor.message.message
    assert ws.assets("demo", scene_id=scene_id) == []
    editor.sources.upload.value = upload("demo.mp4", make_media("silent-video", 2.0).read_bytes())
    assert not editor.message.is_error, editor.message.message
    assert "recording demo.mp4 (2.0 s)" in editor.sources.summary.value
    assert editor.preview.value != before
    editor.sources.upload.value = upload("still.png", make_media("image").read_bytes())
    assert "image still.png" in editor.sources.summary.value
    kinds = [a.kind for a in ws.assets("demo", scene_id=scene_id)]
    assert kinds == ["image"]  # the new source replaced the recording


def test_code_can_be_pasted_or_chosen(demo: tuple[Workspace, int]) -> None:
    ws, scene_id = demo
    editor = _editor(demo)
    sources = editor.sources
    sources.use_code_button.click()
    assert "paste some code first" in editor.message.message
    sources.code.value = "total = sum(n * n for n in range(10))\n"
    sources.code_name.value = "total.py"
    sources.use_code_button.click()
    assert "code file total.py" in sources.summary.value
    (asset,) = ws.assets("demo", scene_id=scene_id)
    assert ws.asset_path(asset).read_text() == "total = sum(n * n for n in range(10))\n"
    labels = [label for label, _value in sources.code_choice.options]
    assert "total.py (this project)" in labels and "01_loop.py (example)" in labels
    sources.code_choice.value = next(v for k, v in sources.code_choice.options if "01_loop" in k)
    assert "code file 01_loop.py" in sources.summary.value and "for" in sources.code.value
    sources.clear.click()
    assert ws.assets("demo", scene_id=scene_id) == [] and "none" in sources.summary.value


def test_the_presenter_photo_must_be_a_picture(
    demo: tuple[Workspace, int], make_media: Callable[..., Path]
) -> None:
    ws, _scene_id = demo
    editor = _editor(demo)
    assert "No presenter photo" in editor.sources.photo.value
    editor.sources.photo_upload.value = upload("clip.mp4", make_media("video", 1.0).read_bytes())
    assert editor.message.message == "clip.mp4 is not a picture: choose a PNG or JPEG photo"
    editor.sources.photo_upload.value = upload("me.png", _png(astronaut()))
    assert not editor.message.is_error and "me.png" in editor.sources.photo.value
    [photo] = ws.assets("demo", kind="avatar_image")
    assert editor.draft is not None and editor.draft.has_photo
    # A picture with no face to animate is refused, and the photo before it stays.
    for name, content in [("coffee.png", _png(no_face())), ("dot.png", _png(astronaut()[:8, :8]))]:
        editor.sources.photo_upload.value = upload(name, content)
        assert editor.message.is_error and "\n" not in editor.message.message, name
        assert ws.assets("demo", kind="avatar_image") == [photo]
        assert ws.assets("demo", kind="image") == []
        assert "me.png" in editor.sources.photo.value


def _png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.slow
def test_the_real_presenter_can_be_shown_before_the_first_render(
    demo: tuple[Workspace, int],
) -> None:
    ws, _scene_id = demo
    editing.use_example_presenter(ws, "demo")
    editor = SceneEditor(ws, background=False)
    editor.load("demo", _scene_id)
    assert editor.draft is not None and editor.draft.avatar == "placeholder"
    assert editor.prepare.layout.display == ""
    before = editor.preview.value
    editor.prepare.click()
    assert editor.draft.avatar == "still" and editor.prepare.layout.display == "none"
    assert editor.preview.value != before
    assert editor.message.message == "Done: the preview shows the real presenter now."


@pytest.mark.slow
def test_the_presenter_button_shows_progress_and_is_off_while_working(
    demo: tuple[Workspace, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, _scene_id = demo
    editing.use_example_presenter(ws, "demo")
    editor = _editor(demo)  # in the background, as in the studio
    started, go_on = threading.Event(), threading.Event()
    real = editing.prepare_presenter

    def slow_machine(ws: Workspace, slug: str) -> None:
        started.set()
        assert go_on.wait(60)
        real(ws, slug)

    monkeypatch.setattr(editing, "prepare_presenter", slow_machine)
    editor.prepare.click()
    assert started.wait(10)
    # While it works: it says so at once, and the button (and the photo upload) are off.
    assert editor.prepare.disabled and editor.sources.photo_upload.disabled
    assert editor.prepare.description == "Cutting out the presenter…"
    assert editor.message.message.startswith("Cutting out the presenter…")
    assert not editor.message.is_error
    editor.prepare.click()  # a second click while it works does nothing
    thread = editor.prepare_presenter()
    assert thread is None
    go_on.set()
    deadline = time.monotonic() + 120
    while editor.prepare.disabled:
        assert time.monotonic() < deadline, editor.message.message
        time.sleep(0.05)
    assert editor.message.message == "Done: the preview shows the real presenter now."
    assert editor.prepare.description == "Show the real presenter"
    assert not editor.sources.photo_upload.disabled
    assert editor.draft is not None and editor.draft.avatar == "still"


def test_a_failed_cut_out_ends_in_a_plain_message(demo: tuple[Workspace, int]) -> None:
    ws, scene_id = demo
    editor = SceneEditor(ws, background=False)
    editor.load("demo", scene_id)
    editor.prepare_presenter()  # no photo
    assert editor.message.is_error
    assert editor.message.message == (
        "project 'demo' has no presenter photo yet; upload one with “Upload presenter photo”"
    )
    assert not editor.prepare.disabled and editor.prepare.description == "Show the real presenter"


def test_a_text_file_uploaded_as_a_photo_gets_a_plain_sentence(
    demo: tuple[Workspace, int],
) -> None:
    ws, _scene_id = demo
    editor = _editor(demo)
    for content in (b"these are my notes, not a photo\n" * 20, b"hello", bytes(range(256)) * 8):
        editor.sources.photo_upload.value = upload("notes.txt", content)
        assert editor.message.is_error
        assert editor.message.message == "notes.txt is not a picture: choose a PNG or JPEG photo"
    cut_short = _png(astronaut())[:300]
    editor.sources.photo_upload.value = upload("me.png", cut_short)
    assert editor.message.message == (
        "me.png could not be opened (it may be damaged or cut short): choose a PNG or JPEG photo"
    )
    assert ws.assets("demo", kind="avatar_image") == [] and ws.assets("demo", kind="image") == []


def test_the_same_photo_uploaded_again_keeps_one_name(demo: tuple[Workspace, int]) -> None:
    ws, _scene_id = demo
    editing.use_example_presenter(ws, "demo")
    editor = _editor(demo)
    assert editor.sources.photo.value == "Photo: astronaut.png"
    [photo] = ws.assets("demo", kind="avatar_image")
    editor.sources.photo_upload.value = upload("my-portrait.png", ws.asset_path(photo).read_bytes())
    assert not editor.message.is_error
    assert editor.message.message == (
        "my-portrait.png is the same picture as the presenter photo astronaut.png: "
        "the photo stays astronaut.png."
    )
    assert editor.sources.photo.value == "Photo: astronaut.png"
    assert ws.assets("demo", kind="avatar_image") == [photo]
    # A new picture: the message and the "Photo:" line both name it.
    editor.sources.photo_upload.value = upload("me.png", _png(astronaut()[::-1].copy()))
    assert (
        editor.message.message == "me.png is the presenter photo now: cut out, and its face found."
    )
    assert editor.sources.photo.value == "Photo: me.png"


def test_upload_buttons_read_as_their_label_without_a_count(demo: tuple[Workspace, int]) -> None:
    editor = _editor(demo)
    sources = editor.sources
    for button, label in (
        (sources.photo_upload, "Upload presenter photo"),
        (sources.upload, "Upload recording or image"),
    ):
        assert button.description == button.tooltip == label
        assert "vk-upload" in button._dom_classes
    (style,) = [c for c in sources.children if "vk-upload-style" in c._dom_classes]
    assert "button.vk-upload::after" in style.value and "attr(title)" in style.value


def test_a_new_scene_shows_loading_while_its_preview_is_made(
    demo: tuple[Workspace, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, scene_id = demo
    editor = SceneEditor(ws)
    seen: list[tuple[str, str, str]] = []
    real = editing.draft

    def draft(*args: object, **kwargs: object) -> object:
        shown = (editor.preview.layout.display, editor.preview_loading.layout.display)
        seen.append((*shown, editor.preview_loading.value))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(editing, "draft", draft)
    editor.load("demo", scene_id)
    [(preview, loading, text)] = seen
    assert (preview, loading) == ("none", "") and ">Loading…</div>" in text
    assert "aspect-ratio:960/540" in text  # the preview size of the 1920×1080 frame
    assert editor.preview.layout.display == "" and editor.preview.value
    assert editor.preview_loading.layout.display == "none"


def test_slider_to_new_preview_latency(demo: tuple[Workspace, int]) -> None:
    """A slider change → new JPEG bytes in the Image widget, warm (Python side)."""
    editor = _editor(demo)
    times = []
    for i in range(20):
        before = editor.preview.value
        started = time.perf_counter()
        editor.scale.value = 0.3 + 0.01 * i
        times.append((time.perf_counter() - started) * 1000)
        assert editor.preview.value != before
    median = statistics.median(times)
    print(f"slider → preview: median {median:.1f} ms, max {max(times):.1f} ms")
    assert median < 100
