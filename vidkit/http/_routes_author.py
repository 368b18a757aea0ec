"""``/api/projects/{slug}/script``, ``/plan``, ``/scenes/{scene_id}/revise`` and ``/lexicon``:
writing and planning with the configured LLM, as ``vidkit write``, ``plan``, ``revise`` and
``lexicon`` do, with the same results (the fields of their ``--json``, plus tokens and seconds).

A step runs the model for seconds to minutes. It runs in a worker thread from a pool of its own
(at most :data:`LLM_WORKERS` steps at once; more wait their turn), so the event loop and the
threads the other routes use stay free. A client that gives up does not stop a step: what it
made is kept, and asking again returns it from the stage cache.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Final, TypeVar

import anyio
import anyio.to_thread
from fastapi import APIRouter, Body, Request

from vidkit.errors import BackendError, Conflict, InvalidInput, NotFound
from vidkit.http._deps import ERRORS, JSON_BODY_LIMIT, SceneId, WorkspaceDep, get_workspace
from vidkit.http._errors import UpstreamError
from vidkit.http._llm import LLMSource, upstream_error
from vidkit.http._schemas import (
    ErrorOut,
    LexiconSuggest,
    LexiconSuggestionsOut,
    PlanOut,
    PlanRequest,
    RevisedOut,
    ReviseRequest,
    ScriptOut,
    ScriptSave,
    ScriptWrite,
)
from vidkit.workspace import Workspace

if TYPE_CHECKING:
    from vidkit.authoring import PlanMode, Script

__all__ = ["LLM_WORKERS", "router"]

log = logging.getLogger("vidkit.http")
T = TypeVar("T")

#: Authoring steps that run at once; the embedded model answers one at a time anyway.
LLM_WORKERS: Final = 4

router = APIRouter(
    prefix="/api/projects/{slug}",
    tags=["authoring"],
    responses=ERRORS,
    max_body_size=JSON_BODY_LIMIT,
)
_LLM_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    502: {
        "model": ErrorOut,
        "description": "The LLM failed, refused the key or the request, or never answered "
        "in the schema (the raw answers are kept; the detail names the file)",
    },
    503: {
        "model": ErrorOut,
        "description": "The LLM is unreachable, not set up on the server, or rate-limiting "
        "(Retry-After when it said how long to wait); or the catalogue stayed locked",
    },
    504: {"model": ErrorOut, "description": "The LLM did not answer within its timeout_s"},
}
_PLAN_ERRORS: Final = {
    **_LLM_ERRORS,
    409: {
        "model": ErrorOut,
        "description": "The project has scenes and neither append nor replace was sent",
    },
}


# running a step -------------------------------------------------------------------------------


async def _off_loop(request: Request, work: Callable[[Workspace, LLMSource], T]) -> T:
    """``work(workspace, llm source)`` in a worker thread of the authoring pool."""
    state = request.app.state
    limiter = getattr(state, "llm_limiter", None)
    if limiter is None:  # made on the loop: it belongs to the loop that runs the app
        limiter = state.llm_limiter = anyio.CapacityLimiter(LLM_WORKERS)
    source = state.llm
    assert isinstance(source, LLMSource)
    return await anyio.to_thread.run_sync(
        partial(work, get_workspace(request), source), limiter=limiter
    )


def _call(step: Callable[[], T]) -> T:
    """``step()``, with an LLM failure as the HTTP status that describes it."""
    try:
        return step()
    except UpstreamError:
        raise
    except BackendError as exc:
        raise upstream_error(exc) from exc


def _logged(step: str, slug: str, *, cached: bool, tokens: int, seconds: float) -> None:
    if cached:
        log.info("%s %s: cached (same inputs, model and prompt)", step, slug)
    else:
        log.info("%s %s: %d tokens in %.1f s", step, slug, tokens, seconds)


def _script_out(script: Script) -> dict[str, Any]:
    return {
        "script": script.asset.to_dict(),
        "title": script.title,
        "text": script.text,
        "notes": list(script.notes),
        "cached": script.cached,
        "tokens": script.tokens,
        "seconds": script.seconds,
    }


# the script -----------------------------------------------------------------------------------


@router.post("/script", response_model=ScriptOut, responses=_LLM_ERRORS, summary="Write the script")
async def write_script(slug: str, body: ScriptWrite, request: Request) -> dict[str, Any]:
    """Write the narration from a ``topic`` or an ``outline`` (like ``vidkit write``). It
    becomes the project's script; ``notes`` say when the input was shortened to fit the model
    or is not in English. The same request again answers from the cache (``cached``)."""
    return await _off_loop(request, partial(_write, slug, body))


def _write(slug: str, body: ScriptWrite, ws: Workspace, source: LLMSource) -> dict[str, Any]:
    from vidkit import authoring

    ws.project(slug)
    if not (body.topic.strip() or body.outline.strip()):
        raise InvalidInput(
            'nothing to write about: send a "topic" (a line, such as "Python list '
            'comprehensions") or an "outline" (notes of any length)',
            field="topic",
        )
    llm = source.get()
    script = _call(
        lambda: authoring.write_script(
            ws,
            slug,
            llm,
            topic=body.topic,
            outline=body.outline,
            audience=body.audience,
            minutes=body.minutes,
            tone=body.tone,
            sources=body.sources,
            attempts=source.attempts,
        )
    )
    _logged("write", slug, cached=script.cached, tokens=script.tokens, seconds=script.seconds)
    return _script_out(script)


@router.get("/script", response_model=ScriptOut, summary="The project's script")
def get_script(slug: str, ws: WorkspaceDep) -> dict[str, Any]:
    """The newest script, written by ``POST .../script`` or stored by ``PUT``."""
    from vidkit.authoring import latest_script

    ws.project(slug)
    script = latest_script(ws, slug)
    if script is None:
        raise NotFound(
            f"project {slug!r} has no script yet: write one with POST "
            f"/api/projects/{slug}/script, or store your own with PUT"
        )
    return _script_out(script)


@router.put("/script", response_model=ScriptOut, summary="Store your own script")
def save_script(slug: str, body: ScriptSave, ws: WorkspaceDep) -> dict[str, Any]:
    """Store ``text`` as the project's newest script (the one ``plan`` cuts into scenes)."""
    from vidkit import authoring

    ws.project(slug)
    if not body.text.strip():
        raise InvalidInput("the script is empty: send its text", field="text")
    return _script_out(authoring.save_script(ws, slug, body.text, title=body.title, source="api"))


