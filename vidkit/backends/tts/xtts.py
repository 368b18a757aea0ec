"""An XTTS v2 API server (``xtts-api-server``): clones from a reference it keeps on disk.

``POST /upload_sample`` (multipart ``wavFile``) stores the reference in the server's speaker
folder; ``POST /tts_to_audio/`` with JSON ``{text, speaker_wav, language}`` returns a WAV.
The reference is uploaded once per server under ``vidkit-<sha256 prefix>`` (so a new
reference is a new speaker), and ``speaker_wav`` names it. Servers without the upload route
(404) must be given the file by hand: copy the reference into the server's ``--speaker_folder``
as ``vidkit-<prefix>.wav``; the error says which name. ``vidkit doctor`` asks
``GET /languages`` (``{"languages": {name: code}}``).
"""

from __future__ import annotations

from pathlib import Path

from vidkit.backends._http import listed
from vidkit.backends.aligner import Aligner
from vidkit.backends.tts import VoiceProfile
from vidkit.backends.tts._service import ServiceTTS, post
from vidkit.errors import BackendError, Hint
from vidkit.hints import CHOOSE_VOICE

__all__ = ["XttsTTS", "speaker_name"]


def speaker_name(voice: VoiceProfile) -> str:
    return f"vidkit-{voice.content_key()[:16]}"


class XttsTTS(ServiceTTS):
    """``[voice] backend = "xtts"``: ``url`` is the server's root, e.g. http://127.0.0.1:8020.
    ``speaker`` is the server's own speaker used when no profile is chosen."""

    service = "XTTS API server"
    name = "xtts"

    def __init__(
        self,
        url: str,
        *,
        speaker: str = "",
        language: str = "en",
        timeout_s: float = 120.0,
        aligner: Aligner | None = None,
        sample_rate: int = 24000,
        voice: VoiceProfile | None = None,
    ) -> None:
        super().__init__(
            url, timeout_s=timeout_s, aligner=aligner, sample_rate=sample_rate, voice=voice
        )
        self.speaker = speaker
        self.language = language
        self._uploaded: set[str] = set()

    def settings(self) -> str:
        return f"speaker={self.speaker}:lang={self.language}"

    def capability(self) -> str:
        """The languages the server clones in, from ``GET /languages`` (runs no model)."""
        languages = self.probe("/languages").get("languages")
        codes = list(languages.values()) if isinstance(languages, dict) else languages
        if not isinstance(codes, list) or not codes:
            raise BackendError(
                f"the {self.where} answered /languages without a list of languages; is it "
                "xtts-api-server?"
            )
        return f"clones voices (xtts-api-server, languages {listed([str(c) for c in codes])})"

    def request(self, text: str, voice: VoiceProfile | None) -> bytes:
        if voice is None:
            if not self.speaker:
                raise BackendError(
                    "the XTTS server needs a speaker",
                    hint=Hint(
                        CHOOSE_VOICE.action,
                        cli=f"{CHOOSE_VOICE.cli}, or set [services.tts] voice to a speaker "
                        "the server has",
                        studio=CHOOSE_VOICE.studio,
                    ),
                )
            speaker, language = self.speaker, self.language
        else:
            speaker, language = self._upload(voice), voice.language or self.language
        response = post(
            f"{self.url}/tts_to_audio/", service=self.service, timeout_s=self.timeout_s,
            json={"text": text, "speaker_wav": speaker, "language": language},
        )  # fmt: skip
        return bytes(response.content)

    def _upload(self, voice: VoiceProfile) -> str:
        name = speaker_name(voice)
        if name in self._uploaded:
            return name
        ref = Path(voice.reference_wav)
        try:
            post(
                f"{self.url}/upload_sample", service=self.service, timeout_s=self.timeout_s,
                files={"wavFile": (f"{name}.wav", ref.read_bytes(), "audio/wav")},
            )  # fmt: skip
        except BackendError as exc:
            if "404" not in str(exc):
                raise
            raise BackendError(
                f"the XTTS server at {self.url} has no /upload_sample route: copy {ref} into "
                f"its --speaker_folder as {name}.wav, or update xtts-api-server"
            ) from exc
        self._uploaded.add(name)
        return name
