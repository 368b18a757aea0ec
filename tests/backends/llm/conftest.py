"""Fixtures for the LLM tests: a real local chat server per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.backends.llm.servers import ChatServer
from vidkit.backends.llm import modes

KEY = "sk-test-0123456789abcdef"


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with ChatServer(key=KEY) as running:
        yield running


@pytest.fixture(autouse=True)
def _forget_structured_modes() -> Iterator[None]:
    """What ``structured = "auto"`` learnt about one test's server stays in that test."""
    modes.forget_all()
    yield
    modes.forget_all()
