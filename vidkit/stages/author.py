"""Authoring with an LLM: topic → script, script → planned scenes, one scene revised, and
pronunciations proposed for the lexicon.

Every stage is handed its :class:`~vidkit.llm.protocol.LLM` (see
:func:`vidkit.backends.registry.build_llm`) and runs through
:func:`~vidkit.stages.cache.run_cached`, whose key covers the stage and its version, the backend
fingerprint, the prompt's version and digest, the inputs and the parameters. What each stage
keeps, all in the catalogue and the asset store:

- ``write_script``: the narration as a ``document`` asset (``script.md``) with
  ``metadata.role = "script"``; :func:`latest_script` finds the newest.
- ``plan_scenes``: the plan as a ``document`` (``plan.json``, role ``plan``), and the planned
  scenes written as scenes. ``mode`` says what happens to existing scenes: ``"new"`` (default)
  refuses when the project has scenes; ``"append"`` adds after them; ``"replace"`` first saves
  every existing scene to a ``document`` (role ``scenes-backup``), then rewrites scenes in place
  by position (ids, layout and attached files stay), adds the rest, and deletes surplus scenes,
  unless one holds files the user imported, which stops it before anything changes.
- ``revise_scene``: one scene's narration rewritten; before, after and the request are kept as
  a ``document`` (role ``revision``) attached to that scene.
- ``suggest_lexicon``: proposals for identifiers and acronyms found in the script (role
  ``lexicon-suggestions``), merged into the project lexicon only with ``apply=True`` and never
  over an entry the project already has.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

from vidkit.workspace import Workspace
from vidkit.catalogue._scenes import merge as merge_scene
from vidkit.errors import Conflict, InvalidInput
from vidkit.llm.budget import PROMPT_TOKENS, answer_tokens, limit_hint, plan_chunk_words
from vidkit.llm.grammar import max_json_chars
from vidkit.llm.prompt import Prompt, load_prompt
from vidkit.llm.protocol import LLM, Progress, Reply, chars_to_tokens, tokens_to_chars
from vidkit.llm.retry import structured
from vidkit.llm.schemas import (
    MAX_ENTRIES,
    MAX_SCENES,
    SCENE_CHARS,
    PlannedScene,
    lexicon_schema,
    parse_lexicon,
    parse_plan,
    parse_revision,
    parse_script,
    plan_schema,
    revision_schema,
    script_schema,
)
from vidkit.llm.terms import find_terms, plausible_saying, sentence_with
from vidkit.llm.text import fit_text, foreign_language, split_paragraphs
from vidkit.model import Asset, Scene, validate_title
from vidkit.stages.cache import Outputs, run_cached
from vidkit.text.lexicon import Lexicon

__all__ = [
    "VERSION",
    "LexiconSuggestions",
    "Plan",
    "PlanMode",
    "Revised",
    "Script",
    "latest_script",
    "plan_scenes",
    "revise_scene",
    "save_script",
    "suggest_lexicon",
    "write_script",
]

VERSION = 1
WORDS_PER_MINUTE = 150
CHARS_PER_WORD = 7  # English averages about 6 with the space; a little slack
USER_KINDS = frozenset(
    {"screen_capture", "code_file", "image", "avatar_image", "avatar_video", "voice_sample",
     "music", "document", "other"}
)  # fmt: skip

PlanMode = Literal["new", "append", "replace"]


# results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Script:
    """A narration script stored as a ``document`` asset."""

    asset: Asset
    title: str
    text: str
    notes: tuple[str, ...] = ()
    cached: bool = False
    tokens: int = 0
    seconds: float = 0.0

    @property
    def word_count(self) -> int:
        return len(self.text.split())


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


@dataclass(frozen=True)
class Revised:
    scene: Scene
    before: str
    asset: Asset
    cached: bool = False
    tokens: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class LexiconSuggestions:
    """``entries``: proposed term → how it is said; ``applied``: what was merged, if asked."""

    entries: dict[str, str]
    candidates: tuple[str, ...]
    applied: dict[str, str] = field(default_factory=dict)
    asset: Asset | None = None
    cached: bool = False


# shared helpers -------------------------------------------------------------------------------


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _raw_dir(ws: Workspace) -> Path:
    """Where invalid answers are kept for inspection: next to the catalogue."""
    return ws.config.catalogue.path.parent / "llm-failures"


def _stats(replies: Sequence[Reply]) -> dict[str, Any]:
    return {
        "tokens": sum(r.tokens for r in replies),
        "seconds": round(sum(r.seconds for r in replies), 3),
        "attempts": len(replies),
    }


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


class _Meta(dict[str, Any]):
    """Asset metadata that the work function completes (run_cached reads it after the work)."""


def _run(
    ws: Workspace,
    slug: str,
    llm: LLM,
    *,
    stage: str,
    prompt: Prompt,
    inputs: Sequence[str],
    params: Mapping[str, Any],
    work: Callable[[Path], Outputs],
    meta: _Meta,
    scene_id: int | None = None,
) -> tuple[Asset, bool]:
    result = run_cached(
        ws,
        slug,
        stage=stage,
        version=VERSION,
        fingerprint=llm.fingerprint(),
        inputs=inputs,
        params={**params, "prompt": prompt.tag, "context_tokens": llm.context_tokens},
        work=work,
        scene_id=scene_id,
        metadata=meta,
    )
    return result.asset, result.cached


# write_script ---------------------------------------------------------------------------------


def write_script(
    ws: Workspace,
    slug: str,
    llm: LLM,
    *,
    topic: str = "",
    outline: str = "",
    audience: str = "",
    minutes: float = 2.0,
    tone: str = "",
    sources: Mapping[str, str] | None = None,
    attempts: int = 3,
    progress: Progress | None = None,
) -> Script:
    """Write the narration for a video about ``topic`` (a line) and/or ``outline`` (any length),
    for ``audience``, about ``minutes`` long, in ``tone``; ``sources`` (name → text: code files,
    notes) are material to follow. Input longer than the model's context is shortened, and
    :attr:`Script.notes` says how."""
    project = ws.project(slug)
    subject = "\n\n".join(part.strip() for part in (topic, outline) if part and part.strip())
    if not subject:
        raise InvalidInput(
            'nothing to write about: give a topic (--topic "Python list comprehensions") or an '
            "outline (--outline FILE)",
            field="topic",
        )
    if not 0.1 <= minutes <= 60:
        raise InvalidInput("minutes must be between 0.1 and 60", field="minutes")
    prompt = load_prompt("write_script")
    words = round(minutes * WORDS_PER_MINUTE)
    max_chars = words * CHARS_PER_WORD
    notes: list[str] = []
    most = tokens_to_chars(llm.context_tokens // 2) - 200  # the answer gets half the context
    if max_chars > most:
        max_chars = max(200, most)
        words = max_chars // CHARS_PER_WORD
        notes.append(
            f"the model writes at most about {words} words at once, so the script is shorter "
            f"than the {minutes:g} minutes asked; {limit_hint(llm)}"
        )
    schema = script_schema(max_chars)
    budget = chars_to_tokens(max_json_chars(schema))
    room = tokens_to_chars(llm.context_tokens - budget - PROMPT_TOKENS)
    material = dict(sources or {})
    subject_room = room if not material else max(room // 2, room - sum(map(len, material.values())))
    what = "the outline" if outline.strip() else "the topic"
    if topic.strip() and outline.strip():
        what = "the input (topic and outline)"
    fitted = fit_text(subject, subject_room, what=what, limit_hint=limit_hint(llm))
    notes += [fitted.note] if fitted.note else []
    source_block = ""
    left = room - len(fitted.text)
    for name, text in material.items():
        share = fit_text(text, max(0, left // max(1, len(material))), what=f"source {name}",
                         limit_hint=limit_hint(llm))  # fmt: skip
        if share.note:
            notes.append(share.note)
        if share.text:
            source_block += f"\nSource material ({name}):\n<<<\n{share.text}\n>>>\n"
    language = foreign_language(subject)
    if language is not None:
        notes.append(_language_note(ws, llm, language))
    messages = prompt.messages(
        topic=fitted.text,
        audience=audience.strip() or "curious beginners",
        tone=tone.strip() or "friendly and clear",
        words=words,
        minutes=f"{minutes:g}",
        language=f"the language of the topic ({language})" if language else "English",
        source=source_block,
    )
    budget = answer_tokens(llm, schema, messages)
    meta = _Meta(role="script", topic=topic.strip()[:500], audience=audience, minutes=minutes,
                 tone=tone, notes=notes, backend=llm.name)  # fmt: skip

    def work(folder: Path) -> Outputs:
        script, replies = structured(
            llm, messages, schema, lambda d: parse_script(d, max_chars),
            task="write_script", max_tokens=budget, attempts=attempts,
            progress=progress, raw_dir=_raw_dir(ws),
        )  # fmt: skip
        meta.update(title=script.title, **_stats(replies))
        path = folder / "script.md"
        path.write_text(_paragraphs(script.narration) + "\n", encoding="utf-8")
        return {"script": (path, "document")}

    asset, cached = _run(
        ws, slug, llm, stage="write_script", prompt=prompt,
        inputs=[_sha(subject), *(_sha(f"{k}\0{v}") for k, v in sorted(material.items()))],
        params={"audience": audience, "minutes": minutes, "tone": tone, "project": project.id},
        work=work, meta=meta,
    )  # fmt: skip
    return _script_from(ws, asset, cached, notes)


def _language_note(ws: Workspace, llm: LLM, language: str) -> str:
    voice = ws.config.voice
    parts = [
        f"the topic is not in English ({language}), so the script is asked for in its language"
    ]
    if llm.name == "embedded":
        parts.append("the embedded model writes English best (choose another [llm] backend)")
    if voice.backend == "piper":
        parts.append(
            f"the voice [voice] piper_voice = {voice.piper_voice} reads English only: choose a "
            'voice for that language, or [voice] backend = "openai" with a multilingual server'
        )
    return "; ".join(parts)


def _paragraphs(text: str) -> str:
    """Whitespace tidied: single spaces inside paragraphs, one blank line between them."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(block.split()) for block in blocks if block.strip())


