"""``/api/projects/{slug}/voices``: voice profiles to clone (multipart upload of the
reference recordings, with transcript and the speaker's consent record), list, choose, remove.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Form, UploadFile
from pydantic import BaseModel, ConfigDict

from vidkit.editing.voices import add_voice_profile, use_voice
from vidkit.http._deps import ERRORS, WorkspaceDep

__all__ = ["router"]

router = APIRouter(prefix="/api/projects/{slug}/voices", tags=["voices"], responses=ERRORS)


class VoiceOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    project_id: int
    name: str
    sample_asset_id: int
    more_sample_ids: list[int]
    transcript: str
    consent: str
    consent_by: str
    consent_at: str | None
    language: str
    created_at: str | None


class ChosenOut(BaseModel):
    slug: str
    voice: str


@router.get("", response_model=list[VoiceOut], summary="List a project's voice profiles")
def list_voices(slug: str, ws: WorkspaceDep) -> list[dict[str, Any]]:
    return [voice.to_dict() for voice in ws.voices(slug)]


@router.post("", status_code=201, response_model=VoiceOut, summary="Add a voice profile")
def add_voice(
    slug: str,
    ws: WorkspaceDep,
    references: list[UploadFile],
    name: Annotated[str, Form(min_length=1, max_length=200, examples=["Ada"])],
    transcript: Annotated[str, Form(min_length=1, description="what the first reference says")],
    consent: Annotated[str, Form(min_length=1, description="the statement the speaker agreed to")],
    consent_by: Annotated[str, Form(min_length=1, description="who agreed: the speaker")],
    language: Annotated[
        str, Form(examples=["en"], pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    ] = "en",
) -> dict[str, Any]:
    """Upload one or more reference recordings of the speaker (multipart ``references``):
    each must last 3 s to 5 min, be sampled at 16 kHz or more and be mostly speech (silence,
    noise and music are a 422 saying so). Files are stored once (by content)."""
    with tempfile.TemporaryDirectory(prefix="vidkit-voice-") as tmp:
        paths: list[Path] = []
        names: list[str] = []
        for i, upload in enumerate(references):
            filename = PurePath(upload.filename or "").name or f"reference-{i + 1}"
            path = Path(tmp) / f"{i}{PurePath(filename).suffix[:10]}"
            with path.open("wb") as out:
                shutil.copyfileobj(upload.file, out)
            paths.append(path)
            names.append(filename)
        voice, _ = add_voice_profile(
            ws, slug, name, paths, transcript=transcript, consent=consent,
            consent_by=consent_by, language=language, names=names,
        )  # fmt: skip
    return voice.to_dict()


@router.post("/{name}/use", response_model=ChosenOut, summary="Speak the project in this voice")
def choose_voice(slug: str, name: str, ws: WorkspaceDep) -> dict[str, Any]:
    """Make renders speak in this profile (refused without a consent statement)."""
    project = use_voice(ws, slug, name)
    return {"slug": project.slug, "voice": project.voice}


@router.delete("/{name}", status_code=204, summary="Remove a voice profile")
def remove_voice(slug: str, name: str, ws: WorkspaceDep) -> None:
    """Forget the profile (its recordings stay as assets); a project speaking in it goes back
    to the speech backend's own voice."""
    ws.remove_voice(slug, name)
