"""Input checks that need no model: fitting long input, spotting a language, prompt files."""

from __future__ import annotations

import pytest

from vidkit.backends.llm.prompt import load_prompt, parse_prompt
from vidkit.backends.llm.text import fit_text, foreign_language

HINT = "raise [llm.embedded] context_tokens"


def test_short_text_is_kept_as_it_is() -> None:
    fitted = fit_text("  A topic.  ", 100, what="the topic", limit_hint=HINT)
    assert (fitted.text, fitted.note, fitted.shortened) == ("A topic.", None, False)


def test_an_outline_keeps_its_headings_and_points_first() -> None:
    outline = "\n".join(
        f"# Part {n}\n- point {n}\n  - detail {'x' * 300}\nprose {'y' * 300}" for n in range(20)
    )
    fitted = fit_text(outline, 1000, what="the outline", limit_hint=HINT)
    assert fitted.text.splitlines()[:2] == ["# Part 0", "- point 0"]
    assert "detail" not in fitted.text and "prose" not in fitted.text
    assert len(fitted.text) <= 1000 and fitted.note is not None
    assert "used its 40 headings and top-level points" in fitted.note
    assert fitted.note.endswith(HINT)


def test_too_many_headings_are_sampled_from_start_to_end() -> None:
    outline = "\n".join(f"## Chapter {n:03d} " + "z" * 40 for n in range(300))
    fitted = fit_text(outline, 2000, what="the outline", limit_hint=HINT)
    lines = fitted.text.splitlines()
    assert len(fitted.text) <= 2000
    assert lines[0].startswith("## Chapter 000") and lines[-1].startswith("## Chapter 299")
    assert fitted.note is not None and "spread evenly from start to end" in fitted.note


def test_prose_is_cut_at_a_sentence_end() -> None:
    text = "One sentence here. " * 200
    fitted = fit_text(text, 500, what="the topic", limit_hint=HINT)
    assert fitted.text.endswith(".") and len(fitted.text) <= 500
    assert fitted.note is not None and "used its first" in fitted.note


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Python list comprehensions for beginners", None),
        ("How the dict and the set work", None),
        ("Списковые включения в Python", "Cyrillic"),
        ("Pythonのリスト内包表記", "Japanese"),
        ("Python 列表推导式", "Chinese"),
        ("Listen und Schleifen in Python: wie man die Liste durchläuft", "German"),
        ("Les compréhensions de liste et les boucles pour débutants", "French"),
        ("", None),
    ],
)
def test_foreign_language(text: str, language: str | None) -> None:
    assert foreign_language(text) == language


@pytest.mark.parametrize("name", ["write_script", "plan_scenes", "revise_scene", "suggest_lexicon"])
def test_every_prompt_file_is_versioned_and_fills_its_placeholders(name: str) -> None:
    prompt = load_prompt(name)
    assert prompt.name == name and prompt.version >= 1
    assert prompt.tag.startswith(f"{name}@{prompt.version}:")
    with pytest.raises(KeyError):
        prompt.messages()  # every placeholder must be given


def test_the_prompt_tag_changes_with_the_text() -> None:
    raw = "---\nname: t\nversion: 3\n---\n## system\nBe  brief.\nReally.\n\n## user\nSay $x\n"
    one = parse_prompt(raw, source="t.md")
    two = parse_prompt(raw.replace("brief", "short"), source="t.md")
    assert one.tag != two.tag and one.tag.startswith("t@3:")
    assert one.messages(x="hi") == [
        {"role": "system", "content": "Be brief. Really."},
        {"role": "user", "content": "Say hi"},
    ]
    with pytest.raises(ValueError, match="front matter"):
        parse_prompt("## system\nx\n## user\ny\n", source="bad.md")