# scenes ---------------------------------------------------------------------------------------


@router.post(
    "/plan", response_model=PlanOut, responses=_PLAN_ERRORS, summary="Plan scenes from the script"
)
async def plan_scenes(
    slug: str, request: Request, body: Annotated[PlanRequest | None, Body()] = None
) -> dict[str, Any]:
    """Cut the script into scenes (title, narration, what the screen shows, a duration) and
    write them into the catalogue (like ``vidkit plan``). A project with scenes needs
    ``append`` (after them) or ``replace`` (they are saved first, in ``backup``)."""
    return await _off_loop(request, partial(_plan, slug, body or PlanRequest()))


def _plan(slug: str, body: PlanRequest, ws: Workspace, source: LLMSource) -> dict[str, Any]:
    from vidkit import authoring

    if body.append and body.replace:
        raise InvalidInput('send "replace": true or "append": true, not both', field="replace")
    ws.project(slug)
    mode: PlanMode = "replace" if body.replace else "append" if body.append else "new"
    existing = ws.scenes(slug)
    if mode == "new" and existing:
        raise Conflict(
            f'project {slug!r} already has {len(existing)} scene(s): send "replace": true to '
            'replace them (they are saved first) or "append": true to add the plan after them'
        )
    if body.script is None and authoring.latest_script(ws, slug) is None:
        raise InvalidInput(
            f"project {slug!r} has no script yet: write one with POST /api/projects/{slug}/"
            'script, or send your own as "script"',
            field="script",
        )
    llm = source.get()
    try:
        plan = _call(
            lambda: authoring.plan_scenes(
                ws,
                slug,
                llm,
                script=body.script,
                mode=mode,
                max_scenes=body.max_scenes,
                attempts=source.attempts,
            )
        )
    except Conflict as exc:  # the library's words are the CLI's
        raise Conflict(str(exc).replace("--append", '"append": true')) from exc
    if body.script is not None:  # your script becomes the project's latest, as in the CLI
        authoring.save_script(ws, slug, body.script, source="api")
    _logged("plan", slug, cached=plan.cached, tokens=plan.tokens, seconds=plan.seconds)
    return {
        "scenes": [scene.to_dict() for scene in plan.scenes],
        "plan": plan.asset.to_dict(),
        "backup": plan.backup.to_dict() if plan.backup else None,
        "notes": list(plan.notes),
        "cached": plan.cached,
        "tokens": plan.tokens,
        "seconds": plan.seconds,
    }


