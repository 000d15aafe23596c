"""What the in-process benchmarks share: an app on a freshly migrated, empty database."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))


def fresh_app(url: str | None = None, tmp: Path | None = None):
    """(app, temporary folder, database URL): SQLite in the folder, or BENCH_DATABASE_URL (emptied).

    The caller runs inside `with app.app_context(), app.test_request_context():`; the schema has
    been dropped and rebuilt by the project's migrations.
    """
    tmp = tmp or Path(tempfile.mkdtemp(prefix="boiduong-bench-"))
    url = url or os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.update(BOIDUONG_ENV="development", DATABASE_URL=url, INSTANCE_PATH=str(tmp))

    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db
    from app.models import Base

    app = create_app()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(db.engine)
        upgrade()
    return app, tmp, url


def analyze(db) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL)."""
    from sqlalchemy import text

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))


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


@contextmanager
def serving(app: str, workers, env: dict, cwd: Path = ROOT, options: tuple[str, ...] = ()):
    """(port, process) of gunicorn serving `app` on a free port of 127.0.0.1, stopped on leaving;
    `workers` as `worker_options` takes it, `options` more gunicorn options (e.g. `--keep-alive 5`)."""
    port = free_port()
    server = start_gunicorn(app, port, workers, env, cwd, options)
    try:
        yield port, server
    finally:
        server.terminate()
        server.wait()


def trivial_route(workers, env: dict, total: int, concurrency: int) -> dict:
    """The baseline: the smallest Flask route (bench/trivial_app.py), served and loaded the same way."""
    with serving("trivial_app:app", workers, env, ROOT / "bench") as (port, _server):
        return load(port, "/", {}, total, concurrency)


def worker_options(workers) -> list[str]:
    """gunicorn's options for `workers`: a count of sync workers, or (count, class, threads)."""
    if isinstance(workers, int):
        return ["--workers", str(workers)]
    count, kind, threads = workers
    return ["--workers", str(count), "--worker-class", kind] + (
        ["--threads", str(threads)] if kind == "gthread" else []
    )


def start_gunicorn(
    app: str, port: int, workers, env: dict, cwd: Path, options: tuple[str, ...] = ()
) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            *worker_options(workers),
            *options,  # after: a --workers among them wins
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


WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
"""


def load(
    port: int, path: str, cookies: dict, total: int, concurrency: int, posts: list[dict] | None = None
) -> dict:
    """Load `path` with `concurrency` clients: wrk (a C program) when installed, else Python threads.

    wrk runs for about as long as `total` requests take and reports what it managed; the
    Python fallback is itself CPU-bound near 1,500 req/s here, which flattens fast routes.
    With `posts`, each request POSTs the next of those forms in turn (as the quiz page's script
    saves an answer: `X-Requested-With: fetch`), so a save can alternate between two answers.
    """
    if shutil.which("wrk"):
        return _load_wrk(port, path, cookies, total, concurrency, posts)
    if posts:
        raise SystemExit("saving answers under load needs wrk (apt-get install wrk)")
    return _load_threads(port, path, cookies, total, concurrency)


def _wrk_posts(path: str, posts: list[dict]) -> str:
    bodies = ", ".join('"' + urlencode(body, doseq=True) + '"' for body in posts)
    # wrk.format's own headers replace wrk.headers (the cookie given with -H, the Host): copied in
    return f"""
local bodies = {{ {bodies} }}
local n = 0
request = function()
  n = n + 1
  local headers = {{}}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["X-Requested-With"] = "fetch"
  return wrk.format("POST", "{path}", headers, bodies[(n % #bodies) + 1])
end
"""


def _load_wrk(port: int, path: str, cookies: dict, total: int, concurrency: int, posts=None) -> dict:
    seconds = max(3, min(20, total // 300))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT + (_wrk_posts(path, posts) if posts else ""))
    command = ["wrk", "-t2", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "10s", "-s", script.name]
    if cookies:
        command += ["-H", "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    os.unlink(script.name)
    requests, duration_us, p50, p95, p99, bad_status, failed = map(int, out.split("BENCH ")[1].split())
    return {
        "rps": requests / (duration_us / 1e6),
        "requests": requests,
        "seconds": duration_us / 1e6,
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "p99": p99 / 1000,
        "errors": bad_status + failed,
        "tool": "wrk",
    }


def _load_threads(port: int, path: str, cookies: dict, total: int, concurrency: int) -> dict:
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
        "requests": len(latencies),
        "seconds": wall,
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
        "errors": errors,
        "tool": "python threads",
    }


def bench_env(prefix: str) -> tuple[Path, str, dict]:
    """(folder, database URL, environment) for the flask and gunicorn processes of a benchmark."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    env = {
        **os.environ,
        "BOIDUONG_ENV": "development",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(tmp),
        "RATELIMIT_ENABLED": "false",
        # The benchmarks measure pages, not logins: the bench admin logs in with a password alone.
        "ADMIN_SECOND_FACTOR": "off",
    }
    return tmp, url, env


def logged_in(port: int, email: str, password: str) -> Client:
    """A client with a session, logged in through the real form (CSRF included)."""
    client = Client(port)
    _, html, _ = client.request("GET", "/login")
    client.request("POST", "/login", {"email": email, "password": password, "csrf_token": csrf(html)})
    return client
