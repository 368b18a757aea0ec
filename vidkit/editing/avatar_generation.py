"""Generated avatars: K candidate portraits from a prompt, shown side by side, one picked.

Candidates are stored as plain ``image`` assets whose metadata holds their provenance
(``generated_by``, ``prompt``, ``seed``, ``illustration``); no render uses them until one is
picked, which sends it through the same cutout and rig as a photo
(:meth:`vidkit.pipeline.SceneGraph.adopt_photo`) and makes it the ``avatar_image``.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from vidkit.errors import Hint, InvalidInput
from vidkit.model import Asset
from vidkit.pipeline import Presenter, SceneGraph
from vidkit.workspace import Workspace

__all__ = ["CandidateProgress", "adopt_avatar_candidate", "generate_avatar_candidates"]

CandidateProgress = Callable[[int, int, float], None]
"""Called with (candidate index from 0, count, fraction of that candidate done)."""

MAX_CANDIDATES = 8


def generate_avatar_candidates(
    ws: Workspace,
    slug: str,
    prompt: str,
    *,
    seed: int = 0,
    count: int = 3,
    progress: CandidateProgress | None = None,
) -> list[Asset]:
    """``count`` portraits for ``prompt`` (seeds ``seed``, ``seed + 1`` ...), each one checked
    to have a face the rig finds (reseeded otherwise, a few times at most), stored as
    ``image`` assets with their provenance in the metadata. The offline generator draws
    illustrations (metadata ``illustration: true``), not photos."""
    from vidkit.backends import registry
    from vidkit.backends.imagegen.faces import generate_with_face

    if not prompt.strip():
        raise InvalidInput("describe the presenter in the prompt, e.g. 'smiling woman, glasses'")
    if not 1 <= count <= MAX_CANDIDATES:
        raise InvalidInput(f"count must be 1..{MAX_CANDIDATES}, not {count}")
    ws.catalogue.project(slug)
    gen = registry.build_imagegen(ws.config)
    rig = registry.build_facerig(ws.config)
    made: list[Asset] = []
    for index in range(count):

        def step(fraction: float, index: int = index) -> None:
            if progress is not None:
                progress(index, count, fraction)

        step(0.0)
        image = generate_with_face(gen, rig, prompt, seed + index, progress=step)
        asset = ws.import_stream(
            slug,
            io.BytesIO(image.png),
            filename=f"avatar-{image.backend}-{image.seed}.png",
            kind="image",
            metadata={"avatar_candidate": True, **image.provenance()},
        )
        made.append(asset)
        step(1.0)
    return made


def adopt_avatar_candidate(ws: Workspace, slug: str, asset_id: int) -> tuple[Asset, Presenter]:
    """Make the candidate ``asset_id`` the project's avatar (cutout + rig, as for a photo);
    its provenance stays in the ``avatar_image``'s metadata."""
    candidate = next((a for a in ws.assets(slug, kind="image") if a.id == asset_id), None)
    if candidate is None or not candidate.metadata.get("avatar_candidate"):
        raise InvalidInput(
            f"asset {asset_id} is not a generated avatar candidate",
            hint=Hint(
                "generate_avatar",
                cli=f"list them with `vidkit avatar-generate {slug} --prompt ...` first",
                studio="generate portraits under “Presenter” above, then choose one of them",
            ),
        )
    provenance = {
        k: v
        for k, v in candidate.metadata.items()
        if k in ("generated_by", "prompt", "seed", "illustration", "tries")
    }
    graph = SceneGraph(ws, slug)
    with ws.asset_path(candidate).open("rb") as stream:
        return graph.adopt_photo(stream, filename=f"avatar-{asset_id}.png", metadata=provenance)
