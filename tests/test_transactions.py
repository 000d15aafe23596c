"""One commit point per request (app/transactions.py): what a view wrote is committed when it
returns, rolled back when it raises or shows a form error, and a GET writes only where it says why."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.access import LOGGED_IN, PUBLIC, allow
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import Unit
from app.transactions import UndeclaredWrite, discard, transactional

# The GET pages that write, and why: the audited views of cadres' data, the lesson (its visit),
# and the quiz pages that grade an attempt whose time ran out. Any other GET must only read.
GET_WRITERS = {
    "assignments.detail",
    "assignments.overdue_csv",
    "audit.export",
    "learning.lesson",
    "marking.attachment",
    "marking.queue",
    "marking.submission",
    "marking.attempt",
    "profiles.decision",
    "profiles.decision_conditions",
    "profiles.decisions_list",
    "profiles.dossier",
    "profiles.pool",
    "profiles.profile",
    "quizzes.attempt",
    "quizzes.result",
    "reports.cadres",
    "reports.export",
    "teach.learners",
    "teach.learners_csv",
}


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": False}  # the probes post without a form; CSRF has its own tests


def test_the_get_pages_that_write_are_these_and_say_why(app):
    declared = {
        endpoint: view.get_writes
        for endpoint, view in app.view_functions.items()
        if getattr(view, "get_writes", None)
    }
    assert set(declared) == GET_WRITERS
    assert all(len(why) > 20 for why in declared.values())


def _route(app, path, view, methods=("GET", "POST")):
    app.add_url_rule(path, view.__name__, transactional(view), methods=list(methods))


def _units(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Unit.id)))


def _add_unit(code: str) -> None:
    db.session.add(Unit(code=code, name=code, type="ward", path=""))
    db.session.flush()


@pytest.fixture
def probe(app):
    """An app with a few probe routes that write and then end in different ways."""

    @allow(PUBLIC)
    def writes_then_returns():
        _add_unit("P-1")
        return "ok"

    @allow(PUBLIC)
    def writes_then_fails():
        _add_unit("P-2")
        raise NotFound("on purpose")

    @allow(PUBLIC)
    def writes_then_refuses_the_form():
        _add_unit("P-3")
        discard()
        return "the form again, with its error"

    @allow(PUBLIC)
    def says_why_to_people():
        raise ValidationFailed(_l("You have used all your attempts at this quiz."))

    @allow(LOGGED_IN, get_writes="records something on purpose, for this test")
    def declared_get_writer():
        _add_unit("P-4")
        return "ok"

    for view in (writes_then_returns, writes_then_fails, writes_then_refuses_the_form, says_why_to_people):
        _route(app, f"/probe/{view.__name__}", view)
    _route(app, "/probe/declared", declared_get_writer, methods=("GET",))
    return app


def test_a_post_that_returns_is_committed(probe, client):
    assert client.post("/probe/writes_then_returns").status_code == 200
    assert _units(probe) == 1


def test_a_view_that_raises_leaves_nothing_behind(probe, client):
    assert client.post("/probe/writes_then_fails").status_code == 404
    assert _units(probe) == 0


def test_a_form_shown_again_with_its_error_writes_nothing(probe, client):
    assert client.post("/probe/writes_then_refuses_the_form").status_code == 200
    assert _units(probe) == 0


def test_a_get_that_writes_without_saying_why_is_refused_under_test(probe, client):
    with pytest.raises(UndeclaredWrite, match="writes_then_returns"):
        client.get("/probe/writes_then_returns")
    assert _units(probe) == 0


def test_a_get_that_writes_in_production_is_rolled_back_and_logged(probe, client, caplog):
    probe.testing = False
    response = client.get("/probe/writes_then_returns")
    assert response.status_code == 200
    assert _units(probe) == 0
    assert "wrote to the database without declaring why" in caplog.text


def test_a_declared_get_writer_is_committed(probe, client, make_user, auth):
    make_user()
    auth.login()
    assert client.get("/probe/declared").status_code == 200
    assert _units(probe) == 1


def test_a_domain_error_written_for_people_reaches_the_error_page_with_its_message(probe, client):
    response = client.post("/probe/says_why_to_people")
    assert response.status_code == 400
    with probe.test_request_context(), force_locale("vi"):
        said = str(_l("You have used all your attempts at this quiz."))
    assert said != "You have used all your attempts at this quiz."  # the reader's language: Vietnamese
    assert said in response.get_data(as_text=True)


def test_a_domain_error_for_the_log_shows_the_page_s_own_words(probe, client):
    html = client.post("/probe/writes_then_fails").get_data(as_text=True)
    assert "on purpose" not in html
