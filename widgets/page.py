"""The studio's hold on its browser page: :class:`StudioPage`, an invisible anywidget.

- It names the page: ``document.title`` follows :attr:`StudioPage.title` ("vidkit studio — My
  video" while a project is open), so a screen reader, the tab strip and the browser history say
  which project a tab holds. Only in a Voila app (whose ``<body>`` carries ``data-voila``): in
  JupyterLab the page is JupyterLab's, and its title stays.
- It gives images their alt text: :attr:`StudioPage.alt_texts` maps a CSS class to the words
  for every ``<img>`` of that class (ipywidgets' Image has no alt, and its tooltip breaks the
  Image view).
- It tells the kernel when a page shows the app (``on_shown``). Voila pre-heats the studio's
  kernel: the app is built before anyone opens the page, so what it read then (the project
  list) may be stale by the time a tab takes that kernel; the studio reads it again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

__all__ = ["APP_NAME", "StudioPage", "page_title"]

APP_NAME = "vidkit studio"

_ESM = """
export default {
  render({ model, el }) {
    el.style.display = "none";
    const inVoila = document.body && "voila" in document.body.dataset;
    const name = () => {
      if (inVoila) document.title = model.get("title");
    };
    const describe = () => {
      for (const [cls, text] of Object.entries(model.get("alt_texts"))) {
        for (const img of document.querySelectorAll(`img.${CSS.escape(cls)}`)) {
          if (img.getAttribute("alt") !== text) img.setAttribute("alt", text);
        }
      }
    };
    name();
    describe();
    // Images the kernel adds or replaces later get theirs too.
    const observer = new MutationObserver(describe);
    observer.observe(document.body, { childList: true, subtree: true });
    model.on("change:title", name);
    model.on("change:alt_texts", describe);
    model.send({ event: "shown" });
    return () => {
      observer.disconnect();
      model.off("change:title", name);
      model.off("change:alt_texts", describe);
    };
  },
};
"""


def page_title(project_title: str | None = None) -> str:
    """``vidkit studio``, or ``vidkit studio — <project title>`` while a project is open."""
    name = " ".join((project_title or "").split())
    return f"{APP_NAME} — {name}" if name else APP_NAME


class StudioPage(anywidget.AnyWidget):
    """Put it anywhere in the app (it shows nothing); set :attr:`title` to rename the page."""

    _esm = _ESM
    title = traitlets.Unicode(APP_NAME).tag(sync=True)
    alt_texts = traitlets.Dict(value_trait=traitlets.Unicode()).tag(sync=True)

    def __init__(self, *, on_shown: Callable[[], None] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("vk-page")
        self.on_shown = on_shown
        self.on_msg(self._message)

    def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "shown" and self.on_shown:
            self.on_shown()
