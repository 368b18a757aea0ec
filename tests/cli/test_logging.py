"""``-v``/``-q``/``--log-level``/``--log-file``: which records reach stderr and the log file, in
which format, and how a bad option is reported. ``vidkit serve`` follows the same options."""

from __future__ import annotations

import logging
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.cli.conftest import Result, cli_env, run_cli
from tests.conftest import REPO
from vidkit.cli import _logging

# The real command line, with one extra command that logs a record at every level from a
# vidkit logger and from another library's logger, and optionally fails like a user error.
EMIT = """
import logging, sys
from vidkit.cli import app, main
from vidkit.errors import InvalidInput

@app.command()
def emit(fail: bool = False) -> None:
    for name in ("vidkit.test", "other.library"):
        log = logging.getLogger(name)
        for level in ("debug", "info", "warning", "error"):
            getattr(log, level)("%s %s record", name, level)
    if fail:
        raise InvalidInput("the input was wrong; fix it")

sys.exit(main(sys.argv[1:]))
"""


def emit(*args: str | Path) -> Result:
    return run_cli(*args, exe=(sys.executable, "-c", EMIT))


def records(result: Result) -> list[str]:
    assert result.returncode == 0, result
    return result.stderr.splitlines()


def test_the_default_is_warnings_on_stderr_in_one_short_line_each() -> None:
    result = emit("emit")
    assert result.stdout == ""
    assert records(result) == [
        "warning: vidkit.test warning record",
        "error: vidkit.test error record",
        "warning: other.library warning record",
        "error: other.library error record",
    ]


def test_verbose_shows_info_then_debug() -> None:
    info = records(emit("-v", "emit"))
    assert info[:2] == ["info: vidkit.test info record", "warning: vidkit.test warning record"]
    assert not any("debug" in line for line in info)
    assert "info: other.library info record" not in info, "other libraries stay at WARNING"

    debug = records(emit("-vv", "emit"))
    assert debug[0] == "debug vidkit.test: vidkit.test debug record"
    assert "info vidkit.test: vidkit.test info record" in debug
    assert "debug other.library: other.library debug record" in debug, "-vv: libraries too"
    assert len(debug) == 8


def test_quiet_shows_only_errors() -> None:
    assert records(emit("-q", "emit")) == [
        "error: vidkit.test error record",
        "error: other.library error record",
    ]
    assert records(emit("--quiet", "emit")) == records(emit("--log-level", "ERROR", "emit"))


def test_log_level_names_the_level_and_overrides_v_and_q() -> None:
    debug = records(emit("--log-level", "debug", "emit"))
    assert debug[:4] == [
        "debug vidkit.test: vidkit.test debug record",
        "info vidkit.test: vidkit.test info record",
        "warning vidkit.test: vidkit.test warning record",
        "error vidkit.test: vidkit.test error record",
    ]
    assert not any("other.library debug" in line for line in debug), "only -vv adds libraries"
    assert records(emit("-q", "--log-level", "Info", "emit"))[0] == "info: vidkit.test info record"
    assert records(emit("-v", "--log-level", "warning", "emit"))[0].startswith("warning: ")


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (("--log-level", "loud"), "unknown log level 'loud'"),
        (("-v", "-q"), "contradict"),
    ],
)
def test_a_bad_logging_option_is_one_line_and_exit_2(args: tuple[str, ...], phrase: str) -> None:
    result = emit(*args, "emit")
    assert result.returncode == 2, result
    assert result.stderr.count("\n") == 1, result
    assert result.stderr.startswith("error: ") and phrase in result.stderr, result
    assert "record" not in result.stderr, "nothing ran"


