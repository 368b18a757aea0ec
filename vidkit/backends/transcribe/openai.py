"""Transcription by any OpenAI-compatible ``POST {base}/audio/transcriptions`` server.

The WAV is sent as multipart ``file`` with ``model``, ``response_format=verbose_json`` and
``timestamp_granularities[]=word`` (and ``language`` when one is set); the reply's ``words`` and
``segments`` become a :class:`~vidkit.timing.Transcript`. OpenAI's own service sends no word
confidences (they are then 1.0); servers that send ``probability`` per word (faster-whisper
based ones) have it kept.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from vidkit.audio import wav_info
from vidkit.backends._openai import base_url
from vidkit.errors import BackendError
from vidkit.timing import Segment, TranscribedWord, Transcript

__all__ = ["OpenAITranscriber"]

_VERSION = 1


class OpenAITranscriber:
    """Speech to text through an OpenAI-compatible transcription endpoint."""

    def __init__(
        self,
        url: str,
        *,
        model: str = "whisper-1",
        api_key: str | None = None,
        api_key_env: str = "",
        timeout_s: float = 60.0,
        language: str | None = None,
    ) -> None:
        self.url = base_url(url)
        self.model = model
        self.api_key = api_key
        self.api_key_env = api_key_env
        self.timeout_s = timeout_s
        self.language = language or None

    def fingerprint(self) -> str:
        return (
            f"openai-transcribe:{self.url}:{self.model}:lang={self.language or 'auto'}:v{_VERSION}"
        )

    def transcribe(self, wav: Path, *, language: str | None = None) -> Transcript:
        duration_ms = wav_info(wav).duration_ms  # MediaError for a missing or non-WAV file
        lang = language or self.language
        endpoint = f"{self.url}/audio/transcriptions"
        data: dict[str, str | list[str]] = {
            "model": self.model,
            "response_format": "verbose_json",
            "timestamp_granularities[]": ["word", "segment"],
        }
        if lang:
            data["language"] = lang
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            with wav.open("rb") as handle:
                response = httpx.post(
                    endpoint,
                    data=data,
                    files={"file": (wav.name, handle, "audio/wav")},
                    headers=headers,
                    timeout=self.timeout_s,
                )
        except httpx.TimeoutException as exc:
            raise BackendError(
                f"the transcription server {endpoint} did not answer within {self.timeout_s:g} s "
                "([services.transcribe] timeout_s)"
            ) from exc
        except httpx.HTTPError as exc:
            raise BackendError(
                f"cannot reach the transcription server {endpoint}: {exc}; check "
                "[services.transcribe] url"
            ) from exc
        if response.status_code >= 400:
            hint = ""
            if response.status_code in (401, 403):
                hint = (
                    f"; check the key in ${self.api_key_env}"
                    if self.api_key_env
                    else "; set [services.transcribe] api_key_env to the variable holding a key"
                )
            raise BackendError(
                f"the transcription server {endpoint} answered {response.status_code}: "
                f"{_reason(response)}{hint}"
            )
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BackendError(
                f"the transcription server {endpoint} sent no JSON (asked for verbose_json): "
                f"{response.text[:200]!r}"
            ) from exc
        return _transcript(body, duration_ms, lang, endpoint)


def _reason(response: httpx.Response) -> str:
    """The server's own words for a failure: OpenAI's error.message, FastAPI's detail, or text."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text.strip()[:300] or response.reason_phrase
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        for key in ("error", "detail", "message"):
            if body.get(key):
                return str(body[key])
    return json.dumps(body)[:300]


def _transcript(body: Any, duration_ms: int, language: str | None, endpoint: str) -> Transcript:
    def bad(what: str) -> BackendError:
        return BackendError(
            f"the transcription server {endpoint} sent a malformed verbose_json reply: {what}"
        )

    if not isinstance(body, dict):
        raise bad(f"expected an object, got {type(body).__name__}")
    if "words" not in body:
        raise bad("it has no 'words' (does the server support timestamp_granularities[]=word?)")
    length = duration_ms or round(float(body.get("duration") or 0) * 1000)

    def ms(value: Any) -> int:
        return max(0, min(length, round(float(value) * 1000)))

    try:
        words = []
        for item in body["words"] or []:
            text = str(item["word"]).strip()
            if text:
                start = ms(item["start"])
                confidence = float(item.get("probability", 1.0))
                words.append(TranscribedWord(text, start, max(start, ms(item["end"])), confidence))
        segments = tuple(
            Segment(str(s["text"]).strip(), ms(s["start"]), ms(s["end"]))
            for s in body.get("segments") or []
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise bad(f"a word or segment lacks a valid {exc}") from exc
    return Transcript(
        duration_ms=length,
        language=language or str(body.get("language") or ""),
        words=tuple(words),
        segments=segments,
        meta={"backend": "openai", "endpoint": endpoint},
    )
