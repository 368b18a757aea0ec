"""Chatterbox-TTS-API: ``POST /v1/audio/speech/upload`` with a multipart form of ``input``
(the text) and ``voice_file`` (the reference recording), sent with every request; without a
profile the form has no ``voice_file`` and the server speaks in its default voice.
``vidkit doctor`` reads the model's state from ``GET /health``."""

from __future__ import annotations

from pathlib import Path

from vidkit.backends.aligner import Aligner
from vidkit.backends.tts import VoiceProfile
from vidkit.backends.tts._service import ServiceTTS, post
from vidkit.errors import BackendError

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

    def capability(self) -> str:
        """The model's state, from ``GET /health`` (which answers at once and loads nothing):
        ``{status, model_loaded, device, initialization_state, initialization_error, ...}``."""
        health = self.probe("/health")
        if "model_loaded" not in health:
            raise BackendError(
                f"the {self.where} answered /health without model_loaded; is it Chatterbox-TTS-API?"
            )
        state = str(health.get("initialization_state") or "not loaded").replace("_", " ")
        if state == "error":
            reason = health.get("initialization_error") or "no detail"
            raise BackendError(f"the {self.where} could not load its model: {reason}")
        model = "model loaded" if health["model_loaded"] else f"model {state}"
        device = f" on {health['device']}" if health.get("device") else ""
        return f"clones voices (Chatterbox TTS API, {model}{device})"

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