def _script_from(
    ws: Workspace, asset: Asset, cached: bool, notes: Sequence[str] | None = None
) -> Script:
    meta = asset.metadata
    return Script(
        asset=asset,
        title=str(meta.get("title", "")),
        text=ws.asset_path(asset).read_text(encoding="utf-8").strip(),
        notes=tuple(notes if notes is not None else meta.get("notes", ())),
        cached=cached,
        tokens=int(meta.get("tokens", 0)),
        seconds=float(meta.get("seconds", 0.0)),
    )


def latest_script(ws: Workspace, slug: str) -> Script | None:
    """The project's newest script (written by :func:`write_script` or saved), if any."""
    scripts = [a for a in ws.assets(slug, kind="document") if a.metadata.get("role") == "script"]
    if not scripts:
        return None
    return _script_from(ws, max(scripts, key=lambda a: a.id), cached=True)


def save_script(
    ws: Workspace, slug: str, text: str, *, title: str = "", source: str = ""
) -> Script:
    """Store ``text`` (your own script) as the project's newest script."""
    if not text.strip():
        raise InvalidInput("the script is empty", field="script")
    with tempfile.TemporaryDirectory(prefix="vidkit-script-") as tmp:
        path = Path(tmp) / "script.md"
        path.write_text(text.strip() + "\n", encoding="utf-8")
        meta = {"role": "script", "title": title, "source": source, "notes": []}
        asset = ws.import_asset(slug, path, kind="document", metadata=meta)
    return _script_from(ws, asset, cached=False)


