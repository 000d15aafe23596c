"""A learner takes a timed quiz on a phone: the time left stays in view while scrolling, and an
answer given offline is announced as not saved, retried, and saved once the phone is back online."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import fits, open_quiz

pytestmark = pytest.mark.browser


@pytest.fixture
def timed_quiz(make_user, courses_root, import_folder):
    from tests.quiz_fixtures import write_quiz_course

    make_user("hocvien@example.vn", full_name="Nguyễn Thị Lan")
    outcome = import_folder(write_quiz_course(courses_root, time_limit=30))
    assert outcome.status == "created", outcome.problems


def in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


def test_the_time_left_stays_in_view_and_offline_answers_are_retried(
    timed_quiz, page: Page, live_server_url, screenshot_dir
):
    page.set_viewport_size({"width": 360, "height": 740})
    open_quiz(page, live_server_url)
    fits(page)
    expect(page.locator(".attempt-bar .countdown")).to_have_text(re.compile(r"^(30:00|29:\d\d)$"))
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 1000
    assert in_view(page, ".attempt-bar"), "the time left scrolled away"
    # the title of every question sits inside its card
    for card in page.locator("fieldset.question").all():
        legend, box = card.locator("legend").bounding_box(), card.bounding_box()
        assert legend["y"] > box["y"] + 4, "a question's title sits on its card's border"

    page.context.set_offline(True)
    page.get_by_label("Đúng", exact=True).check()
    expect(page.locator(".save-status")).to_have_text("Chưa lưu được — đang thử lại")
    assert in_view(page, ".save-status")
    page.screenshot(path=str(screenshot_dir / "quiz-offline.png"))
    page.context.set_offline(False)
    # At once on the browser's "online" event; else at the next retry (2, 4, 8 s… apart) on a busy machine.
    expect(page.locator(".save-status")).to_contain_text("Đã lưu", timeout=20_000)
    page.reload()
    expect(page.get_by_label("Đúng", exact=True)).to_be_checked()


def test_a_save_the_server_fails_is_retried_until_acknowledged(timed_quiz, page: Page, live_server_url):
    failures, back = [], []

    def unavailable_until_back(route):  # the server refuses every save until the test says it is back
        if back:
            route.continue_()
        else:
            failures.append(route.request.url)
            route.fulfill(status=503, body="Service Unavailable")

    page.route("**/save", unavailable_until_back)  # in place before the attempt page opens
    open_quiz(page, live_server_url)
    page.wait_for_url("**/attempts/*")
    page.wait_for_load_state("load")  # the page's script listens before the answer changes
    page.get_by_label("Đúng", exact=True).check()
    expect(page.locator(".save-status")).to_have_text("Chưa lưu được — đang thử lại")
    back.append(True)
    # The next retry: 2, 4, 8 s… after the failures; on a busy machine more than one may fail first.
    expect(page.locator(".save-status")).to_contain_text("Đã lưu", timeout=35_000)
    assert failures
    page.reload()
    expect(page.get_by_label("Đúng", exact=True)).to_be_checked()
