"""On a phone (360×740): the course page's main action and due date in the first screen; an admin
lands on the review, the new-assignment form shows only the chosen target's field, and an
assignment's page fits."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import fits, log_in
from tests.helpers import PASSWORD, totp_code, write_course

pytestmark = pytest.mark.browser

ADMIN = "quantri@example.vn"
LONG_INTRO = "\n\n".join(f"Đoạn giới thiệu số {n}: nội dung dài của khoá học." for n in range(30))


@pytest.fixture
def setup(app, make, courses_root, import_folder):
    make.unit("HN", "Thành phố Hà Nội", "city")
    make.unit("P-W", "Phường Tây", "ward", parent="HN")
    learner = make.user("hocvien@example.vn", full_name="Nguyễn Thị Lan")
    make.user(ADMIN, "admin", PASSWORD, "Lê Hoàng Nam")
    make.cadre("W-001", "Nguyễn Thị Lan", unit="P-W", user=learner)
    path = write_course(courses_root)
    (path / "course.md").write_text(
        (path / "course.md").read_text(encoding="utf-8") + LONG_INTRO, encoding="utf-8"
    )
    import_folder(path)
    return make.assignment("Bồi dưỡng quý IV", ("KH-01",), unit="P-W", due_on=date(2030, 12, 31))


def test_the_course_pages_action_and_due_date_are_in_the_first_screen(
    setup, page: Page, live_server_url, screenshot_dir
):
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server_url)
    page.goto(live_server_url + "/")
    expect(page).to_have_url(re.compile(r"/my$"))  # an assigned course: My learning
    page.goto(live_server_url + "/courses/KH-01")
    button = page.get_by_role("button", name="Ghi danh khoá học này")
    box = button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 740, box
    expect(page.get_by_text("Bồi dưỡng quý IV")).to_be_in_viewport()
    fits(page)
    page.screenshot(path=str(screenshot_dir / "course-first-screen.png"))


def test_an_admin_assigns_with_only_the_targets_field_shown(
    app, setup, page: Page, live_server_url, screenshot_dir
):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server_url + "/login")
    page.get_by_label("Thư điện tử").fill(ADMIN)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("form:has(input[type=password]) button[type=submit]").click()
    page.get_by_label("Mã").fill(totp_code(app, ADMIN))
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/review/$"))  # an admin lands on the review

    page.goto(live_server_url + "/review/assignments")
    unit_field, codes = page.locator("#unit_code"), page.locator("#employee_codes")
    expect(unit_field).to_be_visible()
    expect(codes).to_be_hidden()
    page.select_option("#target_kind", "cadres")
    expect(unit_field).to_be_hidden()
    expect(codes).to_be_visible()
    fits(page)
    page.screenshot(path=str(screenshot_dir / "assignment-form.png"), full_page=True)

    page.get_by_role("link", name="Bồi dưỡng quý IV").click()
    expect(page.get_by_role("heading", name="Bồi dưỡng quý IV", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Nguyễn Thị Lan")).to_be_visible()
    fits(page)
    page.screenshot(path=str(screenshot_dir / "assignment-page.png"), full_page=True)
