"""A learner takes a quiz with every question type in a real browser and gets the grade the rules say."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import open_quiz
from tests.quiz_fixtures import write_quiz_course

pytestmark = pytest.mark.browser


@pytest.fixture
def quiz_setup(make_user, courses_root, import_folder):
    def make(**settings):
        make_user("hocvien@example.vn", full_name="Nguyễn Thị Lan")
        outcome = import_folder(write_quiz_course(courses_root, **settings))
        assert outcome.status == "created", outcome.problems

    return make


def answer_everything(page: Page) -> None:
    page.get_by_label("Không, gác máy và báo bộ phận CNTT").check()
    page.get_by_label("Tình trạng sức khoẻ").check()  # one of two right options: half the points
    page.get_by_label("Đúng", exact=True).check()
    page.locator("#q-hoa-giai").fill("Tổ hòa giải")
    page.locator("#q-so-phuong").fill("126")
    page.locator("#q-thoi-han").fill("71,5")
    page.get_by_label("Cấp giấy phép xây dựng nhà ở riêng lẻ").select_option(label="Phường")
    page.get_by_label("Quy hoạch chung thành phố").select_option(label="Thành phố")
    page.get_by_label("Cấp căn cước").select_option(label="Công an")
    page.get_by_label("Ngắt kết nối mạng").select_option("1")
    page.get_by_label("Báo bộ phận công nghệ thông tin").select_option("2")
    page.get_by_label("Đổi mật khẩu từ máy an toàn").select_option("3")


def test_every_question_type_in_the_browser(quiz_setup, page: Page, live_server_url, screenshot_dir):
    quiz_setup()
    open_quiz(page, live_server_url)
    expect(page.get_by_role("heading", name="Kiểm tra cuối khoá", level=1)).to_be_visible()
    answer_everything(page)
    page.screenshot(path=str(screenshot_dir / "quiz-attempt.png"), full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Nộp bài").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/result$"))
    # 2 + 0.5 + 1 + 1 + 1 + 1 + 1 + 1 = 8.5 of 9 points
    expect(page.locator(".score strong")).to_have_text("94,4%")
    expect(page.get_by_text("Đạt (điểm đạt 80%).")).to_be_visible()
    expect(page.get_by_text("Chính xác.")).to_be_visible()  # review with feedback after each attempt
    page.screenshot(path=str(screenshot_dir / "quiz-result.png"), full_page=True)


def test_answers_are_saved_as_you_go_and_restored(quiz_setup, page: Page, live_server_url):
    quiz_setup(layout="one_per_page")
    open_quiz(page, live_server_url)
    page.get_by_label("Không, gác máy và báo bộ phận CNTT").check()
    expect(page.locator(".save-status")).to_contain_text("Đã lưu")
    page.reload()  # a closed tab or a dropped connection
    expect(page.get_by_label("Không, gác máy và báo bộ phận CNTT")).to_be_checked()
    page.get_by_role("button", name="Câu tiếp theo").click()
    expect(page.get_by_text("Những dữ liệu nào là dữ liệu cá nhân nhạy cảm?")).to_be_visible()
    page.get_by_role("button", name="8", exact=True).click()
    expect(page.get_by_text("Sắp xếp các bước xử lý")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.locator(".score strong")).to_have_text("22,2%")  # 2 of 9 points
