"""The film's AAC stream, encoded in pieces that are kept between assemblies, so that an
unchanged scene's audio is not encoded again.

The stream is a run of 1024-sample packets: packet ``k`` decodes to film samples
``[(k - 1) * 1024, k * 1024)``, packet 0 being the encoder's priming. It is cut into one
piece per scene, from the packet in which the scene starts. A piece is encoded from the
film's audio around it: the normalisation chain is warmed up on :data:`WARM_UP` samples
before it, the encoder on :data:`PRE_ROLL` packets, and it reads :data:`POST_ROLL` packets
past it. Those are dropped; what is kept are exactly the piece's packets. They splice with a
neighbour's packets from another run because both were encoded from the same samples where
their transform windows overlap (measured: the error at a splice is the codec's own, see
docs/render-assembly.md). A piece's key is what it was made from: the samples (as scene keys
and ranges), the normalisation chain and the encoder settings; a kept piece is copied, not
encoded.

So editing a scene re-encodes its piece and its neighbours' (their windows reach into it)
and, if its length changed, every piece after it: their packets no longer fall on the same
samples. A change that is not heard re-encodes nothing. Pieces to encode are grouped in
runs of consecutive pieces, one ffmpeg each, as many at once as there are cores.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from vidkit.render import _adts
from vidkit.render._audio_cache import VERSION, AudioCache, digest, disk_error
from vidkit.render._passes import Runner
from vidkit.render._soundtrack import SAMPLE_RATE, Soundtrack
from vidkit.render.loudness import BAND_HZ

__all__ = [
    "AAC_ARGS",
    "AUDIO_BITRATE",
    "PACKET",
    "Piece",
    "encode",
    "last_packet_samples",
    "packet_count",
    "pieces",
]

AUDIO_BITRATE = "192k"
PACKET = 1024
"""Samples per AAC packet (and the encoder's priming: one packet)."""
PRE_ROLL = 6
"""Packets encoded before a piece and dropped (measured: 2 are enough for a clean splice)."""
POST_ROLL = 3
"""Packets encoded after a piece and dropped: the encoder looks ahead to choose windows."""
WARM_UP = 9600
"""Samples (200 ms) run through the normalisation chain before a piece's pre-roll, so the
limiter's state is what it would be in one pass over the film (measured: identical output
after 100 ms)."""
AAC_ARGS = [
    "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-cutoff", str(BAND_HZ),
    "-aac_pns", "0", "-aac_is", "0", "-ar", str(SAMPLE_RATE), "-ac", "2",
]  # fmt: skip
"""The encoder's settings. Perceptual noise substitution and intensity stereo are tools for
low bit rates; at 192 kb/s they only cost fidelity, and on speech they raised the true peak
up to 4 dB over the limiter's ceiling (45 s of speech-like audio limited to -2.5 dBTP came
out at +1.6 dBTP with them, -1.9 dBTP without)."""
_SPLIT_MIN = 4 * SAMPLE_RATE  # runs shorter than this (4 s) are not worth another process


@dataclass(frozen=True, slots=True)
class Piece:
    """Packets ``first`` to ``end`` (exclusive) of the film's AAC stream, encoded from film
    samples ``read_from`` to ``read_to``: the encoder starts at ``encode_from`` (a packet
    boundary), the samples before it only warm the normalisation up."""

    first: int
    end: int
    read_from: int
    encode_from: int
    read_to: int
    key: str


def packet_count(length: int) -> int:
    """Packets of a stream of ``length`` samples, the priming included."""
    return -(-(length + PACKET) // PACKET)


def last_packet_samples(length: int) -> int:
    """How many samples the last packet holds (the muxer is told, so players trim)."""
    return length + PACKET - (packet_count(length) - 1) * PACKET


def pieces(track: Soundtrack, chain: str) -> list[Piece]:
    """The pieces of the film's AAC stream (one per scene), keyed under ``chain``."""
    firsts = sorted({0} | {e // PACKET + 1 for e in track.edges[1:-1] if e < track.length})
    ends = [*firsts[1:], packet_count(track.length)]
    found = []
    for first, end in zip(firsts, ends, strict=True):
        encode_from = max(0, (first - 1 - PRE_ROLL) * PACKET)
        read_from = max(0, encode_from - WARM_UP) if encode_from else 0
        read_to = min(track.length, (end + POST_ROLL) * PACKET)
        made_of = {
            "v": VERSION,
            "aac": AAC_ARGS,
            "chain": chain,
            "channels": track.channels,
            "samples": read_to - read_from,
            "trim": encode_from - read_from,
            "packets": [first - encode_from // PACKET, end - first],
            "scenes": track.sources(read_from, read_to),
        }
        found.append(Piece(first, end, read_from, encode_from, read_to, digest(made_of)))
    return found


def encode(
    track: Soundtrack, chain: str, kept: AudioCache, runner: Runner, film: Path, *, base: int
) -> tuple[int, int, int]:
    """Write the film's AAC stream (ADTS) to ``film``, encoding only the pieces not kept;
    progress goes from ``base`` to twice it. Returns (pieces encoded, pieces reused,
    milliseconds of audio encoded)."""
    planned = pieces(track, chain)
    todo = [not kept.has_piece(p.key, p.end - p.first) for p in planned]
    runs = _runs(planned, todo, _cores())
    encoded_ms = 0
    if runs:
        began = time.monotonic()
        total = sum(_ms(r) for r in runs)
        done = [0]
        lock = threading.Lock()

        def one(k: int, run: list[Piece]) -> int:
            _encode_run(track, chain, run, kept, runner, k)
            with lock:
                done[0] += _ms(run)
                runner.report(base + base * done[0] // max(1, total))
            return _ms(run)

        if len(runs) == 1:
            encoded_ms = one(0, runs[0])
        else:
            with ThreadPoolExecutor(len(runs)) as pool:
                encoded_ms = sum(pool.map(one, range(len(runs)), runs))
        runner.note("encoding the audio", began)
    try:
        with film.open("wb") as out:
            for piece in planned:
                with kept.piece(piece.key).open("rb") as part:
                    shutil.copyfileobj(part, out)
    except OSError as exc:
        raise disk_error(exc, "joining the encoded audio") from exc
    count = sum(todo)
    return count, len(planned) - count, encoded_ms


def _ms(run: list[Piece]) -> int:
    return (run[-1].read_to - run[0].encode_from) * 1000 // SAMPLE_RATE


def _runs(planned: list[Piece], todo: list[bool], parts: int) -> list[list[Piece]]:
    """The pieces to encode, in runs of consecutive pieces; long runs are cut (at the piece
    nearest their middle) until there are ``parts`` runs, so that they encode in parallel."""
    runs: list[list[Piece]] = []
    for piece, needed in zip(planned, todo, strict=True):
        if not needed:
            continue
        if runs and runs[-1][-1].end == piece.first:
            runs[-1].append(piece)
        else:
            runs.append([piece])
    while len(runs) < parts:
        longest = max(runs, key=_samples, default=None)
        if longest is None or len(longest) < 2 or _samples(longest) < _SPLIT_MIN:
            break
        middle = (longest[0].first + longest[-1].end) / 2
        cut = min(range(1, len(longest)), key=lambda k: abs(longest[k].first - middle))
        at = runs.index(longest)
        runs[at : at + 1] = [longest[:cut], longest[cut:]]
    return runs


def _samples(run: list[Piece]) -> int:
    return (run[-1].end - run[0].first) * PACKET


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _encode_run(
    track: Soundtrack, chain: str, run: list[Piece], kept: AudioCache, runner: Runner, k: int
) -> None:
    """Encode consecutive pieces in one ffmpeg run and keep each."""
    first, last = run[0], run[-1]
    trim = first.encode_from - first.read_from
    out = runner.folder / f"run{k}.aac"
    args = [
        *track.input_args(), "-af", f"{chain},atrim=start_sample={trim}", *AAC_ARGS,
        "-f", "adts", str(out),
    ]  # fmt: skip
    runner.run(
        args,
        "encoding the audio",
        feed=lambda: track.blocks(first.read_from, last.read_to),
        log=f"run{k}.log",
        step=False,
    )
    offset = first.encode_from // PACKET  # the film packet of the run's first packet
    with out.open("rb") as stream:
        found = _adts.frames(stream)
        index = 0
        for piece in run:
            while index < piece.first - offset:
                _adts.take(found, out)
                index += 1
            frames = [_adts.take(found, out) for _ in range(piece.end - piece.first)]
            index += len(frames)
            kept.add_piece(piece.key, frames)
    out.unlink()
