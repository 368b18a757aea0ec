"""A cut list as an ffmpeg video filter: the kept and sped-up frames, back to back.

The recording is first made constant-rate at the cut list's frame rate on its own clock
(``fps`` with ``start_time=0``), so source frame ``n`` is exactly the ``n``-th frame and a
variable-rate recording holds each picture for as long as it was on screen. ``select`` keeps
the frames of the pieces that play; ``setpts`` moves each kept frame to its place on the
output clock (a sped-up piece's frames closer together); a second ``fps`` picks the output
frames, dropping the extra frames of sped-up pieces. The audio is cut at the same frame
boundaries by :mod:`vidkit.recordings.join`, so every join is in sync to the frame.

``setpts`` truncates what its expression gives to a whole timestamp, so the output frame
is rounded explicitly (``245.99999`` would otherwise land one frame early). Both expressions
are balanced trees of ``if(lt(x, boundary), left, right)`` over the spans:
ffmpeg's expression parser refuses a flat sum of a hundred terms, and a tree is only
``log2(spans)`` deep, whatever the length of the recording.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from vidkit.cuts import CutList, Span

__all__ = ["cut_filter"]


def _tree(spans: Sequence[Span], leaf: Callable[[Span], str], x: str) -> str:
    if len(spans) == 1:
        return leaf(spans[0])
    middle = len(spans) // 2
    left, right = _tree(spans[:middle], leaf, x), _tree(spans[middle:], leaf, x)
    return f"if(lt({x},{spans[middle].start}),{left},{right})"


def cut_filter(cuts: CutList) -> str:
    """The filter chain (no labels) that plays ``cuts`` over its recording."""
    fps = cuts.fps
    rate = f"{fps.numerator}/{fps.denominator}"
    outs: dict[int, tuple[int, int]] = {}
    at = 0
    for span in cuts.spans:
        outs[span.start] = (at, span.out_frames)
        at += span.out_frames
    spans = cuts.spans
    keep = _tree(spans, lambda s: "0" if s.action == "cut" else "1", "n")

    def place(span: Span) -> str:
        start, frames = outs[span.start]
        if span.action == "keep":
            return f"({start}+ld(0)-{span.start})"
        return f"({start}+(ld(0)-{span.start})*{frames}/{span.frames})"

    # st(0): this frame's source index, from its time on the constant-rate clock.
    where = f"st(0,floor(T*{fps.numerator}/{fps.denominator}+0.5));{_tree(spans, place, 'ld(0)')}"
    first = cuts.start
    keep = f"gte(n,{first})*lt(n,{cuts.end})*{keep}" if first else f"lt(n,{cuts.end})*{keep}"
    return (
        f"fps={rate}:start_time=0,select='{keep}',"
        f"setpts='floor(({where})*{fps.denominator}/{fps.numerator}/TB+0.5)',fps={rate}"
    )
