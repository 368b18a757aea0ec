"""What a scene shows: its screen source (an uploaded recording or image, or a code file chosen
or pasted), or a recording it is made from, and the project's presenter photo.

A scene's screen is its one screen-source asset: choosing a new one removes the others, so what
the picker shows is what the render uses. A scene *made from a recording* (chosen under
"Made from", among the project's recordings) plays that recording with its own talk, cut by its
words in the recording editor (:mod:`widgets.recording`); choosing a code file, an image or no
screen ends that, and uploading a recording while the scene is made from one makes the upload
its recording.
"""

from __future__ import annotations

import contextlib
import html
import io
from collections.abc import Callable
from pathlib import Path
from typing import Final

import ipywidgets as w

from vidkit import Workspace, editing
from vidkit.errors import Conflict, InvalidInput, MediaError, NotFound
from vidkit.model import Asset, SceneEdit
from vidkit.pipeline import SCREEN_KINDS, SceneGraph
from widgets.errors import ErrorBox
from widgets.uploads import not_media, upload_button, upload_style, uploaded_files

__all__ = ["IMAGE_SUFFIXES", "SCREEN_KINDS", "SourcePicker", "uploaded_files"]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"})
_NO_CHOICE = ""
_NO_RECORDING = 0
#: What each upload button asks for, in the words of its "not a picture" sentence.
PHOTO_WANTED: Final = ("a picture", "a PNG or JPEG photo")
SCREEN_WANTED: Final = (
    "a video or a picture",
    "a screen recording (MP4, MOV or WebM) or an image (PNG or JPEG)",
)


def _example_code() -> list[Path]:
    try:
        from vidkit.example import example_project_file

        return sorted((example_project_file().parent / "code").glob("*.py"))
    except Exception:  # the example ships with the repository only
        return []


def describe_source(asset: Asset | None) -> str:
    """The screen in words: "recording demo.mp4 (12.3 s)"."""
    if asset is None:
        return "none: a plain background"
    name = str(asset.metadata.get("filename", Path(asset.path).name))
    if asset.kind == "screen_capture":
        seconds = f" ({asset.duration_ms / 1000:.1f} s)" if asset.duration_ms else ""
        return f"recording {name}{seconds}, fitted to the narration"
    if asset.kind == "code_file":
        return f"code file {name}, typed out while the narration plays"
    if asset.kind == "capture_script":
        kind, steps = asset.metadata.get("script", "browser"), asset.metadata.get("steps", 0)
        return f"{kind} script of {steps} steps, filmed step by step (“Screen from a script”)"
    return f"image {name}"


def _asset_name(asset: Asset) -> str:
    return str(asset.metadata.get("filename", Path(asset.path).name))


def _photo_name(photo: Asset) -> str:
    """The presenter photo's name, as the "Photo:" line and every message about it say it."""
    return str(photo.metadata.get("filename", "portrait"))


def _plain(exc: MediaError, name: str, wanted: tuple[str, str]) -> MediaError:
    """A file that is no media at all, in a plain sentence; other media problems as they are."""
    return not_media(exc, name, *wanted) or exc


