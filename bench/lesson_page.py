"""Benchmark: a learner's lesson page under gunicorn, beside a trivial Flask route.

    .venv/bin/python bench/lesson_page.py [--requests 3000] [--concurrency 8] [--workers 2]

Builds a fresh database (SQLite in a temporary folder, or BENCH_DATABASE_URL), times the import
of courses/, logs a learner in, enrols them and then loads one lesson page with concurrent
clients on 127.0.0.1. Prints throughput and latency percentiles for both servers, and for the
floor of any logged-in page in the same app (bench/floor_app.py). The load
generator shares the machine's cores with the server, so absolute figures are conservative;
the ratio between the two is the useful number.
"""

from __future__ import annotations

import argparse
import time

from common import ROOT, bench_env, csrf, flask, load, logged_in, serving, trivial_route


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    tmp, url, env = bench_env("boiduong-bench-")
    flask(env, "db", "upgrade")
    started = time.perf_counter()
    out = flask(env, "courses", "import")
    import_seconds = time.perf_counter() - started
    courses = out.count(": created") + out.count(": unchanged") + out.count(": updated")
    flask(env, "users", "create", "bench@example.vn", "--password", "bench-password")

    with serving("floor_app:app", args.workers, env, ROOT / "bench") as (port, _server):
        client = logged_in(port, "bench@example.vn", "bench-password")
        _, html, _ = client.request("GET", "/courses/CDS-LD")
        status, _, headers = client.request("POST", "/courses/CDS-LD/enrol", {"csrf_token": csrf(html)})
        lesson = headers["Location"].replace(f"http://127.0.0.1:{port}", "")
        status, html, _ = client.request("GET", lesson)
        assert status == 200 and "lesson" in html, status
        client.request("GET", lesson)
        lesson_stats = load(port, lesson, client.cookies, args.requests, args.concurrency)
        floor_stats = load(port, "/bench/floor", client.cookies, args.requests, args.concurrency)
    trivial_stats = trivial_route(args.workers, env, args.requests, args.concurrency)

    db = url.split(":", 1)[0]
    print(
        f"database: {db}; gunicorn sync workers: {args.workers}; clients: {args.concurrency}; "
        f"requests: {args.requests}"
    )
    print(
        f"import of courses/ ({courses} courses, fresh database): {import_seconds:.2f} s "
        "(including the flask command's start-up)"
    )
    print(f"load generator: {lesson_stats['tool']}")
    rows = (("lesson page", lesson_stats), ("logged-in floor", floor_stats), ("trivial route", trivial_stats))
    for name, s in rows:
        print(
            f"{name:15} {s['rps']:7.0f} req/s  p50 {s['p50']:6.1f} ms  p95 {s['p95']:6.1f} ms  "
            f"p99 {s['p99']:6.1f} ms  errors {s['errors']}"
        )
    print(f"lesson page / trivial route: {lesson_stats['rps'] / trivial_stats['rps']:.0%}")
    print(f"logged-in floor / trivial route: {floor_stats['rps'] / trivial_stats['rps']:.0%}")


if __name__ == "__main__":
    main()
