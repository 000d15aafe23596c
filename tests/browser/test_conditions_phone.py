"""An admin on a phone reads the overdue conditions of appointments and the cadre's profile."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import fits
from tests.helpers import CITY_ADMIN, appoint_on_condition

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("world")]


def test_overdue_conditions_fit_a_phone(app, page: Page, live_server_url, screenshot_dir, clock):
    _decision, deadline = appoint_on_condition(app)
    clock.set_today(deadline + timedelta(days=1))
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server_url + "/login")
    page.get_by_label("Thư điện tử").fill(CITY_ADMIN[0])
    page.get_by_label("Mật khẩu").fill(CITY_ADMIN[1])
    page.locator("form:has(input[type=password]) button[type=submit]").click()
    # the demo city admin has no second step yet: set it up on the way, as the site asks
    secret = page.locator("code.setup-key").inner_text()
    page.get_by_label("Mã").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bật").click()
    page.get_by_role("link", name="Tôi đã lưu lại: tiếp tục").click()

    page.goto(live_server_url + "/cadres/")
    page.get_by_role("link", name="Điều kiện kèm theo bổ nhiệm").click()
    expect(page.get_by_role("heading", name="Điều kiện kèm theo bổ nhiệm", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="Quá hạn")).to_be_visible()
    fits(page)
    page.screenshot(path=str(screenshot_dir / "conditions.png"), full_page=True)

    page.get_by_role("link", name="Phạm Quốc Hùng").click()
    expect(page.get_by_role("alert").filter(has_text="Quá hạn")).to_be_visible()
    fits(page)
    page.screenshot(path=str(screenshot_dir / "profile-conditions.png"), full_page=True)
