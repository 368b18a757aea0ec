"""A :class:`Workspace` ties the parsed config, the catalogue and the asset store together. It holds
no open database connection, so notebooks, Voila kernels, the CLI and the HTTP server can all use
the same catalogue at once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from vidkit.assets import AssetStore, Staged
from vidkit.catalogue import Catalogue, check_kind, check_voice_fields
from vidkit.config import Config
from vidkit.errors import InvalidInput
from vidkit.media import MediaInfo, check_audio_decodes, check_decodes, probe
from vidkit.model import (
    AUDIO_KINDS,
    IMAGE_KINDS,
    MEDIA_KINDS,
    VIDEO_KINDS,
    Asset,
    Job,
    Project,
    Scene,
    Voice,
)

__all__ = ["Workspace", "check_media"]


def check_media(path: Path, kind: str, *, name: str) -> MediaInfo:
    """Describe a media file of ``kind``, or raise saying why it cannot be used as one: a
    video kind must decode its first and last second of picture, an audio kind its first and
    last second of sound, and an image kind decode whole within the size limits (checked from
    its header first, so a decompression bomb is never decoded)."""
    if kind in IMAGE_KINDS:
        from vidkit.imaging import check_image  # Pillow and numpy, only when needed

        try:
            check_image(path, name=name)
        except InvalidInput as exc:  # a picture too small or too large: the file is wrong
            raise InvalidInput(str(exc), field="file") from exc
        return probe(path, name=name)
    info = probe(path, name=name)
    if kind in VIDEO_KINDS:
        check_decodes(path, info, name=name)
    elif kind in AUDIO_KINDS:
        check_audio_decodes(path, info, name=name)
    return info


class Workspace:
    """Projects, scenes and assets of one configuration."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.catalogue = Catalogue(
            config.catalogue.path, lock_timeout_s=config.catalogue.lock_timeout_s
        )
        self.store = AssetStore(config.assets.root)

    def __repr__(self) -> str:
        return f"Workspace(catalogue={str(self.catalogue.path)!r}, assets={str(self.store.root)!r})"

    def _repr_html_(self) -> str:
        projects = self.projects()
        items = (
            "".join(f"<li>{p._repr_html_()}</li>" for p in projects[:20])
            or "<li>no projects yet: <code>ws.create_project('my-video', 'My video')</code></li>"
        )
        return f"<div><b>vidkit workspace</b> — {len(projects)} project(s)<ul>{items}</ul></div>"

    # projects -------------------------------------------------------------------------------

    def projects(self) -> list[Project]:
        """All projects, most recently changed first."""
        return self.catalogue.projects()

    def project(self, slug: str) -> Project:
        return self.catalogue.project(slug)

    def create_project(self, slug: str, title: str, **fields: Any) -> Project:
        """Create a project; ``fields`` may hold subtitle, description, width, height, fps."""
        return self.catalogue.create_project(slug=slug, title=title, **fields)

    def update_project(self, slug: str, /, **changes: Any) -> Project:
        """Change project fields; pass ``slug=`` to rename it."""
        return self.catalogue.update_project(slug, **changes)

    def delete_project(self, slug: str) -> None:
        """Delete a project, its scenes, assets and jobs, then the files nothing else uses and
        the project's assembly cache."""
        self.catalogue.delete_project(slug, remove_files=self.store.remove)
        self.store.drop_caches(slug)

    # scenes ---------------------------------------------------------------------------------

    def scenes(self, slug: str) -> list[Scene]:
        """The project's scenes in order."""
        return self.catalogue.scenes(slug)

    def scene(self, slug: str, scene_id: int) -> Scene:
        return self.catalogue.scene(slug, scene_id)

    def add_scene(
        self, slug: str, title: str, *, position: int | None = None, **fields: Any
    ) -> Scene:
        """Add a scene at ``position`` (1-based; default: at the end)."""
        return self.catalogue.add_scene(slug, position=position, title=title, **fields)

    def update_scene(self, slug: str, scene_id: int, **changes: Any) -> Scene:
        return self.catalogue.update_scene(slug, scene_id, **changes)

    def move_scene(self, slug: str, scene_id: int, position: int) -> list[Scene]:
        """Move one scene to a 1-based position; returns the new order."""
        return self.catalogue.move_scene(slug, scene_id, position)

    def reorder_scenes(self, slug: str, scene_ids: Sequence[int]) -> list[Scene]:
        """Set the whole order at once (atomic); returns the new order."""
        return self.catalogue.reorder_scenes(slug, scene_ids)

    def delete_scene(self, slug: str, scene_id: int) -> None:
        self.catalogue.delete_scene(slug, scene_id, remove_files=self.store.remove)

    # assets ---------------------------------------------------------------------------------

    def import_asset(
        self,
        slug: str,
        path: str | os.PathLike[str],
        *,
        kind: str,
        scene_id: int | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Asset:
        """Copy a file into the asset store and record it; media files must be readable."""
        source = Path(path)
        self._check_target(slug, kind)
        staged = self.store.stage_file(source)
        return self._record(
            slug, staged, kind=kind, scene_id=scene_id, filename=source.name, metadata=metadata
        )

    def import_stream(
        self,
        slug: str,
        stream: BinaryIO,
        *,
        filename: str,
        kind: str,
        scene_id: int | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Asset:
        """Like :meth:`import_asset`, for an uploaded stream."""
        self._check_target(slug, kind)
        staged = self.store.stage_stream(stream, suffix=Path(filename).suffix)
        return self._record(
            slug, staged, kind=kind, scene_id=scene_id, filename=filename, metadata=metadata
        )

    def _check_target(self, slug: str, kind: str) -> None:
        """Refuse an unknown kind or project before copying a possibly large file."""
        check_kind(kind)
        self.catalogue.project(slug)

    def _record(
        self,
        slug: str,
        staged: Staged,
        *,
        kind: str,
        scene_id: int | None,
        filename: str,
        metadata: dict[str, Any] | None,
    ) -> Asset:
        try:
            meta: dict[str, Any] = {"filename": Path(filename).name, **(metadata or {})}
            duration_ms = None
            if kind in MEDIA_KINDS:
                info = check_media(staged.tmp, kind, name=Path(filename).name)
                duration_ms = info.duration_ms if not info.is_still else None
                meta.update(info.to_metadata())
            return self.catalogue.add_asset(
                slug,
                kind=kind,
                path=staged.relpath,
                sha256=staged.sha256,
                size_bytes=staged.size_bytes,
                scene_id=scene_id,
                duration_ms=duration_ms,
                metadata=meta,
                place=lambda: self.store.place(staged),
            )
        finally:
            self.store.discard(staged)

    def assets(
        self, slug: str, *, scene_id: int | None = None, kind: str | None = None
    ) -> list[Asset]:
        return self.catalogue.assets(slug, scene_id=scene_id, kind=kind)

    def delete_asset(self, slug: str, asset_id: int) -> None:
        """Forget an asset; its file goes too unless another asset row shares it."""
        self.catalogue.delete_asset(slug, asset_id, remove_files=self.store.remove)

    def asset_path(self, asset: Asset) -> Path:
        """Where an asset's file is on disk."""
        return self.store.resolve(asset.path)

    # lexicon and voices ---------------------------------------------------------------------

    def lexicon(self, slug: str) -> dict[str, str]:
        """The project's pronunciation lexicon: term -> how it is said."""
        return self.catalogue.lexicon(slug)

    def set_lexicon(self, slug: str, entries: dict[str, str]) -> dict[str, str]:
        """Replace the project's lexicon (``{"len": "length", "SQL": "sequel"}``)."""
        return self.catalogue.set_lexicon(slug, entries)

    def add_voice(
        self,
        slug: str,
        name: str,
        sample: str | os.PathLike[str],
        *,
        transcript: str,
        consent: str,
        consent_by: str = "",
        consent_at: datetime | None = None,
        language: str = "en",
        more_samples: Sequence[str | os.PathLike[str]] = (),
    ) -> Voice:
        """Add a voice profile for cloning: a reference recording (and ``more_samples`` of the
        same speaker), what the first one says, and the speaker's consent record: the
        statement they agreed to (``consent``), who (``consent_by``) and when (``consent_at``,
        default now). Only backends that can clone use it. Each recording is stored once
        (content-addressed); ``vidkit.editing.voices`` also checks length, rate and speech."""
        check_voice_fields(name, transcript, consent)
        paths = [Path(sample), *(Path(p) for p in more_samples)]
        for path in paths:
            if not probe(path).has_audio:
                raise InvalidInput(f"{path.name} has no audio stream", field="sample")
        ids = [self.import_asset(slug, path, kind="voice_sample").id for path in paths]
        return self.catalogue.add_voice(
            slug, name=name, sample_asset_id=ids[0], transcript=transcript, consent=consent,
            consent_by=consent_by, consent_at=consent_at, language=language,
            more_sample_ids=ids[1:],
        )  # fmt: skip

    def voices(self, slug: str) -> list[Voice]:
        return self.catalogue.voices(slug)

    def remove_voice(self, slug: str, name: str) -> Voice:
        """Forget a voice profile; a project speaking in it goes back to the backend's voice.
        Its recordings stay as assets (delete them like any asset)."""
        return self.catalogue.remove_voice(slug, name)

    # jobs -----------------------------------------------------------------------------------

    def jobs(self, slug: str, *, scene_id: int | None = None) -> list[Job]:
        return self.catalogue.jobs(slug, scene_id=scene_id)
