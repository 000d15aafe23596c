"""The certificate as a page in Chromium: it reads on a 360 px phone without scrolling sideways, its
QR code is named by the URL it holds, it asks for nothing but its own stylesheet, and printed from
the browser it is one A4 landscape sheet."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from app.certificates.facts import CertificateStatus
from app.certificates.paper import certificate_html
from tests.browser.helpers import fits, pages_of
from tests.certificate_data import PAPER_FACTS as FACTS
from tests.certificate_data import VERIFY_URL

pytestmark = pytest.mark.browser

SITE = "http://boiduong.invalid"  # never looked up: every request is answered (or refused) below


def open_certificate(page: Page, app, status: CertificateStatus) -> list[str]:
    """Shows the certificate as the app would serve it; the list of what else the page asked for."""
    with app.test_request_context():
        html = certificate_html(FACTS, status, VERIFY_URL)
    static = Path(app.static_folder)
    elsewhere: list[str] = []

    def answer(route: Route) -> None:
        url = route.request.url
        if url == f"{SITE}/certificate":
            route.fulfill(body=html, content_type="text/html; charset=utf-8")
        elif url.startswith(f"{SITE}/static/"):
            route.fulfill(path=static / url.removeprefix(f"{SITE}/static/"))
        else:
            elsewhere.append(url)
            route.abort()

    page.route("**/*", answer)
    page.goto(f"{SITE}/certificate")
    return elsewhere


def test_the_certificate_reads_on_a_phone(app, page: Page, screenshot_dir):
    page.set_viewport_size({"width": 360, "height": 740})
    elsewhere = open_certificate(page, app, CertificateStatus())
    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy chứng nhận")
    expect(page.locator(".name")).to_have_text("Ông/Bà Nguyễn Thị Ánh Tuyết")
    qr = page.get_by_role("img", name=VERIFY_URL)
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 100  # large enough to scan from the screen
    expect(page.get_by_role("link", name=VERIFY_URL)).to_have_attribute("href", VERIFY_URL)
    assert page.locator("link[rel=stylesheet]").evaluate("l => l.sheet.cssRules.length") > 0
    fits(page)
    page.screenshot(path=str(screenshot_dir / "certificate-360.png"), full_page=True)
    assert elsewhere == []


def test_a_revoked_certificate_prints_from_the_browser_on_one_a4_sheet(app, page: Page, screenshot_dir):
    page.set_viewport_size({"width": 1280, "height": 900})
    elsewhere = open_certificate(
        page, app, CertificateStatus(revoked_on=date(2026, 6, 1), reason="corrected")
    )
    expect(page.get_by_role("status")).to_contain_text("Đã thu hồi")
    expect(page.get_by_role("status")).to_contain_text("Thu hồi ngày 01/06/2026")
    fits(page)
    page.screenshot(path=str(screenshot_dir / "certificate-1280.png"), full_page=True)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (screenshot_dir / "certificate-chromium.pdf").write_bytes(pdf)
    assert pages_of(pdf) == 1
    assert re.search(rb"/MediaBox\s*\[\s*0 0 841\.\d+ 59[45]\.\d+\s*\]", pdf)  # A4 landscape
    assert elsewhere == []
