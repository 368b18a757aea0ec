"""The cache and job records, once, for every stage: run a :class:`~vidkit.stages.step.Step`.

A finished job with the step's key whose output file is still in the asset store is reused;
otherwise a job is recorded as running, the stage writes its files into a private temporary
folder, the files are imported into the asset store, and the job is marked done with its
output asset — or failed with the error. A crash leaves a ``running`` job and no output asset,
which is never taken as done.

Only the pipeline decides whether a step may work: :func:`run` with ``lookup_only=True``
returns a stored result or raises :class:`NotCached`, which is how the graph answers "is this
scene already rendered?" without rendering it.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import TypeVar

from vidkit.errors import NotFound, VidkitError
from vidkit.stages.step import Step, Stored
from vidkit.workspace import Workspace

__all__ = ["NotCached", "lookup", "run"]

T = TypeVar("T")

log = logging.getLogger("vidkit.pipeline")


class NotCached(Exception):
    """A lookup-only run met a step whose result is not stored."""


def lookup(ws: Workspace, step: Step[T]) -> Stored | None:
    """The stored result of ``step``, if there is one whose files are all still there."""
    job = ws.catalogue.cached_job(step.key)
    if job is None or job.output_asset_id is None:
        return None
    try:
        asset = ws.catalogue.asset(job.output_asset_id)
        sidecars = {
            role: ws.catalogue.asset(int(asset_id))
            for role, asset_id in dict(asset.metadata.get("sidecars", {})).items()
        }
    except NotFound:
        return None
    for item in (asset, *sidecars.values()):
        if not ws.asset_path(item).is_file():
            log.warning(
                "cached output of job %s is missing from the asset store; redoing it", job.id
            )
            return None
    return Stored(asset=asset, sidecars=sidecars, cached=True, job=job)


def run(ws: Workspace, slug: str, step: Step[T], *, lookup_only: bool = False) -> T:
    """Reuse the output of an identical earlier run, or (unless ``lookup_only``, which raises
    :class:`NotCached` instead) do the step's work and record the result."""
    return step.read(_stored(ws, slug, step, lookup_only))


def _stored(ws: Workspace, slug: str, step: Step[T], lookup_only: bool) -> Stored:
    key = step.key
    hit = lookup(ws, step)
    if hit is not None:
        log.debug("%s: cache hit %s", step.stage, key[:12])
        return hit
    if lookup_only:
        raise NotCached(step.stage)
    job = ws.catalogue.start_job(slug, step.stage, key, scene_id=step.scene_id)
    folder = Path(tempfile.mkdtemp(prefix=f"vidkit-{step.stage}-"))
    try:
        outputs = step.work(folder)
        if not outputs:
            raise VidkitError(f"stage {step.stage} produced no output")
        roles = list(outputs)
        sidecars = {
            role: ws.import_asset(slug, path, kind=kind, scene_id=step.scene_id)
            for role, (path, kind) in ((r, outputs[r]) for r in roles[1:])
        }
        path, kind = outputs[roles[0]]
        meta = {
            **step.metadata,
            "stage": step.stage,
            "cache_key": key,
            "sidecars": {role: a.id for role, a in sidecars.items()},
        }
        asset = ws.import_asset(slug, path, kind=kind, scene_id=step.scene_id, metadata=meta)
    except BaseException as exc:
        ws.catalogue.fail_job(job.id, _describe(exc))
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    done = ws.catalogue.finish_job(job.id, output_asset_id=asset.id)
    log.info("%s: done (%s)", step.stage, key[:12])
    return Stored(asset=asset, sidecars=sidecars, cached=False, job=done)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return f"{type(exc).__name__}: {exc}"[:2000]
