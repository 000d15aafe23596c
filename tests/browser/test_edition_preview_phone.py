"""A trainer on a phone previews an edition of their course and tries its quiz: every page fits a
360 px screen, and the try is marked with a score that is not recorded."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import fits
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

TRAINER = "gv@example.vn"


def test_a_trainer_previews_an_edition_and_tries_its_quiz_on_a_phone(
    make, make_user, page: Page, live_server_url, screenshot_dir
):
    make.quiz_course()
    make_user(TRAINER, role="trainer", full_name="Trần Văn Minh")
    make.course_trainer(TRAINER, "KT-01")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server_url + "/login")
    page.get_by_label("Thư điện tử").fill(TRAINER)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("form:has(input[type=password]) button[type=submit]").click()
    page.goto(live_server_url + "/teach/courses/KT-01/editions/1/")
    expect(page.get_by_role("note").first).to_contain_text("Xem trước phiên bản 1.0 (số 1)")
    fits(page)
    page.get_by_role("link", name="Bắt đầu").click()
    expect(page.get_by_role("heading", name="Bài một")).to_be_visible()
    fits(page)
    page.get_by_role("link", name=re.compile("Tiếp")).click()
    page.get_by_role("link", name="Làm thử bài kiểm tra").click()
    expect(page.get_by_text(re.compile(r"Số đề \d+"))).to_be_visible()
    fits(page)
    page.get_by_label("Không, gác máy và báo bộ phận CNTT").check()
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_role("heading", name="Kết quả làm thử")).to_be_visible()
    expect(page.locator(".score strong")).to_have_text(re.compile(r"\d+(,\d+)?\s?%"))
    expect(page.get_by_text("Lần làm thử này không được ghi lại.")).to_be_visible()
    fits(page)
    page.screenshot(path=str(screenshot_dir / "edition-preview-try-360.png"), full_page=True)
