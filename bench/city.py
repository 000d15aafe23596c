"""Benchmark: admin review at Hanoi scale, under gunicorn with concurrent clients on 127.0.0.1.

    .venv/bin/python bench/city.py [--cadres 131565] [--clients 4] [--requests 60]

Builds a fresh database (SQLite in a temporary folder, or BENCH_DATABASE_URL, which is emptied),
imports courses/, seeds the city with `flask demo seed`, then measures: the city dashboard, a unit
drill-down, the units below 80 % on the digital-transformation programme and who in one of them is
overdue, a cadre list, the training-hours report, the assignments page, the full CSV export of
every cadre (time and the serving worker's memory), a learner's lesson page against a trivial
Flask route, and a bulk import of as many new cadres as the city has (dry run, then apply).
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path

from common import bench_env, csrf, flask, fresh_app, load, logged_in, serving, trivial_route


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (the gunicorn workers), in kB."""
    total = 0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


# The seed's assignment: the digital-transformation programme, overdue for a month.
PROGRAMME = "course=CDS-LD&course=VBDT-CKS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=131_565)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    tmp, url, env = bench_env("boiduong-city-")
    fresh_app(url, tmp)  # empties the database and runs the migrations
    flask(env, "courses", "import")
    flask(env, "profiles", "load-defaults")
    started = time.perf_counter()
    seed_output = flask(env, "demo", "seed", "--cadres", str(args.cadres))
    seeded = time.perf_counter() - started
    flask(env, "users", "create", "admin@bench.example", "--role", "admin", "--password", "bench-password")
    results = [
        f"database: {url.split(':', 1)[0]}; cadres: {args.cadres}; seeded in {seeded:.0f} s; "
        f"gunicorn sync workers: {args.workers}; clients: {args.clients}",
        "seeded " + ", ".join(line.strip() for line in seed_output.splitlines() if line.startswith("  ")),
    ]

    with serving("wsgi:app", args.workers, env) as (port, server):
        admin = logged_in(port, "admin@bench.example", "bench-password")
        pages = [
            ("city dashboard", "/review/"),
            ("unit drill-down", "/review/?unit=S01"),
            ("programme < 80%", f"/review/?{PROGRAMME}&below=80"),
            ("overdue in unit", f"/review/cadres?unit=P001-1&{PROGRAMME}"),
            ("cadre list", "/review/cadres?unit=S01-02"),
            ("hours report", "/review/hours"),
            ("assignments", "/review/assignments"),
        ]
        for name, path in pages:
            assert admin.request("GET", path)[0] == 200, path
            s = load(port, path, admin.cookies, args.requests, args.clients)
            results.append(
                f"{name:16} p50 {s['p50']:7.1f} ms  p95 {s['p95']:7.1f} ms  {s['rps']:6.1f} req/s  "
                f"errors {s['errors']}"
            )
        before = rss_kb(server.pid)
        t = time.perf_counter()
        status, body, _ = admin.request("GET", "/review/export.csv?what=cadres")
        export_seconds = time.perf_counter() - t
        after = rss_kb(server.pid)
        results.append(
            f"full CSV export: {body.count(chr(10)) - 1} cadres in {export_seconds:.1f} s; workers' "
            f"memory {before // 1024} MB before, {after // 1024} MB after (status {status})"
        )

        learner = logged_in(port, "cb000001@seed.boiduong.vn", "seed-password")
        lesson = "/courses/CDS-LD/lessons/hieu-dung-chuyen-doi-so"
        learner.request("GET", "/courses/CDS-LD")
        status, _, _ = learner.request("GET", lesson)
        if status != 200:  # not enrolled in this course: enrol first
            _, html, _ = learner.request("GET", "/courses/CDS-LD")
            learner.request("POST", "/courses/CDS-LD/enrol", {"csrf_token": csrf(html)})
        lesson_stats = load(port, lesson, learner.cookies, 1000, 8)
    trivial = trivial_route(args.workers, env, 1000, 8)
    results.append(
        f"lesson page {lesson_stats['rps']:.0f} req/s (p95 {lesson_stats['p95']:.1f} ms) vs trivial route "
        f"{trivial['rps']:.0f} req/s: {lesson_stats['rps'] / trivial['rps']:.0%}"
    )

    rng = random.Random(3)
    path = tmp / "cadres.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["Mã cán bộ", "Họ và tên", "Ngày sinh", "Giới tính", "Loại cán bộ", "Mã đơn vị", "Ngạch"]
        )
        for n in range(args.cadres):
            writer.writerow(
                [
                    f"NEW{n:07d}",
                    f"Nguyễn Văn {n}",
                    f"{rng.randrange(1, 28):02d}/{rng.randrange(1, 13):02d}/{rng.randrange(1965, 2000)}",
                    rng.choice(("Nam", "Nữ")),
                    "công chức",
                    f"S{rng.randrange(1, 17):02d}-0{rng.randrange(1, 9)}",
                    "Chuyên viên",
                ]
            )
    t = time.perf_counter()
    flask(env, "cadres", "import", str(path), "--dry-run")
    dry = time.perf_counter() - t
    t = time.perf_counter()
    out = flask(env, "cadres", "import", str(path))
    applied = time.perf_counter() - t
    results.append(
        f"bulk import of {args.cadres} rows: dry run {dry:.0f} s, apply {applied:.0f} s "
        f"({out.strip().splitlines()[-1]})"
    )
    print("\n".join(results))


if __name__ == "__main__":
    main()
