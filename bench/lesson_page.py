"""Benchmark: a learner's lesson page, quiz attempt page and answer save under gunicorn, beside a
trivial Flask route.

    .venv/bin/python bench/lesson_page.py [--requests 3000] [--concurrency 8] [--workers 2]
        [--worker-class sync|gthread] [--threads 4] [--rounds 3]

Builds a fresh database (SQLite in a temporary folder, or BENCH_DATABASE_URL), times the import
of courses/, logs a learner in, enrols them in CDS-LD and then, with concurrent clients on
127.0.0.1 (wrk), loads one lesson page, the page of a started attempt at the course's graded quiz,
and the save of an answer on it (POSTed as the quiz page's script does, alternating between two
options so that every save writes). Prints throughput and latency percentiles for each, for the
floor of any logged-in page in the same app (bench/floor_app.py) and for a trivial Flask route
served the same way, and each one's throughput as a share of the trivial route's. The load
generator shares the machine's two cores with the server, so absolute figures are conservative;
the shares are the useful numbers.

Both servers run side by side and the routes take turns, in `--rounds` rounds of a share of the
requests each: a machine whose speed drifts during the run (a shared virtual machine does, by a
fifth or more over a minute) then slows every route alike instead of the one it happens to be
loading. Each route's throughput is its requests over its seconds in all rounds; its latencies
are the median of the rounds'.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time

from common import ROOT, bench_env, csrf, flask, load, logged_in, serving


def attempt_and_answers(client, port: int) -> tuple[str, list[dict]]:
    """A started attempt at CDS-LD's graded quiz: its page, and two saves of its first question."""
    quiz = "/courses/CDS-LD/lessons/kiem-tra-cuoi-khoa"
    _, html, _ = client.request("GET", quiz)
    start = re.search(r'action="([^"]*/start)"', html)[1]
    _, _, headers = client.request("POST", start, {"csrf_token": csrf(html)})
    attempt = headers["Location"].replace(f"http://127.0.0.1:{port}", "")
    status, html, _ = client.request("GET", attempt)
    assert status == 200 and "data-autosave" in html, status
    field = re.search(r'type="radio" name="([^"]+)"', html)[1]
    values = re.findall(rf'name="{field}" value="([^"]+)"', html)[:2]
    token = csrf(html)
    return attempt, [{"csrf_token": token, "qids": field.removeprefix("q-"), field: v} for v in values]


def pooled(runs: list[dict]) -> dict:
    """One route's figures over its rounds: requests over seconds, the median of each latency."""
    return {
        "rps": sum(r["requests"] for r in runs) / sum(r["seconds"] for r in runs),
        **{p: statistics.median(r[p] for r in runs) for p in ("p50", "p95", "p99")},
        "errors": sum(r["errors"] for r in runs),
        "tool": runs[0]["tool"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=4, help="per worker, with gthread")
    parser.add_argument("--rounds", type=int, default=3, help="turns each route takes")
    args = parser.parse_args()
    server = (args.workers, args.worker_class, args.threads)

    tmp, url, env = bench_env("boiduong-bench-")
    flask(env, "db", "upgrade")
    started = time.perf_counter()
    out = flask(env, "courses", "import")
    import_seconds = time.perf_counter() - started
    courses = out.count(": created") + out.count(": unchanged") + out.count(": updated")
    flask(env, "users", "create", "bench@example.vn", "--password", "bench-password")

    with (
        serving("floor_app:app", server, env, ROOT / "bench") as (port, _server),
        serving("trivial_app:app", server, env, ROOT / "bench") as (trivial_port, _trivial),
    ):
        client = logged_in(port, "bench@example.vn", "bench-password")
        _, html, _ = client.request("GET", "/courses/CDS-LD")
        status, _, headers = client.request("POST", "/courses/CDS-LD/enrol", {"csrf_token": csrf(html)})
        lesson = headers["Location"].replace(f"http://127.0.0.1:{port}", "")
        status, html, _ = client.request("GET", lesson)
        assert status == 200 and "lesson" in html, status
        client.request("GET", lesson)
        attempt, saves = attempt_and_answers(client, port)
        routes = {  # name: (port, path, cookies, forms to POST in turn)
            "trivial route": (trivial_port, "/", {}, None),
            "logged-in floor": (port, "/bench/floor", client.cookies, None),
            "lesson page": (port, lesson, client.cookies, None),
            "attempt page": (port, attempt, client.cookies, None),
            "answer save": (port, f"{attempt}/save", client.cookies, saves),
        }
        per_round = max(1, args.requests // args.rounds)
        turns = {name: [] for name in routes}
        for _ in range(args.rounds):
            for name, (route_port, path, cookies, posts) in routes.items():
                turns[name].append(load(route_port, path, cookies, per_round, args.concurrency, posts))
    stats = {name: pooled(runs) for name, runs in turns.items()}
    trivial_stats = stats["trivial route"]

    db = url.split(":", 1)[0]
    threads = f" × {args.threads} threads" if args.worker_class == "gthread" else ""
    print(
        f"database: {db}; gunicorn {args.worker_class} workers: {args.workers}{threads}; "
        f"clients: {args.concurrency}; requests: {args.requests}"
    )
    print(
        f"import of courses/ ({courses} courses, fresh database): {import_seconds:.2f} s "
        "(including the flask command's start-up)"
    )
    print(f"load generator: {trivial_stats['tool']}; {args.rounds} rounds, routes taking turns")
    for name, s in stats.items():
        print(
            f"{name:15} {s['rps']:7.0f} req/s {s['rps'] / trivial_stats['rps']:5.0%} of trivial  "
            f"p50 {s['p50']:6.1f} ms  p95 {s['p95']:6.1f} ms  p99 {s['p99']:6.1f} ms  errors {s['errors']}"
        )


if __name__ == "__main__":
    main()
