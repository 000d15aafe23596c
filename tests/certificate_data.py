"""Certificate facts and PDF tools the certificate tests share (credential, paper, command line, browser)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

from app.certificates.facts import CertificateFacts
from tests import helpers

# A signed credential's facts and the status list it points at.
BASE = "https://boiduong.hanoi.gov.vn"
LIST_URL = f"{BASE}/certificates/status/1"
CREDENTIAL_FACTS = CertificateFacts(
    number="GCN-2026-7KQ4M9XZ",
    cadre_name="Nguyễn Thị Lan",
    course_code="CDS-01",
    course_title="Chuyển đổi số trong cơ quan nhà nước",
    edition=3,
    hours=16,
    score=87.5,
    completed_on=date(2026, 5, 4),
    issued_on=date(2026, 5, 5),
    issuer="Sở Nội vụ thành phố Hà Nội",
    replaces="GCN-2026-AB12CD34",
    status_index=42,
)

# A printed certificate's facts and the URL its QR code holds.
VERIFY_URL = "https://boiduong.hanoi.gov.vn/verify/GCN-2026-7KQ4M9XZ"
PAPER_FACTS = CertificateFacts(
    number="GCN-2026-7KQ4M9XZ",
    cadre_name="Nguyễn Thị Ánh Tuyết",
    course_code="CDS-01",
    course_title="Chuyển đổi số trong cơ quan hành chính nhà nước cấp xã, phường",
    edition=3,
    hours=8,
    score=86.56,
    completed_on=date(2026, 3, 5),
    issued_on=date(2026, 3, 6),
    issuer="Sở Nội vụ thành phố Hà Nội",
)


def require(*tools: str) -> None:
    """Skip (fail under REQUIRE_PDF_TOOLS=1) unless WeasyPrint loads and every tool is on PATH."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    try:
        import weasyprint  # noqa: F401  (needs the Pango system library)
    except OSError as error:
        missing.append(f"Pango for WeasyPrint ({error})")
    if not missing:
        return
    helpers.missing(
        f"missing {', '.join(missing)}: apt-get install poppler-utils zbar-tools fonts-dejavu-core",
        "REQUIRE_PDF_TOOLS",
    )


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout
