"""animate: portrait + rig + speech → the presenter's RGBA video (blinks, head motion, lip sync).

The frames are made in Python and piped, raw RGBA, into an FFV1 encoder: the stored video is
the stage's cached output, so a later compose of the same scene (another layout, say) does
not animate again. With ``frames_to``, the same frames are also handed on as they are made,
to a compose run that pipes them into its ffmpeg (see
:class:`vidkit.stages.compose.LiveCompose`): one pass, and no decoding of the stored video.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vidkit.backends.animator import Animator, frame_count
from vidkit.imaging import read_rgba
from vidkit.model import Asset
from vidkit.stages.rig import RigResult
from vidkit.stages.speak import Speech
from vidkit.stages.step import Outputs, Progress, Step, text_hash
from vidkit.video import RgbaVideoWriter
from vidkit.workspace import Workspace

__all__ = ["STAGE", "VERSION", "Animation", "animate"]

STAGE = "animate"
VERSION = 2  # 2: stored as yuva444p

Frame = npt.NDArray[np.uint8]
FramesTo = Callable[[Iterator[Frame]], None]


@dataclass(frozen=True)
class Animation:
    video: Asset  # lossless RGBA (FFV1 in Matroska), kind avatar_video
    frames: int
    cached: bool = False


def animate(
    ws: Workspace,
    scene_id: int,
    animator: Animator,
    *,
    portrait: Asset,
    rig: RigResult,
    speech: Speech,
    fps: Fraction,
    progress: Progress | None = None,
    frames_to: FramesTo | None = None,
) -> Step[Animation]:
    """Animate the portrait speaking the scene's narration, at the project's ``fps``.

    ``frames_to``, called only when the animation is made (not cached), gets an iterator of
    the frames as they are made, each already written to the stored video. What it does not
    take is stored all the same; an error in making a frame fails this stage, whoever was
    reading."""
    total = frame_count(speech.timings.duration_ms, fps)

    def work(folder: Path) -> Outputs:
        rgba = read_rgba(ws.asset_path(portrait))
        height, width = rgba.shape[:2]
        out = folder / "avatar.mkv"
        frames = animator.frames(rgba, rig.rig, ws.asset_path(speech.audio), speech.timings, fps)
        failed: list[BaseException] = []
        with RgbaVideoWriter(out, width, height, fps) as writer:

            def made() -> Iterator[Frame]:
                try:
                    for index, frame in enumerate(frames, start=1):
                        writer.write(frame)
                        if progress is not None and (index % 30 == 0 or index == total):
                            progress(index, total)
                        yield frame
                except GeneratorExit:
                    raise
                except BaseException as exc:
                    failed.append(exc)
                    raise

            stream = made()
            if frames_to is not None:
                frames_to(stream)
            for _ in stream:  # the rest, whatever the reader took
                pass
            if failed:
                raise failed[0]
        return {"video": (out, "avatar_video")}

    return Step(
        stage=STAGE,
        version=VERSION,
        fingerprint=animator.fingerprint(),
        inputs=[
            portrait.sha256,
            rig.asset.sha256,
            speech.audio.sha256,
            text_hash(speech.timings.to_json()),
        ],
        params={"fps": str(fps)},
        work=work,
        read=lambda stored: Animation(stored.asset, total, stored.cached),
        scene_id=scene_id,
        metadata={"frames": total, "fps": str(fps)},
    )
