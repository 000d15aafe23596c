"""Issue 18's Done-when: a learner takes a graded quiz across a PostgreSQL outage.

The test owns a throwaway PostgreSQL server (tests/pg_server.py), serves the app against it, and
stops the server in the middle of the attempt: the saves get 503 JSON, the page says the answers
wait and how many, another page is the app's 503 page in Vietnamese, a submission waits in the
page; when the server is back every answer is stored and the attempt is graded once."""

from __future__ import annotations

import os
import re
import threading

import pytest
from flask_migrate import upgrade
from playwright.sync_api import Page, expect
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app import create_app, outage
from app.extensions import db
from app.models import AttemptAnswer, DatabaseOutage, QuizAttempt
from tests import pg_server
from tests.browser.helpers import open_quiz
from tests.factories import Factory
from tests.helpers import config_for
from tests.quiz_fixtures import write_quiz_course

_ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.skipif(
        not _ON_POSTGRES, reason="PostgreSQL suite only (TEST_DATABASE_URL=postgresql…): stops a real server"
    ),
    pytest.mark.skipif(bool(pg_server.available()), reason=pg_server.available() or ""),
]


@pytest.fixture
def server():
    pg = pg_server.ThrowawayPostgres().init()
    pg.start()
    yield pg
    pg.remove()


@pytest.fixture
def site(server, tmp_path):
    """The app served against the throwaway server, with a learner and a graded quiz course."""
    outage.reset()
    courses = tmp_path / "courses"
    courses.mkdir()
    app = create_app(config_for(server.url, COURSES_DIR=str(courses)))
    with app.app_context():
        upgrade()
    make = Factory(app, courses)
    make.user("hocvien@example.vn", full_name="Nguyễn Thị Lan")
    outcome = make.import_folder(write_quiz_course(courses))
    assert outcome.status == "created", outcome.problems
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    outage.reset()


def test_a_quiz_across_a_database_outage(site, server, page: Page):
    app, base = site
    open_quiz(page, base)
    attempt_id = int(re.search(r"/attempts/(\d+)", page.url).group(1))
    page.get_by_label("Không, gác máy và báo bộ phận CNTT").check()
    expect(page.locator(".save-status")).to_contain_text("Đã lưu")

    server.stop()  # as a crash: no clean shutdown
    with page.expect_response("**/save") as saved:
        page.get_by_label("Đúng", exact=True).check()
    assert saved.value.status == 503
    assert saved.value.headers["retry-after"]
    assert saved.value.json()["retry_after"] > 0 and saved.value.json()["error"]
    page.locator("#q-hoa-giai").fill("Tổ hòa giải")
    page.locator("#q-so-phuong").fill("126")
    expect(page.locator(".save-status")).to_have_text("Chưa lưu được — đang thử lại")
    expect(page.locator(".unsaved-count")).to_have_text("3")

    other = page.context.new_page()  # any other page meanwhile: the app's own 503 page, in Vietnamese
    response = other.goto(base + "/courses/")
    assert response.status == 503 and response.headers["retry-after"]
    expect(other.get_by_role("heading", level=1)).to_have_text("Hệ thống tạm thời gián đoạn")
    # the proxy's view: the process answers, but it is not ready
    assert other.request.get(base + "/healthz").status == 200
    not_ready = other.request.get(base + "/readyz")
    assert not_ready.status == 503 and not_ready.json()["status"] == "unavailable", not_ready.text()
    other.close()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.locator(".save-status")).to_contain_text("Bài làm đang chờ nộp")
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}$"))

    server.start()
    retry = page.get_by_role("button", name="Thử lại ngay")
    for _ in range(20):  # the first try may meet a pooled connection from before the restart
        if "/result" in page.url:
            break
        if retry.is_visible():
            retry.click()
        page.wait_for_timeout(500)
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}/result$"), timeout=10_000)
    assert page.evaluate(f"localStorage.getItem('boiduong-attempt-{attempt_id}')") is None
    assert page.request.get(base + "/readyz").status == 200  # ready again

    with app.app_context():
        answers = dict(
            db.session.execute(
                select(AttemptAnswer.qid, AttemptAnswer.response).where(
                    AttemptAnswer.attempt_id == attempt_id
                )
            ).all()
        )
        attempts = db.session.scalars(select(QuizAttempt)).all()
        outages = db.session.scalar(select(func.count()).select_from(DatabaseOutage))
    assert answers["otp"] and answers["ky-so"] and answers["hoa-giai"] and answers["so-phuong"]
    assert [(a.id, a.status) for a in attempts] == [(attempt_id, "submitted")]
    assert attempts[0].percent is not None
    assert outages >= 1  # written when the database answered again
