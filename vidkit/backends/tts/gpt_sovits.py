"""A GPT-SoVITS ``api_v2.py`` server: ``POST /tts`` with JSON ``{text, text_lang,
ref_audio_path, prompt_text, prompt_lang, aux_ref_audio_paths, media_type, streaming_mode}``.

``ref_audio_path`` is a path *on the server*, and api_v2 has no upload route, so references
go through a shared folder: vidkit copies each reference into ``[voice] shared_dir`` (as
``<sha256>.wav``) and sends the path of that file as the server sees it, under
``[voice] server_dir`` (empty: the same path, for a server on this machine). Mount one folder
at both places, e.g. a Docker volume ``-v /srv/voices:/voices`` with ``shared_dir =
"/srv/voices"`` and ``server_dir = "/voices"``.

api_v2 has no read-only route, so ``vidkit doctor`` sends ``GET /tts`` with the languages and no
reference: api_v2 refuses it before any synthesis with HTTP 400 ``{"message":
"ref_audio_path is required"}``, an answer that shows the server is api_v2.
"""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

from vidkit.backends.aligner import Aligner
from vidkit.backends.tts import VoiceProfile
from vidkit.backends.tts._service import ServiceTTS, post
from vidkit.errors import BackendError, ConfigError
from vidkit.hints import CHOOSE_VOICE

__all__ = ["GptSovitsTTS"]

REFUSAL = "ref_audio_path is required"


class GptSovitsTTS(ServiceTTS):
    """``[voice] backend = "gpt-sovits"``: ``url`` is the api_v2 root, e.g.
    http://127.0.0.1:9880. Every request needs a voice profile (GPT-SoVITS always clones)."""

    service = "GPT-SoVITS api_v2 server"
    name = "gpt-sovits"

    def __init__(
        self,
        url: str,
        *,
        shared_dir: Path,
        server_dir: str = "",
        timeout_s: float = 120.0,
        aligner: Aligner | None = None,
        sample_rate: int = 24000,
        voice: VoiceProfile | None = None,
    ) -> None:
        if not str(shared_dir):
            raise ConfigError(
                '[voice] backend = "gpt-sovits" needs [voice] shared_dir, a folder the '
                "server can read (see docs/voices.md)"
            )
        super().__init__(
            url, timeout_s=timeout_s, aligner=aligner, sample_rate=sample_rate, voice=voice
        )
        self.shared_dir = Path(shared_dir)
        self.server_dir = server_dir

    def settings(self) -> str:
        return "api_v2"

    def capability(self) -> str:
        """That the server is api_v2, from its documented refusal of a request without a
        reference (nothing is synthesized)."""
        answer = self.probe("/tts", accept=(400,), params={"text_lang": "en", "prompt_lang": "en"})
        if answer.get("message") != REFUSAL:
            raise BackendError(
                f"the {self.where} answered GET /tts with {answer!r:.120}, not api_v2's "
                f"{REFUSAL!r}; is it GPT-SoVITS api_v2.py (not api.py)?"
            )
        return f"clones voices (GPT-SoVITS api_v2, references shared through {self.shared_dir})"

    def _share(self, ref: Path, key: str) -> str:
        """Copy ``ref`` into the shared folder once; its path as the server sees it."""
        name = f"{key}.wav"
        dest = self.shared_dir / name
        if not dest.is_file():
            try:
                self.shared_dir.mkdir(parents=True, exist_ok=True)
                tmp = dest.with_suffix(".part")
                shutil.copyfile(ref, tmp)
                tmp.replace(dest)
            except OSError as exc:
                raise BackendError(
                    f"cannot copy the reference into [voice] shared_dir {self.shared_dir}: "
                    f"{exc.strerror or exc}"
                ) from exc
        if self.server_dir:
            return str(PurePosixPath(self.server_dir) / name)
        return str(dest.resolve())

    def request(self, text: str, voice: VoiceProfile | None) -> bytes:
        if voice is None:
            raise BackendError("GPT-SoVITS speaks only in a cloned voice", hint=CHOOSE_VOICE)
        key = voice.content_key()
        main = self._share(Path(voice.reference_wav), key)
        import hashlib

        aux = [
            self._share(Path(p), hashlib.sha256(Path(p).read_bytes()).hexdigest())
            for p in voice.more_references
        ]
        language = voice.language or "en"
        body = {
            "text": text,
            "text_lang": language,
            "ref_audio_path": main,
            "aux_ref_audio_paths": aux,
            "prompt_text": voice.transcript,
            "prompt_lang": language,
            "media_type": "wav",
            "streaming_mode": False,
        }
        response = post(
            f"{self.url}/tts", service=self.service, timeout_s=self.timeout_s, json=body
        )
        return bytes(response.content)
