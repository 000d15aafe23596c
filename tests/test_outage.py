"""A database outage (issue 18): every request gets 503 with Retry-After, the app's own page in the
reader's language or JSON for fetch requests, without touching the database; the log says it once;
the outage is recorded when the database is back and quiz deadlines move by the time lost."""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta

import psycopg
import pytest
from psycopg import errors as pg
from sqlalchemy import event, exc, func, insert, select

from app import outage
from app.extensions import db
from app.models import AttemptAnswer, DatabaseOutage
from tests.helpers import csrf_token
from tests.quiz_fixtures import QIDS, attempt_row, enrol_and_start, post_attempt, right_answers


class _Down:
    """The database refusing every statement, as a stopped server does; counts the tries."""

    def __init__(self, app):
        self.app = app
        self.tries = 0
        self.down = False

    def __call__(self, *_args):
        if self.down:
            self.tries += 1
            dbapi = db.engine.dialect.loaded_dbapi
            words = (
                "unable to open database file" if db.engine.dialect.name == "sqlite" else "connection refused"
            )
            raise dbapi.OperationalError(words)

    def stop(self):
        self.down, self.tries = True, 0

    def start(self):
        self.down = False


@pytest.fixture
def database(app):
    outage.reset()
    with app.app_context():
        down = _Down(app)
        event.listen(db.engine, "before_cursor_execute", down)
        yield down
        event.remove(db.engine, "before_cursor_execute", down)
    outage.reset()


def test_every_page_is_our_503_in_vietnamese_without_touching_the_database(app, learner, client, database):
    database.stop()
    response = client.get("/courses/")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "15"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Hệ thống tạm thời gián đoạn" in html and 'lang="vi"' in html
    assert "Internal Server Error" not in html
    # one statement tried (the account, when the page asked for it), none for the 503 page itself
    assert database.tries == 1
    assert client.get("/").status_code == 503
    # what needs no database is still served while the outage lasts (the try to record its end fails)
    with client.get("/static/app.css") as response:
        assert response.status_code == 200


def test_the_503_page_speaks_the_language_the_reader_chose(app, learner, client, database):
    with client.session_transaction() as session:
        session["locale"] = "en"
    database.stop()
    html = client.get("/courses/").get_data(as_text=True)
    assert "The service is briefly unavailable" in html and 'lang="en"' in html


def test_autosave_gets_json_with_retry_after(app, learner, quiz_course, auth, client, database):
    quiz_course()
    attempt_id = enrol_and_start(auth, client)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    database.stop()
    response = client.post(
        f"/attempts/{attempt_id}/save",
        data={"csrf_token": token, "qids": ["otp"], "q-otp": "a"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "15"
    assert response.json == {"error": "Hệ thống tạm thời gián đoạn", "retry_after": 15}


def test_the_log_says_it_once_per_outage_and_the_outage_is_recorded(app, learner, client, database, caplog):
    caplog.set_level(logging.DEBUG, logger="boiduong.outage")
    database.stop()
    for _ in range(3):
        assert client.get("/courses/").status_code == 503
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "database unavailable" in warnings[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)  # no traceback per request
    caplog.clear()
    database.start()
    assert client.get("/courses/").status_code == 200
    assert client.get("/courses/").status_code == 200
    back = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(back) == 1 and "available again" in back[0]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DatabaseOutage)) == 1


def test_a_database_error_that_is_a_bug_is_still_a_500(app, client):
    from app.access import PUBLIC, allow
    from app.transactions import transactional

    @allow(PUBLIC)
    def broken():
        db.session.execute(select(func.count()).select_from(db.table("no_such_table")))
        return "never"

    app.add_url_rule("/broken", "broken", transactional(broken))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/broken").status_code == 500
    assert not outage.in_outage()


@pytest.mark.parametrize(
    "error, expected",
    [
        (pg.TooManyConnections(), True),
        (pg.ReadOnlySqlTransaction(), True),
        (pg.AdminShutdown(), True),
        (pg.CannotConnectNow(), True),
        (pg.ConnectionFailure(), True),
        (psycopg.OperationalError("connection refused"), True),
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("unable to open database file"), True),
        (sqlite3.OperationalError("no such table: users"), False),
        (pg.UndefinedTable(), False),
        (pg.QueryCanceled(), False),
        (pg.UniqueViolation(), False),
    ],
)
def test_what_counts_as_an_outage(error, expected):
    base = sqlite3.Error if isinstance(error, sqlite3.Error) else psycopg.Error
    wrapped = exc.DBAPIError.instance("SELECT 1", {}, error, base)
    assert outage.is_outage(wrapped) is expected


