"""An admin on a phone: sets up the second step of login, logs in with it, ends another login,
and reads the audit log; every page fits a 360 px screen."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import fits
from tests.helpers import PASSWORD, totp_code

pytestmark = pytest.mark.browser

ADMIN = "quantri@example.vn"


def _password_step(page: Page, base: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Thư điện tử").fill(ADMIN)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("form:has(input[type=password]) button[type=submit]").click()


def test_an_admin_on_a_phone_sets_up_and_uses_the_second_step(
    app, make_user, page: Page, live_server_url, screenshot_dir
):
    make_user(ADMIN, role="admin", full_name="Lê Hoàng Nam", second_factor=False)
    page.set_viewport_size({"width": 360, "height": 740})
    _password_step(page, live_server_url)
    expect(page.get_by_role("heading", name="Thiết lập bước đăng nhập thứ hai")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    fits(page)
    page.screenshot(path=str(screenshot_dir / "two-factor-setup.png"), full_page=True)
    secret = page.locator("code.setup-key").inner_text()
    page.get_by_label("Mã").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bật").click()
    expect(page.get_by_role("heading", name="Mã dự phòng của bạn")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    fits(page)
    page.get_by_role("link", name="Tôi đã lưu lại: tiếp tục").click()

    page.goto(live_server_url + "/admin/users")
    expect(page.get_by_role("heading", name="Tài khoản", level=1)).to_be_visible()
    fits(page)

    # a second login, on "another device", with the code from the app
    other = page.context.browser.new_context(viewport={"width": 360, "height": 740})
    phone = other.new_page()
    _password_step(phone, live_server_url)
    expect(phone.get_by_role("heading", name="Bước đăng nhập thứ hai")).to_be_visible()
    fits(phone)
    phone.get_by_label("Mã").fill(totp_code(app, ADMIN))
    phone.get_by_role("button", name="Tiếp tục").click()
    expect(phone).not_to_have_url(re.compile(r"/login"))

    # the first device sees both logins and ends the other one
    page.goto(live_server_url + "/account/")
    expect(page.get_by_role("heading", name="Nơi bạn đang đăng nhập")).to_be_visible()
    fits(page)
    page.get_by_role("button", name="Đăng xuất trên mọi thiết bị khác").click()
    expect(page.get_by_text("Bạn đã đăng xuất trên mọi thiết bị khác.")).to_be_visible()
    phone.goto(live_server_url + "/admin/users")
    expect(phone).to_have_url(re.compile(r"/login"))
    other.close()

    page.goto(live_server_url + "/audit/")
    expect(
        page.get_by_role("cell", name="Đăng nhập không thành công")
        .or_(page.get_by_role("cell", name="Thiết lập bước đăng nhập thứ hai"))
        .first
    ).to_be_visible()
    fits(page)
    page.screenshot(path=str(screenshot_dir / "audit-log.png"), full_page=True)
