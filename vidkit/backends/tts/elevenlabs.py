"""ElevenLabs: instant voice cloning, then speech in that voice.

``POST /v1/voices/add`` (multipart ``name``, ``description``, one ``files`` part per reference;
header ``xi-api-key``) answers ``{"voice_id": ...}``; ``POST /v1/text-to-speech/{voice_id}``
with JSON ``{text, model_id}`` returns the audio. The ``voice_id`` is remembered per server and
reference content (a JSON file under the assets root's ``cache/``), so each reference is
cloned once; a new reference is a new clone. ``vidkit doctor`` asks ``GET
/v1/user/subscription`` whether the key's plan may clone (``can_use_instant_voice_cloning``).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from vidkit.backends.aligner import Aligner
from vidkit.backends.tts import VoiceProfile
from vidkit.backends.tts._service import ServiceTTS, post
from vidkit.errors import BackendError, Hint
from vidkit.hints import CHOOSE_VOICE

__all__ = ["ElevenLabsTTS"]

_lock = threading.Lock()


class ElevenLabsTTS(ServiceTTS):
    """``[voice] backend = "elevenlabs"``: ``url`` defaults to the public API root;
    ``api_key`` comes from the variable ``[services.tts] api_key_env`` names; ``voice_id``
    (``[services.tts] voice``) speaks when no profile is chosen; ``ids_file`` remembers clones."""

    service = "ElevenLabs API"
    name = "elevenlabs"

    def __init__(
        self,
        url: str,
        *,
        api_key: str,
        ids_file: Path,
        api_key_env: str = "",
        model: str = "eleven_multilingual_v2",
        voice_id: str = "",
        timeout_s: float = 120.0,
        aligner: Aligner | None = None,
        sample_rate: int = 24000,
        voice: VoiceProfile | None = None,
    ) -> None:
        super().__init__(
            url, timeout_s=timeout_s, aligner=aligner, sample_rate=sample_rate, voice=voice
        )
        self._key = api_key
        self.api_key_env = api_key_env
        self.ids_file = Path(ids_file)
        self.model = model
        self.voice_id = voice_id

    def settings(self) -> str:
        return f"model={self.model}:voice={self.voice_id}"

    def _headers(self) -> dict[str, str]:
        return {"xi-api-key": self._key}

    def _key_fix(self) -> str:
        env = self.api_key_env or "the variable [services.tts] api_key_env names"
        return f"check the ElevenLabs API key in {env}"

    def capability(self) -> str:
        """Whether the key's plan may clone, from ``GET /v1/user/subscription``."""
        plan = self.probe("/v1/user/subscription", headers=self._headers())
        can_clone = plan.get("can_use_instant_voice_cloning")
        if not isinstance(can_clone, bool):
            raise BackendError(
                f"the {self.where} answered /v1/user/subscription without "
                "can_use_instant_voice_cloning; check [services.tts] url"
            )
        tier = plan.get("tier") or "unknown"
        if not can_clone:
            env = self.api_key_env or "the variable [services.tts] api_key_env names"
            raise BackendError(
                f"the ElevenLabs key in {env} is on the {tier!r} plan, which cannot clone "
                "voices (can_use_instant_voice_cloning is false): upgrade the plan, or choose "
                "another [voice] backend"
            )
        used, limit = plan.get("character_count"), plan.get("character_limit")
        usage = f", {used} of {limit} characters used" if used is not None and limit else ""
        return f"clones voices (ElevenLabs instant voice cloning, {tier} plan{usage})"

    def _ids(self) -> dict[str, str]:
        try:
            data: Any = json.loads(self.ids_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def voice_id_for(self, voice: VoiceProfile) -> str:
        """The ElevenLabs voice cloned from ``voice``'s references (cloned on first use)."""
        slot = f"{self.url}|{voice.content_key()}"
        with _lock:
            known = self._ids().get(slot)
            if known:
                return known
            files = [
                ("files", (Path(p).name, Path(p).read_bytes(), "audio/wav"))
                for p in voice.references
            ]
            response = post(
                f"{self.url}/v1/voices/add", service=self.service, timeout_s=self.timeout_s,
                key_fix=self._key_fix(), headers=self._headers(), files=files,
                data={"name": voice.name, "description": f"vidkit; consent: {voice.consent}"},
            )  # fmt: skip
            try:
                voice_id = response.json()["voice_id"]
            except (ValueError, KeyError, TypeError) as exc:
                raise BackendError(
                    f"the {self.service} at {self.url} answered /v1/voices/add without a "
                    f"voice_id ({response.text[:120]!r}); check [services.tts] url"
                ) from exc
            if not isinstance(voice_id, str) or not voice_id:
                raise BackendError(f"the {self.service} sent an empty voice_id")
            ids = {**self._ids(), slot: voice_id}
            self.ids_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.ids_file.with_suffix(f".{os.getpid()}.part")
            tmp.write_text(json.dumps(ids, indent=1, sort_keys=True), encoding="utf-8")
            tmp.replace(self.ids_file)
            return voice_id

    def request(self, text: str, voice: VoiceProfile | None) -> bytes:
        if voice is not None:
            voice_id = self.voice_id_for(voice)
        elif self.voice_id:
            voice_id = self.voice_id
        else:
            raise BackendError(
                "ElevenLabs needs a voice",
                hint=Hint(
                    CHOOSE_VOICE.action,
                    cli=f"{CHOOSE_VOICE.cli}, or set [services.tts] voice to an ElevenLabs "
                    "voice_id",
                    studio=CHOOSE_VOICE.studio,
                ),
            )
        response = post(
            f"{self.url}/v1/text-to-speech/{voice_id}", service=self.service,
            timeout_s=self.timeout_s, key_fix=self._key_fix(), headers=self._headers(),
            json={"text": text, "model_id": self.model},
        )  # fmt: skip
        return bytes(response.content)
