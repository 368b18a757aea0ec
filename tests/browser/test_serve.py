"""Serving the studio (``widgets.serve``): the command line, its errors, and kernel culling.

These run a tiny app notebook written by the test (a Text, a Button and a message area with the
studio's CSS classes), so they prove the serving set-up apart from the studio's own widgets.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import Shots, kernel_id, open_studio, wait_until
from tests.conftest import REPO, write_config
from vidkit.errors import ConfigError
from widgets.serve import (
    STUDIO_NOTEBOOK,
    StudioServer,
    StudioSettings,
    prepare,
    running_studio,
    voila_command,
)

APP = r"""
import ipywidgets as w

name = w.Text(description="Name")
name.add_class("vk-new-title")
go = w.Button(description="Greet")
go.add_class("vk-create-project")
message = w.HTML()
message.add_class("vk-message")


def greet(_):
    if not name.value.strip():
        message.value = "<div class='vk-error'>Type a name first.</div>"
    else:
        message.value = f"<div class='vk-info'>Hello, {name.value.strip()}!</div>"


go.on_click(greet)
app = w.VBox([name, go, message])
app.add_class("vk-studio")
app
"""


def write_app(folder: Path) -> Path:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(APP))
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "app.ipynb"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path


def kernel_alive(server: StudioServer, kernel: str) -> bool:
    """Ask Voila's kernel API: 200 while the kernel runs, 404 once it is gone."""
    try:
        with urllib.request.urlopen(f"{server.url}api/kernels/{kernel}", timeout=5):
            return True
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return False
        raise


def greet(page: Any, name: str) -> None:
    from playwright.sync_api import expect

    page.fill(".vk-new-title input", name)
    page.click(".vk-create-project")
    expect(page.locator(".vk-message .vk-info")).to_have_text(f"Hello, {name}!")


def test_voila_serves_a_widget_app_that_a_browser_can_use(
    tmp_path: Path, browser: Any, shots: Shots
) -> None:
    settings = StudioSettings(
        config=write_config(tmp_path / "ws"), notebook=write_app(tmp_path / "app"), port=0
    )
    with running_studio(settings, log_path=tmp_path / "voila.log") as server:
        assert server.url.startswith("http://127.0.0.1:")
        page = browser.new_page()
        open_studio(page, server.url)
        shots(page, "opened")
        page.click(".vk-create-project")
        page.wait_for_selector(".vk-message .vk-error")
        assert page.inner_text(".vk-message") == "Type a name first."
        greet(page, "Ada")
        shots(page, "greeted")
    log = (tmp_path / "voila.log").read_text(encoding="utf-8")
    assert "Culling kernels with idle durations > 600 seconds at 60 second intervals" in log
    assert f"Kernel shutdown: {kernel_id_from(log)}" in log  # stopping frees the kernels


def kernel_id_from(log: str) -> str:
    started = [line for line in log.splitlines() if "Kernel started:" in line]
    assert started, log
    return started[0].rsplit(":", 1)[1].strip()


def test_kernels_of_closed_tabs_are_culled_and_open_tabs_keep_theirs(
    tmp_path: Path, browser: Any, shots: Shots
) -> None:
    settings = StudioSettings(
        config=write_config(tmp_path / "ws"),
        notebook=write_app(tmp_path / "app"),
        port=0,
        cull_idle_timeout_s=20,  # far longer than a page takes to connect its kernel under load
        cull_interval_s=1,
    )
    with running_studio(settings, log_path=tmp_path / "voila.log") as server:
        kept, closed = browser.new_page(), browser.new_page()
        open_studio(kept, server.url)
        open_studio(closed, server.url)
        kept_kernel, closed_kernel = kernel_id(kept), kernel_id(closed)
        assert kept_kernel != closed_kernel  # one kernel per tab
        closed.close(run_before_unload=True)  # as a user closes a tab
        wait_until(
            lambda: not kernel_alive(server, closed_kernel),
            timeout_s=60,
            what="the closed tab's kernel to be culled",
        )
        time.sleep(3)  # the kept kernel has been idle past the timeout; a few more cull passes
        assert kernel_alive(server, kept_kernel)
        greet(kept, "Grace")
        shots(kept, "open-tab-still-works")


