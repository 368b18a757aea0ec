"""The asset store: files under the assets root, addressed by the sha256 of their content.

A file is first *staged* (copied into ``tmp/`` while it is hashed), then *placed* with an atomic
rename to ``objects/<2 hex>/<sha256><suffix>``. Importing the same content twice stores it once.
Paths read back from the catalogue are resolved with :meth:`AssetStore.resolve`, which refuses
anything that would leave the root.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from vidkit.errors import AssetError

__all__ = ["AssetStore", "Staged"]

_CHUNK = 1 << 20
_SUFFIX_RE = re.compile(r"^\.[a-z0-9]{1,10}$")


@dataclass(frozen=True, slots=True)
class Staged:
    """A file copied into the store's tmp folder and hashed, not yet placed."""

    tmp: Path
    sha256: str
    size_bytes: int
    suffix: str

    @property
    def relpath(self) -> str:
        return f"objects/{self.sha256[:2]}/{self.sha256}{self.suffix}"


class AssetStore:
    """Content-addressed files under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"AssetStore({str(self.root)!r})"

    def cache_folder(self, name: str, slug: str) -> Path:
        """A folder for a stage's working files of one project (``name``: the stage), kept
        between runs beside the stored objects and removed with the project."""
        return self.root / "cache" / name / slug

    def drop_caches(self, slug: str) -> None:
        """Remove every cache folder of a project (it was deleted)."""
        caches = self.root / "cache"
        if caches.is_dir():
            for stage in caches.iterdir():
                shutil.rmtree(stage / slug, ignore_errors=True)

    def resolve(self, relpath: str) -> Path:
        """The absolute path of a stored file; refuses paths that escape the root."""
        pure = PurePosixPath(relpath.replace("\\", "/"))
        if not relpath or pure.is_absolute() or ".." in pure.parts or ":" in relpath:
            raise AssetError(f"asset path {relpath!r} is outside the assets root; refusing it")
        full = (self.root / pure).resolve()
        if not full.is_relative_to(self.root):
            raise AssetError(f"asset path {relpath!r} leads outside the assets root; refusing it")
        return full

    def stage_file(self, source: Path) -> Staged:
        """Copy a user's file into the store's tmp folder, hashing it on the way."""
        source = Path(source)
        if not source.exists():
            raise AssetError(f"cannot import {source}: no such file")
        if not source.is_file():
            raise AssetError(f"cannot import {source}: it is not a regular file")
        try:
            with source.open("rb") as handle:
                return self.stage_stream(handle, suffix=source.suffix)
        except PermissionError as exc:
            raise AssetError(f"cannot read {source}: permission denied") from exc

    def stage_stream(self, stream: BinaryIO, *, suffix: str = "") -> Staged:
        """Copy a binary stream (an upload, say) into the tmp folder, hashing it on the way."""
        suffix = suffix.lower() if _SUFFIX_RE.match(suffix.lower()) else ""
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        tmp = tmp_dir / f"{uuid.uuid4().hex}.part"
        digest = hashlib.sha256()
        size = 0
        try:
            with tmp.open("wb") as out:
                while chunk := stream.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise AssetError(f"cannot write into the assets root {self.root}: {exc}") from exc
        return Staged(tmp=tmp, sha256=digest.hexdigest(), size_bytes=size, suffix=suffix)

    def place(self, staged: Staged) -> str:
        """Move a staged file to its content address (atomic); returns the relative path."""
        final = self.resolve(staged.relpath)
        if final.exists():
            staged.tmp.unlink(missing_ok=True)
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged.tmp, final)
        return staged.relpath

    def discard(self, staged: Staged) -> None:
        staged.tmp.unlink(missing_ok=True)

    def remove(self, relpaths: list[str]) -> None:
        """Delete stored files that nothing references any more."""
        for relpath in relpaths:
            self.resolve(relpath).unlink(missing_ok=True)

    def clean_tmp(self, *, older_than_s: float = 3600.0) -> int:
        """Remove staging leftovers of killed imports (old enough that no import still writes
        them); returns how many were removed."""
        tmp_dir = self.root / "tmp"
        if not tmp_dir.is_dir():
            return 0
        cutoff = time.time() - older_than_s
        count = 0
        for leftover in tmp_dir.glob("*.part"):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink(missing_ok=True)
                count += 1
        return count

    def copy_out(self, relpath: str, destination: Path) -> Path:
        """Copy a stored file to ``destination`` (a file or folder)."""
        return Path(shutil.copy2(self.resolve(relpath), destination))
