"""Log records of worker processes reach the parent's handlers, beside its progress events."""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest

from vidkit.pipeline.events import Event
from vidkit.pipeline.processes import _drain, _init_worker


def _work_and_log() -> int:
    from vidkit.pipeline.processes import _QUEUE

    _QUEUE.put(Event("speak", 1, 1, 1))
    logging.getLogger("vidkit.stages").warning("the worker says %s", "hello")
    logging.getLogger("vidkit.stages").debug("too fine to be sent")
    return 7


def test_a_workers_warning_reaches_the_parents_log(caplog: pytest.LogCaptureFixture) -> None:
    context = multiprocessing.get_context("spawn")
    heard: list[Event] = []
    with context.Manager() as manager:
        queue = manager.Queue()
        with ProcessPoolExecutor(
            1, mp_context=context, initializer=_init_worker, initargs=(queue, logging.INFO)
        ) as pool:
            assert pool.submit(_work_and_log).result(timeout=120) == 7
        with caplog.at_level(logging.DEBUG, logger="vidkit"):
            _drain(queue, heard.append)
    assert heard == [Event("speak", 1, 1, 1)]
    said = [(r.name, r.levelname, r.getMessage()) for r in caplog.records]
    assert ("vidkit.stages", "WARNING", "the worker says hello") in said
    assert not any("too fine" in m for _, _, m in said)
