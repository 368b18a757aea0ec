"""Content-keyed caching and job records, once, for every stage.

The cache key of a stage output is the sha256 of: stage name + stage version + backend
fingerprint + content hashes of the inputs + parameters. A finished job with that key whose
output file is still in the asset store is reused; otherwise a job is recorded as running, the
stage writes its files into a private temporary folder, the files are imported into the asset
store, and the job is marked done with its output asset — or failed with the error. A crash
leaves a ``running`` job and no output asset, which is never taken as done.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidkit.workspace import Workspace
from vidkit.errors import NotFound, VidkitError
from vidkit.model import Asset, Job

__all__ = ["NotCached", "Outputs", "StageResult", "cache_key", "cache_only", "run_cached"]

_CACHE_ONLY: ContextVar[bool] = ContextVar("vidkit_cache_only", default=False)


class NotCached(Exception):
    """Raised inside :func:`cache_only` when a stage would have to do work."""


@contextmanager
def cache_only() -> Iterator[None]:
    """Within the block, stages return cached results or raise :class:`NotCached`: a cheap
    way to learn whether (and collect the results if) a scene is already fully rendered."""
    token = _CACHE_ONLY.set(True)
    try:
        yield
    finally:
        _CACHE_ONLY.reset(token)


log = logging.getLogger("vidkit.stages")

#: What a stage's work function returns: role -> (file it wrote, asset kind). The first role is
#: the primary output (the job's output asset); the others are recorded as its sidecars.
Outputs = dict[str, tuple[Path, str]]


@dataclass(frozen=True)
class StageResult:
    asset: Asset
    sidecars: dict[str, Asset] = field(default_factory=dict)
    cached: bool = False
    job: Job | None = None


def cache_key(
    stage: str, version: int, fingerprint: str, inputs: Sequence[str], params: Mapping[str, Any]
) -> str:
    payload = json.dumps(
        {
            "stage": stage,
            "version": version,
            "backend": fingerprint,
            "inputs": list(inputs),
            "params": params,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _cached(ws: Workspace, key: str) -> StageResult | None:
    job = ws.catalogue.cached_job(key)
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
    return StageResult(asset=asset, sidecars=sidecars, cached=True, job=job)


def run_cached(
    ws: Workspace,
    slug: str,
    *,
    stage: str,
    version: int,
    fingerprint: str,
    inputs: Sequence[str],
    params: Mapping[str, Any],
    work: Callable[[Path], Outputs],
    scene_id: int | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> StageResult:
    """Reuse the output of an identical earlier run, or run ``work`` and record the result."""
    key = cache_key(stage, version, fingerprint, inputs, params)
    hit = _cached(ws, key)
    if hit is not None:
        log.info("%s: cache hit %s", stage, key[:12])
        return hit
    if _CACHE_ONLY.get():
        raise NotCached(stage)
    job = ws.catalogue.start_job(slug, stage, key, scene_id=scene_id)
    folder = Path(tempfile.mkdtemp(prefix=f"vidkit-{stage}-"))
    try:
        outputs = work(folder)
        if not outputs:
            raise VidkitError(f"stage {stage} produced no output")
        roles = list(outputs)
        sidecars = {
            role: ws.import_asset(slug, path, kind=kind, scene_id=scene_id)
            for role, (path, kind) in ((r, outputs[r]) for r in roles[1:])
        }
        path, kind = outputs[roles[0]]
        meta = {
            **(metadata or {}),
            "stage": stage,
            "cache_key": key,
            "sidecars": {role: a.id for role, a in sidecars.items()},
        }
        asset = ws.import_asset(slug, path, kind=kind, scene_id=scene_id, metadata=meta)
    except BaseException as exc:
        ws.catalogue.fail_job(job.id, _describe(exc))
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    done = ws.catalogue.finish_job(job.id, output_asset_id=asset.id)
    return StageResult(asset=asset, sidecars=sidecars, cached=False, job=done)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return f"{type(exc).__name__}: {exc}"[:2000]
