"""Serving the studio app with Voila: ``python -m widgets.serve [--config PATH] [--port N]``.

``make studio`` runs this. Voila starts one kernel (a Python process, ~80 MB and more once the
studio has loaded its models) for every page load. It shuts a kernel down when its tab closes
normally, but a crashed browser, a laptop put to sleep or a lost network leaves the kernel
running for ever, so the server is started with kernel culling: a kernel that has had no
browser connected and no activity for ``cull_idle_timeout_s`` is shut down. A kernel with an
open tab, or one busy rendering, is never culled.

The studio is bound to loopback (127.0.0.1) by default: Voila has no login here, so anyone who
can reach the port can edit and render every project. Listening on another address needs
``--allow-remote`` and prints a warning. On loopback, Jupyter server's Host check is turned back
on (Voila turns it off), so a page on another site cannot reach the studio by DNS rebinding; its
origin and XSRF checks keep other sites' pages from driving a kernel (:func:`tornado_settings`).

The tests start the server through :func:`running_studio` with the same :class:`StudioSettings`
and the same command line (:func:`voila_command`) as ``make studio``.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from vidkit.errors import ConfigError, InvalidInput, VidkitError

__all__ = [
    "DEFAULT_PORT",
    "STUDIO_NOTEBOOK",
    "StudioServer",
    "StudioSettings",
    "main",
    "prepare",
    "running_studio",
    "start_studio",
    "tornado_settings",
    "voila_command",
]

REPO = Path(__file__).resolve().parents[1]
STUDIO_NOTEBOOK = REPO / "notebooks" / "apps" / "studio.ipynb"
# A Jupyter data folder (put first on $JUPYTER_PATH) holding the studio's Voila template,
# voila/templates/vidkit: Voila's lab template without CDN stylesheets, with the studio's CSS
# and keyboard fixes (see its index.html.j2).
JUPYTER_DATA = Path(__file__).resolve().parent / "share"
TEMPLATE = "vidkit"
DEFAULT_PORT = 8866
LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class StudioSettings:
    """Everything that decides how the studio is served.

    ``config`` is the vidkit config the kernels read (through ``$VIDKIT_CONFIG``); ``port`` 0
    means any free port. A ``cull_idle_timeout_s`` of 0 turns culling off.
    """

    config: Path
    notebook: Path = STUDIO_NOTEBOOK
    ip: str = LOOPBACK
    port: int = DEFAULT_PORT
    allow_remote: bool = False
    cull_idle_timeout_s: int = 600
    cull_interval_s: int = 60
    preheat: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def is_loopback(self) -> bool:
        return is_loopback(self.ip)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def prepare(settings: StudioSettings) -> StudioSettings:
    """Check the settings before anything starts; return them with absolute paths and a
    concrete port.

    Raises :class:`ConfigError` for an invalid vidkit config, a missing notebook, a busy port
    or a remote address without ``allow_remote``, and :class:`InvalidInput` for numbers out of
    range. Every message says how to fix it.
    """
    from vidkit.config import load_config

    config_path = settings.config.expanduser().resolve()
    load_config(config_path)  # the kernels would fail on it one tab at a time; fail once here
    notebook = settings.notebook.expanduser().resolve()
    if not notebook.is_file():
        raise ConfigError(
            f"the studio notebook {notebook} does not exist: run from a vidkit checkout, or "
            "pass --notebook with the path of the app to serve"
        )
    if not settings.is_loopback and not settings.allow_remote:
        raise ConfigError(
            f"refusing to serve the studio on {settings.ip}: it has no login, so anyone who "
            "can reach that address could edit and render your projects; use --ip 127.0.0.1, "
            "or pass --allow-remote if the network is yours"
        )
    if not 0 <= settings.port <= 65535:
        raise InvalidInput(
            f"port {settings.port} is invalid: use 1..65535 (0: any free port)", field="port"
        )
    if settings.cull_idle_timeout_s < 0 or settings.cull_interval_s < 1:
        raise InvalidInput(
            "the idle timeout must be 0 (never cull) or more seconds, and the cull interval "
            "at least 1 second",
            field="cull_idle_timeout_s",
        )
    port = _check_port(settings.ip, settings.port)
    return StudioSettings(
        config=config_path,
        notebook=notebook,
        ip=settings.ip,
        port=port,
        allow_remote=settings.allow_remote,
        cull_idle_timeout_s=settings.cull_idle_timeout_s,
        cull_interval_s=settings.cull_interval_s,
        preheat=settings.preheat,
        extra_env=dict(settings.extra_env),
    )


def _check_port(host: str, port: int) -> int:
    """Bind ``host:port`` for a moment, the way the server will; return the port (a free one
    for 0). Voila itself would quietly move to another port; the studio never does."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host.strip("[]"), port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                why = "another program already uses that port"
                fix = "stop it, or choose another port with --port"
            else:
                why = exc.strerror or str(exc)
                fix = "check that the address belongs to this machine, or use --ip 127.0.0.1"
            raise ConfigError(f"cannot serve the studio on {host}:{port}: {why}; {fix}") from exc
        return int(sock.getsockname()[1])


