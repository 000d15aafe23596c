"""Issue 16's "done when", in a real browser on a 360 px phone: a trainer uploads a course .zip with
two errors, sees both by file:line, fixes them, uploads again, previews the draft and publishes it;
a learner sees the new edition; the trainer publishes the earlier edition again and the learner
sees it back."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import fits
from tests.helpers import PASSWORD, write_course

pytestmark = pytest.mark.browser

TRAINER = "gv@example.vn"
LEARNER = "hv@example.vn"
PHONE = {"width": 360, "height": 740}


def _zip(folder: Path, into: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    into.write_bytes(buffer.getvalue())
    return into


def _edition(root: Path, lessons: dict[str, str]) -> Path:
    return write_course(
        root, "khoa-hoc", code="KH-01", title="Chuyển đổi số cơ bản (2027)", version="2027.1", lessons=lessons
    )


def _log_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("form:has(input[type=password]) button[type=submit]").click()
    expect(page).not_to_have_url(f"{base}/login")


def _learner_sees(browser, base: str, title: str) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    _log_in(page, base, LEARNER)
    page.goto(base + "/courses/KH-01")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    context.close()


def test_a_trainer_uploads_fixes_previews_publishes_and_publishes_the_earlier_edition_again(
    make, page: Page, live_server_url, tmp_path, screenshot_dir
):
    make.unit("HN", "Thành phố Hà Nội", "city")
    make.unit("P-W", "Phường Tây", "ward", parent="HN")
    make.user(TRAINER, "trainer", full_name="Trần Văn Minh", unit="P-W")
    make.user(LEARNER, "learner", full_name="Nguyễn Thị Lan")
    make.course(code="KH-01", title="Chuyển đổi số cơ bản", version="2026.1")
    make.course_trainer(TRAINER, "KH-01", "owner", issuer="P-W")
    broken = _zip(
        _edition(
            tmp_path / "loi",
            {
                "01-mo-dau.md": "# Mở đầu\n\nXem ![sơ đồ](hinh/so-do.png) trước khi học.\n",
                "02-du-lieu.md": "# Dữ liệu\n\nÔn lại [bài cuối](09-bai-khong-co.md).\n",
            },
        ),
        tmp_path / "khoa-hoc-loi.zip",
    )
    fixed = _zip(
        _edition(
            tmp_path / "sua",
            {
                "01-mo-dau.md": "# Mở đầu\n\nBài mở đầu của phiên bản 2027.\n",
                "02-du-lieu.md": "# Dữ liệu\n\nÔn lại [bài mở đầu](01-mo-dau.md).\n",
            },
        ),
        tmp_path / "khoa-hoc.zip",
    )
    base = live_server_url
    page.set_viewport_size(PHONE)
    _log_in(page, base, TRAINER)
    page.goto(base + "/teach/")
    page.get_by_role("link", name="Tải lên khoá học").click()
    page.get_by_label("Thư mục khoá học dạng .zip").set_input_files(str(broken))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_role("heading", name="Khoá học chưa được chấp nhận")).to_be_visible()
    problems = page.locator("ol.problems > li")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("01-mo-dau.md:3")
    expect(problems.nth(0)).to_contain_text("Xem ![sơ đồ](hinh/so-do.png) trước khi học.")
    expect(problems.nth(1)).to_contain_text("02-du-lieu.md:3")
    expect(problems.nth(1)).to_contain_text("Ôn lại [bài cuối](09-bai-khong-co.md).")
    fits(page)
    page.screenshot(path=str(screenshot_dir / "upload-problems-360.png"), full_page=True)

    page.get_by_role("link", name="Tải lên lại").click()
    page.get_by_label("Thư mục khoá học dạng .zip").set_input_files(str(fixed))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_role("heading", name="Khoá học đã qua kiểm tra")).to_be_visible()
    page.get_by_role("link", name="Xem trước bản nháp").click()
    expect(page.get_by_text("Chuyển đổi số cơ bản (2027)").first).to_be_visible()
    page.get_by_role("link", name="Mở đầu").first.click()
    expect(page.get_by_text("Bài mở đầu của phiên bản 2027.")).to_be_visible()
    fits(page)
    _learner_sees(page.context.browser, base, "Chuyển đổi số cơ bản")  # a draft: not yet

    page.goto(base + "/teach/courses/KH-01/editions")
    draft = page.locator("#edition-2")
    expect(draft).to_contain_text("Bản nháp")
    expect(draft).to_contain_text("khoa-hoc.zip")
    draft.get_by_role("button", name="Xuất bản").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã xuất bản phiên bản số 2")
    fits(page)
    page.screenshot(path=str(screenshot_dir / "editions-360.png"), full_page=True)
    _learner_sees(page.context.browser, base, "Chuyển đổi số cơ bản (2027)")

    page.locator("#edition-1").get_by_role("button", name="Xuất bản lại").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Đã xuất bản lại phiên bản số 1 thành phiên bản số 3."
    )
    expect(page.locator("#edition-3")).to_contain_text("người học đang học")
    _learner_sees(page.context.browser, base, "Chuyển đổi số cơ bản")


def test_a_trainer_edits_a_lesson_beside_a_live_preview_and_saves_a_draft(
    make, page: Page, live_server_url, screenshot_dir
):
    make.user(TRAINER, "trainer", full_name="Trần Văn Minh")
    make.course(code="KH-01", title="Chuyển đổi số cơ bản", version="2026.1")
    make.course_trainer(TRAINER, "KH-01", "owner")
    page.set_viewport_size({"width": 1200, "height": 900})
    _log_in(page, live_server_url, TRAINER)
    page.goto(live_server_url + "/teach/courses/KH-01/editions")
    page.get_by_text("Sửa một bài học của phiên bản này").click()
    page.get_by_role("link", name="Dữ liệu").click()
    source = page.get_by_label("Bài học (Markdown)")
    preview = page.locator("[data-preview]")
    expect(preview).to_contain_text("Nội dung về dữ liệu.")
    source.fill("# Dữ liệu\n\nDữ liệu **mở** của thành phố.\n\n<script>document.title='x'</script>\n")
    expect(preview.locator("strong")).to_have_text("mở")
    expect(preview.locator("script")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "lesson-editor-1200.png"), full_page=True)
    expect(page.get_by_label("Nhãn phiên bản mới")).to_have_value("2026.2")
    page.get_by_role("button", name="Kiểm tra và lưu thành bản nháp").click()
    expect(page.get_by_role("alert")).to_contain_text("1 lỗi cần sửa")  # the checker refuses a script
    expect(page.locator("ol.problems")).to_contain_text("02-du-lieu.md:5")
    expect(source).to_have_value(re.compile("Dữ liệu \\*\\*mở\\*\\* của thành phố"))  # nothing lost
    source.fill("# Dữ liệu\n\nDữ liệu **mở** của thành phố.\n")
    page.get_by_role("button", name="Kiểm tra và lưu thành bản nháp").click()
    expect(page.get_by_role("heading", name="Khoá học đã qua kiểm tra")).to_be_visible()
    page.get_by_role("link", name="Xem trước bản nháp").click()
    page.get_by_role("link", name="Dữ liệu").first.click()
    expect(page.get_by_text("của thành phố")).to_be_visible()
    page.set_viewport_size(PHONE)
    page.goto(live_server_url + "/teach/courses/KH-01/editions/2/lessons/du-lieu/edit")
    fits(page)
