"""What the tools and resources of one server share: the workspace, the LLM (built on first
use and kept, so the embedded model stays loaded), and the locks that let one render and one
LLM step run at a time."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from vidkit.config import Config
from vidkit.workspace import Workspace

if TYPE_CHECKING:
    from vidkit.authoring import LLM

__all__ = ["State"]


class State:
    """The workspace of ``config``; ``llm``: the model the authoring tools use (default: the one
    ``[llm]`` names, built on the first authoring call; a build that fails is not kept, so
    setting the key or fetching the model while the server runs is enough)."""

    def __init__(self, config: Config, *, llm: LLM | None = None) -> None:
        self.config = config
        self.workspace = Workspace(config)
        self._llm = llm
        #: Held by an authoring step from building the model to its answer.
        self.writing = threading.Lock()
        #: Held by a render; a second render is refused while it is.
        self.rendering = threading.Lock()

    @property
    def attempts(self) -> int:
        """How many answers an authoring step asks for before it gives up on invalid ones."""
        return self.config.llm.retries + 1

    def llm(self) -> LLM:
        """The model (call with :attr:`writing` held)."""
        if self._llm is None:
            from vidkit.authoring import build_llm

            self._llm = build_llm(self.config)
        return self._llm