def voila_command(settings: StudioSettings) -> list[str]:
    """The Voila command line for already :func:`prepare`-d settings (run it in the
    notebook's folder with :func:`server_env`)."""
    return [
        sys.executable,
        "-m",
        "voila",
        settings.notebook.name,
        "--no-browser",
        f"--Voila.ip={settings.ip}",
        f"--Voila.port={settings.port}",
        # Voila tries 50 other ports when one is busy; a studio that silently moves is worse.
        "--Voila.port_retries=0",
        f"--Voila.root_dir={settings.notebook.parent}",
        "--Voila.log_level=INFO",
        # One kernel per tab: free those left behind by tabs that never said goodbye.
        f"--MappingKernelManager.cull_idle_timeout={settings.cull_idle_timeout_s}",
        f"--MappingKernelManager.cull_interval={settings.cull_interval_s}",
        "--MappingKernelManager.cull_connected=False",
        "--MappingKernelManager.cull_busy=False",
        # Errors are shown by the widgets as messages; never a traceback in the page.
        "--VoilaConfiguration.show_tracebacks=False",
        # The studio's page: no request leaves the machine; focus ring, keyboard fixes.
        f"--VoilaConfiguration.template={TEMPLATE}",
        # A kernel that has already run the app waits for the next tab, so a page is usable in
        # about a second instead of after a kernel start and the app's imports (several
        # seconds); Voila starts the next one as soon as a tab takes it. Pooled kernels are
        # never culled.
        f"--VoilaConfiguration.preheat_kernel={settings.preheat}",
        "--VoilaConfiguration.default_pool_size=1",
        # One dict literal: traitlets' key=value form would make every value a string ("False"
        # is true). traitlets calls the literal deprecated in a warning, but reads it.
        f"--Voila.tornado_settings={tornado_settings(settings)!r}",
    ]


def tornado_settings(settings: StudioSettings) -> dict[str, object]:
    """Jupyter server's protections against other sites, which Voila leaves partly off.

    Voila sets ``allow_remote_access=True``, which turns off Jupyter's Host check: a page on
    ``evil.example`` that rebinds its name to 127.0.0.1 could then load the studio and talk to its
    kernel. On loopback the check is on, so only loopback addresses and ``local_hostnames`` are
    served. No ``allow_origin`` (so a page of another origin cannot open a kernel's websocket or
    call the kernel API), and the XSRF check stays on for POST, PUT, PATCH and DELETE.
    """
    return {
        "allow_remote_access": not settings.is_loopback,
        "local_hostnames": ["localhost"],
        "allow_origin": "",
        "allow_origin_pat": "",
        "disable_check_xsrf": False,
    }


def server_env(settings: StudioSettings) -> dict[str, str]:
    """The environment of the Voila process and so of every kernel it starts."""
    from vidkit.config import CONFIG_ENV

    env = dict(os.environ)
    env[CONFIG_ENV] = str(settings.config)
    # Kernels import this checkout's vidkit and widgets, whatever the notebook's folder is.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    # Voila finds the studio's template there.
    env["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(JUPYTER_DATA), env.get("JUPYTER_PATH")])
    )
    env.update(settings.extra_env)
    return env


def url_of(settings: StudioSettings) -> str:
    host = f"[{settings.ip}]" if ":" in settings.ip else settings.ip
    return f"http://{host}:{settings.port}/"


