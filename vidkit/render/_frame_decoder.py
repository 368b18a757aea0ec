"""The frame decoder behind preview screen sources: random access to a video's frames at one
size, decoded by ffmpeg and cached.

:class:`FrameDecoder` keeps the frames of one video stream, decoded at one size, in an LRU
bounded by bytes, looked up by output frame exactly as the final render's ``setpts,fps``
chain (:func:`vidkit.render.fit.fit_filter`) picks them, from each frame's own timestamp
(``showinfo``), so variable-frame-rate recordings preview true.

A miss starts ffmpeg with ``-ss`` before ``-i`` (it jumps to the keyframe before and decodes
forward) a few frames before the wanted one (three quarters of a ``chunk`` before when frames
are being asked for backwards), but never before the last keyframe at or before it once the
keyframe index (a packet scan in a background thread: no decoding) is known, and reads up to
the frame after it. The ffmpeg process is kept, paused on its pipe: a background thread reads
on from it until ``chunk`` frames past the last frame asked for are cached, and a later miss a
little further on reads on from it instead of seeking again. :func:`decoder` shares decoders,
keyed by file and size. Public names are importable from :mod:`vidkit.render.sources`.
"""

from __future__ import annotations

import bisect
import re
import subprocess
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from fractions import Fraction
from math import ceil
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import Any

import numpy as np
import numpy.typing as npt

from vidkit.errors import InvalidInput, MediaError
from vidkit.media import ffmpeg_exe, probe

__all__ = ["FrameDecoder", "clear_decoders", "decoder"]

Pixels = npt.NDArray[np.uint8]

_SHOWINFO = re.compile(r"\bn:\s*\d+\s+pts:\s*(-?\d+)")
_TIMEBASE = re.compile(r"config in time_base: (\d+)/(\d+)")
_START = re.compile(r"Duration: .*?, start: (-?\d+\.\d+)")
_EOF = -1  # ``next`` of the last frame of the stream
_PTS_WAIT_S = 30.0


@dataclass(slots=True)
class _Entry:
    pts: int
    next: int | None  # pts of the following frame, _EOF, or None when not read yet
    pixels: Pixels


Item = tuple[int, bytes]