# plan_scenes ----------------------------------------------------------------------------------


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
                f"project {slug!r} has no script yet: write one with `vidkit write {slug} "
                '--topic "..."`, or pass your own with --script FILE',
                field="script",
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
    meta = _Meta(role="plan", mode=mode, notes=notes, backend=llm.name)

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
                attempts=attempts, progress=_offset(progress, done), raw_dir=_raw_dir(ws),
            )  # fmt: skip
            planned += plan.scenes
            replies += answers
            done += sum(a.tokens for a in answers)
        meta.update(_stats(replies))
        data = {"scenes": [s.model_dump() for s in planned]}
        return {"plan": (_write_json(folder / "plan.json", data), "document")}

    asset, cached = _run(
        ws, slug, llm, stage="plan_scenes", prompt=prompt, inputs=[_sha(script)],
        params={"max_scenes": limit}, work=work, meta=meta,
    )  # fmt: skip
    data = json.loads(ws.asset_path(asset).read_text(encoding="utf-8"))
    planned = [PlannedScene.model_validate(s) for s in data["scenes"]]
    scenes, backup = _write_scenes(ws, slug, planned, mode)
    stats = asset.metadata
    return Plan(scenes, asset, mode, backup, tuple(notes), cached,
                int(stats.get("tokens", 0)), float(stats.get("seconds", 0.0)))  # fmt: skip


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
            path = _write_json(Path(tmp) / "scenes-backup.json", data)
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


