"""The frame decoder behind preview screen sources: random access to a video's frames at one
size, decoded by ffmpeg and cached.

:class:`FrameDecoder` keeps the frames of one video stream, decoded at one size, in an LRU
bounded by bytes (:mod:`vidkit.render._frame_cache`), looked up by output frame exactly as the
final render's ``setpts,fps`` chain (:func:`vidkit.render.fit.fit_filter`) picks them, from each
frame's own timestamp (``showinfo``), so variable-frame-rate recordings preview true.

A miss starts ffmpeg (:mod:`vidkit.render._frame_reader`) with ``-ss`` before ``-i`` (it jumps
to the keyframe before and decodes forward) a few frames before the wanted one (three quarters
of a ``chunk`` before when frames are being asked for backwards), but never before the last
keyframe at or before it once the keyframe index (:mod:`vidkit.render._keyframe_scan`: a packet
scan in a background thread, no decoding) is known, and reads up to the frame after it. The
ffmpeg process is kept, paused on its pipe: a background thread
(:mod:`vidkit.render._read_ahead`) reads on from it until ``chunk`` frames past the last frame
asked for are cached, and a later miss a little further on reads on from it instead of seeking
again. :func:`decoder` shares decoders, keyed by file and size. Public names are importable from
:mod:`vidkit.render.sources`.
"""

from __future__ import annotations

import bisect
import threading
import weakref
from collections import OrderedDict
from fractions import Fraction
from pathlib import Path
from typing import Any

from vidkit.errors import InvalidInput, MediaError
from vidkit.media import probe
from vidkit.render._frame_cache import EOF, Entry, FrameCache, Pixels
from vidkit.render._frame_reader import FrameReader, Item, frame_command
from vidkit.render._keyframe_scan import KeyframeScan
from vidkit.render._read_ahead import ReadAhead

__all__ = ["FrameDecoder", "clear_decoders", "decoder"]


