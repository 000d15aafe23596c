"""Database outages: recognising them, saying so once, and recording them when they end.

While the database cannot be reached every request is answered with 503 (`app.errors_web`); this
module knows which errors mean "the database is away" (rather than a bug), keeps this process's
view of the current outage, and, when the database answers again, writes the outage down
(`DatabaseOutage`) so that every app process can extend quiz deadlines by the time lost.

The log says once per outage what happened: a warning at the first failure, nothing at later
ones (debug), one line at recovery.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, exc, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app import clock
from app.models import DatabaseOutage

log = logging.getLogger("boiduong.outage")

# SQLSTATEs that mean the server is away or refusing work, not that the query is wrong:
# connection exceptions (08…), shutdown and "cannot connect now" (57P…), too many connections
# and other insufficient resources (53…), a read-only server (25006: a standby, or read-only
# transaction forced by the operator). A statement timeout (57014) is a slow query, not an outage.
_OUTAGE_SQLSTATES = {"25006", "53000", "53100", "53200", "53300", "57P01", "57P02", "57P03"}
_SQLITE_OUTAGE_WORDS = (
    "database is locked",
    "unable to open database",
    "disk i/o error",
    "attempt to write a readonly database",
)

_lock = threading.Lock()
_started: datetime | None = None  # this process's current outage: its first failure


def is_outage(error: BaseException) -> bool:
    """True when `error` says the database cannot be reached or cannot work now."""
    if isinstance(error, exc.TimeoutError):  # the pool had no connection to give
        return True
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated or isinstance(error, exc.InterfaceError):
        return True
    original = error.orig
    state = getattr(original, "sqlstate", None)
    if state:
        return state.startswith("08") or state in _OUTAGE_SQLSTATES
    if isinstance(original, sqlite3.OperationalError):
        return any(words in str(original).lower() for words in _SQLITE_OUTAGE_WORDS)
    # psycopg's connection failures (refused, timed out, closed) carry no SQLSTATE
    return isinstance(error, exc.OperationalError)


def failed(error: BaseException) -> None:
    """Note a failure: a warning at the first one of an outage, debug afterwards."""
    global _started
    with _lock:
        first = _started is None
        if first:
            _started = clock.now()
    if first:
        log.warning("database unavailable, answering 503 until it is back: %s", _first_line(error))
    else:
        log.debug("database still unavailable: %s", _first_line(error))


def in_outage() -> bool:
    return _started is not None


def recovered(engine: Engine) -> None:
    """After a failure in this process: try to record the outage. Raises what the database raises
    while it is still away (the caller answers 503); logs one line when it is back."""
    global _started
    with _lock:
        started = _started
    if started is None:
        return
    ended = clock.now()
    with engine.begin() as connection:
        connection.execute(
            insert(DatabaseOutage).values(
                started_at=started, ended_at=ended, observed_by=f"{socket.gethostname()}:{os.getpid()}"[:100]
            )
        )
    with _lock:
        if _started == started:
            _started = None
    log.warning("database available again after %.0f s of outage", (ended - started).total_seconds())


# Built once: every answer saved under a time limit reads it.
_OUTAGES_SINCE = (
    select(DatabaseOutage.started_at, DatabaseOutage.ended_at)
    .where(DatabaseOutage.ended_at > bindparam("since"))
    .order_by(DatabaseOutage.started_at)
)


def extended_deadline(session: Session, started_at: datetime, deadline: datetime) -> datetime:
    """`deadline` moved later by the time lost to recorded outages since `started_at`: each outage
    that began before the (moving) deadline adds its length from `started_at` on. An outage that
    ends after the deadline thus leaves, after it ends, the time it took from the attempt."""
    rows = session.execute(_OUTAGES_SINCE, {"since": started_at}).all()
    for start, end in merged((max(start, started_at), end) for start, end in rows):
        if start >= deadline:
            break
        deadline += end - start
    return deadline


def merged(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Overlapping intervals joined (several processes record the same outage)."""
    out: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        elif end > start:
            out.append((start, end))
    return out


def reset() -> None:
    """Forget this process's outage (tests)."""
    global _started
    with _lock:
        _started = None


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0][:300] if text else type(error).__name__