# revise_scene ---------------------------------------------------------------------------------

_SECONDS_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?)\b", re.IGNORECASE)
_WORDS_RE = re.compile(r"(\d+)\s*words?\b", re.IGNORECASE)


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
    meta = _Meta(role="revision", ask=ask, backend=llm.name)

    def work(folder: Path) -> Outputs:
        revision, replies = structured(
            llm, messages, schema, lambda d: parse_revision(d, max_chars),
            task="revise_scene", max_tokens=budget, attempts=attempts,
            progress=progress, raw_dir=_raw_dir(ws),
        )  # fmt: skip
        meta.update(_stats(replies))
        data = {"ask": ask, "before": scene.narration, "after": revision.narration}
        return {"revision": (_write_json(folder / "revision.json", data), "document")}

    asset, cached = _run(
        ws, slug, llm, stage="revise_scene", prompt=prompt, scene_id=scene.id,
        inputs=[_sha(scene.narration), _sha(scene.title), _sha(messages[-1]["content"])],
        params={"ask": ask}, work=work, meta=meta,
    )  # fmt: skip
    after = json.loads(ws.asset_path(asset).read_text(encoding="utf-8"))["after"]
    changes: dict[str, Any] = {"narration": after}
    if target_ms is not None:
        changes["target_duration_ms"] = target_ms
    updated = ws.update_scene(slug, scene.id, **changes)
    stats = asset.metadata
    return Revised(updated, scene.narration, asset, cached, int(stats.get("tokens", 0)),
                   float(stats.get("seconds", 0.0)))  # fmt: skip


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


# suggest_lexicon ------------------------------------------------------------------------------


def suggest_lexicon(
    ws: Workspace,
    slug: str,
    llm: LLM,
    *,
    text: str | None = None,
    apply: bool = False,
    attempts: int = 3,
    progress: Progress | None = None,
) -> LexiconSuggestions:
    """Propose how to say the identifiers and acronyms in ``text`` (default: the latest script,
    else the scenes' narration) that neither the default nor the project lexicon covers. With
    ``apply`` the proposals are added to the project lexicon; existing entries are kept."""
    if text is None:
        found = latest_script(ws, slug)
        text = found.text if found else "\n\n".join(s.narration for s in ws.scenes(slug))
    if not text.strip():
        raise InvalidInput(
            f"project {slug!r} has no script or narration to look for terms in", field="text"
        )
    current = ws.lexicon(slug)
    known = Lexicon.default().updated(current)
    terms = find_terms(text, known)
    if not terms:
        return LexiconSuggestions({}, ())
    prompt = load_prompt("suggest_lexicon")
    context = "\n".join(f"- {t}: {sentence_with(text, t)}" for t in terms)
    context = fit_text(context, tokens_to_chars(llm.context_tokens // 3), what="the context",
                       limit_hint=limit_hint(llm)).text  # fmt: skip
    messages = prompt.messages(terms="\n".join(terms), context=context)
    schema = lexicon_schema(len(terms))
    budget = answer_tokens(llm, schema, messages)
    meta = _Meta(role="lexicon-suggestions", backend=llm.name)

    def work(folder: Path) -> Outputs:
        proposal, replies = structured(
            llm, messages, schema, lambda d: parse_lexicon(d, MAX_ENTRIES),
            task="suggest_lexicon", max_tokens=budget, attempts=attempts,
            progress=progress, raw_dir=_raw_dir(ws),
        )  # fmt: skip
        meta.update(_stats(replies))
        entries = {
            e.term: " ".join(e.say.split())
            for e in proposal.entries
            if e.term in terms and plausible_saying(e.term, e.say)
        }
        data = {"candidates": terms, "entries": entries}
        return {"lexicon": (_write_json(folder / "lexicon.json", data), "document")}

    asset, cached = _run(
        ws, slug, llm, stage="suggest_lexicon", prompt=prompt, inputs=[_sha(text)],
        params={"known": sorted(current.items())}, work=work, meta=meta,
    )  # fmt: skip
    entries = dict(json.loads(ws.asset_path(asset).read_text(encoding="utf-8"))["entries"])
    applied: dict[str, str] = {}
    if apply and entries:
        applied = {k: v for k, v in entries.items() if k not in current}
        ws.set_lexicon(slug, {**current, **applied})
    return LexiconSuggestions(entries, tuple(terms), applied, asset, cached)
