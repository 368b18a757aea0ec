"""A slug suggested from a title is always a valid slug."""

from __future__ import annotations

import pytest

from vidkit.model import SLUG_MAX, suggest_slug, validate_slug


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Intro to Python: Loops!", "intro-to-python-loops"),
        ("Café crème", "cafe-creme"),
        ("  A -- B  ", "a-b"),
        ("東京", ""),
        ("", ""),
        ("x" * 70 + " y", "x" * SLUG_MAX),
        ("a" * 63 + " b", "a" * 63),
    ],
)
def test_a_title_suggests_a_valid_slug(title: str, slug: str) -> None:
    assert suggest_slug(title) == slug
    if slug:
        assert validate_slug(slug) == slug
