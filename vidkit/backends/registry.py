"""Building backends from config: the one place that maps config names to implementations.

Vendor modules are imported only when their backend is built, so a missing optional package or
model fails only when that backend is chosen, with a message that says how to fix it.
"""

from __future__ import annotations

from vidkit.backends.aligner import Aligner
from vidkit.backends.animator import Animator
from vidkit.backends.facerig import FaceRig
from vidkit.backends.matting import Matting
from vidkit.backends.tts import TTS
from vidkit.config import Config, secret
from vidkit.errors import ConfigError
from vidkit.models import require

__all__ = ["build_aligner", "build_animator", "build_facerig", "build_matting", "build_tts"]


def build_aligner(config: Config) -> Aligner:
    from vidkit.backends.aligner.pocketsphinx import PocketsphinxAligner

    return PocketsphinxAligner()


def build_tts(config: Config) -> TTS:
    """``[voice] backend``: ``piper`` (embedded) or ``openai`` (``[services.tts]``)."""
    if config.voice.backend == "piper":
        from vidkit.backends.tts.piper import PiperTTS

        return PiperTTS(config.voice.piper_voice)
    service = config.services.tts
    if not service.url:
        raise ConfigError(
            '[voice] backend = "openai" needs [services.tts] url, the base URL of an '
            "OpenAI-compatible speech server such as http://127.0.0.1:8000/v1"
        )
    from vidkit.backends.tts.openai_speech import OpenAISpeechTTS

    key = secret(service.api_key_env, purpose="speech service key") if service.api_key_env else None
    return OpenAISpeechTTS(
        service.url,
        model=service.model or "tts-1",
        voice=service.voice or "alloy",
        api_key=key,
        api_key_env=service.api_key_env,
        timeout_s=service.timeout_s,
        aligner=build_aligner(config),
    )


def build_matting(config: Config, name: str | None = None) -> Matting:
    """``[avatar] matting``: ``rembg`` (u2netp) or ``mediapipe`` (selfie segmenter)."""
    choice = name or config.avatar.matting
    if choice == "rembg":
        from vidkit.backends.matting.rembg import RembgMatting

        return RembgMatting(require(config, "u2netp").parent)
    if choice == "mediapipe":
        from vidkit.backends.matting.mediapipe_selfie import MediaPipeSelfieMatting

        return MediaPipeSelfieMatting(require(config, "selfie-segmenter"))
    raise ConfigError(f"unknown matting backend {choice!r}; choose rembg or mediapipe")


def build_facerig(config: Config) -> FaceRig:
    from vidkit.backends.facerig.mediapipe import MediaPipeFaceRig

    return MediaPipeFaceRig(require(config, "face-landmarker"))


def build_animator(config: Config) -> Animator:
    """``[avatar] animator``: ``embedded`` warps, or ``command`` (an external tool)."""
    if config.avatar.animator == "embedded":
        from vidkit.backends.animator.embedded import EmbeddedAnimator

        return EmbeddedAnimator(seed=config.avatar.seed)
    if not config.avatar.command:
        raise ConfigError(
            '[avatar] animator = "command" needs [avatar] command, a command line with '
            "{image} {audio} {out} placeholders"
        )
    from vidkit.backends.animator.command import CommandAnimator

    return CommandAnimator(config.avatar.command, matting=build_matting(config, "mediapipe"))
