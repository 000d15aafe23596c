"""Done when (issue 11): a learner submits a written assignment on a 360 px phone, a trainer of the
course marks it, and the course is complete — the learner sees it completed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import fits, log_in
from tests.written_data import PDF
from tests.written_data import WRITTEN_LESSONS as LESSONS

pytestmark = pytest.mark.browser


@pytest.fixture
def assignment_course(make):
    make.course(lessons=LESSONS)
    learner = make.user("hocvien@example.vn", full_name="Nguyễn Thị Lan")
    trainer = make.user("giangvien@example.vn", "trainer", full_name="Trần Văn Giảng")
    make.course_trainer(trainer, "KH-01")
    make.enrolment(learner)


def test_a_learner_submits_on_a_phone_a_trainer_marks_and_the_course_completes(
    assignment_course, page: Page, browser, live_server_url, screenshot_dir, tmp_path
):
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server_url)
    page.goto(live_server_url + "/courses/KH-01/lessons/mo-dau")
    page.get_by_role("button", name="Đánh dấu hoàn thành").click()
    expect(page).to_have_url(re.compile(r"/lessons/bai-thu-hoach$"))
    fits(page)
    page.get_by_label("Bài viết của anh/chị").fill("Phường tôi số hoá hồ sơ một cửa để tra cứu nhanh.")
    expect(page.locator("#text-words")).to_have_text("Số từ: 12 / 50")
    pdf = tmp_path / "bai-thu-hoach.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label("Tệp đính kèm (không bắt buộc)").set_input_files(str(pdf))
    page.get_by_role("button", name="Nộp bài thu hoạch").click()
    expect(page.locator(".written-state")).to_contain_text("Chờ chấm")
    fits(page)
    page.screenshot(path=str(screenshot_dir / "assignment-waiting.png"), full_page=True)

    trainer = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    log_in(trainer, live_server_url, "giangvien@example.vn")
    trainer.goto(live_server_url + "/teach/courses/KH-01/marking")
    fits(trainer)
    trainer.get_by_role("link", name="Nguyễn Thị Lan").click()
    expect(trainer.locator(".written-text")).to_contain_text("số hoá hồ sơ một cửa")
    expect(trainer.get_by_role("link", name="Tải tệp đính kèm")).to_be_visible()
    fits(trainer)
    trainer.get_by_label("Số điểm").fill("8")
    trainer.get_by_label("Nhận xét gửi học viên").fill("Bài viết cụ thể, có ví dụ thực tế.")
    trainer.get_by_role("button", name="Lưu điểm").click()
    expect(trainer.locator(".flash-success").first).to_contain_text("Đã lưu điểm")
    expect(trainer.get_by_text("Không có bài nào đang chờ chấm.")).to_be_visible()

    page.reload()
    expect(page.locator(".written-state")).to_contain_text("Đạt")
    expect(page.locator(".written-state")).to_contain_text("8 / 10")
    expect(page.locator(".written-comment")).to_have_text("Bài viết cụ thể, có ví dụ thực tế.")
    page.goto(live_server_url + "/courses/KH-01")
    expect(page.locator(".completion")).to_contain_text("Đã hoàn thành")
    fits(page)
    page.screenshot(path=str(screenshot_dir / "assignment-completed.png"), full_page=True)
