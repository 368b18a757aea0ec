"""Compose: one scene :class:`~vidkit.timeline.Timeline` → one ffmpeg run → one scene MP4.

The whole scene is one ``-filter_complex``: the screen source (a file, or frames drawn in Python
and piped in raw), the presenter (an RGBA video file, or RGBA frames piped in raw), burned-in
captions (libass), title cards (the pictures the preview draws, piped) and the narration with
optional ducked music. Frames produced in Python go through extra pipes (``pipe:3``,
``pipe:4``), each fed by its own thread, so nothing is written to disk first and nothing holds
more than a frame. The output is H.264
High, yuv420p, constant frame rate, AAC, ``+faststart``, exactly ``timeline.duration`` frames
long; ``-frames:v`` and ``atrim`` bound it instead of ``-shortest`` (which buffers ~10 s of raw
frames). The file is written under a temporary name and renamed when ffmpeg succeeds.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vidkit.errors import RenderError
from vidkit.media import ffmpeg_exe
from vidkit.timeline import CodeSource, FramesSource, ImageSource, RecordingSource, Timeline

__all__ = ["ComposeJob", "Piped", "RenderError", "compose", "compose_command"]

Frame = npt.NDArray[np.uint8]
Progress = Callable[[int, int], None]


@dataclass
class Piped:
    """Frames produced in Python for one input: raw ``pix_fmt`` frames of ``width`` x ``height``."""

    frames: Iterable[Frame]
    width: int
    height: int
    pix_fmt: str  # "rgb24" or "rgba"


@dataclass
class ComposeJob:
    """What :func:`compose_command` decided: the command and the pipes it expects."""

    args: list[str]
    pipes: list[Piped] = field(default_factory=list)


@cache
def font_path(name: str = "DejaVuSans.ttf") -> str:
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name)


def _escape(text: str) -> str:
    """Escape a value for an ffmpeg filter option inside single quotes."""
    return text.replace("\\", "\\\\").replace("'", "'\\''").replace(":", "\\:").replace("%", "\\%")


def _rate(timeline: Timeline) -> str:
    return f"{timeline.fps.numerator}/{timeline.fps.denominator}"


def _letterbox(timeline: Timeline) -> str:
    w, h = timeline.width, timeline.height
    r, g, b = timeline.background
    return (
        f"scale={w}:{h}:force_original_aspect_ratio=decrease:flags=bicubic,"
        f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=0x{r:02x}{g:02x}{b:02x},setsar=1"
    )


def compose_command(
    timeline: Timeline,
    out: Path,
    *,
    screen_frames: Iterable[Frame] | None = None,
    avatar_frames: Iterable[Frame] | None = None,
    captions_ass: Path | None = None,
    preset: str = "veryfast",
    crf: int = 20,
    pipe_fds: list[int] | None = None,
) -> ComposeJob:
    """Build the ffmpeg command for ``timeline``. ``screen_frames`` (RGB, frame size) feed a
    :class:`CodeSource`; ``avatar_frames`` (RGBA, the avatar's size) replace ``avatar.video``."""
    rate, n = _rate(timeline), timeline.duration
    seconds = f"{float(timeline.duration_ms) / 1000 + 1:.3f}"
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    pipes: list[Piped] = []
    filters: list[str] = []
    index = 0

    def pipe_input(p: Piped) -> None:
        nonlocal index
        fd = pipe_fds[len(pipes)] if pipe_fds else 3 + len(pipes)
        pipes.append(p)
        args.extend(["-f", "rawvideo", "-pix_fmt", p.pix_fmt, "-s", f"{p.width}x{p.height}"])
        args.extend(["-framerate", rate, "-i", f"pipe:{fd}"])
        index += 1

    # Screen --------------------------------------------------------------------------------
    source = timeline.screen.source if timeline.screen else None
    if isinstance(source, CodeSource | FramesSource):
        if screen_frames is None:
            raise RenderError("this screen source needs its frames (screen_frames)")
        pipe_input(Piped(screen_frames, timeline.width, timeline.height, "rgb24"))
        filters.append(f"[0:v]setpts=N/({rate})/TB,format=yuv420p[screen]")
    elif isinstance(source, RecordingSource):
        from vidkit.render.fit import fit_filter

        assert timeline.screen is not None
        args.extend(["-i", str(source.path)])
        index += 1
        fit = fit_filter(timeline.screen.fit, timeline.fps, n)
        same = (source.width, source.height) == (timeline.width, timeline.height)
        box = "setsar=1" if same else _letterbox(timeline)
        if source.cuts is not None:
            from vidkit.render.cutting import cut_filter

            box = f"{cut_filter(source.cuts)},{box}"
        filters.append(f"[0:v]{box},{fit},format=yuv420p[screen]")
    elif isinstance(source, ImageSource):
        args.extend(["-loop", "1", "-framerate", rate, "-t", seconds, "-i", str(source.path)])
        index += 1
        filters.append(f"[0:v]{_letterbox(timeline)},format=yuv420p[screen]")
    else:
        r, g, b = timeline.background
        colour = f"0x{r:02x}{g:02x}{b:02x}"
        args.extend(
            [
                "-f",
                "lavfi",
                "-i",
                f"color=c={colour}:s={timeline.width}x{timeline.height}:r={rate}:d={seconds}",
            ]
        )
        index += 1
        filters.append("[0:v]format=yuv420p[screen]")
    current = "screen"

    # Title cards (under the presenter, so a card never hides the face) ----------------------
    # Drawn by the preview's own code (one RGBA picture, piped), so that the render shows what
    # the preview shows, in the same fonts (CJK and emoji included; drawtext has one font).
    for number, card in enumerate(timeline.cards):
        from vidkit.render.overlay import card_patch

        patch = card_patch(card.title, card.subtitle, timeline.width, timeline.height)
        slot, label = index, f"card{number}"
        pipe_input(Piped([patch.image], patch.image.shape[1], patch.image.shape[0], "rgba"))
        start, end = card.start, card.start + card.duration
        filters.append(
            f"[{current}][{slot}:v]overlay=x={patch.x}:y={patch.y}:eof_action=repeat:"
            f"alpha=premultiplied:enable='between(n,{start},{end - 1})'[{label}]"
        )
        current = label
    # Avatar --------------------------------------------------------------------------------
    avatar = timeline.avatar
    if avatar is not None and (avatar_frames is not None or avatar.video is not None):
        slot = index
        if avatar_frames is not None:
            pipe_input(Piped(avatar_frames, avatar.width, avatar.height, "rgba"))
        else:
            args.extend(["-i", str(avatar.video)])
            index += 1
        x, y, w, h = avatar.placement(timeline.width, timeline.height)
        crop = ""
        if avatar.crop is not None:
            cx, cy, cw, ch = avatar.crop
            crop = f"crop={cw}:{ch}:{cx}:{cy},"
        filters.append(
            f"[{slot}:v]setpts=N/({rate})/TB,format=rgba,{crop}premultiply=inplace=1,"
            f"scale={w}:{h}:flags=bicubic[avatar]"
        )
        filters.append(
            f"[{current}][avatar]overlay=x={x}:y={y}:eof_action=repeat:alpha=premultiplied[withavatar]"
        )
        current = "withavatar"

    # Captions (on top of everything) ----------------------------------------------------------
    if captions_ass is not None and timeline.captions.burn_in and timeline.captions.cues:
        from vidkit.fonts import fonts_dir

        fonts = fonts_dir()  # DejaVu and the CJK and emoji fallbacks the ASS file names
        filters.append(
            f"[{current}]ass='{_escape(str(captions_ass))}':fontsdir='{_escape(str(fonts))}'[captioned]"
        )
        current = "captioned"
    # Square pixels said in every scene's headers: a piped source has no aspect ratio of its
    # own, and scenes whose headers differ cannot be joined by stream copy.
    filters.append(f"[{current}]format=yuv420p,setsar=1[vout]")

    # Audio ---------------------------------------------------------------------------------
    dur = f"{timeline.duration_ms / 1000:.6f}"
    audio = timeline.audio
    if audio is not None:
        narration = index
        args.extend(["-i", str(audio.narration)])
        index += 1
        chain = f"[{narration}:a]aresample=48000,aformat=channel_layouts=mono,apad,atrim=0:{dur}"
        if audio.music is not None:
            music = index
            args.extend(["-stream_loop", "-1", "-i", str(audio.music)])
            index += 1
            filters.append(f"{chain},asplit=2[voice][key]")
            filters.append(
                f"[{music}:a]aresample=48000,aformat=channel_layouts=mono,"
                f"volume={audio.music_gain_db}dB,atrim=0:{dur}[music]"
            )
            if audio.duck:
                filters.append(
                    "[music][key]sidechaincompress=threshold=0.03:ratio=8:attack=20:release=400[ducked]"
                )
            else:
                filters.append("[key]anullsink;[music]anull[ducked]")
            filters.append("[voice][ducked]amix=inputs=2:duration=first:normalize=0[aout]")
        else:
            filters.append(f"{chain}[aout]")
    else:
        args.extend(["-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono"])
        filters.append(f"[{index}:a]atrim=0:{dur}[aout]")
        index += 1

    args.extend(["-filter_complex", ";".join(filters), "-map", "[vout]", "-map", "[aout]"])
    args.extend(
        [
            "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-profile:v", "high",
            "-pix_fmt", "yuv420p", "-r", rate, "-fps_mode", "cfr", "-frames:v", str(n),
            "-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "1",
            "-movflags", "+faststart", "-f", "mp4", str(out),
        ]
    )  # fmt: skip
    return ComposeJob(args, pipes)


def _feed(fd: int, piped: Piped, errors: list[BaseException], counter: list[int]) -> None:
    expected = piped.width * piped.height * (4 if piped.pix_fmt == "rgba" else 3)
    try:
        with os.fdopen(fd, "wb", buffering=0) as sink:
            for frame in piped.frames:
                data = np.ascontiguousarray(frame).tobytes()
                if len(data) != expected:
                    raise RenderError(
                        f"a {piped.pix_fmt} frame has {len(data)} bytes, expected {expected}"
                    )
                sink.write(data)
                counter[0] += 1
    except BrokenPipeError:
        pass  # ffmpeg has enough frames (or failed; its exit status says which)
    except BaseException as exc:
        errors.append(exc)


def compose(
    timeline: Timeline,
    out: Path,
    *,
    screen_frames: Iterable[Frame] | None = None,
    avatar_frames: Iterable[Frame] | None = None,
    captions_ass: Path | None = None,
    progress: Progress | None = None,
    preset: str = "veryfast",
    crf: int = 20,
) -> Path:
    """Render ``timeline`` to ``out`` (an MP4). Raises :class:`RenderError` with ffmpeg's
    message on failure, leaving no file at ``out``."""
    out = Path(out)
    partial = out.with_name(f".{out.stem}.{os.getpid()}.part.mp4")

    def command(fds: list[int] | None) -> ComposeJob:
        return compose_command(
            timeline, partial, screen_frames=screen_frames, avatar_frames=avatar_frames,
            captions_ass=captions_ass, preset=preset, crf=crf, pipe_fds=fds,
        )  # fmt: skip

    ends = [os.pipe() for _ in command(None).pipes]
    job = command([r for r, _ in ends])
    threads: list[threading.Thread] = []
    errors: list[BaseException] = []
    counters = [[0] for _ in job.pipes]
    write_ends = [w for _, w in ends]
    proc = subprocess.Popen(
        [*job.args[:1], "-progress", "pipe:1", "-nostats", *job.args[1:]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=tuple(r for r, _ in ends),
    )
    for r, _ in ends:
        os.close(r)
    try:
        for w, piped, counter in zip(write_ends, job.pipes, counters, strict=True):
            thread = threading.Thread(target=_feed, args=(w, piped, errors, counter), daemon=True)
            thread.start()
            threads.append(thread)
        _watch(proc, timeline.duration, progress)
        for thread in threads:
            thread.join()
    except BaseException:
        proc.kill()
        proc.wait()
        partial.unlink(missing_ok=True)
        raise
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if errors:
        partial.unlink(missing_ok=True)
        raise errors[0]
    if proc.returncode != 0 or not partial.is_file():
        partial.unlink(missing_ok=True)
        raise RenderError(_ffmpeg_error(stderr, out.name))
    os.replace(partial, out)
    return out


def _watch(proc: subprocess.Popen[bytes], total: int, progress: Progress | None) -> None:
    assert proc.stdout is not None
    for raw in proc.stdout:
        line = raw.decode(errors="replace").strip()
        if line.startswith("frame=") and progress is not None:
            with contextlib.suppress(ValueError):
                progress(min(int(line.split("=", 1)[1]), total), total)
    proc.wait()


def _ffmpeg_error(stderr: str, name: str) -> str:
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    tail = " | ".join(lines[-3:]) if lines else "no message"
    if "No space left on device" in stderr:
        return f"the disk is full while rendering {name}; free some space and render again"
    return f"ffmpeg could not render {name}: {tail}"
