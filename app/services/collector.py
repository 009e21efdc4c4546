"""Python's cyclic garbage collector, held off while a request builds and drops hundreds of thousands of small
objects (issue 17: the full sync of the directory, the batch separation check). Each collection would walk all of
them, again and again, for nothing: they are freed by reference counting, none is part of a cycle. Measured on the
full-size directory, the collections cost as much as the work itself (`gc.callbacks`: 1.5 s of a 10,000-placement
batch)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_pauses = 0
_resume = False


@contextmanager
def paused() -> Iterator[None]:
    """Nested and concurrent holders are counted; the last one to leave resumes the collector, unless it was off
    before the first came."""
    global _pauses, _resume
    if _pauses == 0:
        _resume = gc.isenabled()
        gc.disable()
    _pauses += 1
    try:
        yield
    finally:
        _pauses -= 1
        if _pauses == 0 and _resume:
            gc.enable()


def freeze_the_start() -> None:
    """Everything built while the service started (modules, models and schemas, SQLAlchemy's metadata, the OpenAPI
    routes: ~190,000 objects) moved out of the cyclic collector's reach (`gc.freeze`): it lives as long as the process,
    and every full collection walked all of it — 50–60 ms at start, a one-off ~130–170 ms pause of whichever request
    it fell on in a running server (docs/performance.md, "The case queue at 1,000,000 cases"). What the requests
    build is collected as before. Called once the service has started (app.main's lifespan)."""
    gc.collect()
    gc.freeze()
