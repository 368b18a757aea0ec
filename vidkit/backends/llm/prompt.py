"""Prompts: versioned Markdown files in ``vidkit/backends/llm/prompts/``.

Each file starts with front matter (``name`` and ``version``) and has a ``## system`` and a
``## user`` section, and may have an ``## example user`` and ``## example answer`` pair (one worked
example, which small models follow far better than instructions alone); ``$name`` placeholders in
the user section are filled by :meth:`Prompt.messages`. A prompt's
:attr:`~Prompt.tag` (name, version and a digest of the text) is part of every cache key built on
it, so editing a prompt redoes exactly the work that used it. Bump ``version`` when the meaning
changes; the digest catches edits that forget to.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from vidkit.backends.llm.protocol import Message

__all__ = ["Prompt", "load_prompt"]


@dataclass(frozen=True, slots=True)
class Prompt:
    name: str
    version: int
    system: str
    user: str
    digest: str
    example: tuple[str, str] | None = None

    @property
    def tag(self) -> str:
        return f"{self.name}@{self.version}:{self.digest[:12]}"

    def messages(self, **values: object) -> list[Message]:
        """The system and user messages with every ``$placeholder`` filled."""
        text = {k: str(v) for k, v in values.items()}
        messages: list[Message] = [{"role": "system", "content": self.system}]
        if self.example is not None:
            messages.append({"role": "user", "content": self.example[0]})
            messages.append({"role": "assistant", "content": self.example[1]})
        user = string.Template(self.user).substitute(text).strip()
        return [*messages, {"role": "user", "content": user}]


@cache
def load_prompt(name: str) -> Prompt:
    """The prompt ``prompts/<name>.md`` shipped with vidkit."""
    prompts = files("vidkit.backends.llm").joinpath("prompts")
    raw = prompts.joinpath(f"{name}.md").read_text(encoding="utf-8")
    return parse_prompt(raw, source=f"{name}.md")


def parse_prompt(raw: str, *, source: str) -> Prompt:
    head, sep, body = raw.removeprefix("---\n").partition("\n---\n")
    if not raw.startswith("---\n") or not sep:
        raise ValueError(f"{source}: no front matter (--- name/version ---)")
    pairs = (line.partition(":") for line in head.splitlines() if line.strip())
    meta = {key.strip(): value.strip() for key, _, value in pairs}
    sections: dict[str, list[str]] = {}
    current = None
    for line in body.splitlines():
        if line.startswith("## "):
            current = line[3:].strip().lower()
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    example = [sections.pop(k, None) for k in ("example user", "example answer")]
    if set(sections) != {"system", "user"} or "name" not in meta or "version" not in meta:
        raise ValueError(f"{source}: needs name and version, and ## system and ## user sections")
    if (example[0] is None) != (example[1] is None):
        raise ValueError(f"{source}: ## example user and ## example answer go together")
    return Prompt(
        name=meta["name"],
        version=int(meta["version"]),
        system=_unwrap("\n".join(sections["system"])),
        user="\n".join(sections["user"]).strip(),
        digest=hashlib.sha256(raw.encode()).hexdigest(),
        example=(
            ("\n".join(example[0]).strip(), "\n".join(example[1]).strip())
            if example[0] is not None and example[1] is not None
            else None
        ),
    )


def _unwrap(text: str) -> str:
    """Paragraphs wrapped in the file become single lines (blank lines separate them)."""
    return "\n\n".join(" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip())
