"""Two workers writing to SQLite at once wait their turn instead of failing (app/database.py).

A savepoint opened outside a transaction (an answer saved in `begin_nested`) used to start a
deferred transaction that read first; when another worker wrote meanwhile, its first write failed
at once with "database is locked" (WAL cannot move a reader's snapshot forward), and the app
answered 503 for a save that only had to wait. Found by the exam-day benchmark: 138 of 320
concurrent saves refused.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import Unit


@pytest.fixture
def sqlite_only(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's locking only")


def test_a_savepoint_that_reads_then_writes_waits_for_another_writer(app, sqlite_only, make_unit):
    make_unit("HN", "Thành phố Hà Nội")
    read_done, other_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first():  # reads in a savepoint, lets the other write, then writes
        try:
            with app.app_context():
                with db.session.begin_nested():
                    db.session.scalar(select(Unit.name).where(Unit.code == "HN"))
                    read_done.set()
                    other_done.wait(0.5)  # the other worker waits for this one's lock meanwhile
                    db.session.execute(update(Unit).where(Unit.code == "HN").values(name="Một"))
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
            read_done.set()

    def second():
        read_done.wait(5)
        try:
            with app.app_context():
                db.session.execute(update(Unit).where(Unit.code == "HN").values(name="Hai"))
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            other_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert not errors, errors
    with app.app_context():
        assert db.session.scalar(select(Unit.name).where(Unit.code == "HN")) == "Hai"  # took its turn
