"""The narration script: written by the LLM from a topic or an outline (:func:`write_script`), or
your own (:func:`save_script`), kept as a ``document`` asset (``script.md``) with
``metadata.role = "script"``; :func:`latest_script` finds the newest."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vidkit.authoring._common import (
    CHARS_PER_WORD,
    WORDS_PER_MINUTE,
    Meta,
    raw_dir,
    run,
    stats,
)
from vidkit.backends.llm.budget import PROMPT_TOKENS, answer_tokens, limit_hint
from vidkit.backends.llm.grammar import max_json_chars
from vidkit.backends.llm.prompt import load_prompt
from vidkit.backends.llm.protocol import LLM, Progress, chars_to_tokens, tokens_to_chars
from vidkit.backends.llm.retry import structured
from vidkit.backends.llm.schemas import parse_script, script_schema
from vidkit.backends.llm.text import fit_text, foreign_language
from vidkit.errors import InvalidInput
from vidkit.model import Asset
from vidkit.stages.step import Outputs, text_hash
from vidkit.workspace import Workspace

__all__ = ["Script", "latest_script", "save_script", "write_script"]


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
    meta = Meta(role="script", topic=topic.strip()[:500], audience=audience, minutes=minutes,
                tone=tone, notes=notes, backend=llm.name)  # fmt: skip

    def work(folder: Path) -> Outputs:
        script, replies = structured(
            llm, messages, schema, lambda d: parse_script(d, max_chars),
            task="write_script", max_tokens=budget, attempts=attempts,
            progress=progress, raw_dir=raw_dir(ws),
        )  # fmt: skip
        meta.update(title=script.title, **stats(replies))
        path = folder / "script.md"
        path.write_text(_paragraphs(script.narration) + "\n", encoding="utf-8")
        return {"script": (path, "document")}

    asset, cached = run(
        ws, slug, llm, stage="write_script", prompt=prompt,
        inputs=[text_hash(subject), *(text_hash(f"{k}\0{v}") for k, v in sorted(material.items()))],
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
