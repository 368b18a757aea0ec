"""ADTS: AAC packets, each behind a 7-byte header, as ffmpeg's ``-f adts`` writes them. The
assembly encodes the film's audio in pieces to ADTS, keeps each piece's packets, and joins
pieces by concatenating their frames (an ADTS stream is just its frames end to end)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from vidkit.errors import MediaError

__all__ = ["count_frames", "frames", "take"]


def _length(head: bytes) -> int:
    """The frame's length (header included) from its header, checked."""
    if len(head) < 7 or head[0] != 0xFF or head[1] & 0xF6 != 0xF0:
        raise MediaError("the AAC stream is damaged (no ADTS sync word)")
    if head[6] & 0x03:
        raise MediaError("the AAC stream has several packets in one ADTS frame")
    length = ((head[3] & 0x03) << 11) | (head[4] << 3) | (head[5] >> 5)
    if length < 7:
        raise MediaError("the AAC stream is damaged (an ADTS frame shorter than its header)")
    return length


def frames(stream: BinaryIO) -> Iterator[bytes]:
    """The frames of an ADTS stream (one AAC packet each), read one at a time."""
    while head := stream.read(7):
        body = stream.read(_length(head) - 7)
        if len(body) != _length(head) - 7:
            raise MediaError("the AAC stream ends in the middle of a frame")
        yield head + body


def count_frames(stream: BinaryIO) -> int:
    """How many frames ``stream`` holds; :class:`MediaError` if one is damaged or cut short."""
    return sum(1 for _ in frames(stream))


def take(found: Iterator[bytes], path: Path) -> bytes:
    """The next frame, which must be there."""
    frame = next(found, None)
    if frame is None:
        raise MediaError(f"the audio encoder wrote fewer packets than expected ({path.name})")
    return frame
