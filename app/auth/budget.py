"""Logins at exam pace: password checks get their own share of the machine's CPU.

A password check is a full-strength scrypt (about 93 ms of one core here) and cannot be made
cheaper without making stolen hashes cheaper to crack, so the cost stays and the *number* of checks
running at once is bounded instead. At most LOGIN_CHECKS checks run at a time on this machine (by
default half its cores, at least one), whatever the number of server workers and threads: the
other cores keep serving the pages and answer saves of the cadres already in their exam. A login
that finds every slot busy waits for one (up to LOGIN_WAIT_SECONDS) behind at most LOGIN_QUEUE
others; beyond that, or when its wait runs out, it is answered at once with 429 (not 503, which
the proxy reads as a server failing), Retry-After and a "please wait" message. The login page's
script then sends the same form again after that many seconds, so the cadre does not retype the
password; it takes over the form only on a page served while the checks were all taken (`busy`),
and otherwise leaves the browser to submit it. A waiting login holds a server thread, which is
why the queue is short and why the server runs threaded workers (gunicorn gthread, README).

Under gunicorn the slots are shared by every worker: `share()` is called in the master process
(gunicorn.conf.py) before it forks them. Elsewhere (the development server, tests) each process
has its own slots.
"""

from __future__ import annotations

import multiprocessing
import threading
from contextlib import contextmanager
from dataclasses import dataclass


class Busy(Exception):
    """No turn for a password check now: the login is to be sent again in a few seconds."""


@dataclass
class _Counter:
    """A threading stand-in for `multiprocessing.Value("i")`."""

    value: int = 0

    def __post_init__(self):
        self._lock = threading.Lock()

    def get_lock(self):
        return self._lock


@dataclass
class _Budget:
    slots: int
    queue: int
    semaphore: object
    waiting: object


_shared: _Budget | None = None  # made by the server's master process, inherited by its workers
_local: dict[tuple[int, int], _Budget] = {}
_local_lock = threading.Lock()


def share(slots: int, queue: int) -> None:
    """One budget for every worker this process forks (call in gunicorn's master, before forking)."""
    global _shared
    slots, queue = max(1, slots), max(0, queue)
    context = multiprocessing.get_context("fork")
    _shared = _Budget(slots, queue, context.BoundedSemaphore(slots), context.Value("i", 0))


def _budget(slots: int, queue: int) -> _Budget:
    slots, queue = max(1, slots), max(0, queue)
    if _shared is not None:
        return _shared
    with _local_lock:
        if (slots, queue) not in _local:
            _local[(slots, queue)] = _Budget(slots, queue, threading.BoundedSemaphore(slots), _Counter())
        return _local[(slots, queue)]


def busy(slots: int, queue: int) -> bool:
    """Whether a login sent now would find every password check taken (a storm is under way)."""
    budget = _budget(slots, queue)
    if budget.semaphore.acquire(False):
        budget.semaphore.release()
        return False
    return True


@contextmanager
def turn(slots: int, queue: int, wait_seconds: float):
    """Run the body in one of the password-check slots; raise Busy if none comes in time."""
    budget = _budget(slots, queue)
    if not budget.semaphore.acquire(False):
        with budget.waiting.get_lock():
            if budget.waiting.value >= budget.queue:
                raise Busy()
            budget.waiting.value += 1
        try:
            got = budget.semaphore.acquire(True, wait_seconds)
        finally:
            with budget.waiting.get_lock():
                budget.waiting.value -= 1
        if not got:
            raise Busy()
    try:
        yield
    finally:
        budget.semaphore.release()
