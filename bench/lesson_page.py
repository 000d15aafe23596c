"""Benchmark: a learner's lesson page under gunicorn, beside a trivial Flask route.

    .venv/bin/python bench/lesson_page.py [--requests 3000] [--concurrency 8] [--workers 2]

Builds a fresh database (SQLite in a temporary folder, or BENCH_DATABASE_URL), times the import
of courses/, logs a learner in, enrols them and then loads one lesson page with concurrent
clients on 127.0.0.1. Prints throughput and latency percentiles for both servers. The load
generator shares the machine's cores with the server, so absolute figures are conservative;
the ratio between the two is the useful number.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env: dict, *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def start_gunicorn(app: str, port: int, workers: int, env: dict, cwd: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=cwd,
        env=env,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"gunicorn {app} did not start")


class Client:
    """A tiny cookie-keeping HTTP client (a new connection per request, as gunicorn sync does)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        conn.close()
        return response.status, text, dict(response.headers)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)[1]


def load(port: int, path: str, cookies: dict, total: int, concurrency: int) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))

    def worker():
        nonlocal errors
        client = Client(port)
        client.cookies = dict(cookies)
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            start = time.perf_counter()
            status, _, _ = client.request("GET", path)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                errors += status != 200

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / wall,
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="boiduong-bench-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    env = {
        **os.environ,
        "BOIDUONG_ENV": "development",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(tmp),
        "RATELIMIT_ENABLED": "false",
    }
    flask(env, "db", "upgrade")
    started = time.perf_counter()
    out = flask(env, "courses", "import")
    import_seconds = time.perf_counter() - started
    courses = out.count(": created") + out.count(": unchanged") + out.count(": updated")
    flask(env, "users", "create", "bench@example.vn", "--password", "bench-password")

    port = free_port()
    server = start_gunicorn("wsgi:app", port, args.workers, env, ROOT)
    try:
        client = Client(port)
        _, html, _ = client.request("GET", "/login")
        client.request(
            "POST",
            "/login",
            {"email": "bench@example.vn", "password": "bench-password", "csrf_token": csrf(html)},
        )
        _, html, _ = client.request("GET", "/courses/CDS-LD")
        status, _, headers = client.request("POST", "/courses/CDS-LD/enrol", {"csrf_token": csrf(html)})
        lesson = headers["Location"].replace(f"http://127.0.0.1:{port}", "")
        status, html, _ = client.request("GET", lesson)
        assert status == 200 and "lesson" in html, status
        client.request("GET", lesson)
        lesson_stats = load(port, lesson, client.cookies, args.requests, args.concurrency)
    finally:
        server.terminate()
        server.wait()

    port = free_port()
    server = start_gunicorn("trivial_app:app", port, args.workers, env, ROOT / "bench")
    try:
        trivial_stats = load(port, "/", {}, args.requests, args.concurrency)
    finally:
        server.terminate()
        server.wait()

    db = url.split(":", 1)[0]
    print(
        f"database: {db}; gunicorn sync workers: {args.workers}; clients: {args.concurrency}; "
        f"requests: {args.requests}"
    )
    print(
        f"import of courses/ ({courses} courses, fresh database): {import_seconds:.2f} s "
        "(including the flask command's start-up)"
    )
    for name, s in (("lesson page", lesson_stats), ("trivial route", trivial_stats)):
        print(
            f"{name:14} {s['rps']:7.0f} req/s  p50 {s['p50']:6.1f} ms  p95 {s['p95']:6.1f} ms  "
            f"p99 {s['p99']:6.1f} ms  errors {s['errors']}"
        )
    print(f"lesson page / trivial route: {lesson_stats['rps'] / trivial_stats['rps']:.0%}")


if __name__ == "__main__":
    main()
