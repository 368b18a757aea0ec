"""MediaPipeFaceRig on real pictures: the astronaut, a cup of coffee, two astronauts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from tests.backends import portraits
from vidkit.backends.facerig import FaceRig, Rig
from vidkit.backends.facerig import mediapipe as topo
from vidkit.backends.facerig.mediapipe import MediaPipeFaceRig
from vidkit.errors import BackendError, InvalidInput
from vidkit.imaging import open_image

Points = npt.NDArray[np.float32]


@pytest.fixture(scope="module")
def rigger() -> Iterator[MediaPipeFaceRig]:
    with MediaPipeFaceRig(portraits.model("face-landmarker")) as rig:
        yield rig


@pytest.fixture(scope="module")
def rig(rigger: MediaPipeFaceRig) -> Rig:
    return rigger.detect(portraits.astronaut())


def xy(rig: Rig, indices: Sequence[int]) -> Points:
    return rig.landmarks[list(indices), :2]


def inside(points: Points, polygon: Points) -> bool:
    from skimage import measure

    module: Any = measure  # untyped
    return bool(module.points_in_poly(points, polygon).all())


def clockwise_on_screen(polygon: Points) -> bool:
    """Shoelace sum with y pointing down: positive means clockwise as seen on screen."""
    x, y = polygon[:, 0].astype(np.float64), polygon[:, 1].astype(np.float64)
    return float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)) > 0


def test_is_a_face_rig(rigger: MediaPipeFaceRig) -> None:
    assert isinstance(rigger, FaceRig)


def test_astronaut_has_478_landmarks_inside_the_image(rig: Rig) -> None:
    assert (rig.width, rig.height) == (512, 512)
    assert rig.landmarks.shape == (478, 3)
    assert rig.landmarks.dtype == np.float32
    x, y = rig.landmarks[:, 0], rig.landmarks[:, 1]
    assert ((x >= 0) & (x < 512)).all()
    assert ((y >= 0) & (y < 512)).all()
    # The face of the astronaut is in the upper middle of the photo, about 100 px wide.
    width = np.ptp(xy(rig, topo.FACE_OVAL)[:, 0])
    assert 70 < width < 160
    assert 150 < x.mean() < 300
    assert 80 < y.mean() < 230


def test_blendshapes(rig: Rig) -> None:
    assert len(rig.blendshapes) == 52
    assert {"jawOpen", "eyeBlinkLeft", "eyeBlinkRight", "mouthSmileLeft"} <= rig.blendshapes.keys()
    assert all(0.0 <= v <= 1.0 for v in rig.blendshapes.values())
    assert rig.blendshapes["eyeBlinkLeft"] < 0.5  # her eyes are open


def test_eyes_above_nose_above_mouth_above_chin(rig: Rig) -> None:
    eyes = xy(rig, topo.LEFT_EYE_UPPER + topo.RIGHT_EYE_UPPER)
    nose = rig.landmarks[topo.NOSE_TIP, 1]
    lips = xy(rig, topo.LIPS_OUTER)
    assert eyes[:, 1].max() < nose < lips[:, 1].min()
    assert lips[:, 1].max() < rig.landmarks[topo.CHIN, 1]
    assert rig.landmarks[topo.CHIN, 1] == pytest.approx(xy(rig, topo.FACE_OVAL)[:, 1].max())


def test_left_eye_is_on_the_image_right(rig: Rig) -> None:
    left = xy(rig, topo.LEFT_EYE_UPPER + topo.LEFT_EYE_LOWER)
    right = xy(rig, topo.RIGHT_EYE_UPPER + topo.RIGHT_EYE_LOWER)
    nose_x = rig.landmarks[topo.NOSE_TIP, 0]
    assert right[:, 0].max() < nose_x < left[:, 0].min()
    assert inside(rig.landmarks[[topo.LEFT_IRIS[0]], :2], _eye(rig, "LEFT"))
    assert inside(rig.landmarks[[topo.RIGHT_IRIS[0]], :2], _eye(rig, "RIGHT"))


def _eye(rig: Rig, side: str) -> Points:
    upper = getattr(topo, f"{side}_EYE_UPPER")
    lower = getattr(topo, f"{side}_EYE_LOWER")
    return xy(rig, upper + tuple(reversed(lower[1:-1])))


@pytest.mark.parametrize("side", ["LEFT", "RIGHT"])
def test_upper_eyelid_is_above_the_lower(rig: Rig, side: str) -> None:
    upper = xy(rig, getattr(topo, f"{side}_EYE_UPPER"))
    lower = xy(rig, getattr(topo, f"{side}_EYE_LOWER"))
    assert (upper[1:-1, 1] < lower[1:-1, 1]).all()
    assert np.array_equal(upper[[0, -1]], lower[[0, -1]])  # they share the corners


def test_inner_lips_lie_within_the_outer_lips(rig: Rig) -> None:
    outer = xy(rig, topo.LIPS_OUTER)
    assert inside(xy(rig, topo.LIPS_INNER), outer)
    upper, lower = xy(rig, topo.UPPER_LIP_INNER), xy(rig, topo.LOWER_LIP_INNER)
    assert (upper[1:-1, 1] <= lower[1:-1, 1] + 0.5).all()
    assert (topo.UPPER_LIP_INNER[5], topo.LOWER_LIP_INNER[5]) == (13, 14)
    # The inner loop is the upper inner lip, then the lower one walked back.
    walked = topo.UPPER_LIP_INNER + tuple(reversed(topo.LOWER_LIP_INNER[1:-1]))
    assert walked == topo.LIPS_INNER


def test_face_oval_holds_eyes_nose_and_mouth(rig: Rig) -> None:
    features = topo.LIPS_OUTER + topo.LEFT_EYE_UPPER + topo.RIGHT_EYE_LOWER + (topo.NOSE_TIP,)
    assert inside(xy(rig, features), xy(rig, topo.FACE_OVAL))


@pytest.mark.parametrize("loop", ["LIPS_OUTER", "LIPS_INNER", "FACE_OVAL"])
def test_loops_run_clockwise_on_screen(rig: Rig, loop: str) -> None:
    assert clockwise_on_screen(xy(rig, getattr(topo, loop)))


def _edges(loop: Sequence[int], closed: bool) -> set[frozenset[int]]:
    ends = [*loop[1:], loop[0]] if closed else loop[1:]
    return {frozenset(p) for p in zip(loop, ends, strict=False)}


def test_groups_match_mediapipe_topology() -> None:
    from mediapipe.tasks.python.vision import FaceLandmarksConnections as C

    def official(connections: list[C.Connection]) -> set[frozenset[int]]:
        return {frozenset((c.start, c.end)) for c in connections}

    lips = _edges(topo.LIPS_OUTER, True) | _edges(topo.LIPS_INNER, True)
    assert lips == official(C.FACE_LANDMARKS_LIPS)
    assert _edges(topo.FACE_OVAL, True) == official(C.FACE_LANDMARKS_FACE_OVAL)
    for side in ("LEFT", "RIGHT"):
        eye = _edges(getattr(topo, f"{side}_EYE_UPPER"), False)
        eye |= _edges(getattr(topo, f"{side}_EYE_LOWER"), False)
        assert eye == official(getattr(C, f"FACE_LANDMARKS_{side}_EYE"))
        iris = _edges(getattr(topo, f"{side}_IRIS")[1:], True)
        assert iris == official(getattr(C, f"FACE_LANDMARKS_{side}_IRIS"))


def test_no_face_is_refused_with_the_name(rigger: MediaPipeFaceRig) -> None:
    with pytest.raises(InvalidInput, match=r"no face found in the portrait 'coffee\.jpg'"):
        rigger.detect(portraits.no_face(), name="coffee.jpg")
    with pytest.raises(InvalidInput, match="no face found in the portrait;"):
        rigger.detect(np.tile(np.linspace(0, 255, 256, dtype=np.uint8)[:, None, None], (1, 256, 3)))


def test_two_faces_are_refused_naming_how_many(rigger: MediaPipeFaceRig) -> None:
    with pytest.raises(InvalidInput, match=r"2 faces found in the portrait 'pair\.png'"):
        rigger.detect(portraits.two_faces(), name="pair.png")
    head = portraits.astronaut()[0:256, 96:352]  # big enough to be found in one pass
    with pytest.raises(InvalidInput, match=r"^2 faces found"):
        rigger.detect(np.concatenate([head, head], axis=1))


def test_small_face_on_a_wide_canvas_is_found_where_it_is(
    rigger: MediaPipeFaceRig, rig: Rig
) -> None:
    # Letterboxed whole, this face is too small for the detector; the window search finds it.
    wide = portraits.on_canvas(portraits.astronaut(), 1400, 512, 512, 700, 0)
    found = rigger.detect(wide)
    assert (found.width, found.height) == (1400, 512)
    shift = found.landmarks[:, :2] - rig.landmarks[:, :2]
    assert np.abs(shift - [700, 0]).max() < 3.0


def test_rejects_arrays_that_are_not_rgb(rigger: MediaPipeFaceRig) -> None:
    with pytest.raises(InvalidInput, match="H x W x 3 uint8"):
        rigger.detect(portraits.astronaut().astype(np.float32))
    with pytest.raises(InvalidInput, match="H x W x 3 uint8"):
        rigger.detect(portraits.astronaut()[:, :, 0])


def test_close_releases_and_detect_reopens(rig: Rig) -> None:
    fresh = MediaPipeFaceRig(portraits.model("face-landmarker"))
    with fresh:
        first = fresh.detect(portraits.astronaut())
    assert fresh._landmarker is None
    again = fresh.detect(portraits.astronaut())
    fresh.close()
    np.testing.assert_array_equal(first.landmarks, again.landmarks)
    np.testing.assert_allclose(first.landmarks, rig.landmarks, atol=1e-3)


def test_rig_survives_json(rig: Rig) -> None:
    back = Rig.from_json(rig.to_json())
    np.testing.assert_allclose(back.landmarks, rig.landmarks, atol=1e-3)
    assert back.blendshapes == pytest.approx(rig.blendshapes)


def test_fingerprint_is_stable_and_names_the_model() -> None:
    path = portraits.model("face-landmarker")
    a, b = MediaPipeFaceRig(path), MediaPipeFaceRig(path)
    assert a.fingerprint() == b.fingerprint()
    assert "face_landmarker.task:64184e229b263107" in a.fingerprint()


def test_missing_model_is_a_backend_error() -> None:
    rig = MediaPipeFaceRig(portraits.REPO / "models" / "no-such.task")
    with pytest.raises(BackendError, match=r"missing$") as caught:
        rig.detect(portraits.astronaut())
    assert "missing; run `make models`" in caught.value.for_cli()


def test_big_photo_is_scaled_down_and_still_rigged(
    rigger: MediaPipeFaceRig, rig: Rig, tmp_path: Path
) -> None:
    from PIL import Image

    path = tmp_path / "big.jpg"
    Image.fromarray(portraits.big_photo()).save(path, quality=90)
    started = time.perf_counter()
    picture = open_image(path, name="big.jpg")
    found = rigger.detect(picture.rgb, name="big.jpg")
    elapsed = time.perf_counter() - started
    assert picture.rgb.shape == (683, 1024, 3)
    assert elapsed < 5.0
    # The astronaut was scaled by 3600 / 512 and placed at (1200, 200), then all by 1024 / 6000.
    expected = (rig.landmarks[:, :2] * (3600 / 512) + [1200, 200]) * picture.scale
    error = np.linalg.norm(found.landmarks[:, :2] - expected, axis=1)
    assert error.mean() < 3.0, error.mean()  # the face is ~130 px wide here
    assert error.max() < 10.0, error.max()


def test_cutout_over_white_rigs_like_the_photo(rigger: MediaPipeFaceRig, rig: Rig) -> None:
    from vidkit.backends.matting.refine import cutout

    rgba = cutout(portraits.astronaut(), portraits.mattes()["mediapipe"])
    alpha = rgba[..., 3:].astype(np.float32) / 255.0
    over_white = (rgba[..., :3] * alpha + 255.0 * (1.0 - alpha) + 0.5).astype(np.uint8)
    found = rigger.detect(over_white)
    error = np.linalg.norm(found.landmarks[:, :2] - rig.landmarks[:, :2], axis=1)
    assert error.mean() < 2.0, error.mean()


FORKING = """
import multiprocessing, sys
from tests.backends import portraits
from vidkit.backends.facerig.mediapipe import MediaPipeFaceRig
from vidkit.errors import BackendError

