"""The browser-test helpers themselves: finding Chromium, and the latency summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser import support
from tests.browser.support import Latency, find_chromium, write_latency
from vidkit.capture import local


def test_no_chromium_anywhere_is_none_and_the_message_says_make_chromium(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "_DEBIAN", tmp_path / "no-chromium")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_chromium(None) is None
    assert find_chromium(str(tmp_path / "not-downloaded")) is None
    assert "make chromium" in support.NO_CHROMIUM


def test_chromium_is_found_on_path_then_playwright_s_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "_DEBIAN", tmp_path / "no-chromium")
    bundled = tmp_path / "bundled" / "chrome"
    bundled.parent.mkdir()
    bundled.write_text("#!/bin/sh\n")
    bundled.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert find_chromium(str(bundled)) == str(bundled)
    on_path = tmp_path / "bin" / "chromium-browser"
    on_path.parent.mkdir()
    on_path.write_text("#!/bin/sh\n")
    on_path.chmod(0o755)
    assert find_chromium(str(bundled)) == str(on_path)


def test_latency_summary_uses_nearest_rank_p95(tmp_path: Path) -> None:
    samples = [float(v) for v in range(1, 21)]  # 1..20 ms
    result = Latency("slider", samples)
    assert result.median == 10.5
    assert result.p95 == 19.0  # the 19th of 20
    assert Latency("drag", [5.0, 1.0, 3.0]).p95 == 5.0
    path = write_latency([result], tmp_path / "latency.json", where="here")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["slider"]["median_ms"] == 10.5 and data["slider"]["p95_ms"] == 19.0
    assert data["where"] == "here" and "MutationObserver" in data["definition"]
