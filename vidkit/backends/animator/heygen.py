"""HeyGen-style REST: the portrait is uploaded as a talking photo (``POST /v1/talking_photo``),
the narration as an MP3 asset (``POST /v1/asset``, ``audio/mpeg``), the video asked for with
``POST /v2/video/generate``, polled at ``GET /v1/video_status.get?video_id=`` until
``completed`` (then ``video_url`` is downloaded) or ``failed``. The key goes as ``X-Api-Key``."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vidkit.backends._http import call, json_body
from vidkit.backends.animator.service import SECTION
from vidkit.errors import BackendError
from vidkit.media import ffmpeg_exe

__all__ = ["HeyGenDialect"]


class HeyGenDialect:
    def __init__(
        self,
        url: str,
        *,
        api_key: str | None,
        upload_url: str = "",
        timeout_s: float = 60.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.upload_url = (upload_url or url).rstrip("/")
        self.timeout_s = timeout_s
        self._headers = {"X-Api-Key": api_key} if api_key else {}
        self._where = f"HeyGen-style service at {SECTION} url {self.url}"

    def fingerprint(self) -> str:
        return f"heygen:{self.url}"

    def _json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        headers = {**self._headers, **kwargs.pop("headers", {})}
        response = call(
            method, url, where=self._where, section=SECTION, timeout_s=self.timeout_s,
            headers=headers, **kwargs,
        )  # fmt: skip
        body = json_body(response, self._where)
        if body.get("error"):
            raise BackendError(f"the {self._where} answered with an error: {body['error']!r:.200}")
        return body

    def _data(self, body: dict[str, Any], key: str) -> Any:
        data = body.get("data")
        if not isinstance(data, dict) or not data.get(key):
            raise BackendError(f"the {self._where} answered without data.{key}: {body!r:.200}")
        return data[key]

    def capability(self) -> str:
        body = self._json("GET", f"{self.url}/v2/user/remaining_quota")
        quota = (body.get("data") or {}).get("remaining_quota")
        return "animates (HeyGen-style talking photo)" + (
            f", remaining quota {quota}" if quota is not None else ""
        )

    def render(self, image: Path, audio: Path, work: Path, wait: Callable[[], None]) -> Path:
        photo = self._data(
            self._json(
                "POST", f"{self.upload_url}/v1/talking_photo", content=image.read_bytes(),
                headers={"Content-Type": "image/png"},
            ),
            "talking_photo_id",
        )  # fmt: skip
        mp3 = work / f"{audio.stem}.mp3"  # the asset API documents audio/mpeg for audio
        _to_mp3(audio, mp3)
        sound = self._data(
            self._json(
                "POST", f"{self.upload_url}/v1/asset", content=mp3.read_bytes(),
                headers={"Content-Type": "audio/mpeg"},
            ),
            "id",
        )  # fmt: skip
        video_id = self._data(
            self._json(
                "POST",
                f"{self.url}/v2/video/generate",
                json={
                    "video_inputs": [
                        {
                            "character": {"type": "talking_photo", "talking_photo_id": photo},
                            "voice": {"type": "audio", "audio_asset_id": sound},
                        }
                    ]
                },
            ),
            "video_id",
        )
        while True:
            body = self._json(
                "GET", f"{self.url}/v1/video_status.get", params={"video_id": video_id}
            )
            data = body.get("data") or {}
            status = data.get("status")
            if status == "completed":
                return self._download(str(self._data(body, "video_url")), work)
            if status == "failed":
                error = data.get("error") or {}
                reason = error.get("message") if isinstance(error, dict) else error
                raise BackendError(f"the {self._where} failed the video: {reason or 'no reason'}")
            if status not in ("pending", "waiting", "processing"):
                raise BackendError(f"the {self._where} reported an unknown status {status!r}")
            wait()

    def _download(self, video_url: str, work: Path) -> Path:
        response = call(
            "GET", video_url, where=self._where, section=SECTION, timeout_s=self.timeout_s,
            follow_redirects=True,
        )  # fmt: skip
        out = work / "heygen.mp4"
        out.write_bytes(response.content)
        return out


def _to_mp3(wav: Path, out: Path) -> None:
    done = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(wav),
         "-c:a", "libmp3lame", "-b:a", "128k", str(out)],
        capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    if done.returncode != 0 or not out.is_file():
        raise BackendError(f"ffmpeg could not encode the narration as MP3: {done.stderr[-300:]!r}")