@router.post(
    "/scenes/{scene_id}/revise",
    response_model=RevisedOut,
    responses=_LLM_ERRORS,
    summary="Rewrite one scene's narration",
)
async def revise_scene(
    slug: str, scene_id: SceneId, body: ReviseRequest, request: Request
) -> dict[str, Any]:
    """Rewrite one scene's narration as ``ask`` says (like ``vidkit revise``); the other scenes
    stay as they are. "fit 20 s" also sets the scene's target duration. The narration before
    is kept in the ``revision`` document."""
    return await _off_loop(request, partial(_revise, slug, scene_id, body))


def _revise(
    slug: str, scene_id: int, body: ReviseRequest, ws: Workspace, source: LLMSource
) -> dict[str, Any]:
    from vidkit import authoring

    ws.scene(slug, scene_id)
    if not body.ask.strip():
        raise InvalidInput(
            'say how to change the narration, e.g. "ask": "shorter" or "fit 20 s"', field="ask"
        )
    llm = source.get()
    revised = _call(
        lambda: authoring.revise_scene(
            ws, slug, scene_id, llm, ask=body.ask, attempts=source.attempts
        )
    )
    _logged("revise", slug, cached=revised.cached, tokens=revised.tokens, seconds=revised.seconds)
    return {
        "scene": revised.scene.to_dict(),
        "before": revised.before,
        "revision": revised.asset.to_dict(),
        "cached": revised.cached,
        "tokens": revised.tokens,
        "seconds": revised.seconds,
    }


# the lexicon ----------------------------------------------------------------------------------


@router.get("/lexicon", response_model=dict[str, str], summary="The project's lexicon")
def get_lexicon(slug: str, ws: WorkspaceDep) -> dict[str, str]:
    """The project's own pronunciations (term → how it is said), on top of the built-in ones."""
    return dict(sorted(ws.lexicon(slug).items()))


@router.post(
    "/lexicon/suggest",
    response_model=LexiconSuggestionsOut,
    responses=_LLM_ERRORS,
    summary="Propose pronunciations",
)
async def suggest_lexicon(
    slug: str, request: Request, body: Annotated[LexiconSuggest | None, Body()] = None
) -> dict[str, Any]:
    """Propose how to say the identifiers and acronyms of the script (else of the scenes'
    narration) that no lexicon covers yet (like ``vidkit lexicon suggest``). With ``apply``
    they are added to the project lexicon; entries it has already are never overwritten."""
    return await _off_loop(request, partial(_suggest, slug, body or LexiconSuggest()))


def _suggest(slug: str, body: LexiconSuggest, ws: Workspace, source: LLMSource) -> dict[str, Any]:
    from vidkit import authoring

    ws.project(slug)
    if body.text is not None and not body.text.strip():
        raise InvalidInput(
            '"text" is empty: send the text to look for terms in, or leave it out to use the '
            "project's script",
            field="text",
        )
    llm = source.get()
    result = _call(
        lambda: authoring.suggest_lexicon(
            ws, slug, llm, text=body.text, apply=body.apply, attempts=source.attempts
        )
    )
    if result.asset is not None:
        meta = result.asset.metadata
        _logged("lexicon", slug, cached=result.cached, tokens=int(meta.get("tokens", 0)),
                seconds=float(meta.get("seconds", 0.0)))  # fmt: skip
    return {
        "candidates": list(result.candidates),
        "entries": result.entries,
        "applied": result.applied,
        "cached": result.cached,
    }
