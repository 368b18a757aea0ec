"""Duix.Avatar's (formerly HeyGem) face2face service: ``POST /easy/submit`` with a face video
and the narration as paths the server can read, then ``GET /easy/query?code=`` until
``data.status`` is 2 (done; ``data.result`` names the video) or 3 (failed)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from vidkit.backends._http import call, json_body
from vidkit.backends.animator.service import SECTION, make_face_video
from vidkit.errors import BackendError

__all__ = ["DuixDialect"]

_OK = 10000


class DuixDialect:
    """``shared_dir`` is a folder vidkit writes into and reads results from, ``server_dir``
    the same folder as the server sees it (empty: the same path)."""

    def __init__(
        self, url: str, *, shared_dir: Path, server_dir: str = "", timeout_s: float = 30.0
    ) -> None:
        self.url = url.rstrip("/")
        self.shared_dir = Path(shared_dir)
        self.server_dir = server_dir.rstrip("/") or str(self.shared_dir)
        self.timeout_s = timeout_s
        self._where = f"Duix service at {SECTION} url {self.url}"

    def fingerprint(self) -> str:
        return f"duix:{self.url}"

    def _get(self, path: str, **kwargs: Any) -> dict[str, Any]:
        response = call(
            "GET", f"{self.url}{path}", where=self._where, section=SECTION,
            timeout_s=self.timeout_s, **kwargs,
        )  # fmt: skip
        return json_body(response, self._where)

    def capability(self) -> str:
        body = self._get("/easy/query", params={"code": "vidkit-doctor-probe"})
        if "code" not in body:
            raise BackendError(f"the {self._where} does not answer /easy/query like Duix")
        return "animates (Duix face2face: submit, poll, download)"

    def render(self, image: Path, audio: Path, work: Path, wait: Callable[[], None]) -> Path:
        if not self.shared_dir.is_dir():
            raise BackendError(
                f"{SECTION} shared_dir {self.shared_dir} is not a folder; Duix reads its inputs "
                "from a folder it shares with vidkit: create it or fix shared_dir"
            )
        code = f"vidkit-{uuid.uuid4().hex}"
        face, sound = self.shared_dir / f"{code}-face.mp4", self.shared_dir / f"{code}.wav"
        make_face_video(image, face)
        shutil.copyfile(audio, sound)
        try:
            return self._job(code, face.name, sound.name, work, wait)
        finally:
            face.unlink(missing_ok=True)
            sound.unlink(missing_ok=True)

    def _job(self, code: str, face: str, sound: str, work: Path, wait: Callable[[], None]) -> Path:
        server = PurePosixPath(self.server_dir)
        body = json_body(
            call(
                "POST", f"{self.url}/easy/submit", where=self._where, section=SECTION,
                timeout_s=self.timeout_s,
                json={
                    "audio_url": str(server / sound), "video_url": str(server / face),
                    "code": code, "chaofen": 0, "watermark_switch": 0, "pn": 1,
                },
            ),
            self._where,
        )  # fmt: skip
        if body.get("code") != _OK or body.get("success") is False:
            raise BackendError(f"the {self._where} refused the job: {body.get('msg') or body}")
        while True:
            answer = self._get("/easy/query", params={"code": code})
            data = answer.get("data")
            if answer.get("code") != _OK or not isinstance(data, dict):
                raise BackendError(
                    f"the {self._where} answered the status query with {answer!r:.200}"
                )
            status = data.get("status")
            if status == 2:
                return self._result(str(data.get("result") or ""), work)
            if status == 3:
                raise BackendError(
                    f"the {self._where} failed the job: {data.get('msg') or 'no reason given'}"
                )
            wait()

    def _result(self, result: str, work: Path) -> Path:
        if not result:
            raise BackendError(f"the {self._where} finished the job but named no video")
        relative = result
        if result.startswith(self.server_dir):
            relative = result[len(self.server_dir) :]
        local = self.shared_dir / relative.lstrip("/\\")
        if not local.is_file():
            raise BackendError(
                f"the {self._where} wrote its video to {result}, which is not in {SECTION} "
                f"shared_dir {self.shared_dir}: point shared_dir (and server_dir) at the folder "
                "the server writes to"
            )
        out = work / f"duix-{local.name}"
        shutil.move(str(local), out)
        return out
