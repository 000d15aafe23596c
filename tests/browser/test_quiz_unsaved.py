"""Answers the server has not acknowledged survive a reload (kept in the browser's storage per
attempt) and reach the server when it answers again; a submission made while the server is away
waits in the page and is sent when it answers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import AttemptAnswer, QuizAttempt
from tests.browser.helpers import open_quiz
from tests.quiz_fixtures import write_quiz_course

pytestmark = pytest.mark.browser


@pytest.fixture
def timed_quiz(make_user, courses_root, import_folder):
    make_user("hocvien@example.vn", full_name="Nguyễn Thị Lan")
    outcome = import_folder(write_quiz_course(courses_root, time_limit=30))
    assert outcome.status == "created", outcome.problems


def _away(page: Page, pattern: str) -> list[str]:
    seen: list[str] = []

    def refuse(route):
        seen.append(route.request.url)
        route.fulfill(status=503, content_type="application/json", body='{"error": "x", "retry_after": 15}')

    page.route(pattern, refuse)
    return seen


def _responses(app, attempt_id: int) -> dict:
    with app.app_context():
        rows = db.session.execute(
            select(AttemptAnswer.qid, AttemptAnswer.response).where(AttemptAnswer.attempt_id == attempt_id)
        ).all()
        return {qid: response for qid, response in rows if response}


def test_unsaved_answers_survive_a_reload_and_are_sent_when_the_server_is_back(
    app, timed_quiz, page: Page, live_server_url
):
    open_quiz(page, live_server_url)
    attempt_id = int(re.search(r"/attempts/(\d+)", page.url).group(1))
    page.wait_for_load_state("load")
    refused = _away(page, "**/save")
    page.get_by_label("Đúng", exact=True).check()
    page.locator("#q-hoa-giai").fill("Tổ hòa giải")
    expect(page.locator(".save-status")).to_have_text("Chưa lưu được — đang thử lại")
    expect(page.locator(".unsaved-count")).to_have_text("2")
    assert refused and _responses(app, attempt_id) == {}

    page.reload()  # the tab reloaded while the server is still away: the answers come back
    expect(page.get_by_label("Đúng", exact=True)).to_be_checked()
    expect(page.locator("#q-hoa-giai")).to_have_value("Tổ hòa giải")
    page.unroute("**/save")
    page.get_by_role("button", name="Thử lại ngay").click()
    expect(page.locator(".save-status")).to_contain_text("Đã lưu", timeout=20_000)
    assert set(_responses(app, attempt_id)) == {"ky-so", "hoa-giai"}
    assert page.evaluate(f"localStorage.getItem('boiduong-attempt-{attempt_id}')") is None


def test_a_submission_while_the_server_is_away_waits_and_is_sent_later(
    app, timed_quiz, page: Page, live_server_url
):
    open_quiz(page, live_server_url)
    attempt_id = int(re.search(r"/attempts/(\d+)", page.url).group(1))
    page.wait_for_load_state("load")
    _away(page, "**/submit")
    page.get_by_label("Đúng", exact=True).check()
    expect(page.locator(".save-status")).to_contain_text("Đã lưu")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.locator(".save-status")).to_contain_text("Bài làm đang chờ nộp")
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id).status == "open"
    page.unroute("**/submit")
    page.get_by_role("button", name="Thử lại ngay").click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}/result$"))
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id).status == "submitted"
