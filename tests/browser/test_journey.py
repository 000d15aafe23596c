"""A learner in a real browser: log in, open a course, complete a lesson, see progress."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in
from tests.helpers import PASSWORD, write_course

pytestmark = pytest.mark.browser


@pytest.fixture
def setup(make_user, courses_root, import_folder):
    make_user("hocvien@example.vn", full_name="Nguyễn Thị Lan")
    import_folder(
        write_course(
            courses_root,
            lessons={
                "01-mo-dau.md": (
                    "# Mở đầu\n\nChào mừng đến với khoá học.\n\n| Cột | Giá trị |\n|---|---|\n| a | 1 |\n"
                ),
                "02-du-lieu.md": '# Dữ liệu\n\n!!! tip "Mẹo"\n    Kiểm tra nguồn dữ liệu.\n',
            },
        )
    )


def test_learner_completes_a_lesson_and_sees_progress(setup, page: Page, live_server_url, screenshot_dir):
    log_in(page, live_server_url)
    expect(page.get_by_role("heading", name="Danh mục khoá học")).to_be_visible()

    page.get_by_label("Tìm kiếm").fill("chuyen doi so")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.get_by_role("link", name="Chuyển đổi số cơ bản").click()
    expect(page.get_by_role("heading", name="Chuyển đổi số cơ bản", level=1)).to_be_visible()
    expect(page.get_by_text("1 tiết")).to_be_visible()

    page.get_by_role("button", name="Ghi danh khoá học này").click()
    expect(page.get_by_role("heading", name="Mở đầu", level=1)).to_be_visible()
    expect(page.get_by_role("table")).to_be_visible()
    expect(page.get_by_text("0/2 bài học")).to_be_visible()

    page.get_by_role("button", name="Đánh dấu hoàn thành").click()
    expect(page.get_by_role("heading", name="Dữ liệu", level=1)).to_be_visible()
    expect(page.get_by_text("1/2 bài học")).to_be_visible()
    expect(page.locator(".admonition.tip")).to_contain_text("Kiểm tra nguồn dữ liệu")

    page.get_by_role("link", name="Học tập của tôi").click()
    expect(page.get_by_role("progressbar", name="Tiến độ: 50%")).to_be_visible()

    page.get_by_role("link", name="Tiếp tục").first.click()  # straight to the next lesson to do
    expect(page.get_by_role("heading", name="Dữ liệu", level=1)).to_be_visible()  # resumed
    page.get_by_role("button", name="Đánh dấu hoàn thành").click()
    expect(page.get_by_role("heading", name="Đã hoàn thành")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Tiến độ của bạn: 100%")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "course-completed.png"), full_page=True)


def test_phone_layout_and_keyboard_login(setup, page: Page, live_server_url, screenshot_dir):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server_url + "/login")
    page.keyboard.press("Tab")  # skip link first
    expect(page.get_by_role("link", name="Chuyển đến nội dung chính")).to_be_focused()
    page.get_by_label("Thư điện tử").fill("hocvien@example.vn")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Danh mục khoá học")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the page scrolls sideways on a phone"
    page.screenshot(path=str(screenshot_dir / "catalogue-phone.png"), full_page=True)
