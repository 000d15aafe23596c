"""Essays in a graded quiz, in a browser: a learner writes them on a 360 px phone (the word count
follows the typing, the answer is saved as they go), submits and sees the attempt waiting; a
trainer marks each essay from the marking queue; the learner then sees the grade, the comment, and
the course completed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import fits, log_in
from tests.written_data import ESSAY
from tests.written_data import ESSAY_LESSONS as LESSONS

pytestmark = pytest.mark.browser


@pytest.fixture
def essay_course(make):
    make.course(lessons=LESSONS)
    learner = make.user("hocvien@example.vn", full_name="Nguyễn Thị Lan")
    trainer = make.user("giangvien@example.vn", "trainer", full_name="Trần Văn Giảng")
    make.course_trainer(trainer, "KH-01")
    make.enrolment(learner)


def test_a_learner_writes_essays_on_a_phone_and_a_trainer_marks_them(
    essay_course, page: Page, browser, live_server_url, screenshot_dir
):
    page.set_viewport_size({"width": 360, "height": 740})
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server_url)
    page.goto(live_server_url + "/courses/KH-01/lessons/mo-dau")
    page.get_by_role("button", name="Đánh dấu hoàn thành").click()
    expect(page).to_have_url(re.compile(r"/lessons/kiem-tra$"))
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    page.get_by_label("Hà Nội").check()
    essay = page.locator("#q-bai-viet")
    essay.fill(ESSAY)
    expect(page.locator("#q-bai-viet-words")).to_have_text("Số từ: 14 / 40")
    expect(page.locator(".save-status")).to_contain_text("Đã lưu")  # saved while typing, before leaving
    page.locator("#q-rui-ro").fill("Lộ dữ liệu cá nhân của người dân.")
    fits(page)
    page.screenshot(path=str(screenshot_dir / "essay-writing.png"), full_page=True)
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.locator(".awaiting")).to_contain_text("Chờ chấm")
    fits(page)

    trainer = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    log_in(trainer, live_server_url, "giangvien@example.vn")
    trainer.goto(live_server_url + "/teach/courses/KH-01/marking")
    fits(trainer)
    trainer.get_by_role("link", name="Nguyễn Thị Lan").click()
    first = trainer.locator("section.essay-to-mark").filter(has_text="Bài viết ngắn")
    expect(first.locator(".written-text")).to_have_text(ESSAY)
    fits(trainer)
    trainer.screenshot(path=str(screenshot_dir / "essay-marking.png"), full_page=True)
    first.get_by_label("Số điểm").fill("5")
    first.get_by_label("Nhận xét gửi học viên").fill("Nêu rõ việc và người làm.")
    first.get_by_role("button", name="Lưu điểm").click()
    expect(trainer.locator(".flash-success").first).to_contain_text("Đã lưu điểm")
    second = trainer.locator("section.essay-to-mark").filter(has_text="Một rủi ro")
    second.get_by_label("Số điểm").fill("2")
    second.get_by_role("button", name="Lưu điểm").click()
    expect(trainer.get_by_text("Không có bài nào đang chờ chấm.")).to_be_visible()

    page.reload()
    expect(page.locator(".score")).to_contain_text("90%")
    expect(page.locator(".written-comment")).to_have_text("Nêu rõ việc và người làm.")
    fits(page)
    page.goto(live_server_url + "/courses/KH-01")
    expect(page.locator(".completion")).to_contain_text("Đã hoàn thành")
