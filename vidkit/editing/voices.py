"""Voice profiles as users make them: checked reference recordings, a consent record, and the
project's choice of voice (what ``vidkit voices``, the HTTP API and the studio call)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from vidkit.errors import InvalidInput
from vidkit.model import Project, Voice
from vidkit.recordings.references import ReferenceCheck, check_reference
from vidkit.workspace import Workspace

__all__ = ["add_voice_profile", "reference_cache", "use_voice"]


def reference_cache(ws: Workspace) -> Path:
    """Where reference checks are cached (by content hash), under the assets root."""
    return ws.config.assets.root / "cache" / "voice-references"


def add_voice_profile(
    ws: Workspace,
    slug: str,
    name: str,
    samples: Sequence[str | os.PathLike[str]],
    *,
    transcript: str,
    consent: str,
    consent_by: str,
    consent_at: datetime | None = None,
    language: str = "en",
    names: Sequence[str] = (),
) -> tuple[Voice, list[ReferenceCheck]]:
    """Check every reference (3 s .. 5 min, >= 16 kHz, mostly speech), then store the profile
    with its consent record. ``consent_by`` (who agreed) is required here. ``names`` are how
    messages call the files (an upload's original names)."""
    if not samples:
        raise InvalidInput("give at least one reference recording", field="sample")
    if not consent_by.strip():
        raise InvalidInput(
            "say who gave consent (the speaker's name), e.g. --consent-by 'Ada Lovelace'",
            field="consent_by",
        )
    checks = [
        check_reference(
            Path(path),
            name=names[i] if i < len(names) else None,
            cache_dir=reference_cache(ws),
        )
        for i, path in enumerate(samples)
    ]
    voice = ws.add_voice(
        slug, name, samples[0], transcript=transcript, consent=consent,
        consent_by=consent_by.strip(), consent_at=consent_at, language=language,
        more_samples=samples[1:],
    )  # fmt: skip
    return voice, checks


def use_voice(ws: Workspace, slug: str, name: str) -> Project:
    """Make ``name`` the project's voice ("" for the backend's own voice); a profile without
    a consent statement is refused."""
    if name:
        voice = ws.catalogue.voice(slug, name)
        if not voice.has_consent:
            raise InvalidInput(
                f"the voice profile {name!r} has no consent statement; add it again with the "
                "speaker's consent",
                field="voice",
            )
    return ws.update_project(slug, voice=name)
