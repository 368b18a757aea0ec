"""Generate the presenter: a prompt, a seed and a count make candidate portraits, shown side
by side; "Use this one" cuts the chosen one out, rigs its face and makes it the project's
avatar. The offline generator draws illustrations, not photos, and the panel says so."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from vidkit import Workspace
from vidkit.editing import adopt_avatar_candidate, generate_avatar_candidates
from vidkit.model import Asset
from widgets.errors import ErrorBox

__all__ = ["AvatarGenerator"]


class AvatarGenerator(w.VBox):  # type: ignore[misc]
    """Candidates for ``slug``'s presenter; ``on_changed`` runs once one becomes the avatar."""

    def __init__(self, ws: Workspace, message: ErrorBox, on_changed: Callable[[], None]) -> None:
        self.ws, self.message, self.on_changed = ws, message, on_changed
        self.slug: str | None = None
        self.prompt = w.Text(placeholder="smiling woman with glasses, blue sweater")
        self.seed = w.BoundedIntText(value=0, min=0, max=2**31 - 1, description="Seed")
        self.count = w.BoundedIntText(value=3, min=1, max=8, description="Candidates")
        self.generate_button = w.Button(description="Generate", icon="magic")
        self.generate_button.on_click(lambda _b: self.generate())
        self.progress = w.FloatProgress(value=0.0, min=0.0, max=1.0, layout={"width": "240px"})
        self.status = w.HTML()
        self.candidates = w.HBox()
        self.candidates.add_class("vk-avatar-candidates")
        self.shown: list[Asset] = []
        super().__init__(
            [
                w.HTML("<b>Generate a presenter</b>"),
                w.HBox([self.prompt, self.seed, self.count, self.generate_button]),
                w.HBox([self.progress, self.status]),
                self.candidates,
            ]
        )

    def show(self, slug: str) -> None:
        self.slug = slug
        self.shown = []
        self.candidates.children = ()
        self.status.value = ""

    def generate(self) -> list[Asset]:
        """Make the candidates (one progress step each) and show them side by side."""
        if self.slug is None:
            return []
        slug = self.slug

        def step(index: int, total: int, fraction: float) -> None:
            self.progress.value = (index + fraction) / total
            self.status.value = f"candidate {index + 1}/{total}"

        made: list[Asset] = []
        with self.message.guard():
            self.generate_button.disabled = True
            try:
                made = generate_avatar_candidates(
                    self.ws,
                    slug,
                    self.prompt.value,
                    seed=int(self.seed.value),
                    count=int(self.count.value),
                    progress=step,
                )
            finally:
                self.generate_button.disabled = False
        self.shown = made
        self.candidates.children = tuple(self._card(asset) for asset in made)
        drawn = any(a.metadata.get("illustration") for a in made)
        self.status.value = (
            "<i>These are illustrations drawn offline, not photos.</i>" if drawn else ""
        )
        return made

    def pick(self, asset_id: int) -> Asset | None:
        """Make candidate ``asset_id`` the avatar (cutout and face rig first)."""
        if self.slug is None:
            return None
        slug = self.slug
        photo: Asset | None = None
        with self.message.guard():
            photo, _ = adopt_avatar_candidate(self.ws, slug, asset_id)
            self.status.value = f"Candidate {asset_id} is now the presenter."
            self.on_changed()
        return photo

    def _card(self, asset: Asset) -> Any:
        image = w.Image(value=self.ws.asset_path(asset).read_bytes(), format="png", width=160)
        meta = asset.metadata
        label = w.HTML(
            f"<small>seed {html.escape(str(meta.get('seed')))} · "
            f"{html.escape(str(meta.get('generated_by')))}"
            f"{' (illustration)' if meta.get('illustration') else ''}</small>"
        )
        use = w.Button(description="Use this one")
        use.on_click(lambda _b, asset_id=asset.id: self.pick(asset_id))
        return w.VBox([image, label, use])
