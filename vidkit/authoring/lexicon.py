"""Pronunciations: how to say the identifiers and acronyms in a script, proposed by the LLM
(:func:`suggest_lexicon`) and kept as a ``document`` (role ``lexicon-suggestions``); merged into
the project lexicon only with ``apply=True``, never over an entry the project already has."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vidkit.authoring._common import Meta, raw_dir, read_json, run, stats, write_json
from vidkit.authoring.script import latest_script
from vidkit.backends.llm.budget import answer_tokens, limit_hint
from vidkit.backends.llm.prompt import load_prompt
from vidkit.backends.llm.protocol import LLM, Progress, tokens_to_chars
from vidkit.backends.llm.retry import structured
from vidkit.backends.llm.schemas import MAX_ENTRIES, lexicon_schema, parse_lexicon
from vidkit.backends.llm.terms import find_terms, plausible_saying, sentence_with
from vidkit.backends.llm.text import fit_text
from vidkit.errors import InvalidInput
from vidkit.model import Asset
from vidkit.stages.step import Outputs, text_hash
from vidkit.text.lexicon import Lexicon
from vidkit.workspace import Workspace

__all__ = ["LexiconSuggestions", "suggest_lexicon"]


@dataclass(frozen=True)
class LexiconSuggestions:
    """``entries``: proposed term → how it is said; ``applied``: what was merged, if asked."""

    entries: dict[str, str]
    candidates: tuple[str, ...]
    applied: dict[str, str] = field(default_factory=dict)
    asset: Asset | None = None
    cached: bool = False


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
    meta = Meta(role="lexicon-suggestions", backend=llm.name)

    def work(folder: Path) -> Outputs:
        proposal, replies = structured(
            llm, messages, schema, lambda d: parse_lexicon(d, MAX_ENTRIES),
            task="suggest_lexicon", max_tokens=budget, attempts=attempts,
            progress=progress, raw_dir=raw_dir(ws),
        )  # fmt: skip
        meta.update(stats(replies))
        entries = {
            e.term: " ".join(e.say.split())
            for e in proposal.entries
            if e.term in terms and plausible_saying(e.term, e.say)
        }
        data = {"candidates": terms, "entries": entries}
        return {"lexicon": (write_json(folder / "lexicon.json", data), "document")}

    asset, cached = run(
        ws, slug, llm, stage="suggest_lexicon", prompt=prompt, inputs=[text_hash(text)],
        params={"known": sorted(current.items())}, work=work, meta=meta,
    )  # fmt: skip
    entries = dict(read_json(ws, asset)["entries"])
    applied: dict[str, str] = {}
    if apply and entries:
        applied = {k: v for k, v in entries.items() if k not in current}
        ws.set_lexicon(slug, {**current, **applied})
    return LexiconSuggestions(entries, tuple(terms), applied, asset, cached)
