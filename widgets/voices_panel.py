"""The studio's voice panel: the project's voice profiles with their consent records, adding
one from uploaded reference recordings (checked: length, sample rate, speech), and choosing
the voice the project's narration is spoken in.

The reference is uploaded, or recorded in the browser (:class:`widgets.recorder.AudioRecorder`:
the browser asks for the microphone); a recorded take becomes a 48 kHz WAV and goes through
the same checks as an upload.
"""

from __future__ import annotations

import html
import tempfile
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

import ipywidgets as w

from vidkit.editing import add_voice_profile, use_voice
from widgets.errors import ErrorBox
from widgets.recorder import AudioRecorder
from widgets.sources import uploaded_files

if TYPE_CHECKING:
    from vidkit import Workspace

__all__ = ["VoicePanel"]

_OWN = ""


class VoicePanel(w.VBox):  # type: ignore[misc]
    """Voice profiles of the open project (:meth:`show_project`)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.slug: str | None = None
        self.message = ErrorBox()
        self.listing = w.HTML()
        self.listing.add_class("vk-voice-list")
        self.choice = w.Dropdown(description="Speak in", options=[("backend's own voice", _OWN)])
        self.choice.add_class("vk-voice-choice")
        self.use = w.Button(description="Use this voice", icon="check")
        self.use.on_click(lambda _b: self.use_chosen())
        self.upload = w.FileUpload(
            accept="audio/*,video/*,.wav,.mp3,.m4a,.flac,.ogg,.webm", multiple=True,
            description="Reference recording(s)", layout=w.Layout(width="auto"),
        )  # fmt: skip
        self.upload.add_class("vk-voice-upload")
        self.recorder = AudioRecorder()
        read_first = w.HTML(
            "<small>Or record it here: type what you will say in the Transcript box above, "
            "click Record (the browser asks to use the microphone), read the transcript aloud, "
            "then click Stop.</small>"
        )
        read_first.add_class("vk-record-hint")
        self.name = w.Text(description="Name", placeholder="Ada")
        self.transcript = w.Textarea(
            description="Transcript",
            placeholder="Exactly what the first recording says, or what you will read aloud",
        )
        self.consent = w.Textarea(
            description="Consent",
            placeholder="The statement the speaker agreed to, e.g. 'I agree to my voice being "
            "cloned for the Intro to SQL course videos'",
        )
        self.consent_by = w.Text(description="Agreed by", placeholder="the speaker's name")
        self.language = w.Text(description="Language", value="en")
        self.add = w.Button(description="Add voice", icon="plus", button_style="primary")
        for widget, name in (
            (self.name, "name"), (self.transcript, "transcript"), (self.consent, "consent"),
            (self.consent_by, "consent-by"), (self.language, "language"), (self.add, "add"),
        ):  # fmt: skip
            widget.add_class(f"vk-voice-{name}")
        self.add.on_click(lambda _b: self.add_profile())
        note = w.HTML(
            "<small>3 s to 5 min of one person speaking clearly (10–30 s is best), 16 kHz or "
            "more, in a quiet room. Upload a recording, or record one above; which speech "
            "backends clone: docs/voices.md.</small>"
        )
        super().__init__(
            [
                self.message, self.listing, w.HBox([self.choice, self.use]),
                w.HTML("<b>Add a voice</b>"), self.name, self.transcript, self.upload,
                read_first, self.recorder, self.consent, self.consent_by, self.language, note,
                self.add,
            ]
        )  # fmt: skip
        self.add_class("vk-voice-panel")

    def show_project(self, slug: str) -> None:
        self.slug = slug
        self.refresh()

    def refresh(self) -> None:
        if self.slug is None:
            return
        voices = self.ws.voices(self.slug)
        chosen = self.ws.project(self.slug).voice
        rows = "".join(
            f"<li><b>{html.escape(v.name)}</b>{' (in use)' if v.name == chosen else ''} — "
            f"{html.escape(v.language)}, {1 + len(v.more_sample_ids)} recording(s); consent by "
            f"{html.escape(v.consent_by or 'not recorded')}: “{html.escape(v.consent)}”</li>"
            for v in voices
        )
        self.listing.value = f"<ul>{rows}</ul>" if rows else "<i>No voice profiles yet.</i>"
        self.choice.options = [("backend's own voice", _OWN), *((v.name, v.name) for v in voices)]
        self.choice.value = chosen if chosen in {v.name for v in voices} else _OWN

    def add_profile(self) -> None:
        """Check the uploaded recordings (or, when nothing is uploaded, the take recorded
        here) and store the profile with its consent record."""
        if self.slug is None:
            return
        slug = self.slug
        files = uploaded_files(self.upload.value)
        recorded = not files and self.recorder.has_take
        with self.message.guard():
            if not files and not recorded:
                self.message.show(
                    "Upload at least one reference recording first, or record one with Record."
                )
                return
            with tempfile.TemporaryDirectory(prefix="vidkit-voice-") as tmp:
                if recorded:
                    names = [self.recorder.take_name]
                    paths = [self.recorder.save_wav(Path(tmp) / names[0])]
                else:
                    names = [name for name, _ in files]
                    paths = [
                        _written(Path(tmp) / f"{i}{PurePath(name).suffix[:10]}", content)
                        for i, (name, content) in enumerate(files)
                    ]
                voice, checks = add_voice_profile(
                    self.ws, slug, self.name.value, paths, transcript=self.transcript.value,
                    consent=self.consent.value, consent_by=self.consent_by.value,
                    language=self.language.value.strip() or "en", names=names,
                )  # fmt: skip
            speech = sum(c.speech_ms for c in checks) / 1000
            if recorded:
                self.recorder.clear()
            else:
                self.upload.value = ()
            self.refresh()
            source = "your recording" if recorded else "the upload"
            self.message.info(
                f"Added the voice {voice.name!r} from {source} ({speech:.0f} s of speech)."
            )

    def use_chosen(self) -> None:
        """Make the chosen profile the project's voice."""
        if self.slug is None:
            return
        with self.message.guard():
            use_voice(self.ws, self.slug, str(self.choice.value))
            self.refresh()
            self.message.info("Renders now speak in " + (
                f"the voice {self.choice.value!r}." if self.choice.value else "the backend's voice."
            ))  # fmt: skip


def _written(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path
