"""Benchmark: drawing certificate PDFs with WeasyPrint, one and then --count in one process.

    .venv/bin/python bench/certificate_pdf.py [--count 100]

No database: the facts are made up (a different cadre and number each time). Prints the time of
the first PDF (fonts and stylesheets loaded cold), then of --count more, and how one PDF's time
splits between the HTML (Jinja and the QR code), WeasyPrint's layout and writing the PDF (font
subsetting included).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date

from common import ROOT  # noqa: F401  (puts the project on sys.path)


def facts(n: int):
    from app.certificates.facts import CertificateFacts

    return CertificateFacts(
        number=f"GCN-2026-{n:08d}",
        cadre_name=f"Nguyễn Thị Ánh Tuyết {n}",
        course_code="CDS-01",
        course_title="Chuyển đổi số trong cơ quan hành chính nhà nước cấp xã, phường",
        edition=3,
        hours=8,
        score=86.5,
        completed_on=date(2026, 3, 5),
        issued_on=date(2026, 3, 6),
        issuer="Sở Nội vụ thành phố Hà Nội",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="boiduong-bench-")
    os.environ.update(
        BOIDUONG_ENV="development", DATABASE_URL=f"sqlite:///{tmp}/unused.sqlite3", INSTANCE_PATH=tmp
    )

    from weasyprint import HTML

    from app import create_app
    from app.certificates.facts import CertificateStatus
    from app.certificates.paper import certificate_html, certificate_pdf, static_prefix
    from app.certificates.pdf import BASE, OwnFilesOnly

    app = create_app()
    status = CertificateStatus()
    url = "https://boiduong.hanoi.gov.vn/verify/"
    with app.app_context(), app.test_request_context():
        start = time.perf_counter()
        size = len(certificate_pdf(facts(0), status, url + facts(0).number))
        first = time.perf_counter() - start

        times = []
        start_all = time.perf_counter()
        for n in range(1, args.count + 1):
            start = time.perf_counter()
            certificate_pdf(facts(n), status, url + facts(n).number)
            times.append(time.perf_counter() - start)
        total = time.perf_counter() - start_all

        split = {"html": [], "layout": [], "write": []}
        for n in range(20):
            one = facts(10_000 + n)
            t0 = time.perf_counter()
            html = certificate_html(one, status, url + one.number)
            t1 = time.perf_counter()
            document = HTML(string=html, base_url=BASE, url_fetcher=OwnFilesOnly(static_prefix())).render()
            t2 = time.perf_counter()
            document.write_pdf()
            t3 = time.perf_counter()
            split["html"].append(t1 - t0)
            split["layout"].append(t2 - t1)
            split["write"].append(t3 - t2)

    ms = 1000
    print(f"first PDF (cold): {first * ms:.0f} ms, {size / 1024:.0f} KiB")
    print(
        f"{args.count} PDFs in one process: {total:.2f} s, {args.count / total:.1f} PDFs/s; "
        f"each: median {statistics.median(times) * ms:.0f} ms, max {max(times) * ms:.0f} ms"
    )
    whole = sum(statistics.median(v) for v in split.values())
    print(
        "one PDF, median of 20: "
        + ", ".join(
            f"{part} {statistics.median(v) * ms:.1f} ms ({statistics.median(v) / whole:.0%})"
            for part, v in split.items()
        )
    )


if __name__ == "__main__":
    main()
