"""Benchmark: certificates for a seeded city's completions, issued by `flask certificates issue --all`.

    .venv/bin/python bench/issue_certificates.py [--cadres 131565]

Builds a fresh database (SQLite in a temporary folder, or BENCH_DATABASE_URL, which is emptied),
imports courses/, seeds the city with `flask demo seed` (its completions predate certificates, as a
city's would on the day the feature arrives), then times the command that issues a certificate for
each completion, a second run (nothing left to issue), and a lookup by number as the public
verification page makes it.
"""

from __future__ import annotations

import argparse
import time

from common import bench_env, flask, fresh_app
from sqlalchemy import func, select

from app.certificates import service
from app.extensions import db
from app.models import Certificate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=131565)
    args = parser.parse_args()
    tmp, url, env = bench_env("boiduong-certificates-")
    app, _tmp, _url = fresh_app(url, tmp)  # the same database as the commands below
    flask(env, "courses", "import")
    started = time.perf_counter()
    flask(env, "demo", "seed", "--cadres", str(args.cadres))
    print(f"seeded {args.cadres:,} cadres in {time.perf_counter() - started:.0f} s ({url.split(':')[0]})")

    started = time.perf_counter()
    out = flask(env, "certificates", "issue", "--all")
    seconds = time.perf_counter() - started
    print(out.strip().splitlines()[-1])
    print(f"flask certificates issue --all, whole command: {seconds:.1f} s")
    started = time.perf_counter()
    again = flask(env, "certificates", "issue", "--all").strip()
    print(f"second run: {again!r} in {time.perf_counter() - started:.1f} s")

    with app.app_context():
        count = db.session.scalar(select(func.count(Certificate.id)))
        numbers = list(db.session.scalars(select(Certificate.number).order_by(func.random()).limit(1000)))
        started = time.perf_counter()
        for number in numbers:
            service.by_number(db.session, number)
        per = (time.perf_counter() - started) / len(numbers) * 1000
        print(f"{count:,} certificates; a lookup by number (the verification page's query): {per:.2f} ms")


if __name__ == "__main__":
    main()
