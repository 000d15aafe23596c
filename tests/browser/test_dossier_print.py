"""The printed dossier as Chromium prints it on A4: one page for a cadre in post and planned for two
more posts, with the national header and a signature block; a long history runs on to numbered
pages; the same sheet reads on a phone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.demo.accounts import DEMO_ACCOUNTS
from app.demo.profiles import LAN_TRAINING
from app.extensions import db
from app.models import Cadre, PlanningEntry, Unit
from app.profiles import records
from tests.browser.helpers import fits, pages_of
from tests.helpers import city_admin

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("world")]

LAN = DEMO_ACCOUNTS[0]


def lan_with(app, trainings: int = 0) -> int:
    """Lan, in post as a division deputy and planned for division head, planned also for deputy
    director of the department; with `trainings` more external trainings. Her cadre id."""
    with app.app_context():
        session = db.session
        lan = session.scalar(select(Cadre).where(Cadre.full_name == LAN[3]))
        admin = city_admin(session)
        department = session.scalar(select(Unit).where(Unit.code == "SO-NV"))
        session.add(
            PlanningEntry(
                cadre_id=lan.id,
                title_code="department-deputy",
                unit_id=department.id,
                term="2025-2030",
                valid_from=date(2025, 1, 1),
                decision_no="46/QĐ-SNV",
                recorded_by_id=admin.id,
            )
        )
        for n in range(trainings):
            records.add_external(
                session,
                admin,
                lan,
                replace(
                    LAN_TRAINING,
                    programme=f"Bồi dưỡng kiến thức quản lý nhà nước, chuyên đề {n + 1}",
                    completed_on=LAN_TRAINING.completed_on - timedelta(days=30 * (n + 1)),
                    certificate_no=f"QLNN-{n + 1:03d}",
                ),
            )
        session.commit()
        return lan.id


def print_dossier(page: Page, base: str, cadre: int) -> bytes:
    page.goto(base + "/login")
    page.get_by_label("Thư điện tử").fill(LAN[0])
    page.get_by_label("Mật khẩu").fill(LAN[1])
    page.locator("form:has(input[type=password]) button[type=submit]").click()
    page.goto(f"{base}/cadres/{cadre}/print")
    return page.pdf(format="A4", prefer_css_page_size=True)


def test_a_cadre_planned_for_two_posts_prints_on_one_page(app, page: Page, live_server_url, screenshot_dir):
    cadre = lan_with(app)
    pdf = print_dossier(page, live_server_url, cadre)
    (screenshot_dir / "dossier.pdf").write_bytes(pdf)
    assert pages_of(pdf) == 1
    # the national header, the title and the signature block, as Decree 30/2020/NĐ-CP lays them out
    header = page.locator(".letterhead")
    expect(header.locator(".parent")).to_have_text("Sở Nội vụ")
    expect(header.locator(".unit")).to_have_text("Phòng Tổ chức cán bộ")
    expect(header.locator(".republic")).to_have_text("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    expect(header.locator(".motto")).to_have_text("Độc lập - Tự do - Hạnh phúc")
    expect(page.locator(".dated")).to_have_text(re.compile(r"^Hà Nội, ngày \d\d tháng \d+ năm \d{4}$"))
    assert page.locator(".dated").evaluate("e => getComputedStyle(e).fontStyle") == "italic"
    issuer, nation = (header.locator(s).bounding_box() for s in (".issuer", ".nation"))
    assert issuer["x"] < nation["x"]  # the issuing body left, the national name right
    expect(page.locator(".signature .function")).to_have_text("Người lập")
    assert (
        page.locator(".signature .function").evaluate("e => getComputedStyle(e).textTransform") == "uppercase"
    )
    expect(page.locator(".signature .hint")).to_have_text("(Ký, ghi rõ họ tên)")
    expect(page.locator(".signature .signer")).to_have_text(LAN[3])
    # her post and both planned posts are on the one page
    expect(page.locator(".evaluation")).to_have_count(3)

    page.set_viewport_size({"width": 360, "height": 740})
    fits(page)
    page.screenshot(path=str(screenshot_dir / "dossier-360.png"), full_page=True)


def test_a_long_history_runs_on_to_numbered_pages(app, page: Page, live_server_url, screenshot_dir):
    cadre = lan_with(app, trainings=40)
    pdf = print_dossier(page, live_server_url, cadre)
    path = screenshot_dir / "dossier-long.pdf"
    path.write_bytes(pdf)
    pages = pages_of(pdf)
    assert pages >= 2
    # poppler-utils reads the page numbers back: CI installs it (REQUIRE_BROWSER=1), elsewhere optional
    assert shutil.which("pdftotext") or os.environ.get("REQUIRE_BROWSER") != "1", (
        "apt-get install poppler-utils"
    )
    if shutil.which("pdftotext"):
        for n in range(2, pages + 1):
            text = subprocess.run(
                ["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True, text=True
            ).stdout
            assert text.strip().splitlines()[0].strip() == str(n)
        first = subprocess.run(
            ["pdftotext", "-l", "1", str(path), "-"], capture_output=True, text=True
        ).stdout
        assert first.strip().splitlines()[0].strip() != "1"  # the first page carries no number
