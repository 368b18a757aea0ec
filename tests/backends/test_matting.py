"""Contract tests for every Matting backend, on the astronaut, with the real models."""

from __future__ import annotations

import importlib
import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.backends import portraits
from vidkit.backends.matting import Matting
from vidkit.backends.matting.mediapipe_selfie import MediaPipeSelfieMatting
from vidkit.backends.matting.refine import cutout
from vidkit.backends.matting.rembg import RembgMatting
from vidkit.errors import BackendError, InvalidInput
from vidkit.imaging import read_rgba


def _rembg(models: Path) -> RembgMatting:
    return RembgMatting(models)


def _selfie(models: Path) -> MediaPipeSelfieMatting:
    return MediaPipeSelfieMatting(models / "selfie_segmentation.tflite")


Factory = Callable[[Path], Any]
IMPLEMENTATIONS: list[Any] = [
    pytest.param(_rembg, id="rembg"),
    pytest.param(_selfie, id="mediapipe"),
]
MODELS = portraits.REPO / "models"

# Regions of the astronaut (rows, columns) that are surely person or surely background.
FACE = (slice(70, 190), slice(180, 265))
SUIT = (slice(300, 480), slice(60, 250))
TOP_LEFT = (slice(0, 32), slice(0, 32))
TOP_RIGHT = (slice(0, 48), slice(464, 512))
ABOVE_SHOULDER = (slice(30, 110), slice(300, 350))


@pytest.fixture(scope="module", params=IMPLEMENTATIONS)
def matting(request: pytest.FixtureRequest) -> Iterator[Any]:
    portraits.model("u2netp")  # verify the pinned files before the backends touch them
    portraits.model("selfie-segmenter")
    backend = request.param(MODELS)
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def alpha(matting: Any) -> np.ndarray[Any, np.dtype[np.uint8]]:
    result: np.ndarray[Any, np.dtype[np.uint8]] = matting.mask(portraits.astronaut())
    return result


def test_is_a_matting(matting: Any) -> None:
    assert isinstance(matting, Matting)


def test_shape_and_dtype_follow_the_input(matting: Any) -> None:
    photo = np.ascontiguousarray(portraits.astronaut()[:, 64:448])  # 512 x 384
    before = photo.copy()
    out = matting.mask(photo)
    assert out.shape == (512, 384)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(photo, before)


def test_person_is_opaque_and_background_clear(alpha: np.ndarray[Any, Any]) -> None:
    for region in (FACE, SUIT):
        assert (alpha[region] >= 200).mean() > 0.97
    for region in (TOP_LEFT, TOP_RIGHT, ABOVE_SHOULDER):
        assert (alpha[region] <= 30).mean() > 0.97
    assert 0.4 < (alpha >= 128).mean() < 0.7


def test_deterministic(matting: Any, alpha: np.ndarray[Any, Any]) -> None:
    np.testing.assert_array_equal(matting.mask(portraits.astronaut()), alpha)


def test_fingerprints_are_stable_and_distinct() -> None:
    prints = [p.values[0](MODELS).fingerprint() for p in IMPLEMENTATIONS]
    again = [p.values[0](MODELS).fingerprint() for p in IMPLEMENTATIONS]
    assert prints == again
    assert len(set(prints)) == len(prints)
    assert "u2netp.onnx:309c8469258dda74" in prints[0]
    assert "selfie_segmentation.tflite:9ee168ec7c8f2a16" in prints[1]


def test_rejects_arrays_that_are_not_rgb(matting: Any) -> None:
    with pytest.raises(InvalidInput, match="H x W x 3 uint8"):
        matting.mask(np.zeros((64, 64, 4), np.uint8))
    with pytest.raises(InvalidInput, match="H x W x 3 uint8"):
        matting.mask(np.zeros((64, 64, 3), np.float64))


@pytest.mark.parametrize("factory", IMPLEMENTATIONS)
def test_missing_model_is_a_backend_error(factory: Factory, tmp_path: Path) -> None:
    with pytest.raises(BackendError, match=r"is missing$") as caught:
        factory(tmp_path).mask(portraits.astronaut())
    assert "is missing; run `make models`" in caught.value.for_cli()


