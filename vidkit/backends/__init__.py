"""Backends: one small ``Protocol`` per role, one module per vendor.

Roles and their main method (every backend also has ``fingerprint() -> str``, which names the
vendor, model, voice and parameters and goes into the cache key of what it produces):

========== =================================================== ==================================
role       method                                              implementations
========== =================================================== ==================================
TTS        ``synthesize(text, out_wav, voice=None) -> Timings`` piper (embedded), openai_speech
Aligner    ``align(wav, text) -> Timings``                      pocketsphinx
Matting    ``mask(rgb) -> alpha``                               rembg (u2netp), mediapipe selfie
FaceRig    ``detect(rgb) -> Rig``                               mediapipe FaceLandmarker
Animator   ``frames(portrait, rig, wav, timings, fps) -> RGBA`` embedded warps, external command
========== =================================================== ==================================

Vendor modules import their vendor package lazily, inside functions, so a missing optional
package fails only when that backend is chosen, with the ``pip install`` line that fixes it.
A stage is always handed a backend; :mod:`vidkit.backends.registry` builds them from config.
"""
