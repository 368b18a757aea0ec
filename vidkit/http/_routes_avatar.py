"""``/api/projects/{slug}/avatar/candidates``: generate candidate avatar portraits from a
prompt (``[services.image]``; offline they are illustrations, not photos), then pick one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from vidkit.editing.avatar_generation import (
    MAX_CANDIDATES,
    adopt_avatar_candidate,
    generate_avatar_candidates,
)
from vidkit.http._deps import ERRORS, AssetId, WorkspaceDep
from vidkit.http._schemas import AssetOut, Whole

__all__ = ["router"]

router = APIRouter(
    prefix="/api/projects/{slug}/avatar/candidates", tags=["avatar"], responses=ERRORS
)


class CandidatesIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    prompt: Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]
    seed: Whole = Field(default=0, ge=0, le=2**31 - 1)
    count: Whole = Field(default=3, ge=1, le=MAX_CANDIDATES)


@router.post("", status_code=201, response_model=list[AssetOut], summary="Generate candidates")
def generate(slug: str, ws: WorkspaceDep, body: CandidatesIn) -> list[dict[str, Any]]:
    """K portraits (seeds ``seed``, ``seed + 1`` ...), each with a face the rig finds, stored
    as ``image`` assets whose metadata holds ``generated_by``, ``prompt``, ``seed`` and
    ``illustration`` (true for the offline generator: a drawing, not a photo)."""
    made = generate_avatar_candidates(ws, slug, body.prompt, seed=body.seed, count=body.count)
    return [asset.to_dict() for asset in made]


@router.post("/{asset_id}/pick", response_model=AssetOut, summary="Make a candidate the avatar")
def pick(slug: str, ws: WorkspaceDep, asset_id: AssetId) -> dict[str, Any]:
    """Cut the candidate out and rig its face like a photo; it becomes the project's
    ``avatar_image`` (with the candidate's provenance in its metadata)."""
    photo, _ = adopt_avatar_candidate(ws, slug, asset_id)
    return photo.to_dict()