rig = MediaPipeFaceRig(portraits.model("face-landmarker"))
rig.detect(portraits.astronaut())

def child(use):
    if use:
        try:
            rig.detect(portraits.astronaut())
        except BackendError as e:
            sys.exit(f"refused: {e}")

if __name__ == "__main__":
    for use in (False, True):
        forked = multiprocessing.get_context("fork").Process(target=child, args=(use,))
        forked.start()
        forked.join(timeout=60)
        print(use, forked.exitcode, flush=True)
        if forked.exitcode is None:
            forked.kill()
    rig.detect(portraits.astronaut())
"""


def test_a_forked_child_exits_and_refuses_the_parents_landmarker(tmp_path: Path) -> None:
    """A process that used the rig forks (multiprocessing's default on Linux before 3.14): the
    child inherits the landmarker but not its threads. Closing that copy at exit used to wait
    for them forever, and using it would too: the child exits, and using it is a clear error
    (the parent goes on using its own)."""
    script = tmp_path / "forking.py"
    script.write_text(FORKING, encoding="utf-8")
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)},
        capture_output=True,
        timeout=180,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "0", "True", "1"], done.stderr[-2000:]
    assert "refused: the face landmarker was loaded before this process was forked" in done.stderr
    assert "'spawn'" in done.stderr