class FrameDecoder:
    """The frames of ``path``'s first video stream at ``size`` (None: as stored), RGB or RGBA
    (``alpha``; ``premultiplied`` multiplies colour by alpha before scaling, so that the colour
    of transparent pixels never bleeds into edges), cached up to ``cache_bytes``. ``chunk``
    frames are read ahead of every frame asked for, in a background thread. Thread-safe."""

    def __init__(
        self,
        path: Path,
        *,
        size: tuple[int, int] | None = None,
        alpha: bool = False,
        premultiplied: bool = False,
        chunk: int = 24,
        cache_bytes: int = 64 << 20,
        name: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.name = name or self.path.name
        self.info = probe(self.path, name=self.name)
        if not self.info.has_video or not self.info.width or not self.info.height:
            raise MediaError(f"{self.name} has no video stream; choose a video file")
        self.size = size or (self.info.width, self.info.height)
        self.alpha, self.premultiplied = alpha or premultiplied, premultiplied
        self.channels = 4 if self.alpha else 3
        self.frame_bytes = self.size[0] * self.size[1] * self.channels
        self.cache_bytes = cache_bytes
        self._cache = FrameCache((self.size[1], self.size[0], self.channels), cache_bytes)
        self.chunk = max(2, min(chunk, cache_bytes // (2 * self.frame_bytes)))
        self.nominal_fps = self.info.fps or 30.0
        self.decodes = 0  # ffmpeg runs started (for tests and benchmarks)
        self._lock = threading.RLock()
        self._origin: int | None = None
        self._timebase: Fraction | None = None
        self._container_start = 0.0
        self._reader: FrameReader | None = None
        self._readers: list[FrameReader] = []
        self._scan = KeyframeScan(self.path)
        self._ahead = ReadAhead(self._read_ahead)
        weakref.finalize(self, _close, self._scan, self._ahead, self._readers)

    # ---- public ----------------------------------------------------------------------------

    def shown(self, index: int, *, speed: float = 1.0, fps: Fraction | None = None) -> Pixels:
        """The frame that ``setpts=(PTS-STARTPTS)/speed,fps=fps`` outputs as frame ``index``
        (the last frame of the stream after it ends). ``fps`` defaults to the stream's own
        rate, so ``shown(i)`` is the i-th frame of a constant-rate video. Read-only: copy it
        before changing it."""
        if index < 0:
            raise InvalidInput(f"frame {index} is before the start; frames count from 0")
        rate = fps if fps is not None else Fraction(self.nominal_fps).limit_denominator(1001)
        with self._lock:
            self._start()
            entry = self._lookup(index, speed, rate)
            if entry is None and self._reader is not None and self._reader.pending:
                with self._reader.lock:  # the read-ahead thread may have read it already
                    self._file_pending(self._reader)
                entry = self._lookup(index, speed, rate)
            target = (index + 0.5) * speed / float(rate)
            for attempt in range(12):
                if entry is not None:
                    break
                self._fill(target, index, speed, rate, widen=attempt)
                entry = self._lookup(index, speed, rate)
            if entry is None:
                raise MediaError(f"could not decode frame {index} of {self.name}; export it again")
            self._ahead.want(self._seconds(entry.pts), self.chunk / self.nominal_fps)
            return entry.pixels

    def close(self) -> None:
        """Stop the ffmpeg processes and the thread this decoder keeps; the cache stays."""
        with self._lock:
            _close(self._scan, self._ahead, self._readers)
            self._reader = None

    @property
    def cached_frames(self) -> int:
        return len(self._cache)

    @property
    def cached_bytes(self) -> int:
        return self._cache.bytes

    @property
    def keyframes(self) -> list[float] | None:
        """Keyframe times in seconds from the first frame, once the background scan is done."""
        keyframes = self._scan.keyframes
        if keyframes is None or self._origin is None or self._timebase is None:
            return None
        base = float(self._origin * self._timebase)
        return [t - base for t in keyframes]

    # ---- lookup ----------------------------------------------------------------------------

    def _tick(self, pts: int, speed: float, fps: Fraction) -> int:
        assert self._origin is not None and self._timebase is not None
        moved = int((pts - self._origin) / speed)  # setpts: double, truncated to int64
        tb = self._timebase
        num, den = moved * tb.numerator * fps.numerator, tb.denominator * fps.denominator
        return (2 * num + den) // (2 * den)  # fps filter: rounded to nearest, halves up

    def _lookup(self, index: int, speed: float, fps: Fraction) -> Entry | None:
        """The cached frame shown at output ``index``, if it is cached and known to be it (its
        successor in the stream is known and comes later)."""
        return self._cache.shown(index, lambda p: self._tick(p, speed, fps))

    def _seconds(self, pts: int) -> float:
        assert self._origin is not None and self._timebase is not None
        return float((pts - self._origin) * self._timebase)

    def _cached_after(self, target: float, span: float) -> bool:
        """Whether a frame up to ``span`` seconds after ``target`` is cached."""
        if self._origin is None or self._timebase is None:
            return False
        lo = self._origin + int(target / self._timebase)
        hi = self._origin + int((target + span) / self._timebase)
        return self._cache.any_between(lo, hi)

    # ---- decoding --------------------------------------------------------------------------

    def _start(self) -> None:
        if self._origin is not None:
            return
        reader = self._spawn(0.0, frames=1)
        with reader.lock:
            first = reader.read()
        reader.close()
        if first is None or reader.timebase is None:
            why = reader.errors[-1] if reader.errors else "no frames"
            raise MediaError(f"{self.name} has no readable video frames ({why}); export it again")
        self._origin, self._timebase = first[0], reader.timebase
        self._container_start = reader.start
        self._cache.store(*first)
        self._scan.start()

    def _fill(self, target: float, index: int, speed: float, fps: Fraction, widen: int) -> None:
        """Decode frames from a little before ``target`` (seconds from the first frame) until
        the one after output ``index``. Later attempts (``widen``) start further back, for
        variable-rate video with long gaps between frames."""
        frame_s = 1.0 / self.nominal_fps
        if widen == 0:
            backwards = self._cached_after(target, 0.25 * self.chunk * frame_s)
            behind = (0.75 * self.chunk if backwards else 2.5) * frame_s
            keep_from = max(0.0, target - behind)
            if self.info.duration_ms:  # past the end: decode the last frames
                keep_from = min(keep_from, max(0.0, self.info.duration_ms / 1000 - 4 * frame_s))
            seek = max(keep_from, self._keyframe_before(target))
        else:
            keep_from = seek = max(0.0, target - self.chunk * frame_s * 2**widen)
        reader = self._reader
        if reader is None or reader.done or not self._can_continue(reader, keep_from, target):
            reader = self._seek(seek)
        while self._read_one(reader, keep_from):
            last = reader.last
            if last is not None and last in self._cache and self._tick(last, speed, fps) > index:
                break
        self._cache.evict()

    def _read_one(self, reader: FrameReader, keep_from: float = 0.0) -> bool:
        """Read the reader's next frame into the cache (unless before ``keep_from``), linking
        it to the one before; False at the end of the stream. Decoder lock held."""
        with reader.lock:
            self._file_pending(reader)
            if reader.done:
                return False
            before = reader.last
            return self._file(reader, before, reader.read(), keep_from)

    def _file_pending(self, reader: FrameReader) -> None:
        """File the frames the read-ahead thread read. Decoder and reader locks held."""
        for before, item in reader.pending:
            self._file(reader, before, item, 0.0)
        reader.pending.clear()

    def _file(
        self, reader: FrameReader, before_pts: int | None, item: Item | None, keep_from: float
    ) -> bool:
        before = self._cache.get(before_pts) if before_pts is not None else None
        if item is None:
            if before is None and reader.skipped is not None:
                before = self._cache.store(*reader.skipped)  # the last frame, for what comes after
            if before is not None:
                before.next = EOF
            return False
        if before is not None:
            before.next = item[0]
        if self._seconds(item[0]) < keep_from - 1e-6:
            reader.skipped = item
        else:
            self._cache.store(*item)
        return True

    def _can_continue(self, reader: FrameReader, keep_from: float, target: float) -> bool:
        """Whether reading on from where ``reader`` stopped beats seeking again: it has not
        passed ``target`` yet, and is close or no keyframe lies between it and ``keep_from``."""
        if reader.last is None:
            return False
        at = self._seconds(reader.last)
        if at >= target:
            return False
        if keep_from - at <= 1.0:
            return True
        keyframes = self._scan.keyframes
        if keyframes is None or self._origin is None or self._timebase is None:
            return False
        base = float(self._origin * self._timebase)
        lo = bisect.bisect_right(keyframes, base + at)
        return lo == bisect.bisect_right(keyframes, base + keep_from)

    def _keyframe_before(self, target: float) -> float:
        keyframes = self._scan.keyframes
        if keyframes is None or self._origin is None or self._timebase is None:
            return 0.0
        base = float(self._origin * self._timebase)
        pos = bisect.bisect_left(keyframes, base + target - 1e-9)
        return 0.0 if pos == 0 else max(0.0, keyframes[pos - 1] - base)

    def _seek(self, seconds: float) -> FrameReader:
        if self._reader is not None:
            self._reader.close()
            self._readers.remove(self._reader)
        assert self._origin is not None and self._timebase is not None
        start = float(self._origin * self._timebase) - self._container_start + seconds
        self._reader = self._spawn(start)
        self._readers.append(self._reader)
        return self._reader

    def _spawn(self, start: float, frames: int | None = None) -> FrameReader:
        """ffmpeg from ``start`` seconds after the container's start (exact to the µs, rounded
        up so that a keyframe asked for is the first frame out); timestamps stay absolute."""
        self.decodes += 1
        scale = self.size != (self.info.width, self.info.height)
        args = frame_command(
            self.path, start, size=self.size, scale=scale, alpha=self.alpha,
            premultiplied=self.premultiplied, frames=frames,
        )  # fmt: skip
        return FrameReader(args, self.frame_bytes)

    def _read_ahead(self, goal: float, near: float) -> bool:
        """One step of the read-ahead thread: read a frame if the live reader is between
        ``near`` and ``goal`` (seconds); False when there is nothing to do. The frame is read
        without the decoder's lock (cache hits never wait for ffmpeg), then filed under it."""
        with self._lock:
            reader = self._reader
            if self._ahead.stopped or reader is None or reader.done or reader.last is None:
                return False
            if not near <= self._seconds(reader.last) < goal:
                return False
        with reader.lock:
            if reader.done:
                return False
            before = reader.last
            item = reader.read()
            reader.pending.append((before, item))
        with self._lock:
            if reader is self._reader:
                with reader.lock:
                    self._file_pending(reader)
                self._cache.evict()
        return item is not None


def _close(scan: KeyframeScan, ahead: ReadAhead, readers: list[FrameReader]) -> None:
    ahead.stop()
    scan.close()
    for reader in readers:
        reader.close()
    readers.clear()


# ---- shared decoders ---------------------------------------------------------------------------

_DECODERS: OrderedDict[tuple[Any, ...], FrameDecoder] = OrderedDict()
_DECODERS_LOCK = threading.Lock()
MAX_DECODERS = 6


def decoder(
    path: Path, size: tuple[int, int] | None, *, alpha: bool = False, **kwargs: Any
) -> FrameDecoder:
    """A shared :class:`FrameDecoder` for ``path`` at ``size``: the same object for the same
    file (path, size on disk and modification time) and options, the least recently used
    closed beyond :data:`MAX_DECODERS`."""
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError as exc:
        raise MediaError(f"{path.name} cannot be read ({exc.strerror}); check the path") from exc
    key = (path, stat.st_size, stat.st_mtime_ns, size, alpha, tuple(sorted(kwargs.items())))
    with _DECODERS_LOCK:
        found = _DECODERS.get(key)
        if found is not None:
            _DECODERS.move_to_end(key)
            return found
    made = FrameDecoder(path, size=size, alpha=alpha, **kwargs)
    with _DECODERS_LOCK:
        _DECODERS[key] = made
        while len(_DECODERS) > MAX_DECODERS:
            _DECODERS.popitem(last=False)[1].close()
    return made


def clear_decoders() -> None:
    """Forget every shared decoder and stop their ffmpeg processes."""
    with _DECODERS_LOCK:
        for made in _DECODERS.values():
            made.close()
        _DECODERS.clear()
