"""`vidkit export` and `vidkit import-edit` on the rendered project: what they print, and one
error line for a project not rendered or a format that does not exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Result, assert_user_error
from tests.export.conftest import Rendered
from tests.export.test_import_edit import edited, trim_first_kept_span
from vidkit.cli import main

pytestmark = pytest.mark.slow


def test_the_commands(
    rendered: Rendered, exported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def vk(*args: str | Path) -> Result:
        argv = ("-c", str(rendered.config), *(str(a) for a in args))
        status = main(list(argv))
        out, err = capsys.readouterr()
        return Result(argv, status, out, err)

    done = vk("export", "lesson", "--format", "edl", "--out", tmp_path / "cut.edl")
    assert done.ok, done
    assert done.stdout.splitlines() == [
        str(tmp_path / "cut.edl"),
        f"CMX 3600 EDL: 3 scene(s), {rendered.result.report['duration_ms'] / 1000:.2f} s at 25 "
        "fps; tracks Screen (an EDL holds the screen track only)",
    ]
    as_json = vk("export", "lesson", "--out", tmp_path / "x.otio", "--json").json()
    assert as_json["tracks"] == ["Screen", "Presenter", "Narration", "Music"]
    trimmed = edited(exported, trim_first_kept_span(rendered, 5), "cli.otio")
    dry = vk("import-edit", "lesson", trimmed, "--dry-run")
    assert dry.ok, dry
    assert dry.stdout.startswith("scene 2 (Hello): cut list would be ")
    assert "render again" not in dry.stdout
    assert_user_error(vk("export", "lesson", "--format", "aaf"), "no export format 'aaf'")
    rendered.ws.create_project("unrendered", "U", fps=25)
    rendered.ws.add_scene("unrendered", "One", narration="Not yet.")
    assert_user_error(
        vk("export", "unrendered"), "is not rendered as it is now", "vidkit render unrendered"
    )
