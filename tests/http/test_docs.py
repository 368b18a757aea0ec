"""The curl examples in docs/http.md run, in order, against the real server."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.http.support import RunningServer

DOC = REPO / "docs" / "http.md"


def _examples() -> str:
    blocks = re.findall(r"```bash\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    # Starting a server and exporting a token are shown, not run: the test has its server.
    runnable = [b for b in blocks if "vidkit serve" not in b and "VIDKIT_API_TOKEN" not in b]
    assert len(runnable) >= 8, "docs/http.md lost its examples"
    return "\n".join(runnable)


def test_the_curl_examples_work(server: RunningServer, tmp_path: Path) -> None:
    missing = [tool for tool in ("bash", "curl", "jq") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"the docs/http.md examples need {', '.join(missing)}")
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (tmp_path / "data").symlink_to(REPO / "data", target_is_directory=True)
    script = _examples()
    assert "API=http://127.0.0.1:8765" in script
    script = script.replace("API=http://127.0.0.1:8765", f"API={server.url}")
    script = script.replace("curl -s ", "curl -sS --fail-with-body ")
    result = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,  # the render job at 1280x720 takes a while on a busy 2-core machine
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "same bytes" in result.stdout
    assert '"duration_ms":2000' in result.stdout
    assert result.stdout.rstrip().endswith("204\n204")