class _Reader:
    """One running ffmpeg writing raw frames from a seek point; pts come from ``showinfo``.

    ``lock`` serialises reading; frames read by the read-ahead thread wait in ``pending``
    (with the pts of the frame before) until the decoder, under its own lock, files them."""

    def __init__(self, args: list[str], frame_bytes: int) -> None:
        self.frame_bytes = frame_bytes
        self.lock = threading.Lock()
        self.pending: list[tuple[int | None, Item | None]] = []
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.timebase: Fraction | None = None
        self.start = 0.0  # the container's start time (seconds)
        self.last: int | None = None  # pts of the last frame read
        self.skipped: Item | None = None  # the last frame read but not kept
        self.done = False
        self._pts: SimpleQueue[int | None] = SimpleQueue()
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self._parse, daemon=True)
        self._thread.start()

    def _parse(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode(errors="replace")
            if (m := _SHOWINFO.search(line)) is not None:
                self._pts.put(int(m.group(1)))
            elif (m := _TIMEBASE.search(line)) is not None:
                self.timebase = Fraction(int(m.group(1)), int(m.group(2)))
            elif (m := _START.search(line)) is not None:
                self.start = float(m.group(1))
            elif "Parsed_showinfo" not in line and line.strip():
                self.errors = [*self.errors[-4:], line.strip()]
        self._pts.put(None)

    def read(self) -> Item | None:
        """The next frame and its pts, or None at the end (call with ``lock`` held)."""
        assert self.proc.stdout is not None
        if self.done:
            return None
        data = self.proc.stdout.read(self.frame_bytes)
        if len(data) < self.frame_bytes:
            self.done = True
            return None
        try:
            pts = self._pts.get(timeout=_PTS_WAIT_S)
        except Empty:
            pts = None
        if pts is None:
            self.done = True
            return None
        self.last = pts
        return pts, data

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()  # also ends a read in progress in another thread
        self.proc.wait()
        self._thread.join(timeout=5)
        with self.lock:
            self.done = True
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()


def _stop(proc: subprocess.Popen[bytes], thread: threading.Thread | None) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if thread is not None:
        thread.join(timeout=5)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


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
        self.chunk = max(2, min(chunk, cache_bytes // (2 * self.frame_bytes)))
        self.nominal_fps = self.info.fps or 30.0
        self.decodes = 0  # ffmpeg runs started (for tests and benchmarks)
        self._lock = threading.RLock()
        self._entries: OrderedDict[int, _Entry] = OrderedDict()
        self._keys: list[int] = []
        self._bytes = 0
        self._origin: int | None = None
        self._timebase: Fraction | None = None
        self._container_start = 0.0
        self._reader: _Reader | None = None
        self._readers: list[_Reader] = []
        self._keyframes: list[float] | None = None  # absolute seconds, from the scan
        self._scan = _KeyframeScan(self)
        self._ahead = _ReadAhead(self)
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
        return len(self._entries)

    @property
    def cached_bytes(self) -> int:
        return self._bytes

    @property
    def keyframes(self) -> list[float] | None:
        """Keyframe times in seconds from the first frame, once the background scan is done."""
        if self._keyframes is None or self._origin is None or self._timebase is None:
            return None
        base = float(self._origin * self._timebase)
        return [t - base for t in self._keyframes]

    # ---- lookup ----------------------------------------------------------------------------

    def _tick(self, pts: int, speed: float, fps: Fraction) -> int:
        assert self._origin is not None and self._timebase is not None
        moved = int((pts - self._origin) / speed)  # setpts: double, truncated to int64
        tb = self._timebase
        num, den = moved * tb.numerator * fps.numerator, tb.denominator * fps.denominator
        return (2 * num + den) // (2 * den)  # fps filter: rounded to nearest, halves up

    def _lookup(self, index: int, speed: float, fps: Fraction) -> _Entry | None:
        """The cached frame shown at output ``index``, if it is cached and known to be it (its
        successor in the stream is known and comes later)."""
        pos = bisect.bisect_right(self._keys, index, key=lambda p: self._tick(p, speed, fps))
        if pos == 0:
            return None
        entry = self._entries[self._keys[pos - 1]]
        if entry.next is None or (
            entry.next != _EOF and self._tick(entry.next, speed, fps) <= index
        ):
            return None
        self._entries.move_to_end(entry.pts)
        return entry

    def _seconds(self, pts: int) -> float:
        assert self._origin is not None and self._timebase is not None
        return float((pts - self._origin) * self._timebase)

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
        self._store(*first)
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
            if last is not None and last in self._entries and self._tick(last, speed, fps) > index:
                break
        self._evict()

    def _read_one(self, reader: _Reader, keep_from: float = 0.0) -> bool:
        """Read the reader's next frame into the cache (unless before ``keep_from``), linking
        it to the one before; False at the end of the stream. Decoder lock held."""
        with reader.lock:
            self._file_pending(reader)
            if reader.done:
                return False
            before = reader.last
            return self._file(reader, before, reader.read(), keep_from)

    def _file_pending(self, reader: _Reader) -> None:
        """File the frames the read-ahead thread read. Decoder and reader locks held."""
        for before, item in reader.pending:
            self._file(reader, before, item, 0.0)
        reader.pending.clear()

    def _file(
        self, reader: _Reader, before_pts: int | None, item: Item | None, keep_from: float
    ) -> bool:
        before = self._entries.get(before_pts) if before_pts is not None else None
        if item is None:
            if before is None and reader.skipped is not None:
                before = self._store(*reader.skipped)  # the last frame, for what comes after
            if before is not None:
                before.next = _EOF
            return False
        if before is not None:
            before.next = item[0]
        if self._seconds(item[0]) < keep_from - 1e-6:
            reader.skipped = item
        else:
            self._store(*item)
        return True

    def _can_continue(self, reader: _Reader, keep_from: float, target: float) -> bool:
        """Whether reading on from where ``reader`` stopped beats seeking again: it has not
        passed ``target`` yet, and is close or no keyframe lies between it and ``keep_from``."""
        if reader.last is None:
            return False
        at = self._seconds(reader.last)
        if at >= target:
            return False
        if keep_from - at <= 1.0:
            return True
        keyframes = self._keyframes
        if keyframes is None or self._origin is None or self._timebase is None:
            return False
        base = float(self._origin * self._timebase)
        lo = bisect.bisect_right(keyframes, base + at)
        return lo == bisect.bisect_right(keyframes, base + keep_from)

    def _keyframe_before(self, target: float) -> float:
        keyframes = self._keyframes
        if keyframes is None or self._origin is None or self._timebase is None:
            return 0.0
        base = float(self._origin * self._timebase)
        pos = bisect.bisect_left(keyframes, base + target - 1e-9)
        return 0.0 if pos == 0 else max(0.0, keyframes[pos - 1] - base)

    def _seek(self, seconds: float) -> _Reader:
        if self._reader is not None:
            self._reader.close()
            self._readers.remove(self._reader)
        assert self._origin is not None and self._timebase is not None
        start = float(self._origin * self._timebase) - self._container_start + seconds
        self._reader = self._spawn(start)
        self._readers.append(self._reader)
        return self._reader

    def _spawn(self, start: float, frames: int | None = None) -> _Reader:
        """ffmpeg from ``start`` seconds after the container's start (exact to the µs, rounded
        up so that a keyframe asked for is the first frame out); timestamps stay absolute."""
        self.decodes += 1
        w, h = self.size
        chain = "showinfo"
        if self.premultiplied:
            chain += ",format=rgba,premultiply=inplace=1"
        if (w, h) != (self.info.width, self.info.height):
            chain += f",scale={w}:{h}:flags=bilinear"
        args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "info", "-copyts"]
        if start > 0:  # from the container's start, which ffmpeg adds (and trims by)
            args += ["-ss", f"{ceil(start * 1e6) / 1e6:.6f}"]
        args += ["-i", str(self.path), "-map", "0:v:0", "-an", "-sn", "-vf", chain]
        args += ["-fps_mode", "passthrough", "-f", "rawvideo"]
        args += ["-pix_fmt", "rgba" if self.alpha else "rgb24"]
        if frames is not None:
            args += ["-frames:v", str(frames)]
        return _Reader([*args, "pipe:1"], self.frame_bytes)

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
                self._evict()
        return item is not None

    # ---- cache -----------------------------------------------------------------------------

    def _cached_after(self, target: float, span: float) -> bool:
        if self._origin is None or self._timebase is None:
            return False
        lo = self._origin + int(target / self._timebase)
        hi = self._origin + int((target + span) / self._timebase)
        pos = bisect.bisect_right(self._keys, lo)
        return pos < len(self._keys) and self._keys[pos] <= hi

    def _store(self, pts: int, data: bytes) -> _Entry:
        old = self._entries.get(pts)
        if old is not None:
            self._entries.move_to_end(pts)
            return old
        w, h = self.size
        pixels = np.frombuffer(data, np.uint8).reshape(h, w, self.channels)
        entry = _Entry(pts, None, pixels)
        self._entries[pts] = entry
        bisect.insort(self._keys, pts)
        self._bytes += pixels.nbytes
        return entry

    def _evict(self) -> None:
        while self._bytes > self.cache_bytes and len(self._entries) > 1:
            pts, entry = self._entries.popitem(last=False)
            self._keys.pop(bisect.bisect_left(self._keys, pts))
            self._bytes -= entry.pixels.nbytes


class _ReadAhead:
    """A daemon thread that keeps a decoder's live ffmpeg reading ahead of the last frame asked
    for, one frame per lock hold, so that playing forward finds frames already decoded. It
    rests while frames are asked for backwards."""

    def __init__(self, owner: FrameDecoder) -> None:
        self._owner = weakref.ref(owner)
        self._wake = threading.Condition()
        self._goal: tuple[float, float] | None = None  # (near, goal) in seconds
        self._thread: threading.Thread | None = None
        self._last = -1.0
        self.stopped = False

    def want(self, at: float, span: float) -> None:
        with self._wake:
            backwards, self._last = at < self._last, at
            if self.stopped or backwards:
                self._goal = None
                return
            self._goal = (at - span, at + span)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._goal is None and not self.stopped:
                    self._wake.wait()
                if self.stopped:
                    return
                near, goal = self._goal or (0.0, 0.0)
            owner = self._owner()
            if owner is None:
                return
            busy = owner._read_ahead(goal, near)
            del owner
            if not busy:
                with self._wake:
                    if self._goal == (near, goal):
                        self._goal = None

    def stop(self) -> None:
        """Ask the thread to end (it checks under the decoder's lock before every read)."""
        with self._wake:
            self.stopped = True
            self._wake.notify()


def _close(scan: _KeyframeScan, ahead: _ReadAhead, readers: list[_Reader]) -> None:
    ahead.stop()
    scan.close()
    for reader in readers:
        reader.close()
    readers.clear()


class _KeyframeScan:
    """Reads the packet index (``-c copy -f framecrc``: no decoding) in a background thread and
    hands the keyframe times to the decoder when done."""

    def __init__(self, owner: FrameDecoder) -> None:
        self._owner = weakref.ref(owner)
        self._path = owner.path
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-copyts"]
        args += ["-i", str(self._path), "-map", "0:v:0", "-c", "copy", "-f", "framecrc", "-"]
        self._proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._thread = threading.Thread(target=self._run, args=(self._proc,), daemon=True)
        self._thread.start()

    def _run(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        timebase, times = Fraction(1), []
        for raw in proc.stdout:
            line = raw.decode(errors="replace")
            if line.startswith("#tb 0:"):
                num, den = line.split(":", 1)[1].strip().split("/")
                timebase = Fraction(int(num), int(den))
            elif line.startswith("0,"):
                fields = [f.strip() for f in line.split(",")]
                flags = int(fields[6].split("=")[1], 16) if len(fields) > 6 else 1
                if flags & 1 and fields[2].lstrip("-").isdigit():
                    times.append(float(int(fields[2]) * timebase))
        if proc.wait() == 0 and (owner := self._owner()) is not None:
            owner._keyframes = sorted(times)

    def close(self) -> None:
        if self._proc is not None:
            _stop(self._proc, self._thread)


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
