"""A trainer on a phone opens a course's learners, filters those still learning and downloads the
table: the page fits a 360 px screen (the table scrolls inside its own box)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import fits
from tests.helpers import PASSWORD, seed_attempts

pytestmark = pytest.mark.browser

TRAINER = "gv@example.vn"


def test_a_trainer_reads_each_learners_progress_on_a_phone(
    app, make, make_user, courses_root, import_folder, page: Page, live_server_url, screenshot_dir
):
    seed_attempts(app, courses_root, import_folder)
    make_user(TRAINER, role="trainer", full_name="Trần Văn Minh")
    make.course_trainer(TRAINER, "DE")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server_url + "/login")
    page.get_by_label("Thư điện tử").fill(TRAINER)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("form:has(input[type=password]) button[type=submit]").click()
    page.goto(live_server_url + "/teach/courses/DE")
    page.get_by_role("link", name="Tiến độ từng học viên").click()
    expect(page.get_by_role("heading", name="Tiến độ của học viên")).to_be_visible()
    fits(page)
    page.get_by_label("Tình trạng").select_option("in_progress")
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("tbody tr")).to_have_count(3)
    fits(page)
    page.screenshot(path=str(screenshot_dir / "teach-learners-360.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp CSV").click()
    assert download.value.suggested_filename == "DE-learners.csv"
