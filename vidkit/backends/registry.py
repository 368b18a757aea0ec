"""Building backends from config: the one place that maps config names to implementations.

Vendor modules are imported only when their backend is built, so a missing optional package or
model fails only when that backend is chosen, with a message that says how to fix it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from vidkit.backends.aligner import Aligner
from vidkit.backends.animator import Animator
from vidkit.backends.facerig import FaceRig
from vidkit.backends.imagegen import ImageGen
from vidkit.backends.matting import Matting
from vidkit.backends.transcribe import Transcriber
from vidkit.backends.tts import TTS, VoiceProfile
from vidkit.config import Config, secret
from vidkit.errors import ConfigError
from vidkit.models import require

if TYPE_CHECKING:
    from vidkit.backends.llm.protocol import LLM

__all__ = [
    "build_aligner",
    "build_animator",
    "build_cloning_tts",
    "build_facerig",
    "build_imagegen",
    "build_lipsync_animator",
    "build_llm",
    "build_matting",
    "build_transcriber",
    "build_tts",
]


def build_aligner(config: Config) -> Aligner:
    from vidkit.backends.aligner.pocketsphinx import PocketsphinxAligner

    return PocketsphinxAligner()


def build_tts(config: Config, voice: VoiceProfile | None = None) -> TTS:
    """``[voice] backend``: ``piper`` (embedded) or ``openai`` (``[services.tts]``).

    With the embedded Piper voice, a ``voice`` profile selects "voice matching
    (approximate)": Piper reshaped toward the profile's reference with the WORLD vocoder (not
    a clone); its analyses are cached under the assets root's ``cache/voice-match``."""
    if config.voice.backend == "piper":
        from vidkit.backends.tts.piper import PiperTTS

        piper = PiperTTS(config.voice.piper_voice)
        if voice is None:
            return piper
        from vidkit.backends.tts.world_match import WorldMatchTTS

        return WorldMatchTTS(piper, voice, config.assets.root / "cache" / "voice-match")
    if config.voice.backend != "openai":
        return build_cloning_tts(config, voice)
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


_CLONE_EXAMPLES = {
    "xtts": "http://127.0.0.1:8020 (xtts-api-server)",
    "gpt-sovits": "http://127.0.0.1:9880 (GPT-SoVITS api_v2.py)",
    "chatterbox": "http://127.0.0.1:4123 (Chatterbox-TTS-API)",
    "elevenlabs": "https://api.elevenlabs.io",
}


def build_cloning_tts(config: Config, voice: VoiceProfile | None = None) -> TTS:
    """``[voice] backend`` ``xtts``, ``gpt-sovits``, ``chatterbox`` or ``elevenlabs``: a
    voice-cloning service at ``[services.tts] url`` that is sent the profile's reference
    (docs/voices.md); ``voice`` binds the backend (and its fingerprint) to one profile."""
    name = config.voice.backend
    service = config.services.tts
    if not service.url:
        raise ConfigError(
            f'[voice] backend = "{name}" needs [services.tts] url, e.g. {_CLONE_EXAMPLES[name]}'
        )
    timeout_s, aligner = service.timeout_s, build_aligner(config)
    if name == "xtts":
        from vidkit.backends.tts.xtts import XttsTTS

        return XttsTTS(
            service.url, speaker=service.voice, timeout_s=timeout_s, aligner=aligner, voice=voice
        )
    if name == "gpt-sovits":
        from vidkit.backends.tts.gpt_sovits import GptSovitsTTS

        shared = config.voice.shared_dir
        if not shared:
            raise ConfigError(
                '[voice] backend = "gpt-sovits" needs [voice] shared_dir: a folder vidkit copies '
                "references into and the server reads (and [voice] server_dir, where the server "
                "sees it, if that differs)"
            )
        shared_dir = Path(shared).expanduser()
        if not shared_dir.is_absolute() and config.source is not None:
            shared_dir = config.source.parent / shared_dir
        return GptSovitsTTS(
            service.url, shared_dir=shared_dir, server_dir=config.voice.server_dir,
            timeout_s=timeout_s, aligner=aligner, voice=voice,
        )  # fmt: skip
    if name == "chatterbox":
        from vidkit.backends.tts.chatterbox import ChatterboxTTS

        return ChatterboxTTS(service.url, timeout_s=timeout_s, aligner=aligner, voice=voice)
    from vidkit.backends.tts.elevenlabs import ElevenLabsTTS

    if not service.api_key_env:
        raise ConfigError(
            '[voice] backend = "elevenlabs" needs [services.tts] api_key_env, the name of the '
            "environment variable that holds your ElevenLabs API key"
        )
    key = secret(service.api_key_env, purpose="ElevenLabs API key")
    return ElevenLabsTTS(
        service.url,
        api_key=key,
        api_key_env=service.api_key_env,
        ids_file=config.assets.root / "cache" / "elevenlabs-voices.json",
        model=service.model or "eleven_multilingual_v2",
        voice_id=service.voice,
        timeout_s=timeout_s,
        aligner=aligner,
        voice=voice,
    )


