"""An admin on a phone plans a fourth cadre for a full post, reads why it is refused at the field,
and sees the post over the limit on the pool page; both pages fit a 360 px screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from tests.browser.helpers import fits
from tests.helpers import PASSWORD, cadre_no, plan, totp_code, user_by_id

pytestmark = pytest.mark.browser

ADMIN = "quantri@example.vn"


def test_a_full_post_on_a_phone(app, city, make_user, page: Page, live_server_url, screenshot_dir):
    admin = make_user(ADMIN, "admin", full_name="Lê Hoàng Nam", can_override=True)
    with app.app_context():
        actor = user_by_id(admin)
        for n in (1, 2, 3):
            plan(actor, n)
        plan(actor, 4, limit_override="Quyết định của Ban Thường vụ.")
        db.session.commit()
        fifth = cadre_no(5).id
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server_url + "/login")
    page.get_by_label("Thư điện tử").fill(ADMIN)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("form:has(input[type=password]) button[type=submit]").click()
    page.get_by_label("Mã").fill(totp_code(app, ADMIN))
    page.get_by_role("button", name="Tiếp tục").click()

    page.goto(f"{live_server_url}/cadres/{fifth}/planning/new")
    expect(page.get_by_label("Mã đơn vị của chức danh")).to_have_value("SO-NV-TCCB")
    page.get_by_label("Chức vụ quy hoạch").select_option("division-head")
    page.get_by_label("Nhiệm kỳ", exact=False).fill("2025-2030")
    page.get_by_label("Từ ngày", exact=True).fill("2025-06-01")
    page.get_by_label("Số quyết định").fill("5/QĐ-SNV")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#limit_override-error")).to_contain_text("Quy định số 377-QĐ/TW")
    fits(page)
    page.screenshot(path=str(screenshot_dir / "planning-limit.png"), full_page=True)

    page.goto(live_server_url + "/requirements/division-head/pool")
    expect(page.get_by_role("heading", name="Giới hạn quy hoạch")).to_be_visible()
    expect(page.get_by_text("Vượt giới hạn").first).to_be_visible()
    fits(page)
    page.screenshot(path=str(screenshot_dir / "pool-limits.png"), full_page=True)