def app_of(folder: Path) -> tuple[str, str]:
    return "--notebook", str(write_app(folder / "app"))


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "widgets.serve", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        check=False,
    )


def test_a_busy_port_is_one_clear_line(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("--config", str(config), "--port", str(port), *app_of(tmp_path))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: cannot serve the studio on 127.0.0.1:{port}: another program already uses "
        "that port; stop it, or choose another port with --port\n"
    )
    assert result.stdout == ""


def test_an_invalid_config_is_one_clear_line(tmp_path: Path) -> None:
    bad = write_config(tmp_path, "[render]\nworkers = 'two'\n")
    result = run_cli("--config", str(bad), "--port", "0", *app_of(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {bad.resolve()}: [render] workers:")
    assert result.stderr.count("\n") == 1
    no_app = run_cli("--config", str(write_config(tmp_path / "ok")), "--notebook", "nope.ipynb")
    assert no_app.returncode == 2
    assert "nope.ipynb does not exist" in no_app.stderr and "--notebook" in no_app.stderr
    missing = run_cli("--config", str(tmp_path / "nope.toml"), "--port", "0", *app_of(tmp_path))
    assert missing.returncode == 2
    assert "no config file at" in missing.stderr and "vidkit init" in missing.stderr
    assert missing.stderr.count("\n") == 1


def test_other_addresses_need_allow_remote(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    app = write_app(tmp_path / "app")
    result = run_cli("--config", str(config), "--ip", "0.0.0.0", "--port", "0", *app_of(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("error: refusing to serve the studio on 0.0.0.0:")
    assert "--allow-remote" in result.stderr
    with pytest.raises(ConfigError, match="refusing"):
        prepare(StudioSettings(config=config, notebook=app, ip="192.168.1.10", port=0))
    allowed = prepare(
        StudioSettings(config=config, notebook=app, ip="0.0.0.0", port=0, allow_remote=True)
    )
    assert allowed.port > 0
    assert prepare(StudioSettings(config=config, notebook=app, ip="localhost", port=0)).port > 0


def test_the_command_line_is_what_the_tests_run(tmp_path: Path) -> None:
    """`make studio` and the fixtures share StudioSettings and voila_command: check the pieces
    that matter, as Voila 0.5.13 names them."""
    settings = prepare(StudioSettings(config=write_config(tmp_path), port=0))
    command = voila_command(settings)
    assert settings.notebook == STUDIO_NOTEBOOK.resolve()
    for option in (
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={settings.port}",
        "--Voila.port_retries=0",
        "--MappingKernelManager.cull_idle_timeout=600",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=False",
        "--MappingKernelManager.cull_busy=False",
        "--VoilaConfiguration.show_tracebacks=False",
    ):
        assert option in command


def test_python_m_widgets_serve_runs_until_terminated(tmp_path: Path) -> None:
    config = write_config(tmp_path / "ws")
    app = write_app(tmp_path / "app")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "widgets.serve",
            "--config",
            str(config),
            "--port",
            str(port),
            "--notebook",
            str(app),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "VIDKIT_CONFIG"},
    )
    try:
        url = f"http://127.0.0.1:{port}/"

        def answers() -> bool:
            assert process.poll() is None, process.communicate()
            try:
                with urllib.request.urlopen(url, timeout=60) as response:
                    return bool(response.status == 200)
            except OSError:
                return False

        wait_until(answers, timeout_s=90, interval_s=0.5, what="the studio to answer")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert out.splitlines()[0] == (
        f"vidkit studio on {url} (config {config.resolve()}; idle kernels are shut down after "
        "600 s)"
    )
    assert "Kernel shutdown:" in err  # the page's kernel ended with the server
