"""What assembly keeps between runs: each scene's decoded audio and the pieces of the film's
AAC stream, in a folder, named by content.

Layout of the folder: ``scenes/<key>.f32`` (raw float32, 48 kHz, the scene's 1 or 2
channels) with ``scenes/<key>.json`` (channels, samples, true peak); ``pieces/<key>.aac``
(ADTS frames); ``plan.json`` (the last normalisation and what it was made for). Every file
is written under a temporary name and renamed when complete, and an entry is never changed
once written, so a reader sees a whole entry or none. Entries that an assembly did not use
are removed by a later one once they are an hour old (another assembly sharing the folder
may still want a recent one).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vidkit.errors import MediaError
from vidkit.render._adts import count_frames

__all__ = ["SILENCE", "VERSION", "AudioCache", "SceneAudio", "digest", "disk_error", "file_key"]

VERSION = 1
"""Bumped when the way scene audio is decoded or pieces are encoded changes."""

KEEP_UNUSED_S = 3600.0
"""Entries unused by an assembly survive this long after their last use."""

Samples = npt.NDArray[np.float32]


def digest(value: Any) -> str:
    """A content key: the sha256 of ``value`` as canonical JSON."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def file_key(path: Path) -> str:
    """The sha256 of a file's content."""
    sha = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


@dataclass(frozen=True, slots=True)
class SceneAudio:
    """A scene's decoded audio: ``samples`` frames of ``channels`` float32 at 48 kHz in
    ``pcm`` (``channels == 0``: the scene has no audio, it is silence)."""

    key: str
    channels: int
    samples: int
    true_peak_dbtp: float
    pcm: Path | None

    def read(self) -> Samples:
        """The samples (memory-mapped: nothing is read until used)."""
        if self.pcm is None or self.samples == 0:
            return np.zeros((0, max(1, self.channels)), np.float32)
        data = np.memmap(self.pcm, dtype=np.float32, mode="r")
        return data[: self.samples * self.channels].reshape(self.samples, self.channels)


SILENCE = SceneAudio("", 0, 0, float("-inf"), None)


class AudioCache:
    """The folder ``root``, as described above; :attr:`used` collects what this assembly
    read or wrote, for :meth:`prune`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.scenes = self.root / "scenes"
        self.pieces = self.root / "pieces"
        self.used: set[Path] = set()
        for folder in (self.scenes, self.pieces):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise MediaError(
                    f"cannot create the assembly cache folder {folder}: {exc.strerror}; pass a "
                    "writable folder as cache="
                ) from exc

    def scene(self, key: str) -> SceneAudio | None:
        """The kept scene audio of ``key``, if it is there and whole."""
        meta = self.scenes / f"{key}.json"
        pcm = self.scenes / f"{key}.f32"
        try:
            info = json.loads(meta.read_text("utf-8"))
            channels, samples = int(info["channels"]), int(info["samples"])
            peak = float(info["true_peak_dbtp"])
            if pcm.stat().st_size != 4 * channels * samples:
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.used |= {meta, pcm}
        return SceneAudio(key, channels, samples, peak, pcm)

    def add_scene(self, key: str, decoded: Path, channels: int, peak: float) -> SceneAudio:
        """Keep a decoded scene: ``decoded`` (raw float32) is moved into the cache."""
        pcm = self.scenes / f"{key}.f32"
        meta = self.scenes / f"{key}.json"
        samples = decoded.stat().st_size // (4 * channels)
        try:
            os.replace(decoded, pcm)
        except OSError as exc:
            raise disk_error(exc, "keeping the scene audio") from exc
        info = {"channels": channels, "samples": samples, "true_peak_dbtp": peak}
        self._write(meta, json.dumps(info).encode(), "keeping the scene audio")
        self.used |= {meta, pcm}
        return SceneAudio(key, channels, samples, peak, pcm)

    def piece(self, key: str) -> Path:
        return self.pieces / f"{key}.aac"

    def has_piece(self, key: str, packets: int) -> bool:
        """Whether the piece is kept, whole (``packets`` complete ADTS frames)."""
        path = self.piece(key)
        try:
            with path.open("rb") as f:
                whole = count_frames(f) == packets
        except (OSError, MediaError):
            return False
        if whole:
            self.used.add(path)
        return whole

    def add_piece(self, key: str, frames: Sequence[bytes]) -> None:
        path = self.piece(key)
        self._write(path, b"".join(frames), "keeping the encoded audio")
        self.used.add(path)

    def plan(self) -> dict[str, Any] | None:
        """What :meth:`keep_plan` kept last (None if nothing, or unreadable)."""
        try:
            value = json.loads((self.root / "plan.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def keep_plan(self, value: dict[str, Any]) -> None:
        self._write(self.root / "plan.json", json.dumps(value).encode(), "keeping the plan")

    def prune(self) -> int:
        """Touch what this assembly used; remove the other entries last used over
        :data:`KEEP_UNUSED_S` ago. Returns how many files went."""
        now = time.time()
        for path in self.used:
            with contextlib.suppress(OSError):  # removed by another process meanwhile
                os.utime(path, (now, now))
        removed = 0
        for folder in (self.scenes, self.pieces):
            for path in folder.iterdir():
                if path in self.used:
                    continue
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime < now - KEEP_UNUSED_S:
                        path.unlink()
                        removed += 1
        return removed

    @staticmethod
    def _write(path: Path, data: bytes, doing: str) -> None:
        partial = path.with_name(f".{path.name}.{os.getpid()}.part")
        try:
            partial.write_bytes(data)
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise disk_error(exc, doing) from exc


def disk_error(exc: OSError, doing: str) -> MediaError:
    """A one-line error for a failed write (the disk full, most likely)."""
    if exc.errno == errno.ENOSPC:
        return MediaError(f"the disk is full while {doing}; free some space and assemble again")
    return MediaError(f"cannot write while {doing}: {exc}")