def build_transcriber(config: Config) -> Transcriber:
    """``[transcribe] backend``: ``whisper`` (embedded faster-whisper, whisper tiny) or
    ``openai`` (``[services.transcribe]``); ``[transcribe] language`` ("" = detect)."""
    section = config.transcribe
    language = section.language or None
    if section.backend == "whisper":
        from vidkit.backends.transcribe.whisper import WhisperTranscriber

        model = require(config, "whisper-tiny")
        return WhisperTranscriber(model.parent, threads=section.threads, language=language)
    service = config.services.transcribe
    if not service.url:
        raise ConfigError(
            '[transcribe] backend = "openai" needs [services.transcribe] url, the base URL of '
            "an OpenAI-compatible transcription server such as http://127.0.0.1:8000/v1"
        )
    from vidkit.backends.transcribe.openai import OpenAITranscriber

    purpose = "transcription service key"
    key = secret(service.api_key_env, purpose=purpose) if service.api_key_env else None
    return OpenAITranscriber(
        service.url,
        model=service.model or "whisper-1",
        api_key=key,
        api_key_env=service.api_key_env,
        timeout_s=service.timeout_s,
        language=language,
    )


def build_matting(config: Config, name: str | None = None) -> Matting:
    """``[avatar] matting``: ``rembg`` (u2netp) or ``mediapipe`` (selfie segmenter); a set
    ``[services.matting] url`` (and no explicit ``name``) uses that rembg server instead."""
    service = config.services.matting
    if name is None and service.url:
        from vidkit.backends.matting.rembg_server import RembgServerMatting

        purpose = "matting service key ([services.matting] api_key_env names the variable)"
        key = secret(service.api_key_env, purpose=purpose) if service.api_key_env else None
        return RembgServerMatting(
            service.url, model=service.model or "u2netp", api_key=key, timeout_s=service.timeout_s
        )
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
    """``[avatar] animator``: ``embedded`` warps, ``command`` (an external tool), or
    ``service``; a set ``[services.lipsync] url`` means ``service`` whatever it says."""
    if config.services.lipsync.url or config.avatar.animator == "service":
        return build_lipsync_animator(config)
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


def build_lipsync_animator(config: Config) -> Animator:
    """The talking-head service at ``[services.lipsync]``, in its ``protocol``'s dialect."""
    from vidkit.backends.animator.service import ServiceAnimator

    service = config.services.lipsync
    if not service.url:
        raise ConfigError(
            '[avatar] animator = "service" needs [services.lipsync] url, e.g. '
            "http://127.0.0.1:8383 (Duix.Avatar) or https://api.heygen.com (protocol = heygen)"
        )
    purpose = "lip-sync service key ([services.lipsync] api_key_env names the variable)"
    key = secret(service.api_key_env, purpose=purpose) if service.api_key_env else None
    dialect: Any
    if service.protocol == "duix":
        from vidkit.backends.animator.duix import DuixDialect

        if not service.shared_dir:
            raise ConfigError(
                '[services.lipsync] protocol = "duix" needs [services.lipsync] shared_dir: a '
                "folder vidkit and the Duix server both see (and server_dir, where the server "
                "sees it, if that differs)"
            )
        shared = Path(service.shared_dir).expanduser()
        if not shared.is_absolute() and config.source is not None:
            shared = config.source.parent / shared
        dialect = DuixDialect(service.url, shared_dir=shared, server_dir=service.server_dir)
    else:
        from vidkit.backends.animator.heygen import HeyGenDialect

        dialect = HeyGenDialect(service.url, api_key=key, upload_url=service.upload_url)
    return ServiceAnimator(
        dialect,
        matting=build_matting(config, "mediapipe"),
        max_seconds=service.max_seconds,
        poll_s=service.poll_s,
        timeout_s=service.timeout_s,
    )


