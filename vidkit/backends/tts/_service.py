"""What the voice-cloning service backends share: one HTTP call with errors mapped to
:class:`~vidkit.errors.BackendError`, and turning the audio a service sends back (no timings)
into mono PCM16 plus word timings by forced alignment, as ``openai_speech`` does."""

from __future__ import annotations

import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

from vidkit.audio import atomic_output, convert_to_pcm16, wav_info
from vidkit.backends.aligner import Aligner
from vidkit.backends.tts import VoiceProfile
from vidkit.errors import BackendError, Hint, InvalidInput, MediaError
from vidkit.text.normalize import spoken_words
from vidkit.timing import Timings

__all__ = [
    "ServiceTTS",
    "check_text",
    "check_voice",
    "default_aligner",
    "post",
    "speech_from_audio",
]

SECTION = "[services.tts]"
WHERE = f"{SECTION} url"


def default_aligner(aligner: Aligner | None) -> Aligner:
    if aligner is not None:
        return aligner
    from vidkit.backends.aligner.pocketsphinx import PocketsphinxAligner

    return PocketsphinxAligner()


def check_text(text: str) -> None:
    if not spoken_words(text):
        raise InvalidInput("the text to speak has no words", field="text")


def check_voice(voice: VoiceProfile, service: str) -> None:
    """A profile without the speaker's consent, or whose reference is gone, is never sent."""
    if len(voice.consent.strip()) < 10:
        raise InvalidInput(
            f"the voice profile {voice.name!r} has no recorded consent, so {service} will not "
            "clone it; record who agreed, when, and to what",
            field="voice",
            hint=Hint(
                "record_consent",
                cli="add the profile again with `vidkit voices add --consent ...`",
                studio="add the profile again under “Voice” above, with the consent filled in",
            ),
        )
    for ref in voice.references:
        if not Path(ref).is_file():
            raise BackendError(
                f"the reference recording of voice {voice.name!r} is missing ({ref}); "
                "add the profile again"
            )


