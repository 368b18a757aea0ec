"""Any OpenAI-compatible ``POST /v1/audio/speech`` server: OpenAI itself, or local servers
such as openedai-speech, XTTS or Kokoro front ends that speak the same API.

Such services return audio without timings, so the known text is force-aligned to the audio
by an injected :class:`~vidkit.backends.aligner.Aligner` (pocketsphinx by default). Whatever
audio comes back is converted to mono PCM16 at ``sample_rate`` with ffmpeg.

Voice cloning: with a :class:`~vidkit.backends.tts.VoiceProfile` the request asks for
``voice=profile.name``. Servers that clone (openedai-speech, XTTS API servers) register a
reference recording under a voice name; register ``profile.reference_wav`` on the server
under exactly that name first. The recording itself is never uploaded by this backend.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vidkit.audio import atomic_output, convert_to_pcm16, wav_info
from vidkit.backends._openai import base_url, openai_client
from vidkit.backends.aligner import Aligner
from vidkit.backends.tts import VoiceProfile
from vidkit.errors import BackendError, InvalidInput, MediaError
from vidkit.text.normalize import spoken_words
from vidkit.timing import Timings

if TYPE_CHECKING:
    from vidkit.config import ServiceConfig

__all__ = ["OpenAISpeechTTS", "map_openai_errors"]

_log = logging.getLogger(__name__)
_WHERE = "[services.tts] url"
_DUMMY_KEY = "not-needed"  # local servers ignore the key, but the client insists on one


class OpenAISpeechTTS:
    """Speech from an OpenAI-compatible server at ``url`` (``http://host:port/v1``; a bare
    ``http://host:port`` gets ``/v1`` added).

    ``api_key`` is the bearer key (``None`` sends a dummy one); ``api_key_env`` names the
    environment variable it came from, for messages only. ``aligner`` times the words
    (default :class:`~vidkit.backends.aligner.pocketsphinx.PocketsphinxAligner`).
    """

    can_clone = True

    def __init__(
        self,
        url: str,
        *,
        model: str = "tts-1",
        voice: str = "alloy",
        api_key: str | None = None,
        api_key_env: str = "",
        timeout_s: float = 60.0,
        aligner: Aligner | None = None,
        sample_rate: int = 24000,
    ) -> None:
        if not url:
            raise BackendError(f"no TTS service is configured: set {_WHERE}")
        self.url = base_url(url)
        self.model = model
        self.voice = voice
        self.api_key_env = api_key_env
        self.timeout_s = timeout_s
        self.sample_rate = sample_rate
        self._api_key = api_key or _DUMMY_KEY
        if aligner is None:
            from vidkit.backends.aligner.pocketsphinx import PocketsphinxAligner

            aligner = PocketsphinxAligner()
        self.aligner = aligner
        self._client: Any = None

    @classmethod
    def from_config(
        cls, service: ServiceConfig, *, aligner: Aligner | None = None
    ) -> OpenAISpeechTTS:
        """Build from ``[services.tts]``; reads the key from the environment variable it names."""
        from vidkit.config import secret

        key = (
            secret(service.api_key_env, purpose="TTS service key") if service.api_key_env else None
        )
        return cls(
            service.url,
            model=service.model or "tts-1",
            voice=service.voice or "alloy",
            api_key=key,
            api_key_env=service.api_key_env,
            timeout_s=service.timeout_s,
            aligner=aligner,
        )

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAISpeechTTS(url={self.url!r}, model={self.model!r}, voice={self.voice!r})"

    def fingerprint(self) -> str:
        return (
            f"openai-speech:{self.url}:{self.model}:{self.voice}:{self.sample_rate}Hz"
            f":align={self.aligner.fingerprint()}"
        )

    def synthesize(self, text: str, out_wav: Path, *, voice: VoiceProfile | None = None) -> Timings:
        if not spoken_words(text):
            raise InvalidInput("the text to speak has no words", field="text")
        name = voice.name if voice is not None else self.voice
        with (
            tempfile.TemporaryDirectory(prefix="vidkit-tts-") as tmpdir,
            atomic_output(Path(out_wav)) as tmp,
        ):
            raw = Path(tmpdir) / "response.audio"
            self._request(text, name, raw)
            try:
                convert_to_pcm16(raw, tmp, sample_rate=self.sample_rate)
            except MediaError as exc:
                size = raw.stat().st_size
                raise BackendError(
                    f"the TTS service at {_WHERE} {self.url} sent back {size} bytes that are "
                    f"not audio ({exc}); check that it speaks the OpenAI /v1/audio/speech API"
                ) from exc
            timings = self.aligner.align(tmp, text)
            duration = wav_info(tmp).duration_ms
        meta = {**timings.meta, "backend": "openai-speech", "voice": name}
        return Timings(duration, timings.words, timings.phonemes, timings.alphabet, meta)

    def _request(self, text: str, voice: str, dest: Path) -> None:
        client = self._get_client()
        _log.info("requesting speech from %s (model %s, voice %s)", self.url, self.model, voice)
        with (
            map_openai_errors(self.url, self.api_key_env, voice=voice),
            client.audio.speech.with_streaming_response.create(
                model=self.model, voice=voice, input=text, response_format="wav"
            ) as response,
        ):
            response.stream_to_file(dest)

    def _get_client(self) -> Any:
        if self._client is None:
            self._client = openai_client(self.url, self._api_key, self.timeout_s)
        return self._client


@contextlib.contextmanager
def map_openai_errors(url: str, api_key_env: str, *, voice: str = "") -> Iterator[None]:
    """Turn the ``openai`` package's errors into one-line :class:`BackendError` messages."""
    import openai

    where = f"{_WHERE} {url}"
    try:
        yield
    except openai.APITimeoutError as exc:
        raise BackendError(
            f"the TTS service at {where} did not answer in time; it may be overloaded, or "
            "raise [services.tts] timeout_s"
        ) from exc
    except openai.APIConnectionError as exc:
        raise BackendError(
            f"cannot reach the TTS service at {where}: is the server running at {url}?"
        ) from exc
    except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
        fix = (
            f"check the environment variable {api_key_env}"
            if api_key_env
            else "set [services.tts] api_key_env to the name of the environment variable "
            "that holds the key"
        )
        raise BackendError(
            f"the TTS service at {where} refused the key (HTTP {exc.status_code}): {fix}"
        ) from exc
    except openai.NotFoundError as exc:
        raise BackendError(
            f"the TTS service at {where} answered 404 Not Found: check that the URL ends in "
            f"/v1 and that the model and voice {voice!r} exist on the server"
        ) from exc
    except openai.APIStatusError as exc:
        kind = "failed" if exc.status_code >= 500 else "rejected the request"
        raise BackendError(
            f"the TTS service at {where} {kind} (HTTP {exc.status_code}): "
            f"{_detail(exc)}; see the server's log"
        ) from exc
    except openai.OpenAIError as exc:
        raise BackendError(f"the TTS service at {where} failed: {exc}") from exc
    except Exception as exc:  # the HTTP layer under openai, while the body streams in
        if type(exc).__module__.split(".")[0] not in {"httpx", "httpx2", "httpcore"}:
            raise
        raise BackendError(
            f"the TTS service at {where} broke off while sending audio ({type(exc).__name__}); "
            "try again, and see the server's log"
        ) from exc


def _detail(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        message = body.get("detail") or body.get("message") or body.get("error")
        if message:
            return str(message)[:200]
    return str(getattr(exc, "message", "") or "no detail")[:200]