class SourcePicker(w.VBox):  # type: ignore[misc]
    """The screen source of one scene and the presenter photo of its project.
    ``on_changed()`` is called after either changed."""

    def __init__(self, ws: Workspace, message: ErrorBox, on_changed: Callable[[], None]) -> None:
        self.ws = ws
        self.message = message
        self.on_changed = on_changed
        self.slug = ""
        self.scene_id = 0
        self._muted = False
        self.summary = w.HTML()
        self.summary.add_class("vk-source-summary")
        self.upload = upload_button(
            "Upload recording or image", "vk-source-upload",
            accept="video/*,image/*,.mp4,.mov,.mkv,.webm,.png,.jpg,.jpeg",
        )  # fmt: skip
        self.upload.observe(lambda _c: self._uploaded(), names="value")
        self.recording_choice = w.Dropdown(
            description="Made from",
            options=[("—", _NO_RECORDING)],
            tooltip="A recording whose own talk makes the scene, cut by its words below",
            layout=w.Layout(width="95%"),
        )
        self.recording_choice.add_class("vk-recording-choice")
        self.recording_choice.observe(lambda _c: self._recording_chosen(), names="value")
        self.code_choice = w.Dropdown(description="Code file", options=[("—", _NO_CHOICE)])
        self.code_choice.add_class("vk-code-choice")
        self.code_choice.observe(lambda _c: self._chosen(), names="value")
        self.code_name = w.Text(value="main.py", description="File name")
        self.code_name.add_class("vk-code-name")
        self.code = w.Textarea(
            placeholder="Paste code here, then click “Use this code”",
            layout=w.Layout(width="95%", height="9em"),
            continuous_update=False,
        )
        self.code.add_class("vk-source-code")
        self.use_code_button = w.Button(description="Use this code", tooltip="Type it out")
        self.use_code_button.add_class("vk-use-code")
        self.use_code_button.on_click(lambda _b: self.use_pasted_code())
        self.clear = w.Button(
            description="No screen source", tooltip="Use a plain background",
            layout=w.Layout(width="auto"),
        )  # fmt: skip
        self.clear.add_class("vk-clear-source")
        self.clear.on_click(lambda _b: self.clear_source())
        self.photo = w.HTML()
        self.photo.add_class("vk-avatar-photo")
        self.photo_upload = upload_button(
            "Upload presenter photo", "vk-avatar-upload", accept="image/*"
        )
        self.photo_upload.observe(lambda _c: self._photo_uploaded(), names="value")
        super().__init__(
            [
                w.HTML("<b>Screen</b>"),
                self.summary,
                self.recording_choice,
                w.HBox([self.upload, self.clear]),
                self.code_choice,
                self.code_name,
                self.code,
                self.use_code_button,
                w.HTML("<b>Presenter photo</b> <small>(all scenes of the project)</small>"),
                self.photo,
                self.photo_upload,
                upload_style(),
            ]
        )
        self.add_class("vk-sources")

    # ---- showing -------------------------------------------------------------------------

    def show(self, slug: str, scene_id: int) -> None:
        """Show the scene's screen source and the project's photo, read from the catalogue."""
        self.slug, self.scene_id = slug, scene_id
        current = self.current()
        edit = self.recording_edit()
        recordings = self._recording_options(edit)
        if edit is not None:
            name = next(label for label, value in recordings if value == edit.recording_id)
            self.summary.value = (
                f"Screen and voice: {html.escape(name)}, cut by its words (below the preview)"
            )
        else:
            self.summary.value = f"Screen: {html.escape(describe_source(current))}"
        self._muted = True
        try:
            self.recording_choice.options = recordings
            self.recording_choice.value = edit.recording_id if edit else _NO_RECORDING
            self.code_choice.options = self._code_options()
            self.code_choice.value = _NO_CHOICE
            if current is not None and current.kind == "code_file":
                self.code.value = self._text(current)
                self.code_name.value = str(current.metadata.get("filename", "main.py"))
        finally:
            self._muted = False
        photos = self.ws.assets(slug, kind="avatar_image")
        self.photo.value = (
            f"Photo: {html.escape(_photo_name(photos[-1]))}"
            if photos
            else "<i>No presenter photo: the video has no presenter until you upload one.</i>"
        )

    def current(self) -> Asset | None:
        """The scene's screen source asset, as the render picks it."""
        for kind in SCREEN_KINDS:
            found = self.ws.assets(self.slug, scene_id=self.scene_id, kind=kind)
            if found:
                return found[-1]
        return None

    def recording_edit(self) -> SceneEdit | None:
        """How the scene uses a recording, or None when it is not made from one."""
        return editing.recording_edit(self.ws, self.slug, self.scene_id)

    def _recording_options(self, edit: SceneEdit | None) -> list[tuple[str, int]]:
        options = [("— nothing: the narration is spoken —", _NO_RECORDING)]
        seen: set[str] = set()
        for asset in self.ws.assets(self.slug, kind="screen_capture"):
            current = edit is not None and asset.id == edit.recording_id
            if not asset.metadata.get("has_video") or (asset.sha256 in seen and not current):
                continue
            seen.add(asset.sha256)
            seconds = f" ({asset.duration_ms / 1000:.1f} s)" if asset.duration_ms else ""
            options.append((f"the recording {_asset_name(asset)}{seconds}", asset.id))
        return options

    def _text(self, asset: Asset) -> str:
        return self.ws.asset_path(asset).read_text(encoding="utf-8", errors="replace")

    def _code_options(self) -> list[tuple[str, str]]:
        options = [("— choose a code file —", _NO_CHOICE)]
        seen: set[str] = set()
        for asset in self.ws.assets(self.slug, kind="code_file"):
            if asset.sha256 not in seen:
                seen.add(asset.sha256)
                name = str(asset.metadata.get("filename", Path(asset.path).name))
                options.append((f"{name} (this project)", f"asset:{asset.id}"))
        options += [(f"{p.name} (example)", f"file:{p}") for p in _example_code()]
        return options

    # ---- changing ------------------------------------------------------------------------

    def _make_only_source(self, keep: Asset | None) -> None:
        """Remove the scene's other screen sources; a recording that a scene's edit (or its
        history, for undo) still plays stays in the project."""
        for kind in SCREEN_KINDS:
            for asset in self.ws.assets(self.slug, scene_id=self.scene_id, kind=kind):
                if keep is None or asset.id != keep.id:
                    with contextlib.suppress(Conflict):
                        self.ws.delete_asset(self.slug, asset.id)

    def _stop_recording(self) -> None:
        """The scene is no longer made from a recording (its cuts and their history go)."""
        if self.recording_edit() is not None:
            editing.drop_recording(self.ws, self.slug, self.scene_id)

    def use_recording(self, recording_id: int) -> None:
        """Make the scene from a recording of the project (``0``: from its narration again)."""
        with self.message.guard():
            if recording_id == _NO_RECORDING:
                self._stop_recording()
                self._done("The scene is spoken from its narration again.")
                return
            editing.use_recording(self.ws, self.slug, self.scene_id, recording_id)
            self._done(
                "The scene now plays the recording with its own talk: Transcribe and Tighten it "
                "below the preview."
            )
            return
        with contextlib.suppress(Exception):  # it failed: show what the scene still uses
            self.show(self.slug, self.scene_id)

    def _recording_chosen(self) -> None:
        if not self._muted:
            self.use_recording(int(self.recording_choice.value))

    def _done(self, text: str) -> None:
        self.show(self.slug, self.scene_id)
        self.message.info(text)
        self.on_changed()

    def import_screen(self, name: str, content: bytes) -> Asset | None:
        """Make an uploaded recording or image the scene's screen; on failure show why."""
        with self.message.guard():
            recorded = self.recording_edit() is not None
            asset = self._import_screen(name, content)
            if recorded and asset.kind == "screen_capture":
                editing.use_recording(self.ws, self.slug, self.scene_id, asset.id)
                self._make_only_source(asset)
                self._done(
                    f"The scene now plays {name} with its own talk: Transcribe and Tighten it "
                    "below the preview."
                )
                return asset
            self._stop_recording()
            self._make_only_source(asset)
            self._done(f"The screen is now the {describe_source(asset)}.")
            return asset
        return None

    def _import_screen(self, name: str, content: bytes) -> Asset:
        image = Path(name).suffix.lower() in IMAGE_SUFFIXES
        kind = "image" if image else "screen_capture"
        asset = self._import(name, content, kind)
        if kind == "screen_capture" and not asset.metadata.get("has_video"):
            self.ws.delete_asset(self.slug, asset.id)
            raise MediaError(
                f"{name} has no video stream (it holds only audio); upload a screen recording "
                "with video, or an image"
            )
        if kind == "screen_capture" and not asset.duration_ms:  # a still under a video name
            self.ws.delete_asset(self.slug, asset.id)
            asset = self._import(name, content, "image")
        return asset

    def _import(self, name: str, content: bytes, kind: str) -> Asset:
        if not content:
            raise MediaError(f"{name} is empty (0 bytes); export or copy it again")
        try:
            return self.ws.import_stream(
                self.slug, io.BytesIO(content), filename=name, kind=kind, scene_id=self.scene_id
            )
        except MediaError as exc:
            raise _plain(exc, name, SCREEN_WANTED) from exc

    def _uploaded(self) -> None:
        if self._muted or not self.upload.value:
            return
        files = uploaded_files(self.upload.value)
        self._muted = True
        try:
            self.upload.value = ()
        finally:
            self._muted = False
        for name, content in files[:1]:
            self.import_screen(name, content)

    def use_code(self, code: str, filename: str) -> Asset | None:
        """Make ``code`` (saved as ``filename``) the scene's screen, typed out."""
        with self.message.guard():
            filename = Path(filename.strip() or "main.py").name
            if not code.strip():
                raise InvalidInput("paste some code first, then click “Use this code”")
            asset = self.ws.import_stream(
                self.slug, io.BytesIO(code.encode("utf-8")), filename=filename,
                kind="code_file", scene_id=self.scene_id,
            )  # fmt: skip
            self._stop_recording()
            self._make_only_source(asset)
            self._done(f"The screen is now the {describe_source(asset)}.")
            return asset
        return None

    def use_pasted_code(self) -> Asset | None:
        return self.use_code(self.code.value, self.code_name.value)

    def _chosen(self) -> None:
        choice = self.code_choice.value
        if self._muted or not choice:
            return
        with self.message.guard():
            if choice.startswith("asset:"):
                asset = self._code_asset(int(choice.removeprefix("asset:")))
                code, name = self._text(asset), str(asset.metadata.get("filename", "main.py"))
            else:
                path = Path(choice.removeprefix("file:"))
                code, name = path.read_text(encoding="utf-8"), path.name
            self._muted = True
            try:
                self.code.value, self.code_name.value = code, name
            finally:
                self._muted = False
            self.use_code(code, name)

    def _code_asset(self, asset_id: int) -> Asset:
        for asset in self.ws.assets(self.slug, kind="code_file"):
            if asset.id == asset_id:
                return asset
        raise NotFound("that code file is no longer in the project; choose another one")

    def clear_source(self) -> None:
        with self.message.guard():
            self._stop_recording()
            self._make_only_source(None)
            self._done("The scene has no screen source now: it shows a plain background.")

    def import_photo(self, name: str, content: bytes) -> Asset | None:
        """Make an uploaded picture the project's presenter photo. The message names the photo
        as the "Photo:" line does: the same picture uploaded again under another name is the
        photo already, under its first name."""
        with self.message.guard():
            if not content:
                raise MediaError(f"{name} is empty (0 bytes); export or copy it again")
            before = {a.id for a in self.ws.assets(self.slug, kind="avatar_image")}
            # Cut out and rigged first: a photo that cannot be leaves the old one in place.
            graph = SceneGraph(self.ws, self.slug)
            try:
                asset, _ = graph.adopt_photo(io.BytesIO(content), filename=name)
            except MediaError as exc:
                raise _plain(exc, name, PHOTO_WANTED) from exc
            for old in self.ws.assets(self.slug, kind="avatar_image"):
                if old.id != asset.id:
                    self.ws.delete_asset(self.slug, old.id)
            shown = _photo_name(asset)
            if asset.id in before and shown != name:
                text = (
                    f"{name} is the same picture as the presenter photo {shown}: "
                    f"the photo stays {shown}."
                )
            elif asset.id in before:
                text = f"{shown} is the presenter photo already: nothing changed."
            else:
                text = f"{shown} is the presenter photo now: cut out, and its face found."
            self._done(text)
            return asset
        return None

    def _photo_uploaded(self) -> None:
        if self._muted or not self.photo_upload.value:
            return
        files = uploaded_files(self.photo_upload.value)
        self._muted = True
        try:
            self.photo_upload.value = ()
        finally:
            self._muted = False
        for name, content in files[:1]:
            self.import_photo(name, content)