def build_llm(config: Config) -> LLM:
    """``[llm] backend``: ``embedded`` (SmolLM2-135M in-process: weak but valid, for demos and
    tests), ``openai`` (``[llm.cloud]``), ``ollama`` or ``llamacpp`` (``[llm.local]``)."""
    from vidkit.backends.llm.retry import RetryPolicy

    llm = config.llm
    policy = RetryPolicy(attempts=llm.retries + 1)
    if llm.backend == "embedded":
        from vidkit.backends.llm.embedded import EmbeddedLLM

        if llm.embedded.gguf:
            gguf = Path(llm.embedded.gguf).expanduser()
            if not gguf.is_absolute() and config.source is not None:
                gguf = config.source.parent / gguf
        else:
            gguf = require(config, "smollm2-135m")
        return EmbeddedLLM(
            gguf,
            threads=llm.embedded.threads,
            context_tokens=llm.embedded.context_tokens,
            temperature=llm.temperature,
            seed=llm.embedded.seed,
        )
    if llm.backend == "ollama":
        from vidkit.backends.llm.ollama_chat import OllamaChat

        return OllamaChat(
            llm.local.ollama_url,
            model=llm.local.model,
            timeout_s=llm.local.timeout_s,
            temperature=llm.temperature,
            context_tokens=llm.local.context_tokens,
            policy=policy,
        )
    from vidkit.backends.llm.openai_chat import OpenAIChat

    if llm.backend == "llamacpp":
        return OpenAIChat(
            llm.local.llamacpp_url,
            model=llm.local.model,
            timeout_s=llm.local.timeout_s,
            temperature=llm.temperature,
            context_tokens=llm.local.context_tokens,
            name="llamacpp",
            section="[llm.local]",
            url_key="llamacpp_url",
            policy=policy,
            structured=llm.local.structured,
        )
    cloud = llm.cloud
    purpose = "LLM service key ([llm.cloud] api_key_env names the variable)"
    key = secret(cloud.api_key_env, purpose=purpose) if cloud.api_key_env else None
    return OpenAIChat(
        cloud.base_url,
        model=cloud.model,
        api_key=key,
        api_key_env=cloud.api_key_env,
        timeout_s=cloud.timeout_s,
        temperature=llm.temperature,
        context_tokens=cloud.context_tokens,
        policy=policy,
        structured=cloud.structured,
    )


def build_imagegen(config: Config) -> ImageGen:
    """``[services.image]``: empty ``url`` is the offline illustrated generator (python_avatars
    drawn with cairosvg); otherwise ``backend`` = ``openai``, ``a1111`` or ``comfyui``."""
    service = config.services.image
    if not service.url:
        from vidkit.backends.imagegen.illustrated import IllustratedImageGen

        return IllustratedImageGen()
    purpose = "image service key ([services.image] api_key_env names the variable)"
    key = secret(service.api_key_env, purpose=purpose) if service.api_key_env else None
    if service.backend == "a1111":
        from vidkit.backends.imagegen.a1111 import A1111ImageGen

        return A1111ImageGen(
            service.url, timeout_s=service.timeout_s, api_key=key, api_key_env=service.api_key_env
        )
    if service.backend == "comfyui":
        from importlib.resources import files

        from vidkit.backends.imagegen.comfyui import ComfyUIImageGen

        if service.workflow:
            workflow = Path(service.workflow).expanduser()
            if not workflow.is_absolute() and config.source is not None:
                workflow = config.source.parent / workflow
        else:
            workflow = Path(str(files("vidkit").joinpath("data/comfyui/portrait_workflow.json")))
        return ComfyUIImageGen(service.url, workflow, timeout_s=service.timeout_s)
    from vidkit.backends.imagegen.openai_images import OpenAIImageGen

    return OpenAIImageGen(
        service.url,
        model=service.model or "dall-e-3",
        api_key=key,
        api_key_env=service.api_key_env,
        timeout_s=service.timeout_s,
    )