def test_log_file_gets_timestamped_records_and_the_failure(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "deeper" / "vidkit.log"
    assert records(emit("--log-file", log_file, "emit"))[0] == "warning: vidkit.test warning record"
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    assert re.fullmatch(rf"{stamp} WARNING  vidkit\.test: vidkit\.test warning record", lines[0])
    assert re.fullmatch(rf"{stamp} ERROR    other\.library: other\.library error record", lines[3])

    failed = emit("--log-file", log_file, "-v", "emit", "--fail")
    assert failed.returncode == 1
    assert failed.stderr.splitlines()[-1] == "error: the input was wrong; fix it"
    assert "Traceback" not in failed.stderr, "an expected error has no traceback on stderr"
    text = log_file.read_text(encoding="utf-8")
    assert len(re.findall(r"vidkit\.test warning record", text)) == 2, "appended"
    assert "INFO     vidkit.test: vidkit.test info record" in text
    assert re.search(rf"{stamp} ERROR    vidkit\.cli: the input was wrong; fix it\nTraceback", text)
    assert "InvalidInput: the input was wrong" in text


def test_debug_shows_the_traceback_of_a_failure() -> None:
    failed = emit("-vv", "emit", "--fail")
    assert failed.returncode == 1
    assert "Traceback" in failed.stderr and "InvalidInput: the input was wrong" in failed.stderr
    assert failed.stderr.splitlines()[-1] == "error: the input was wrong; fix it"


def test_an_unwritable_log_file_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    for target in (blocker / "vidkit.log", tmp_path):  # under a file; a folder itself
        result = emit("--log-file", target, "emit")
        assert result.returncode == 1, result
        assert result.stderr.count("\n") == 1, result
        assert result.stderr.startswith(f"error: cannot write the log file {target}: ")
        assert "--log-file" in result.stderr


def test_a_real_command_logs_through_the_options(config_file: Path) -> None:
    if not (REPO / "models" / "u2netp.onnx").is_file():
        pytest.skip("the models are not fetched (make models)")
    plain = run_cli("-c", config_file, "models", "fetch", "u2netp")
    assert plain.ok and plain.stderr == ""
    assert plain.stdout == "u2netp: already present\n1 model(s) ready\n"
    debug = run_cli("-c", config_file, "--log-level", "debug", "models", "fetch", "u2netp")
    assert debug.stdout == plain.stdout
    assert "debug vidkit.models: u2netp: already present" in debug.stderr.splitlines()


def test_main_leaves_logging_as_it_found_it(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from vidkit.cli import main

    root = logging.getLogger()
    before = (list(root.handlers), root.level, logging.getLogger("vidkit").level)
    assert main(["-vv", "--log-file", str(tmp_path / "x.log"), "-c", str(config_file),
                 "projects", "list", "--json"]) == 0  # fmt: skip
    assert capsys.readouterr().out.strip() == "[]"
    after = (list(root.handlers), root.level, logging.getLogger("vidkit").level)
    assert after == before


def test_serve_logs_at_info_unless_told_otherwise() -> None:
    try:
        default = _logging.settings_from(log_file=None)
        _logging.configure(default)
        assert _logging.for_server().level == logging.INFO
        assert logging.getLogger("vidkit").getEffectiveLevel() == logging.INFO
        assert logging.getLogger("uvicorn.access").getEffectiveLevel() == logging.INFO
        _logging.configure(_logging.settings_from(quiet=True, log_file=None))
        assert _logging.for_server().level == logging.ERROR
        assert logging.getLogger("vidkit.http").getEffectiveLevel() == logging.ERROR
        assert logging.getLogger("uvicorn.error").getEffectiveLevel() == logging.ERROR
    finally:
        _logging.reset()
        logging.getLogger("uvicorn").setLevel(logging.NOTSET)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(config_file: Path, *options: str) -> str:
    """Start ``vidkit OPTIONS serve``, wait until it answers, stop it; returns its stderr."""
    port = _free_port()
    cmd = [sys.executable, "-m", "vidkit.cli", "-c", str(config_file), *options, "serve"]
    process = subprocess.Popen(
        [*cmd, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return err.replace(str(port), "PORT")


@pytest.mark.slow
def test_serve_follows_the_logging_options(config_file: Path, tmp_path: Path) -> None:
    default = _serve(config_file)
    assert (
        "info: vidkit API on http://127.0.0.1:PORT (docs at /docs; bearer token not required)"
        in default.splitlines()
    )
    assert "info: 127.0.0.1:" in default and '"GET /api/health HTTP/1.1" 200' in default
    log_file = tmp_path / "serve.log"
    quiet = _serve(config_file, "-q", "--log-file", str(log_file))
    assert "vidkit API" not in quiet and "GET /api/health" not in quiet
    assert log_file.read_text(encoding="utf-8") == ""
