"""Pieces of backend fingerprints shared by the vendor modules."""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["file_tag", "package_version"]


def file_tag(path: Path) -> str:
    """A model file's name and the start of its sha256 (``name:missing`` if unreadable)."""
    try:
        with path.open("rb") as handle:
            return f"{path.name}:{hashlib.file_digest(handle, 'sha256').hexdigest()[:16]}"
    except OSError:
        return f"{path.name}:missing"


def package_version(package: str) -> str:
    """The installed version of ``package``, or ``unknown``."""
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"
