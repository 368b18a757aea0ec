"""Fixtures for the LLM tests: a real local chat server per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.backends.llm.servers import ChatServer

KEY = "sk-test-0123456789abcdef"


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with ChatServer(key=KEY) as running:
        yield running
