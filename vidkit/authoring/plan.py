"""Planning: a script cut into scenes by the LLM (:func:`plan_scenes`).

The plan is kept as a ``document`` (``plan.json``, role ``plan``), and the planned scenes are
written as scenes. ``mode`` says what happens to existing scenes: ``"new"`` (default) refuses
when the project has scenes; ``"append"`` adds after them; ``"replace"`` first saves every
existing scene to a ``document`` (role ``scenes-backup``), then rewrites scenes in place by
position (ids, layout and attached files stay), adds the rest, and deletes surplus scenes, unless
one holds files the user imported, which stops it before anything changes.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

from vidkit.authoring._common import Meta, raw_dir, read_json, run, stats, write_json
from vidkit.authoring.script import latest_script
from vidkit.backends.llm.budget import answer_tokens, limit_hint, plan_chunk_words
from vidkit.backends.llm.prompt import load_prompt
from vidkit.backends.llm.protocol import LLM, Progress, Reply
from vidkit.backends.llm.retry import structured
from vidkit.backends.llm.schemas import (
    MAX_SCENES,
    SCENE_CHARS,
    PlannedScene,
    parse_plan,
    plan_schema,
)
from vidkit.backends.llm.text import split_paragraphs
from vidkit.catalogue import merge_scene
from vidkit.errors import Conflict, Hint, InvalidInput
from vidkit.model import Asset, Scene, validate_title
from vidkit.stages.step import Outputs, text_hash
from vidkit.workspace import Workspace

__all__ = ["Plan", "PlanMode", "plan_scenes"]

#: What happens to the scenes a project has: see the module docstring.
PlanMode = Literal["new", "append", "replace"]
#: Kinds of file a user imports; a replace never deletes a scene that holds one.
USER_KINDS = frozenset(
    {"screen_capture", "code_file", "capture_script", "image", "avatar_image", "avatar_video",
     "voice_sample", "music", "document", "other"}
)  # fmt: skip


@dataclass(frozen=True)
class Plan:
    """Scenes written from a plan; ``backup`` holds the scenes a replace overwrote."""

    scenes: list[Scene]
    asset: Asset
    mode: PlanMode
    backup: Asset | None = None
    notes: tuple[str, ...] = ()
    cached: bool = False
    tokens: int = 0
    seconds: float = 0.0


def plan_scenes(
    ws: Workspace,
    slug: str,
    llm: LLM,
    *,
    script: str | None = None,
    mode: PlanMode = "new",
    max_scenes: int | None = None,
    attempts: int = 3,
    progress: Progress | None = None,
) -> Plan:
    """Cut ``script`` (default: the project's latest script) into scenes and write them into the
    catalogue as ``mode`` says (see the module docstring). A script longer than the model can
    plan at once is planned in parts, split between paragraphs."""
    if mode not in ("new", "append", "replace"):
        raise InvalidInput("mode must be new, append or replace", field="mode")
    existing = ws.scenes(slug)
    if mode == "new" and existing:
        raise Conflict(
            f"project {slug!r} already has {len(existing)} scene(s): pass --replace to replace "
            "them (they are saved first) or --append to add the plan after them"
        )
    if script is None:
        found = latest_script(ws, slug)
        if found is None:
            raise InvalidInput(
                f"project {slug!r} has no script yet",
                field="script",
                hint=Hint(
                    "write_script",
                    cli=f'write one with `vidkit write {slug} --topic "..."`, or pass your own '
                    "with --script FILE",
                    studio="write one under “Script” above first",
                ),
            )
        script = found.text
    if not script.strip():
        raise InvalidInput("the script is empty", field="script")
    if max_scenes is not None and not 1 <= max_scenes <= MAX_SCENES:
        raise InvalidInput(f"max_scenes must be between 1 and {MAX_SCENES}", field="max_scenes")
    prompt = load_prompt("plan_scenes")
    parts = split_paragraphs(script, plan_chunk_words(llm))
    total_words = len(script.split())
    limit = max_scenes or min(MAX_SCENES, math.ceil(total_words / 60) + 1)
    notes: list[str] = []
    if len(parts) > 1:
        notes.append(
            f"the script ({total_words} words) is longer than the model plans at once, so it "
            f"was planned in {len(parts)} parts split between paragraphs; {limit_hint(llm)}"
        )
    meta = Meta(role="plan", mode=mode, notes=notes, backend=llm.name)

    def work(folder: Path) -> Outputs:
        planned: list[PlannedScene] = []
        replies: list[Reply] = []
        done = 0
        for part in parts:
            share = max(1, round(limit * len(part.split()) / total_words))
            narration = min(SCENE_CHARS, 2 * len(part) // share + 80)
            schema = plan_schema(share, narration)
            messages = prompt.messages(script=part, max_scenes=share)
            plan, answers = structured(
                llm, messages, schema,
                partial(parse_plan, max_scenes=share, max_chars=narration), task="plan_scenes",
                max_tokens=answer_tokens(llm, schema, messages),
                attempts=attempts, progress=_offset(progress, done), raw_dir=raw_dir(ws),
            )  # fmt: skip
            planned += plan.scenes
            replies += answers
            done += sum(a.tokens for a in answers)
        meta.update(stats(replies))
        data = {"scenes": [s.model_dump() for s in planned]}
        return {"plan": (write_json(folder / "plan.json", data), "document")}

    asset, cached = run(
        ws, slug, llm, stage="plan_scenes", prompt=prompt, inputs=[text_hash(script)],
        params={"max_scenes": limit}, work=work, meta=meta,
    )  # fmt: skip
    planned = [PlannedScene.model_validate(s) for s in read_json(ws, asset)["scenes"]]
    scenes, backup = _write_scenes(ws, slug, planned, mode)
    kept = asset.metadata
    return Plan(scenes, asset, mode, backup, tuple(notes), cached,
                int(kept.get("tokens", 0)), float(kept.get("seconds", 0.0)))  # fmt: skip


def _offset(progress: Progress | None, done: int) -> Progress | None:
    if progress is None:
        return None
    report = progress
    return lambda n, total: report(done + n, done + total)


def _scene_fields(planned: PlannedScene) -> dict[str, Any]:
    return {
        "title": planned.title,
        "narration": planned.narration,
        "notes": f"screen: {planned.screen}",
        "target_duration_ms": planned.seconds * 1000,
    }


def _write_scenes(
    ws: Workspace, slug: str, planned: Sequence[PlannedScene], mode: PlanMode
) -> tuple[list[Scene], Asset | None]:
    fields = [_scene_fields(p) for p in planned]
    blank = Scene(id=0, project_id=0, position=1, title="-")
    for number, values in enumerate(fields, start=1):  # check all before writing any
        try:
            validate_title(values["title"])
            merge_scene(blank, values)
        except InvalidInput as exc:
            raise InvalidInput(f"planned scene {number}: {exc}", field=exc.field) from None
    existing = ws.scenes(slug)
    if mode == "new" and existing:
        raise Conflict(f"project {slug!r} got scenes while planning; plan again with --append")
    if mode != "replace":
        return [ws.add_scene(slug, **values) for values in fields], None
    for extra in existing[len(fields) :]:
        kept = [
            a.kind for a in ws.assets(slug, scene_id=extra.id)
            if a.kind in USER_KINDS and "stage" not in a.metadata
        ]  # fmt: skip
        if kept:
            raise Conflict(
                f"the plan has {len(fields)} scenes, so scene {extra.position} ({extra.title!r}, "
                f"id {extra.id}) would be deleted, but it holds files you imported "
                f"({', '.join(sorted(set(kept)))}): plan with --append, or move or delete those "
                "files first; nothing was changed"
            )
    backup = None
    if existing:
        with tempfile.TemporaryDirectory(prefix="vidkit-plan-") as tmp:
            data = {"scenes": [s.to_dict() for s in existing]}
            path = write_json(Path(tmp) / "scenes-backup.json", data)
            meta = {"role": "scenes-backup", "count": len(existing)}
            backup = ws.import_asset(slug, path, kind="document", metadata=meta)
    written = []
    for index, values in enumerate(fields):
        if index < len(existing):
            written.append(ws.update_scene(slug, existing[index].id, **values))
        else:
            written.append(ws.add_scene(slug, **values))
    for extra in existing[len(fields) :]:
        ws.delete_scene(slug, extra.id)
    return written, backup
