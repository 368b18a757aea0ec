"""Upload buttons that read as their label ("Upload presenter photo", not ipywidgets 8's
"Upload presenter photo (0)": its FileUpload always adds how many files it holds, and the
studio empties it after each upload), and plain sentences for a file that is not what the
button asks for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import ipywidgets as w

from vidkit.errors import MediaError

__all__ = ["UPLOAD_CSS", "not_media", "upload_button", "upload_style", "uploaded_files"]

#: The button's text is its tooltip, drawn by CSS; the count ipywidgets appends is not shown.
UPLOAD_CSS: Final = """
button.vk-upload { font-size: 0 !important; }
button.vk-upload::after {
  content: attr(title); font-size: var(--jp-widgets-font-size, 13px);
}
button.vk-upload > i { font-size: var(--jp-widgets-font-size, 13px); margin-right: 4px; }
"""


def upload_button(description: str, css: str, *, accept: str) -> w.FileUpload:
    """A one-file upload button labelled ``description`` (CSS class ``css``, and ``vk-upload``
    for :data:`UPLOAD_CSS`)."""
    button = w.FileUpload(
        accept=accept, multiple=False, description=description, tooltip=description,
        layout=w.Layout(width="auto"),
    )  # fmt: skip
    button.add_class(css)
    button.add_class("vk-upload")
    return button


def upload_style() -> w.HTML:
    """The style the upload buttons need, as a widget to put beside them."""
    style = w.HTML(f"<style>{UPLOAD_CSS}</style>", layout=w.Layout(display="contents"))
    style.add_class("vk-upload-style")
    return style


def uploaded_files(value: Sequence[Mapping[str, Any]]) -> list[tuple[str, bytes]]:
    """(name, content) of each file in an ipywidgets 8 ``FileUpload.value``."""
    return [(str(item["name"]), bytes(item["content"])) for item in value]


def not_media(exc: MediaError, name: str, what: str, wanted: str) -> MediaError | None:
    """The plain sentence for a file that is not ``what`` at all ("a picture"), or one that does
    not decode: "notes.txt is not a picture: choose a PNG or JPEG photo" (``wanted``); None for
    other media problems, which already say what is wrong in words. The tool's own reason stays
    in the library's message, the new error's cause, for the log."""
    if exc.reason == "not_media":
        return MediaError(f"{name} is not {what}: choose {wanted}", reason=exc.reason)
    if exc.reason == "unreadable":
        return MediaError(
            f"{name} could not be opened (it may be damaged or cut short): choose {wanted}",
            reason=exc.reason,
        )
    return None
