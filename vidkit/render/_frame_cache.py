"""The frame decoder's cache: decoded frames of one video stream by their pts, least recently
used first, bounded by bytes, each linked to the pts of the frame after it once that is known.

:meth:`FrameCache.shown` finds the frame that an output frame shows, given the clock that maps a
pts to output frames (:class:`vidkit.render._frame_decoder.FrameDecoder` emulates the final
render's ``setpts,fps`` chain); a frame counts only once its successor is known, so that a gap in
what was decoded never passes for a frame held on screen. Not thread-safe: the decoder holds its
lock around every call.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["EOF", "Entry", "FrameCache", "Pixels"]

Pixels = npt.NDArray[np.uint8]

EOF = -1
"""``next`` of the last frame of the stream."""


@dataclass(slots=True)
class Entry:
    pts: int
    next: int | None  # pts of the following frame, EOF, or None when not read yet
    pixels: Pixels


class FrameCache:
    """Frames of ``shape`` (height, width, channels), kept while they fit in ``limit`` bytes
    (the most recently used, and always at least one)."""

    def __init__(self, shape: tuple[int, int, int], limit: int) -> None:
        self.shape = shape
        self.limit = limit
        self.bytes = 0
        self._entries: OrderedDict[int, Entry] = OrderedDict()
        self._keys: list[int] = []  # the cached pts, sorted

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, pts: int) -> bool:
        return pts in self._entries

    def get(self, pts: int) -> Entry | None:
        return self._entries.get(pts)

    def shown(self, index: int, tick: Callable[[int], int]) -> Entry | None:
        """The cached frame shown at output ``index`` (``tick(pts)``: the output frame a pts
        falls on), if it is cached and known to be it (its successor in the stream is known and
        comes later)."""
        pos = bisect.bisect_right(self._keys, index, key=tick)
        if pos == 0:
            return None
        entry = self._entries[self._keys[pos - 1]]
        if entry.next is None or (entry.next != EOF and tick(entry.next) <= index):
            return None
        self._entries.move_to_end(entry.pts)
        return entry

    def any_between(self, lo: int, hi: int) -> bool:
        """Whether a frame with ``lo < pts <= hi`` is cached."""
        pos = bisect.bisect_right(self._keys, lo)
        return pos < len(self._keys) and self._keys[pos] <= hi

    def store(self, pts: int, data: bytes) -> Entry:
        """The entry for ``pts``: the cached one, or a new one holding ``data`` (raw pixels)."""
        old = self._entries.get(pts)
        if old is not None:
            self._entries.move_to_end(pts)
            return old
        pixels = np.frombuffer(data, np.uint8).reshape(self.shape)
        entry = Entry(pts, None, pixels)
        self._entries[pts] = entry
        bisect.insort(self._keys, pts)
        self.bytes += pixels.nbytes
        return entry

    def evict(self) -> None:
        """Drop the least recently used frames until the rest fit in ``limit``."""
        while self.bytes > self.limit and len(self._entries) > 1:
            pts, entry = self._entries.popitem(last=False)
            self._keys.pop(bisect.bisect_left(self._keys, pts))
            self.bytes -= entry.pixels.nbytes
