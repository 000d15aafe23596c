"""An exam's login storm, seen from a phone: every password check of the server is busy, so the
login page says to wait, counts down and sends the same form again by itself; the cadre is in
without retyping anything once a check is free (app/auth/budget.py, app/static/login.js)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import fits, log_in
from tests.helpers import every_password_check_taken

pytestmark = pytest.mark.browser


def test_a_login_asked_to_wait_goes_through_by_itself(app, make_user, page: Page, live_server_url):
    app.config.update(LOGIN_CHECKS=1, LOGIN_QUEUE=0, LOGIN_WAIT_SECONDS=0, LOGIN_RETRY_SECONDS=1)
    make_user("hocvien@example.vn")
    page.set_viewport_size({"width": 360, "height": 740})
    with every_password_check_taken():
        log_in(page, live_server_url)
        waiting = page.locator(".login-queue")
        expect(waiting).to_contain_text("nhiều người đăng nhập cùng lúc")
        expect(page).to_have_url(re.compile(r"/login"))
        fits(page)
    expect(page.get_by_role("heading", name="Danh mục khoá học", level=1)).to_be_visible(timeout=15000)