def test_pool_timeouts_and_lost_connections_are_outages():
    assert outage.is_outage(exc.TimeoutError("QueuePool limit reached"))
    assert outage.is_outage(exc.InterfaceError("SELECT 1", {}, Exception("connection already closed")))
    assert not outage.is_outage(ValueError("no"))


# --- time lost to an outage -------------------------------------------------------------------


def _record(app, start, end, by="web-1"):
    with app.app_context():
        db.session.execute(insert(DatabaseOutage).values(started_at=start, ended_at=end, observed_by=by))
        db.session.commit()


def test_the_deadline_moves_by_the_outage_the_server_recorded(app, learner, quiz_course, auth, client, clock):
    quiz_course(time_limit=10)
    attempt_id = enrol_and_start(auth, client)
    started = attempt_row(app, attempt_id).started_at
    form = right_answers(app, attempt_id)
    # two app processes saw the same outage, from minute 8 to minute 13: five minutes lost
    _record(app, started + timedelta(minutes=8), started + timedelta(minutes=13), "web-1")
    _record(app, started + timedelta(minutes=8, seconds=30), started + timedelta(minutes=12), "web-2")
    _record(app, started - timedelta(hours=1), started - timedelta(minutes=30))  # before: no effect
    clock.set_now(started + timedelta(minutes=14, seconds=50))  # past 10, within 10 + 5
    response = post_attempt(auth, attempt_id, "save", {"q-otp": form["q-otp"]}, ["otp"])
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}")  # accepted
    clock.set_now(started + timedelta(minutes=15, seconds=10))  # past 10 + 5
    post_attempt(auth, attempt_id, "save", {"q-ky-so": form["q-ky-so"]}, ["ky-so"])
    assert attempt_row(app, attempt_id).status == "expired"
    with app.app_context():
        saved = dict(
            db.session.execute(
                select(AttemptAnswer.qid, AttemptAnswer.response).where(
                    AttemptAnswer.attempt_id == attempt_id
                )
            ).all()
        )
    assert saved["otp"] is not None and saved.get("ky-so") is None


def test_no_outage_no_extra_time(app, learner, quiz_course, auth, client, clock):
    quiz_course(time_limit=10)
    attempt_id = enrol_and_start(auth, client)
    started = attempt_row(app, attempt_id).started_at
    _record(app, started + timedelta(minutes=11), started + timedelta(minutes=20))  # after the deadline
    clock.set_now(started + timedelta(minutes=10, seconds=5))
    post_attempt(auth, attempt_id, "submit", right_answers(app, attempt_id), QIDS)
    assert attempt_row(app, attempt_id).status == "expired"


def test_an_outage_across_the_deadline_leaves_the_time_it_took_after_it_ends(app):
    from datetime import UTC, datetime

    attempt = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    deadline = attempt + timedelta(minutes=10)
    start = attempt + timedelta(minutes=8)
    _record(app, start, start + timedelta(minutes=7))  # 9:08 to 9:15: two minutes of the attempt lost
    with app.app_context():
        moved = outage.extended_deadline(db.session, attempt, deadline)
    assert moved == start + timedelta(minutes=7) + timedelta(minutes=2)


def test_the_save_reply_gives_the_moved_deadline(app, learner, quiz_course, auth, client):
    quiz_course(time_limit=10)
    attempt_id = enrol_and_start(auth, client)
    started = attempt_row(app, attempt_id).started_at
    _record(app, started + timedelta(minutes=1), started + timedelta(minutes=3))
    token = csrf_token(client, f"/attempts/{attempt_id}")
    reply = client.post(
        f"/attempts/{attempt_id}/save",
        data={"csrf_token": token, "qids": ["otp"]},
        headers={"X-Requested-With": "fetch"},
    ).json
    assert reply["saved"] and reply["deadline"].startswith((started + timedelta(minutes=12)).isoformat()[:19])
