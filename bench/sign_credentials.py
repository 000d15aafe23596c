"""Benchmark: signing and verifying certificate credentials, and building the status list.

    .venv/bin/python bench/sign_credentials.py [--count 1000] [--rounds 5]

Times, for --count distinct certificates (best of --rounds): building and signing the credentials
(app.certificates.credential.sign), verifying them without a status list, and verifying them
against a signed status list (which decodes the 16 KB list each time, as the command line does);
then building and signing a status list with 1% of 131,072 entries revoked. No database.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BOIDUONG_ENV", "test")

from app.certificates import credential, keys, status_list  # noqa: E402
from app.certificates.facts import CertificateFacts  # noqa: E402
from app.certificates.verify import verify  # noqa: E402

BASE = "https://boiduong.hanoi.gov.vn"
LIST_URL = f"{BASE}/certificates/status/1"


def _facts(count: int) -> list[CertificateFacts]:
    day = date(2026, 1, 5)
    return [
        CertificateFacts(
            number=f"GCN-2026-{i:08X}",
            cadre_name=f"Nguyễn Văn Cán Bộ {i}",
            course_code=f"KH-{i % 40:02d}",
            course_title="Chuyển đổi số trong cơ quan hành chính nhà nước",
            edition=1 + i % 3,
            hours=8 + i % 32,
            score=None if i % 5 == 0 else 50 + (i * 7) % 50,
            completed_on=day + timedelta(days=i % 300),
            issued_on=day + timedelta(days=i % 300 + 1),
            issuer="Sở Nội vụ thành phố Hà Nội",
            status_index=i,
        )
        for i in range(count)
    ]


def _best(rounds: int, work) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ring = keys.KeyRing(keys.generate())
    facts = _facts(args.count)
    tokens = [credential.sign(ring.signing, f, BASE, LIST_URL) for f in facts]
    now = datetime.now(UTC)
    revoked = range(0, status_list.MIN_BITS, 100)  # 1,311 revoked of 131,072
    listed = status_list.sign_status_list(ring.signing, LIST_URL, revoked, now, BASE)
    assert all(verify(t, ring).valid for t in tokens)

    per = 1000 / args.count
    results = {
        "sign (build + JWS)": _best(
            args.rounds, lambda: [credential.sign(ring.signing, f, BASE, LIST_URL) for f in facts]
        ),
        "verify (signature)": _best(args.rounds, lambda: [verify(t, ring) for t in tokens]),
        "verify (signature + status list)": _best(
            args.rounds, lambda: [verify(t, ring, listed) for t in tokens]
        ),
    }
    print(f"{args.count} credentials, average token {sum(map(len, tokens)) // len(tokens)} bytes")
    for name, seconds in results.items():
        each = seconds / args.count * 1e6
        print(f"  {name:34s} {seconds * per * 1000:8.1f} ms per 1,000  ({each:6.1f} µs each)")
    build = _best(
        args.rounds, lambda: status_list.sign_status_list(ring.signing, LIST_URL, revoked, now, BASE)
    )
    print(f"status list of 131,072 entries, {len(revoked)} revoked: {len(listed)} bytes signed")
    print(f"  {'encode + sign':34s} {build * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
