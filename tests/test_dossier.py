"""The printed dossier as an administrative document (Decree 30/2020/NĐ-CP): the issuing body and
the national name and motto at the top, the place and date, the title, a signature block; the
national name and motto stay Vietnamese in English, every other word follows the language.
(Its page count on A4 is measured in Chromium: tests/browser/test_dossier_print.py.)"""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import CITY_ADMIN, cadre_id

pytestmark = pytest.mark.usefixtures("world")

REPUBLIC = "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def test_the_dossier_is_laid_out_as_an_administrative_document(app, auth, client, clock):
    clock.set_today(date(2026, 2, 5))
    auth.login(*CITY_ADMIN)
    html = client.get(f"/cadres/{cadre_id(app, 'HN-000001')}/print").get_data(as_text=True)
    assert '<p class="parent">Sở Nội vụ</p>' in html and '<p class="unit">Phòng Tổ chức cán bộ</p>' in html
    assert REPUBLIC in html and MOTTO in html
    assert '<p class="dated">Hà Nội, ngày 05 tháng 02 năm 2026</p>' in html  # zeros as the decree asks
    assert "HỒ SƠ" in html.upper()
    assert '<p class="function">Người lập</p>' in html and "(Ký, ghi rõ họ tên)" in html
    assert '<p class="signer">Lê Hoàng Nam</p>' in html  # the admin who printed it
    assert "(chức vụ hiện giữ)" in html and "(chức danh quy hoạch)" in html
    assert "Căn cứ:" in html and "<sup>1</sup>" in html  # each legal basis once, cited by number


def test_in_english_the_national_name_and_motto_stay_vietnamese(app, auth, client, clock):
    clock.set_today(date(2026, 11, 30))
    auth.login(*CITY_ADMIN)
    auth.post("/language", {"language": "en", "next": "/"})
    html = client.get(f"/cadres/{cadre_id(app, 'HN-000001')}/print").get_data(as_text=True)
    assert REPUBLIC in html and MOTTO in html
    assert '<p class="dated">Hanoi, 30/11/2026</p>' in html
    assert "Prepared by" in html and "(Signature and full name)" in html and "Legal bases:" in html
