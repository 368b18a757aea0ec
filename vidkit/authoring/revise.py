"""Revising: one scene's narration rewritten by the LLM as asked (:func:`revise_scene`).

Before, after and the request are kept as a ``document`` (role ``revision``) attached to that
scene; no other scene changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidkit.authoring._common import (
    WORDS_PER_MINUTE,
    Meta,
    raw_dir,
    read_json,
    run,
    stats,
    write_json,
)
from vidkit.backends.llm.budget import answer_tokens
from vidkit.backends.llm.prompt import load_prompt
from vidkit.backends.llm.protocol import LLM, Progress
from vidkit.backends.llm.retry import structured
from vidkit.backends.llm.schemas import SCENE_CHARS, parse_revision, revision_schema
from vidkit.errors import InvalidInput
from vidkit.model import Asset, Scene
from vidkit.stages.step import Outputs, text_hash
from vidkit.workspace import Workspace

__all__ = ["Revised", "revise_scene"]

_SECONDS_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?)\b", re.IGNORECASE)
_WORDS_RE = re.compile(r"(\d+)\s*words?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Revised:
    """The scene as revised, its narration ``before``, and the ``revision`` document kept."""

    scene: Scene
    before: str
    asset: Asset
    cached: bool = False
    tokens: int = 0
    seconds: float = 0.0


def revise_scene(
    ws: Workspace,
    slug: str,
    scene_id: int,
    llm: LLM,
    *,
    ask: str,
    attempts: int = 3,
    progress: Progress | None = None,
) -> Revised:
    """Rewrite one scene's narration as ``ask`` says ("shorter", "friendlier", "fit 20 s");
    no other scene changes. "fit N s" also sets the scene's target duration."""
    ask = " ".join(ask.split())
    if not ask:
        raise InvalidInput('say how to change the narration, e.g. --ask "shorter"', field="ask")
    scenes = ws.scenes(slug)
    scene = ws.scene(slug, scene_id)
    index = [s.id for s in scenes].index(scene.id)
    target_ms, target = _target(ask, scene.word_count)
    words = scene.word_count
    max_chars = min(SCENE_CHARS, max(400, len(scene.narration) * 2, _target_words(ask) * 9))
    prompt = load_prompt("revise_scene")

    def neighbour(i: int) -> str:
        return scenes[i].title if 0 <= i < len(scenes) else "(none)"

    messages = prompt.messages(
        project=ws.project(slug).title, position=scene.position, count=len(scenes),
        title=scene.title, previous=neighbour(index - 1), next=neighbour(index + 1),
        words=words, narration=scene.narration or "(none yet)", ask=ask, target=target,
    )  # fmt: skip
    schema = revision_schema(max_chars)
    budget = answer_tokens(llm, schema, messages)
    meta = Meta(role="revision", ask=ask, backend=llm.name)

    def work(folder: Path) -> Outputs:
        revision, replies = structured(
            llm, messages, schema, lambda d: parse_revision(d, max_chars),
            task="revise_scene", max_tokens=budget, attempts=attempts,
            progress=progress, raw_dir=raw_dir(ws),
        )  # fmt: skip
        meta.update(stats(replies))
        data = {"ask": ask, "before": scene.narration, "after": revision.narration}
        return {"revision": (write_json(folder / "revision.json", data), "document")}

    inputs = [scene.narration, scene.title, messages[-1]["content"]]
    asset, cached = run(
        ws, slug, llm, stage="revise_scene", prompt=prompt, scene_id=scene.id,
        inputs=[text_hash(text) for text in inputs], params={"ask": ask}, work=work, meta=meta,
    )  # fmt: skip
    after = read_json(ws, asset)["after"]
    changes: dict[str, Any] = {"narration": after}
    if target_ms is not None:
        changes["target_duration_ms"] = target_ms
    updated = ws.update_scene(slug, scene.id, **changes)
    kept = asset.metadata
    return Revised(updated, scene.narration, asset, cached, int(kept.get("tokens", 0)),
                   float(kept.get("seconds", 0.0)))  # fmt: skip


def _target_words(ask: str) -> int:
    if match := _WORDS_RE.search(ask):
        return int(match.group(1))
    if match := _SECONDS_RE.search(ask):
        return round(float(match.group(1)) * WORDS_PER_MINUTE / 60)
    return 0


def _target(ask: str, words: int) -> tuple[int | None, str]:
    """The target duration a request sets (ms), and a line that tells the model the length."""
    if match := _SECONDS_RE.search(ask):
        seconds = float(match.group(1))
        if not 0 < seconds <= 3600:
            raise InvalidInput("a scene's length must be between 1 s and an hour", field="ask")
        wanted = _target_words(ask)
        return round(seconds * 1000), (
            f"Length: about {wanted} words ({seconds:g} seconds at {WORDS_PER_MINUTE} words a "
            f"minute; now {words} words)."
        )
    if _WORDS_RE.search(ask):
        return None, f"Length: about {_target_words(ask)} words (now {words})."
    return None, ""