@dataclass
class StudioServer:
    """A running studio started by :func:`start_studio`; :meth:`stop` ends it and its kernels."""

    settings: StudioSettings
    process: subprocess.Popen[bytes]
    log_path: Path | None

    @property
    def url(self) -> str:
        return url_of(self.settings)

    def log(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> int:
        """SIGTERM (Voila then shuts every kernel down), then kill after ``timeout_s``."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)


def start_studio(
    settings: StudioSettings,
    *,
    log_path: Path | None = None,
    timeout_s: float = START_TIMEOUT_S,
) -> StudioServer:
    """Check ``settings``, start Voila in the background and wait until it answers.

    Output goes to ``log_path`` (default: inherited). Raises :class:`ConfigError` when the
    settings are wrong or the server exits or does not answer within ``timeout_s``.
    """
    ready = prepare(settings)
    log: IO[bytes] | None = log_path.open("ab") if log_path is not None else None
    try:
        process = subprocess.Popen(
            voila_command(ready),
            cwd=ready.notebook.parent,
            env=server_env(ready),
            stdout=log,
            stderr=subprocess.STDOUT if log is not None else None,
            stdin=subprocess.DEVNULL,
        )
    finally:
        if log is not None:
            log.close()
    server = StudioServer(ready, process, log_path)
    try:
        _wait_until_listening(server, timeout_s)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_listening(server: StudioServer, timeout_s: float) -> None:
    # A kernel-info URL for a kernel that does not exist: Voila answers 404 without starting a
    # kernel (asking for the page itself would start one and run the whole notebook).
    probe = f"{server.url}api/kernels/00000000-0000-0000-0000-000000000000"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = server.log()[-2000:]
            raise ConfigError(
                f"the studio server exited with status {server.process.returncode}"
                + (f"; its log ends with:\n{tail}" if tail else "")
            )
        try:
            with urllib.request.urlopen(probe, timeout=2.0):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer means Voila is serving
        except OSError:
            time.sleep(0.1)
    raise ConfigError(f"the studio server did not answer on {server.url} within {timeout_s:g} s")


@contextlib.contextmanager
def running_studio(
    settings: StudioSettings,
    *,
    log_path: Path | None = None,
    timeout_s: float = START_TIMEOUT_S,
) -> Iterator[StudioServer]:
    """Serve the studio for the duration of a ``with`` block."""
    server = start_studio(settings, log_path=log_path, timeout_s=timeout_s)
    try:
        yield server
    finally:
        server.stop()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m widgets.serve",
        description="Serve the vidkit studio (a Voila app) on this machine.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="PATH",
        help="vidkit config (default: $VIDKIT_CONFIG, else the nearest ./config.toml)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0: any free"
    )
    parser.add_argument("--ip", default=LOOPBACK, help=f"address to listen on (default {LOOPBACK})")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow an address other than loopback (the studio has no login)",
    )
    parser.add_argument("--notebook", type=Path, default=STUDIO_NOTEBOOK, help="the app to serve")
    parser.add_argument(
        "--cull-idle-timeout",
        type=int,
        default=600,
        metavar="SECONDS",
        help="shut down kernels with no tab and no activity for this long (0: never)",
    )
    parser.add_argument(
        "--cull-interval", type=int, default=60, metavar="SECONDS", help="how often to check"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the studio in the foreground until Ctrl-C; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        from vidkit.config import find_config

        settings = prepare(
            StudioSettings(
                config=find_config(args.config),
                notebook=args.notebook,
                ip=args.ip,
                port=args.port,
                allow_remote=args.allow_remote,
                cull_idle_timeout_s=args.cull_idle_timeout,
                cull_interval_s=args.cull_interval,
            )
        )
    except VidkitError as exc:
        print("error: " + " ".join(exc.for_cli().split()), file=sys.stderr)
        return 2
    if not settings.is_loopback:
        print(
            f"warning: serving the studio on {settings.ip} without a login: anyone who can "
            "reach this port can edit and render every project",
            file=sys.stderr,
        )
    culling = (
        f"idle kernels are shut down after {settings.cull_idle_timeout_s} s"
        if settings.cull_idle_timeout_s
        else "idle kernels are never shut down"
    )
    print(f"vidkit studio on {url_of(settings)} (config {settings.config}; {culling})")
    sys.stdout.flush()
    process = subprocess.Popen(
        voila_command(settings), cwd=settings.notebook.parent, env=server_env(settings)
    )
    server = StudioServer(settings, process, None)
    # `kill` or a service manager stopping this wrapper stops Voila (and its kernels) too.
    signal.signal(signal.SIGTERM, lambda _sig, _frame: process.send_signal(signal.SIGTERM))
    try:
        return process.wait()
    except KeyboardInterrupt:
        # The terminal sent SIGINT to Voila too; let it shut its kernels down.
        try:
            return process.wait(timeout=STOP_TIMEOUT_S)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            return server.stop(timeout_s=1.0)


if __name__ == "__main__":
    sys.exit(main())