def test_close_then_mask_again(matting: Any, alpha: np.ndarray[Any, Any]) -> None:
    matting.close()
    np.testing.assert_array_equal(matting.mask(portraits.astronaut()), alpha)


def test_rembg_never_reaches_for_the_network_or_u2net_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pooch = importlib.import_module("pooch")  # untyped; rembg downloads through it
    tried: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        tried.append(repr(args))
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(pooch, "retrieve", refuse)
    monkeypatch.setenv("U2NET_HOME", str(tmp_path))  # empty: looking here would download
    environ = dict(os.environ)
    with RembgMatting(MODELS) as fresh:
        out = fresh.mask(portraits.astronaut())
    assert out.shape == (512, 512)
    assert tried == []
    assert dict(os.environ) == environ
    assert list(tmp_path.iterdir()) == []


def test_importing_the_backends_imports_no_vendor_package() -> None:
    code = (
        "import sys, vidkit.backends.matting.rembg, vidkit.backends.matting.mediapipe_selfie, "
        "vidkit.backends.matting.refine, vidkit.backends.facerig.mediapipe, vidkit.imaging; "
        "print(sorted({'rembg', 'mediapipe', 'cv2', 'onnxruntime'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=portraits.REPO,
        timeout=120,
    )
    assert result.stdout.strip() == "[]"


def test_refined_cutouts_match_where_the_segmenters_agree(
    record_property: Callable[[str, object], None],
) -> None:
    """The reference is independent of either model alone: the pixels both call person,
    scored only where the two agree (the disputed edge band is nobody's ground truth)."""
    raw = {k: v >= 128 for k, v in portraits.mattes().items()}
    agree = raw["rembg"] == raw["mediapipe"]
    reference = raw["rembg"] & raw["mediapipe"]
    everywhere = np.ones_like(agree)
    photo = portraits.astronaut()
    refined = {k: cutout(photo, v)[..., 3] >= 128 for k, v in portraits.mattes().items()}
    scores = {
        "segmenters (raw)": portraits.iou(raw["rembg"], raw["mediapipe"], everywhere),
        "rembg refined vs agreement": portraits.iou(refined["rembg"], reference, agree),
        "mediapipe refined vs agreement": portraits.iou(refined["mediapipe"], reference, agree),
        "refined vs refined": portraits.iou(refined["rembg"], refined["mediapipe"], everywhere),
    }
    for label, value in scores.items():
        record_property(f"IoU {label}", round(value, 4))
    assert agree.mean() > 0.95, scores
    assert min(scores.values()) >= 0.9, scores
    assert scores["rembg refined vs agreement"] >= 0.98, scores
    assert scores["mediapipe refined vs agreement"] >= 0.98, scores


def test_the_python_example_in_the_docs_runs(tmp_path: Path) -> None:
    from PIL import Image

    page = (portraits.REPO / "docs" / "backends" / "avatar.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```python\n(.*?)```", page, re.S)
    Image.fromarray(portraits.astronaut()).save(tmp_path / "portrait.jpg", quality=95)
    (tmp_path / "models").symlink_to(MODELS, target_is_directory=True)
    result = subprocess.run(
        [sys.executable, "-c", example],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(portraits.REPO)},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("512 512 478 ")
    assert read_rgba(tmp_path / "cutout.png").shape == (512, 512, 4)


def test_a_program_that_used_the_mediapipe_tasks_exits_quietly() -> None:
    """Tasks still open at exit are closed before Python shuts thread pools down; closing them
    later printed two tracebacks at the end of every `vidkit render` that rigged a face."""
    code = (
        "import sys, numpy as np; from pathlib import Path; from skimage import data\n"
        "from vidkit.backends.matting.mediapipe_selfie import MediaPipeSelfieMatting\n"
        "from vidkit.backends.facerig.mediapipe import MediaPipeFaceRig\n"
        "models = Path(sys.argv[1]); photo = np.ascontiguousarray(data.astronaut())\n"
        "matte = MediaPipeSelfieMatting(models / 'selfie_segmentation.tflite')\n"
        "rig = MediaPipeFaceRig(models / 'face_landmarker.task')\n"
        "print(matte.mask(photo).shape, rig.detect(photo).landmarks.shape)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(MODELS)],
        capture_output=True,
        text=True,
        cwd=portraits.REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(512, 512) (478, 3)"
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
