"""Errors raised by vidkit.

Every error the library raises on purpose is a :class:`VidkitError`. Its message (``str(exc)``)
is a plain sentence saying what went wrong, with no command in it. What to do next, when it
depends on where the user is, is its :class:`Hint`: a command line for the CLI (which prints
``error: <message>; <hint.cli>``), a button or field to use for the studio, a stable ``action``
name for programs (the HTTP API sends the hint as a JSON ``hint`` object)::

    raise NotFound(
        f"no project with slug {slug!r}",
        hint=Hint("list_projects", cli="`vidkit projects list` shows them",
                  studio="choose one from the project list"),
    )

The hierarchy::

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
    ├── RenderError            ffmpeg could not render or assemble a video
    └── QualityError           a rendered video failed a required quality check (render --strict)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AssetError",
    "BackendError",
    "CatalogueError",
    "CatalogueLocked",
    "ConfigError",
    "Conflict",
    "Hint",
    "InvalidInput",
    "MediaError",
    "NarrationError",
    "NotFound",
    "QualityError",
    "RenderError",
    "VidkitError",
]


@dataclass(frozen=True, slots=True)
class Hint:
    """What to do next about an error, for each surface in its own words (None: that surface
    has nothing to suggest). ``action`` names the step for programs (``"add_scene"``); ``cli``
    is a clause naming a command (```vidkit scenes add SLUG --title ...` adds one``);
    ``studio`` a clause naming a button or field of the studio, never a command."""

    action: str
    cli: str | None = None
    studio: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The fields that are set, for a JSON body."""
        found = {"action": self.action, "cli": self.cli, "studio": self.studio}
        return {key: value for key, value in found.items() if value is not None}


class VidkitError(Exception):
    """Root of every error vidkit raises on purpose; ``hint`` says what to do next, per
    surface (see :class:`Hint`)."""

    def __init__(self, message: str = "", *, hint: Hint | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def for_cli(self) -> str:
        """The message with the CLI's hint: ``<message>; <hint.cli>``."""
        cli = self.hint.cli if self.hint is not None else None
        return f"{self}; {cli}" if cli else str(self)

    def for_studio(self) -> str:
        """The message with the studio's hint: ``<message>; <hint.studio>``."""
        studio = self.hint.studio if self.hint is not None else None
        return f"{self}; {studio}" if studio else str(self)


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

    def __init__(self, message: str, *, field: str | None = None, hint: Hint | None = None) -> None:
        super().__init__(message, hint=hint)
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
    """A file is not readable media: corrupt, empty, or without the streams it needs.
    ``reason`` says which, for surfaces that show their own words: ``"not_media"`` (nothing
    in it is a picture or a sound: a text file, say), ``"unreadable"`` (a known format that
    does not decode: damaged or cut short) or ``"invalid"`` (anything else)."""

    def __init__(
        self, message: str = "", *, reason: str = "invalid", hint: Hint | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


class BackendError(VidkitError):
    """A configured backend (service, tool or model) is unavailable or failed."""


class RenderError(VidkitError):
    """ffmpeg could not render a scene or assemble a video."""


class QualityError(VidkitError):
    """A rendered video failed a quality check that had to pass (``vidkit render --strict``):
    the message names the scene and the check."""
