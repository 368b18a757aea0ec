"""Test doubles for speech: a deterministic TTS and a real local /v1/audio/speech server.

``ToneTTS`` implements the ``TTS`` protocol exactly (one tone burst per word, timings known to
the sample). ``SpeechServer`` is a small ``http.server`` app on 127.0.0.1 that speaks the
OpenAI speech API with whatever ``speak`` function it is given (the tests use Piper), checks
the bearer key, and misbehaves on request: the path prefix picks the mode
(``/v1/...`` normal, ``/401/v1/...``, ``/500/v1/...``, ``/slow/v1/...``, ``/garbage/v1/...``,
``/stereo/v1/...`` for a 44.1 kHz stereo float WAV).
"""

from __future__ import annotations

import functools
import json
import threading
import time
import wave
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np

from vidkit.audio import Pcm16Writer, atomic_output
from vidkit.backends.tts import VoiceProfile
from vidkit.backends.tts.piper import PiperTTS
from vidkit.errors import BackendError, InvalidInput
from vidkit.text import spoken_words
from vidkit.timing import PhonemeTiming, Timings, WordTiming

SILENCE = "_"


class ToneTTS:
    """One sine burst per word: ``40 + 30 * len(word)`` ms, 50 ms gaps, 100 ms lead and tail.

    The frequency depends on ``voice``; every letter of a word is one equally long phoneme.
    """

    def __init__(self, voice: str = "a", *, can_clone: bool = False, rate: int = 16000) -> None:
        self.voice = voice
        self.can_clone = can_clone
        self.rate = rate
        self.calls: list[str] = []

    def fingerprint(self) -> str:
        return f"tone:{self.voice}:{self.rate}"

    def synthesize(self, text: str, out_wav: Path, *, voice: VoiceProfile | None = None) -> Timings:
        if voice is not None and not self.can_clone:
            raise BackendError("ToneTTS cannot clone voices")
        words = spoken_words(text)
        if not words:
            raise InvalidInput("the text to speak has no words")
        self.calls.append(text)
        pitch = 300 + 40 * (sum(map(ord, voice.name if voice else self.voice)) % 10)
        timed: list[WordTiming] = []
        phones: list[PhonemeTiming] = []
        with atomic_output(Path(out_wav)) as tmp, Pcm16Writer(tmp, self.rate) as out:
            cursor = 100
            out.write_silence(100)
            phones.append(PhonemeTiming(SILENCE, 0, 100))
            for index, word in enumerate(words):
                if index:
                    out.write_silence(50)
                    phones.append(PhonemeTiming(SILENCE, cursor, cursor + 50))
                    cursor += 50
                length = 40 + 30 * len(word)
                t = np.arange(length * self.rate // 1000) / self.rate
                out.write((8000 * np.sin(2 * np.pi * pitch * t)).astype(np.int16))
                timed.append(WordTiming(word, cursor, cursor + length))
                letters = [c for c in word.lower() if c.isalnum()] or ["?"]
                edges = [cursor + length * k // len(letters) for k in range(len(letters) + 1)]
                phones.extend(
                    PhonemeTiming(c, edges[k], edges[k + 1]) for k, c in enumerate(letters)
                )
                cursor += length
            out.write_silence(100)
            phones.append(PhonemeTiming(SILENCE, cursor, cursor + 100))
            cursor += 100
        return Timings(cursor, tuple(timed), tuple(phones), "ipa", {"silence": SILENCE})


Speak = Callable[[str, Path], object]


class SpeechServer:
    """A local OpenAI-compatible speech server in a background thread."""

    def __init__(self, speak: Speak, *, key: str = "test-key", slow_s: float = 3.0) -> None:
        self.speak = speak
        self.key = key
        self.slow_s = slow_s
        self.requests: list[dict[str, object]] = []
        self._speak_lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def url(self, mode: str = "") -> str:
        prefix = f"/{mode}" if mode else ""
        return f"http://127.0.0.1:{self.port}{prefix}/v1"

    def __enter__(self) -> SpeechServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def do_POST(self) -> None:
                mode, _, rest = self.path.partition("/v1/")
                mode = mode.strip("/")
                if rest != "audio/speech":
                    return self._reply(404, b'{"detail": "no such route"}')
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                if self.headers.get("Authorization") != f"Bearer {server.key}" or mode == "401":
                    return self._reply(401, b'{"error": {"message": "invalid api key"}}')
                if mode == "500":
                    return self._reply(500, b'{"detail": "the model crashed"}')
                if mode == "slow":
                    time.sleep(server.slow_s)
                if mode == "garbage":
                    return self._reply(200, b"<html>definitely not audio</html>" * 20, "audio/wav")
                with TemporaryDirectory() as tmp:
                    wav = Path(tmp) / "speech.wav"
                    with server._speak_lock:
                        server.speak(str(body["input"]), wav)
                    if mode == "stereo":
                        wav = _as_stereo_float(wav, Path(tmp) / "stereo.wav")
                    return self._reply(200, wav.read_bytes(), "audio/wav")

            def _reply(self, status: int, data: bytes, kind: str = "application/json") -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the slow mode)

        return Handler


def _as_stereo_float(src: Path, dest: Path) -> Path:
    """The same speech as a 44.1 kHz stereo 32-bit float WAV (WAVE_FORMAT_IEEE_FLOAT)."""
    with wave.open(str(src), "rb") as wav:
        rate = wav.getframerate()
        mono = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2") / 32768.0
    times = np.arange(int(len(mono) * 44100 / rate)) / 44100
    resampled = np.interp(times, np.arange(len(mono)) / rate, mono).astype("<f4")
    frames = np.repeat(resampled, 2).tobytes()
    header = b"".join(
        [
            b"RIFF", (36 + len(frames)).to_bytes(4, "little"), b"WAVE",
            b"fmt ", (16).to_bytes(4, "little"), (3).to_bytes(2, "little"),
            (2).to_bytes(2, "little"), (44100).to_bytes(4, "little"),
            (44100 * 8).to_bytes(4, "little"), (8).to_bytes(2, "little"),
            (32).to_bytes(2, "little"), b"data", len(frames).to_bytes(4, "little"),
        ]
    )  # fmt: skip
    dest.write_bytes(header + frames)
    return dest


@functools.cache
def shared_piper() -> PiperTTS:
    """One Piper voice for the whole test session (loading it takes a few seconds)."""
    return PiperTTS()


@functools.cache
def steady_piper() -> PiperTTS:
    """Piper with its noise turned off: the same text gives the same samples on every run.

    The voice's own noise scales make every synthesis a little different (pauses move by
    hundreds of milliseconds), so tests that compare timings to a tolerance use this voice.
    """
    return PiperTTS(noise_scale=0.0, noise_w_scale=0.0)


@functools.cache
def shared_server() -> SpeechServer:
    """One local speech server (speaking with Piper) for the whole test session."""

    def speak(text: str, out: Path) -> None:
        shared_piper().synthesize(text, out)

    return SpeechServer(speak, slow_s=2.0).__enter__()
