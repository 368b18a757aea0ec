"""Small pictures of scenes for a timeline: a frame from the middle of the scene, as a JPEG a
few kilobytes large.

A rendered scene (:attr:`SceneStatus.cached <vidkit.editing.status.SceneStatus.cached>`
with its video) shows a frame of that video; any other scene a frame of its draft preview
(:func:`vidkit.editing.draft.draft`: the spoken narration or an estimate, the presenter or a
placeholder). Pictures are kept on disk under ``<assets root>/cache/thumbnails``, named by a
hash of what they show (the video file, or the draft's whole timeline): asking again for an
unchanged scene reads a file. Nothing is rendered here.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Final

from vidkit.editing.draft import draft
from vidkit.editing.status import SceneStatus
from vidkit.errors import MediaError
from vidkit.media import ffmpeg_exe
from vidkit.stages.compose import timeline_key
from vidkit.workspace import Workspace

__all__ = ["THUMBNAIL_WIDTH", "scene_thumbnail", "thumbnail_cache"]

#: Width in pixels of a scene's thumbnail; its height follows the project's aspect ratio.
THUMBNAIL_WIDTH: Final = 160
_QUALITY: Final = 70  # PIL's JPEG quality (1-95)
_FFMPEG_QUALITY: Final = 6  # ffmpeg's -q:v for MJPEG (2 best .. 31 worst), about the same
_VERSION: Final = 1  # bump when the pictures change for the same content


def thumbnail_cache(ws: Workspace) -> Path:
    """Where scene thumbnails are kept (by content hash), under the assets root."""
    return ws.config.assets.root / "cache" / "thumbnails"


def scene_thumbnail(
    ws: Workspace, slug: str, status: SceneStatus, *, width: int = THUMBNAIL_WIDTH
) -> bytes:
    """A JPEG ``width`` pixels wide of the scene ``status`` describes (from
    :func:`~vidkit.editing.status.scene_statuses`), at the middle of its length: its rendered
    video when ``status.cached``, else its draft preview. A :class:`MediaError` when the
    rendered video cannot be read."""
    if status.cached and status.video is not None and status.video.is_file():
        return _video_thumbnail(ws, status.video, status.duration_ms, width)
    return _draft_thumbnail(ws, slug, status.scene.id, width)


def _video_thumbnail(ws: Workspace, video: Path, duration_ms: int, width: int) -> bytes:
    stat = video.stat()
    at_ms = max(0, duration_ms // 2)
    key = _key("video", video.name, stat.st_size, stat.st_mtime_ns, at_ms, width)
    found = _read(ws, key)
    if found is not None:
        return found
    command = [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-v", "error",
        "-ss", f"{at_ms / 1000:.3f}", "-i", str(video), "-frames:v", "1",
        "-vf", f"scale={width}:-2", "-q:v", str(_FFMPEG_QUALITY), "-f", "mjpeg", "pipe:1",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MediaError(f"could not read a frame of {video.name}: {exc}") from exc
    if done.returncode != 0 or not done.stdout.startswith(b"\xff\xd8"):
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no frame"]
        raise MediaError(f"could not read a frame of {video.name}: {reason[0]}")
    return _write(ws, key, done.stdout)


def _draft_thumbnail(ws: Workspace, slug: str, scene_id: int, width: int) -> bytes:
    scene = draft(ws, slug, scene_id)
    timeline = scene.timeline
    height = max(2, round(width * timeline.height / timeline.width / 2) * 2)
    at_s = scene.duration_s / 2
    key = _key("draft", timeline_key(timeline), scene.avatar, round(at_s * 1000), width, height)
    found = _read(ws, key)
    if found is not None:
        return found
    picture = scene.image(at_s, size=(width, height), format="jpeg", quality=_QUALITY)
    return _write(ws, key, picture)


def _key(*parts: object) -> str:
    text = json.dumps([_VERSION, *[str(p) for p in parts]])
    return hashlib.sha256(text.encode()).hexdigest()


def _read(ws: Workspace, key: str) -> bytes | None:
    try:
        return (thumbnail_cache(ws) / f"{key}.jpg").read_bytes()
    except OSError:
        return None


def _write(ws: Workspace, key: str, picture: bytes) -> bytes:
    """Keep ``picture`` under ``key`` (written whole, then renamed: a reader never sees half a
    file); a cache that cannot be written only costs the next call its work."""
    folder = thumbnail_cache(ws)
    temporary: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(picture)
        os.replace(temporary, folder / f"{key}.jpg")
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
    return picture
