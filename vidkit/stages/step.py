"""What a stage hands the pipeline: a :class:`Step`, the declaration of one piece of work.

A stage is a plain function of its inputs. It does not run anything and never decides whether
to look a result up or to work: it returns a :class:`Step` that names the stage and its
version, says what goes into the cache key (the backend's fingerprint, the content hashes of
the inputs, the parameters), how to do the work (``work(folder) -> Outputs``) and how to read
a stored result back into the stage's own type (``read``). The pipeline (see
:mod:`vidkit.pipeline.cache`) owns the cache: it computes :attr:`Step.key`, reuses a stored
result with that key, or runs ``work`` and records what it wrote.

The cache key of a stage output is the sha256 of: stage name + stage version + backend
fingerprint + content hashes of the inputs + parameters. Everything the output depends on
must be among them (each stage's tests change every input and expect a new key).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from vidkit.model import Asset, Job

__all__ = ["Outputs", "Step", "Stored", "cache_key", "text_hash"]

T = TypeVar("T")

#: What a stage's work function returns: role -> (file it wrote, asset kind). The first role is
#: the primary output (the job's output asset); the others are recorded as its sidecars.
Outputs = dict[str, tuple[Path, str]]

#: Progress of one stage's work: (units done, units in all).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Stored:
    """A stage's recorded output: its primary asset, its sidecars by role, whether it came
    from the cache, and the job that made it."""

    asset: Asset
    sidecars: dict[str, Asset] = field(default_factory=dict)
    cached: bool = False
    job: Job | None = None


@dataclass(frozen=True)
class Step(Generic[T]):
    """One stage's work for one set of inputs, declared, not run (see the module docs)."""

    stage: str
    version: int
    fingerprint: str
    inputs: Sequence[str]
    params: Mapping[str, Any]
    work: Callable[[Path], Outputs]
    read: Callable[[Stored], T]
    scene_id: int | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return cache_key(self.stage, self.version, self.fingerprint, self.inputs, self.params)


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


def text_hash(text: str) -> str:
    """The sha256 of a text, as a cache-key input."""
    return hashlib.sha256(text.encode()).hexdigest()
