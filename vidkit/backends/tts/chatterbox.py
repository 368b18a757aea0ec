"""Chatterbox-TTS-API: ``POST /v1/audio/speech/upload`` with a multipart form of ``input``
(the text) and ``voice_file`` (the reference recording), sent with every request; without a
profile the form has no ``voice_file`` and the server speaks in its default voice."""

from __future__ import annotations

from pathlib import Path

from vidkit.backends.aligner import Aligner
from vidkit.backends.tts import VoiceProfile
from vidkit.backends.tts._service import ServiceTTS, post

__all__ = ["ChatterboxTTS"]


class ChatterboxTTS(ServiceTTS):
    """``[voice] backend = "chatterbox"``: ``url`` is the server root, e.g.
    http://127.0.0.1:4123 (a trailing ``/v1`` is accepted)."""

    service = "Chatterbox TTS API server"
    name = "chatterbox"

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 120.0,
        aligner: Aligner | None = None,
        sample_rate: int = 24000,
        voice: VoiceProfile | None = None,
    ) -> None:
        super().__init__(
            url, timeout_s=timeout_s, aligner=aligner, sample_rate=sample_rate, voice=voice
        )
        if self.url.endswith("/v1"):
            self.url = self.url[: -len("/v1")]

    def request(self, text: str, voice: VoiceProfile | None) -> bytes:
        files = None
        if voice is not None:
            ref = Path(voice.reference_wav)
            files = {"voice_file": (ref.name, ref.read_bytes(), "audio/wav")}
        response = post(
            f"{self.url}/v1/audio/speech/upload", service=self.service,
            timeout_s=self.timeout_s, data={"input": text, "response_format": "wav"},
            files=files,
        )  # fmt: skip
        return bytes(response.content)
