"""What every authoring step shares: its cache version, the speaking rate, the asset metadata it
completes, and running it as a :class:`~vidkit.stages.step.Step` through the pipeline's cache
(:func:`vidkit.pipeline.cache.run`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from vidkit.backends.llm.prompt import Prompt
from vidkit.backends.llm.protocol import LLM, Reply
from vidkit.model import Asset
from vidkit.pipeline.cache import run as run_step
from vidkit.stages.step import Outputs, Step, Stored
from vidkit.workspace import Workspace

#: The steps' cache version: raise it when what a step keeps changes.
VERSION = 1
WORDS_PER_MINUTE = 150
CHARS_PER_WORD = 7  # English averages about 6 with the space; a little slack


def raw_dir(ws: Workspace) -> Path:
    """Where invalid answers are kept for inspection: next to the catalogue."""
    return ws.config.catalogue.path.parent / "llm-failures"


def stats(replies: Sequence[Reply]) -> dict[str, Any]:
    return {
        "tokens": sum(r.tokens for r in replies),
        "seconds": round(sum(r.seconds for r in replies), 3),
        "attempts": len(replies),
    }


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_json(ws: Workspace, asset: Asset) -> Any:
    return json.loads(ws.asset_path(asset).read_text(encoding="utf-8"))


class Meta(dict[str, Any]):
    """Asset metadata that the work function completes (the cache reads it after the work)."""


def run(
    ws: Workspace,
    slug: str,
    llm: LLM,
    *,
    stage: str,
    prompt: Prompt,
    inputs: Sequence[str],
    params: Mapping[str, Any],
    work: Callable[[Path], Outputs],
    meta: Meta,
    scene_id: int | None = None,
) -> tuple[Asset, bool]:
    """Run one step through the cache: the key covers the step and :data:`VERSION`, the
    backend's fingerprint, the prompt's tag, the inputs and the parameters."""
    step = Step(
        stage=stage,
        version=VERSION,
        fingerprint=llm.fingerprint(),
        inputs=inputs,
        params={**params, "prompt": prompt.tag, "context_tokens": llm.context_tokens},
        work=work,
        read=_stored,
        scene_id=scene_id,
        metadata=meta,  # read after the work, which completes it
    )
    stored = run_step(ws, slug, step)
    return stored.asset, stored.cached


def _stored(stored: Stored) -> Stored:
    return stored
