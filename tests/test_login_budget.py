"""Logins at exam pace (app/auth/budget.py): password checks have their own slots; a login that
finds them busy waits briefly behind a short queue, then is asked to wait (429, Retry-After) without
counting as a failed login, and the page sends it again by itself."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest

from app.auth import budget
from tests.helpers import PASSWORD, csrf_token, every_password_check_taken


@pytest.fixture
def one_slot(app):
    app.config.update(LOGIN_CHECKS=1, LOGIN_QUEUE=0, LOGIN_WAIT_SECONDS=1, LOGIN_RETRY_SECONDS=3)
    return app


def test_a_check_beyond_the_slots_and_the_queue_is_refused_at_once():
    with budget.turn(1, 0, 5):
        started = time.perf_counter()
        with pytest.raises(budget.Busy), budget.turn(1, 0, 5):
            pass
        assert time.perf_counter() - started < 1  # refused, not kept waiting
    with budget.turn(1, 0, 5):  # the slot is free again
        pass


def test_a_queued_check_gets_the_slot_when_it_frees():
    held, order = threading.Event(), []

    def holder():
        with budget.turn(1, 1, 5):
            held.set()
            time.sleep(0.3)
            order.append("first")

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    with budget.turn(1, 1, 5):
        order.append("queued")
    thread.join()
    assert order == ["first", "queued"]


def test_a_wait_that_runs_out_is_refused():
    with every_password_check_taken(queue=1), pytest.raises(budget.Busy), budget.turn(1, 1, 0.2):
        pass


def _try_in_child(result):
    try:
        with budget.turn(1, 0, 0):
            result.value = 1
    except budget.Busy:
        result.value = 2


def test_the_server_workers_share_one_budget():
    """gunicorn's master makes the budget before forking (gunicorn.conf.py): a worker finds the
    slot another worker holds."""
    context = multiprocessing.get_context("fork")
    budget.share(1, 0)
    try:
        result = context.Value("i", 0)
        with budget.turn(1, 0, 0):
            child = context.Process(target=_try_in_child, args=(result,))
            child.start()
            child.join(10)
        assert result.value == 2  # busy in the other process
        child = context.Process(target=_try_in_child, args=(result,))
        child.start()
        child.join(10)
        assert result.value == 1
    finally:
        budget._shared = None


def test_a_login_in_a_storm_is_asked_to_wait_and_is_not_a_failed_login(one_slot, make_user, client):
    make_user("thi@example.vn")
    token = csrf_token(client, "/login")
    form = {"email": "thi@example.vn", "password": PASSWORD, "csrf_token": token}
    with budget.turn(1, 0, 0):  # every slot busy
        page = client.post("/login", data=form)
        script = client.post("/login", data=form, headers={"X-Requested-With": "fetch"})
    assert page.status_code == 429 and page.headers["Retry-After"] == "3"
    html = page.get_data(as_text=True)
    assert "nhiều người đăng nhập cùng lúc" in html and "thi@example.vn" in html  # the e-mail is kept
    assert PASSWORD not in html  # the password never comes back
    assert script.status_code == 429
    assert script.get_json() == {"queued": True, "retry_after": 3, "message": script.get_json()["message"]}
    for _ in range(6):  # more than the account's 5 failed logins a minute: none of these counted
        with budget.turn(1, 0, 0):
            assert client.post("/login", data=form).status_code == 429
    response = client.post("/login", data=form)
    assert response.status_code == 302  # in, once a slot is free


def test_the_login_page_takes_over_the_form_only_during_a_storm(one_slot, client):
    assert "data-login-queue" not in client.get("/login").get_data(as_text=True)  # the browser submits
    with budget.turn(1, 0, 0):
        assert "data-login-queue" in client.get("/login").get_data(as_text=True)
