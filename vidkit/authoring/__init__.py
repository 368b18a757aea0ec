"""Authoring with an LLM: topic → script, script → planned scenes, one scene revised, and
pronunciations proposed for the lexicon.

What each step keeps, all in the catalogue and the asset store, as ``document`` assets told
apart by ``metadata.role``:

- :func:`write_script` (:mod:`~vidkit.authoring.script`): the narration, ``script.md`` (role
  ``script``); :func:`latest_script` finds the newest, :func:`save_script` keeps your own.
- :func:`plan_scenes` (:mod:`~vidkit.authoring.plan`): the plan, ``plan.json`` (role ``plan``),
  and the planned scenes, written as its ``mode`` says (a replace saves the scenes to a
  ``scenes-backup`` first).
- :func:`revise_scene` (:mod:`~vidkit.authoring.revise`): one scene's narration rewritten;
  before, after and the request (role ``revision``) are attached to that scene.
- :func:`suggest_lexicon` (:mod:`~vidkit.authoring.lexicon`): proposals for identifiers and
  acronyms (role ``lexicon-suggestions``), merged into the project lexicon only with
  ``apply=True`` and never over an entry the project already has.

Every step is handed its :class:`LLM` (:func:`build_llm` builds the one ``[llm]`` names) and
runs through the pipeline's cache (:func:`vidkit.pipeline.cache.run`), whose key covers the
step and :data:`VERSION`, the backend fingerprint, the prompt's version and digest, the inputs
and the parameters; asking again with the same ones answers from the cache.

Importing this package does no work: each name is loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vidkit._lazy import lazy_names

__all__ = [
    "LLM",
    "VERSION",
    "LexiconSuggestions",
    "Plan",
    "PlanMode",
    "Revised",
    "Script",
    "build_llm",
    "latest_script",
    "plan_scenes",
    "revise_scene",
    "save_script",
    "suggest_lexicon",
    "write_script",
]

if TYPE_CHECKING:
    from vidkit.authoring._common import VERSION
    from vidkit.authoring.lexicon import LexiconSuggestions, suggest_lexicon
    from vidkit.authoring.llm import LLM, build_llm
    from vidkit.authoring.plan import Plan, PlanMode, plan_scenes
    from vidkit.authoring.revise import Revised, revise_scene
    from vidkit.authoring.script import Script, latest_script, save_script, write_script

_LAZY = {
    "VERSION": "vidkit.authoring._common",
    "LLM": "vidkit.authoring.llm",
    "build_llm": "vidkit.authoring.llm",
    "LexiconSuggestions": "vidkit.authoring.lexicon",
    "suggest_lexicon": "vidkit.authoring.lexicon",
    "Plan": "vidkit.authoring.plan",
    "PlanMode": "vidkit.authoring.plan",
    "plan_scenes": "vidkit.authoring.plan",
    "Revised": "vidkit.authoring.revise",
    "revise_scene": "vidkit.authoring.revise",
    "Script": "vidkit.authoring.script",
    "latest_script": "vidkit.authoring.script",
    "save_script": "vidkit.authoring.script",
    "write_script": "vidkit.authoring.script",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
