"""Errors raised by vidkit.

Every error the library raises on purpose is a :class:`VidkitError`. Its message says what went
wrong and what to do next; surfaces (CLI, HTTP API, widgets) show the message as it is::

    VidkitError
    ├── ConfigError            config.toml missing, unreadable, unknown key, wrong type
    ├── CatalogueError         the DuckDB catalogue cannot be opened or is damaged
    │   └── CatalogueLocked    another process held the catalogue past the lock timeout
    ├── NotFound               no project / scene / asset with that name or id
    ├── Conflict               a duplicate slug or another clash with existing data
    ├── InvalidInput           a value that breaks a rule (slug format, empty title, ...)
    ├── AssetError             a file cannot be imported, read, or would escape the assets root
    │   └── MediaError         a file that is not readable media (corrupt, empty, no streams)
    ├── BackendError           a configured service or tool is missing or failed
    └── RenderError            ffmpeg could not render or assemble a video
"""

from __future__ import annotations

__all__ = [
    "AssetError",
    "BackendError",
    "CatalogueError",
    "CatalogueLocked",
    "ConfigError",
    "Conflict",
    "InvalidInput",
    "MediaError",
    "NarrationError",
    "NotFound",
    "RenderError",
    "VidkitError",
]


class VidkitError(Exception):
    """Root of every error vidkit raises on purpose."""


class ConfigError(VidkitError):
    """The configuration file is missing, unreadable or invalid."""


class CatalogueError(VidkitError):
    """The catalogue database cannot be opened, migrated or read."""


class CatalogueLocked(CatalogueError):
    """Another process kept the catalogue locked for longer than the configured timeout."""


class NotFound(VidkitError):
    """No object with the given slug or id exists."""


class Conflict(VidkitError):
    """The change clashes with existing data, such as a duplicate slug."""


class InvalidInput(VidkitError):
    """A value breaks one of the rules; ``field`` names the offending field when known."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NarrationError(InvalidInput):
    """A scene's narration breaks the narration rule (:func:`vidkit.model.check_narration`).
    ``reason`` says which part, for surfaces that show their own words: ``"too_long"``,
    ``"not_text"``, ``"empty"`` (nothing to say, when it must be spoken) or
    ``"unspeakable"`` (nothing left to say once symbols and emoji are dropped)."""

    def __init__(self, message: str, *, reason: str = "invalid") -> None:
        super().__init__(message, field="narration")
        self.reason = reason


class AssetError(VidkitError):
    """A file cannot be imported into or read from the asset store."""


class MediaError(AssetError):
    """A file is not readable media: corrupt, empty, or without the streams it needs."""


class BackendError(VidkitError):
    """A configured backend (service, tool or model) is unavailable or failed."""


class RenderError(VidkitError):
    """ffmpeg could not render a scene or assemble a video."""
