"""Logging for the command line: ``-v``/``-q``/``--log-level`` pick the level of the ``vidkit``
loggers, ``--log-file`` adds a timestamped copy of the records.

The library only logs (``logging.getLogger("vidkit....")``); this module decides where the
records go. On stderr a record is one short line, ``warning: <message>`` (``debug: <logger>:
<message>`` at the debug level), without the traceback of an expected :class:`VidkitError`
unless the level is debug. The log file gets every record that passes the level, with its time,
level, logger and full traceback. Other libraries' loggers stay at WARNING unless ``-vv``.

The handlers sit on the root logger and are marked as ours, so configuring again (``main`` run
twice in one process) replaces them, and :func:`reset` removes them and closes the file.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from vidkit.errors import VidkitError

__all__ = [
    "LEVELS",
    "LogSettings",
    "LoggingProblem",
    "configure",
    "failed",
    "for_server",
    "reset",
    "settings_from",
]

#: ``--log-level`` names (any case) and the levels they stand for.
LEVELS: dict[str, int] = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}
META_KEY = "vidkit.logging"
_OURS = "_vidkit_cli_handler"
_FILE_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"
_CLI_LOG = logging.getLogger("vidkit.cli")


class LoggingProblem(Exception):
    """A logging option that cannot be used; ``usage`` when the command line itself is wrong
    (exit status 2), else the environment is (an unwritable log file: exit status 1)."""

    def __init__(self, message: str, *, usage: bool) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class LogSettings:
    """What the logging options chose for one invocation."""

    level: int = logging.WARNING
    libraries: int = logging.WARNING  # level of every other library's loggers
    file: Path | None = None
    chosen: bool = False  # -v, -q or --log-level was given (``serve`` keeps it, else uses INFO)
    quiet: bool = False  # -q: progress displays stay off too

    @property
    def detailed(self) -> bool:
        """Debug level: stderr lines name their logger and keep every traceback."""
        return self.level <= logging.DEBUG


def parse_level(name: str) -> int:
    level = LEVELS.get(name.strip().lower())
    if level is None:
        raise LoggingProblem(
            f"unknown log level {name!r} for --log-level; use debug, info, warning or error",
            usage=True,
        )
    return level


def settings_from(
    *, verbose: int = 0, quiet: bool = False, log_level: str | None = None, log_file: Path | None
) -> LogSettings:
    """The settings for ``-v`` (INFO; ``-vv``: DEBUG, other libraries too), ``-q`` (ERROR) and
    ``--log-level`` (which overrides both); :class:`LoggingProblem` for a bad combination."""
    if verbose and quiet:
        raise LoggingProblem(
            "-v/--verbose and -q/--quiet contradict each other; give one", usage=True
        )
    if log_level is not None:
        level = parse_level(log_level)
    elif quiet:
        level = logging.ERROR
    else:
        level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    everything = verbose >= 2 and level <= logging.DEBUG
    return LogSettings(
        level=level,
        libraries=logging.DEBUG if everything else max(logging.WARNING, level),
        file=log_file.expanduser() if log_file is not None else None,
        chosen=bool(verbose or quiet or log_level is not None),
        quiet=level >= logging.ERROR,
    )


class _Stderr(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time, so a progress bar that redirects stderr
    (to print log lines above itself) and test runners that capture it both see the records."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


class _Short(logging.Formatter):
    """``level: message`` (``level logger: message`` when ``detailed``). A traceback is kept only
    when ``detailed`` or when the exception is not an expected :class:`VidkitError`."""

    def __init__(self, detailed: bool) -> None:
        super().__init__()
        self.detailed = detailed

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        head = record.levelname.lower()
        text = f"{head} {record.name}: {message}" if self.detailed else f"{head}: {message}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            if self.detailed or not isinstance(error, VidkitError):
                text += "\n" + self.formatException(record.exc_info)
            elif str(error) and str(error) not in message:
                text += f": {error}"
        if record.stack_info and self.detailed:
            text += "\n" + self.formatStack(record.stack_info)
        return text


def _only(destination: str) -> logging.Filter:
    """Drops the records marked for the other destination (``extra={"only_to": ...}``)."""

    class Only(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return getattr(record, "only_to", destination) == destination

    return Only()


@dataclass
class _State:
    settings: LogSettings
    handlers: list[logging.Handler]
    saved: tuple[int, int]  # the root's and the vidkit logger's levels before


_state: _State | None = None


def configure(settings: LogSettings) -> None:
    """Send log records to stderr (and the log file) as ``settings`` say; replaces an earlier
    setup. :class:`LoggingProblem` when the log file cannot be opened for appending."""
    global _state
    handlers: list[logging.Handler] = []
    if settings.file is not None:
        path = settings.file
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            to_file = logging.FileHandler(path, mode="a", encoding="utf-8")
        except OSError as exc:
            raise LoggingProblem(
                f"cannot write the log file {path}: {exc.strerror or exc}; choose another "
                "--log-file",
                usage=False,
            ) from exc
        to_file.setFormatter(logging.Formatter(_FILE_FORMAT))
        to_file.addFilter(_only("file"))
        handlers.append(to_file)
    console = _Stderr()
    console.setFormatter(_Short(settings.detailed))
    console.addFilter(_only("console"))
    handlers.insert(0, console)

    reset()
    root, ours = logging.getLogger(), logging.getLogger("vidkit")
    saved = (root.level, ours.level)
    for handler in handlers:
        setattr(handler, _OURS, True)
        root.addHandler(handler)
    root.setLevel(settings.libraries)
    ours.setLevel(settings.level)
    ours.propagate = True
    _state = _State(settings, handlers, saved)


def current() -> LogSettings:
    """The settings in effect (the defaults before :func:`configure`)."""
    return _state.settings if _state is not None else LogSettings()


def reset() -> None:
    """Remove the handlers :func:`configure` added, close the log file, restore the levels."""
    global _state
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(handler)
        handler.close()
    if _state is not None:
        root.setLevel(_state.saved[0])
        logging.getLogger("vidkit").setLevel(_state.saved[1])
        _state = None


def for_server() -> LogSettings:
    """``vidkit serve`` logs its address and requests: INFO unless -v/-q/--log-level chose a
    level, for vidkit's loggers and uvicorn's alike. Returns the settings now in effect."""
    settings = current()
    if not settings.chosen:
        settings = LogSettings(
            level=logging.INFO, libraries=settings.libraries, file=settings.file, chosen=True
        )
        configure(settings)
    logging.getLogger("uvicorn").setLevel(settings.level)
    return settings


def failed(error: BaseException) -> None:
    """Record a command's failure: in the log file with its traceback (stderr gets the one
    ``error:`` line from ``main``), and on stderr the traceback too at the debug level."""
    if _state is None:
        return
    _CLI_LOG.error("%s", error, exc_info=error, extra={"only_to": "file"})
    if _state.settings.detailed:
        _CLI_LOG.debug("the command failed:", exc_info=error, extra={"only_to": "console"})