def _detail(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip() or "no detail"
    if isinstance(body, dict):
        for key in ("detail", "message", "error", "Exception"):
            if body.get(key):
                value = body[key]
                if isinstance(value, dict):
                    value = value.get("message") or value.get("status") or value
                return str(value)[:200]
    return str(body)[:200]


def post(
    url: str,
    *,
    service: str,
    timeout_s: float,
    key_fix: str = "",
    **kwargs: Any,
) -> Any:
    """POST to ``url`` (``kwargs`` go to ``httpx.post``); returns the 2xx ``httpx.Response``.

    Timeouts, refused connections, 401/403, 404 and other 4xx/5xx become one-line
    :class:`BackendError` messages naming ``[services.tts]`` and what to change."""
    import httpx

    where = f"{service} at {WHERE} {url}"
    try:
        response = httpx.post(url, timeout=timeout_s, **kwargs)
    except httpx.TimeoutException as exc:
        raise BackendError(
            f"the {where} did not answer in {timeout_s:g} s; it may be busy or loading its "
            "model: try again, or raise [services.tts] timeout_s"
        ) from exc
    except httpx.HTTPError as exc:
        raise BackendError(
            f"cannot reach the {where} ({type(exc).__name__}): is the server running?"
        ) from exc
    status = response.status_code
    if status in (401, 403):
        raise BackendError(
            f"the {where} refused the request (HTTP {status}): "
            f"{key_fix or 'check [services.tts] api_key_env'}"
        )
    if status == 404:
        raise BackendError(
            f"the {where} answered 404 Not Found ({_detail(response)}): check the URL, and "
            f"that the server is a {service} server"
        )
    if status >= 400:
        kind = "failed" if status >= 500 else "rejected the request"
        raise BackendError(
            f"the {where} {kind} (HTTP {status}): {_detail(response)}; see the server's log"
        )
    return response


def speech_from_audio(
    body: bytes,
    text: str,
    out_wav: Path,
    *,
    aligner: Aligner,
    sample_rate: int,
    service: str,
    url: str,
    meta: dict[str, Any],
) -> Timings:
    """Write ``body`` (any audio ffmpeg reads) to ``out_wav`` as mono PCM16 and time ``text``."""
    with (
        tempfile.TemporaryDirectory(prefix="vidkit-tts-") as tmpdir,
        atomic_output(Path(out_wav)) as tmp,
    ):
        raw = Path(tmpdir) / "response.audio"
        raw.write_bytes(body)
        try:
            convert_to_pcm16(raw, tmp, sample_rate=sample_rate)
        except MediaError as exc:
            raise BackendError(
                f"the {service} at {WHERE} {url} sent back {len(body)} bytes that are not "
                f"audio ({exc}); check that the URL points at a {service} server"
            ) from exc
        timings = aligner.align(tmp, text)
        duration = wav_info(tmp).duration_ms
    merged = {**timings.meta, **meta}
    return Timings(duration, timings.words, timings.phonemes, timings.alphabet, merged)


class ServiceTTS:
    """Base of the cloning service backends: ``url`` (no trailing slash), a request
    ``timeout_s``, the ``aligner`` that times the returned audio, the output ``sample_rate``,
    and optionally the ``voice`` profile the backend was built for (its reference's content
    hash is then part of :meth:`fingerprint`, so a new reference re-renders)."""

    can_clone = True
    service = "speech service"
    name = "service"

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 120.0,
        aligner: Aligner | None = None,
        sample_rate: int = 24000,
        voice: VoiceProfile | None = None,
    ) -> None:
        if not url:
            raise BackendError(f"no {self.service} is configured: set {WHERE}")
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.sample_rate = sample_rate
        self.aligner = default_aligner(aligner)
        self.voice = voice

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r})"

    @property
    def where(self) -> str:
        """The service in messages, its URL without anything secret."""
        from vidkit.backends._http import shown_url

        return f"{self.service} at {WHERE} {shown_url(self.url)}"

    def probe(self, path: str, *, accept: Collection[int] = (), **kwargs: Any) -> dict[str, Any]:
        """One cheap read-only ``GET`` of ``path`` for ``vidkit doctor``: the JSON object it
        answered (also with a status in ``accept``). Failures are :class:`BackendError`
        messages from the shared mapping (``vidkit.backends._http``), naming [services.tts]."""
        from vidkit.backends._http import PROBE_TIMEOUT_S, call, json_body

        response = call(
            "GET", f"{self.url}{path}", where=self.where, section=SECTION,
            timeout_s=min(self.timeout_s, PROBE_TIMEOUT_S), accept=accept, **kwargs,
        )  # fmt: skip
        return json_body(response, self.where)

    def capability(self) -> str:
        """What the service offers, by one cheap request its API has for that."""
        raise NotImplementedError

    def settings(self) -> str:
        """What else changes the sound (model, language ...), for the fingerprint."""
        return ""

    def fingerprint(self) -> str:
        ref = f":ref={self.voice.content_key()}" if self.voice is not None else ""
        return (
            f"{self.name}:{self.url}:{self.settings()}:{self.sample_rate}Hz{ref}"
            f":align={self.aligner.fingerprint()}"
        )

    def synthesize(self, text: str, out_wav: Path, *, voice: VoiceProfile | None = None) -> Timings:
        check_text(text)
        profile = voice if voice is not None else self.voice
        if profile is not None:
            check_voice(profile, self.service)
        body = self.request(text, profile)
        meta: dict[str, Any] = {"backend": self.name}
        if profile is not None:
            meta["voice"] = profile.name
            meta["reference_sha256"] = profile.content_key()
        return speech_from_audio(
            body, text, out_wav, aligner=self.aligner, sample_rate=self.sample_rate,
            service=self.service, url=self.url, meta=meta,
        )  # fmt: skip

    def request(self, text: str, voice: VoiceProfile | None) -> bytes:
        """The audio bytes the service sends back for ``text`` in ``voice``."""
        raise NotImplementedError
