"""Benchmark: exam day. N cadres log in within minutes, sit a 30-question graded quiz, save as they go.

    .venv/bin/python bench/exam_day.py prepare --database-url URL --cadres N [--reset]
    .venv/bin/python bench/exam_day.py run --host http://127.0.0.1:PORT --users N --spawn-rate R \\
        --database-url URL [--save-every 2-4] [--json out.json] [--acks acks.json]
    .venv/bin/python bench/exam_day.py check --database-url URL --acks acks.json
    .venv/bin/python bench/exam_day.py search --database sqlite|postgresql \\
        [--worker-class gthread --workers 2 --threads 8] [--start 250 --max 4000 --step 250]
    .venv/bin/python bench/exam_day.py workers --database sqlite|postgresql --users N

`prepare` makes, on a migrated database (it runs the migrations when the schema is missing), the
exam course THI-2026 (bench/exam_course: a short lesson on the exam rules and a graded quiz of 30
single, multiple, true/false and short questions, 45 minutes, one attempt), imported through
`flask courses import`, and N learner accounts thi00001@bench.boiduong.vn … with the password
"thi-bench-2026" (one hash made by the app's own method, written to every account in bulk: 4,000
accounts take a few seconds). It is idempotent; `--reset` also deletes the bench cadres' exam
records (attempts, answers, enrolments, completions) so that a new run starts equal.

`run` drives Locust headless, as a library (bench/exam_locust.py), against a running server. Each
cadre, once: opens /login, logs in (CSRF), opens the course page, enrols, opens the lesson and marks
it read, opens the quiz page and starts the graded attempt, then for each of the 30 questions waits
2–4 s ("every few seconds", --save-every) and saves its answer exactly as app/static/quiz.js does
(a multipart POST to the attempt's save URL with the page's csrf_token, `qids` and the field, and
`X-Requested-With: fetch`; a 2xx JSON reply with `saved: true` is an acknowledgement), then submits
the whole form as quiz.js does and opens the result page. Cadres answer right four times in five
(the key is read from the course file), so most pass and complete the course at submission: the
completion and its certificate are written in the same request, as on a real exam day. Arrivals:
`--spawn-rate` cadres a second (search and workers use max(5, N/150): everyone within 2–3 minutes).

It prints, per step, the count, failures and p50/p95/p99 in ms, then the loss check
(bench/exam_check.py) on --database-url: every acknowledged answer stored with the value sent, every
started attempt submitted and graded exactly once (closed, score present and equal to the sum of
its marks, one attempt per cadre, one "quiz done" record, at most one course completion, training
record and certificate each), and no 5xx. Exit status 0 when the run passes: p95 of every page load
(the GET steps) and of the saves under 500 ms, no failure in any step, every cadre finished,
nothing lost; 1 otherwise. The logins, enrolment, start and submission (POSTs answered by a redirect)
are shown but not held to the 500 ms. `--json` writes every figure; `--acks` the acknowledgements.

The check does fail when something is lost. By hand, on SQLite (PostgreSQL alike with psql):

    bench/exam_day.py run … --database-url sqlite:////tmp/x.db --acks /tmp/acks.json   # passes
    sqlite3 /tmp/x.db "DELETE FROM attempt_answers WHERE id = (SELECT max(id) FROM attempt_answers)"
    bench/exam_day.py check --database-url sqlite:////tmp/x.db --acks /tmp/acks.json  # lost: 1, exit 1
    sqlite3 /tmp/x.db "UPDATE quiz_attempts SET score = score + 1 WHERE id = 1"   # a second grading
    bench/exam_day.py check …                                          # graded twice: 1, exit 1

To plant faults in a copy instead, copy SQLite with `sqlite3 x.db ".backup copy.db"`, not `cp`:
answers just committed may still sit in the -wal file beside it, and a `cp` copy lacks them (the
check then reports them lost, rightly). tests/test_exam_day_check.py plants the same faults in a
small database.

`search` builds a fresh database (SQLite in a temporary folder, or BENCH_DATABASE_URL for
postgresql, emptied), and for each N it tries: rebuilds it, prepares N cadres, starts gunicorn
(BOIDUONG_ENV=development, RATELIMIT_ENABLED=false, ADMIN_SECOND_FACTOR=off, as bench_env does;
gthread 2 workers × 8 threads unless told), runs the exam, stops the server. It bisects the grid
start, start+step, … max for the largest passing N (about five runs of 16 grid points, not all).
`workers` runs one N against sync 2 and 4 workers and gthread 2×4, 2×8 and 4×4, to choose by
measurement.

Locust, the app and the database share the machine's two cores. Locust runs in one process with
FastHttpUser and regular-expression parsing to keep its share small; it still takes some CPU,
so the figures are conservative for a server that has the cores to itself. A run of N cadres takes
about N / spawn rate + 30 × 3 s + the server's delays (N=100 at 5/s: about two minutes).
"""

from __future__ import annotations

import sys

if __name__ == "__main__" and sys.argv[1:2] == ["run"]:
    import exam_locust  # noqa: F401 (first: Locust patches the standard library for gevent)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from common import ROOT, bench_env, flask, serving  # noqa: E402
from exam_check import CRITERION, EMAIL, LIMIT_MS, PASSWORD, STEPS  # noqa: E402

COURSE_DIR = Path(__file__).resolve().parent / "exam_course"
CONFIGS = {  # the gunicorn configurations `workers` compares
    "sync 2": ("--worker-class", "sync", "--workers", "2"),
    "sync 4": ("--worker-class", "sync", "--workers", "4"),
    "gthread 2x4": ("--worker-class", "gthread", "--workers", "2", "--threads", "4"),
    "gthread 2x8": ("--worker-class", "gthread", "--workers", "2", "--threads", "8"),
    "gthread 4x4": ("--worker-class", "gthread", "--workers", "4", "--threads", "4"),
}


# --- prepare ----------------------------------------------------------------------------------


def prepare(url: str, cadres: int, reset: bool = False) -> None:
    started = time.perf_counter()
    tmp = Path(os.environ.get("INSTANCE_PATH") or tempfile.mkdtemp(prefix="boiduong-exam-prepare-"))
    env = {**os.environ, "BOIDUONG_ENV": "development", "DATABASE_URL": url, "INSTANCE_PATH": str(tmp)}
    os.environ.update(env)
    from flask_migrate import upgrade
    from sqlalchemy import inspect

    from app import create_app
    from app.extensions import db

    app = create_app()
    with app.app_context():
        if not inspect(db.engine).has_table("alembic_version"):
            upgrade()
            print("schema: migrated")
        if reset:
            print(f"reset: {reset_exam(db.session)} exam records of the bench cadres deleted")
    out = flask(env, "courses", "import", str(COURSE_DIR))
    print(out.strip().splitlines()[0])
    with app.app_context():
        made = _accounts(db.session, cadres)
        db.session.commit()
    print(
        f"cadres: {cadres} ({made} new), password {PASSWORD!r}; "
        f"prepared in {time.perf_counter() - started:.1f} s"
    )


def _accounts(session, cadres: int) -> int:
    """Create the missing thiNNNNN accounts, all with one hash of the known password (bulk)."""
    from sqlalchemy import insert, select, update

    from app.models import User

    probe = User()
    probe.set_password(PASSWORD)  # the app's real method, once
    pattern = "thi%@bench.boiduong.vn"
    existing = set(session.scalars(select(User.email).where(User.email.like(pattern))))
    now = probe.password_changed_at
    rows = [
        {
            "email": EMAIL.format(n),
            "full_name": f"Thí sinh {n:05d}",
            "password_hash": probe.password_hash,
            "role": "learner",
            "locale": "vi",
            "is_active_account": True,
            "created_at": now,
            "password_changed_at": now,
        }
        for n in range(1, cadres + 1)
        if EMAIL.format(n) not in existing
    ]
    session.execute(update(User).where(User.email.like(pattern)).values(password_hash=probe.password_hash))
    for i in range(0, len(rows), 1000):
        session.execute(insert(User), rows[i : i + 1000])
    return len(rows)


def reset_exam(session) -> int:
    """Delete the bench cadres' records of the exam course (children first); returns rows deleted."""
    from sqlalchemy import delete, select

    from app.models import (
        AttemptAnswer,
        Certificate,
        CertificateRevocation,
        Course,
        CourseCompletion,
        Enrolment,
        LessonCompletion,
        QuizAttempt,
        User,
    )

    course = session.scalar(select(Course.id).where(Course.code == "THI-2026"))
    if course is None:
        return 0
    users = select(User.id).where(User.email.like("thi%@bench.boiduong.vn")).scalar_subquery()
    attempts = select(QuizAttempt.id).where(QuizAttempt.course_id == course, QuizAttempt.user_id.in_(users))
    completions = select(CourseCompletion.id).where(
        CourseCompletion.course_id == course, CourseCompletion.user_id.in_(users)
    )
    certificates = select(Certificate.id).where(Certificate.course_completion_id.in_(completions))
    enrolments = select(Enrolment.id).where(Enrolment.course_id == course, Enrolment.user_id.in_(users))
    statements = [
        delete(AttemptAnswer).where(AttemptAnswer.attempt_id.in_(attempts)),
        delete(QuizAttempt).where(QuizAttempt.id.in_(attempts)),
        delete(CertificateRevocation).where(CertificateRevocation.certificate_id.in_(certificates)),
        delete(Certificate).where(Certificate.id.in_(certificates)),
        delete(CourseCompletion).where(CourseCompletion.id.in_(completions)),
        delete(LessonCompletion).where(LessonCompletion.enrolment_id.in_(enrolments)),
        delete(Enrolment).where(Enrolment.id.in_(enrolments)),
    ]
    deleted = sum(
        session.execute(s.execution_options(synchronize_session=False)).rowcount for s in statements
    )
    session.commit()
    return deleted


# --- run and check -----------------------------------------------------------------------------


def loss_check(url: str, acks: list, started: list[int] | None):
    os.environ.setdefault("BOIDUONG_ENV", "development")
    from exam_check import Ack, check
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(url)
    with Session(engine) as session:
        report = check(
            session,
            [Ack(a, q, r) for a, q, r in acks],
            started=set(started) if started is not None else None,
        )
    engine.dispose()
    return report


def table(result: dict) -> list[str]:
    def ms(value) -> str:
        return "     -" if value is None else f"{value:6.0f}"

    lines = [f"{'step':16} {'count':>6} {'fail':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  statuses"]
    for name, _method in STEPS:
        s = result["steps"][name]
        held = "*" if name in CRITERION else " "
        statuses = ", ".join(f"{k}: {v}" for k, v in s["statuses"].items())
        lines.append(
            f"{name:15}{held} {s['count']:6} {s['failures']:5} {ms(s['p50'])}  {ms(s['p95'])}  "
            f"{ms(s['p99'])}  {statuses}"
        )
    lines.append(f"* held to p95 < {LIMIT_MS} ms")
    return lines


def verdict(result: dict, report) -> list[str]:
    """What fails the run (empty: it passes)."""
    found = []
    for name, s in result["steps"].items():
        if s["failures"]:
            found.append(f"{name}: {s['failures']} failures")
        if any(k.startswith("5") for k in s["statuses"]):
            found.append(f"{name}: server errors {s['statuses']}")
        if name in CRITERION and s["p95"] is not None and s["p95"] >= LIMIT_MS:
            found.append(f"{name}: p95 {s['p95']:.0f} ms")
    if result["unfinished"]:
        found.append(f"{result['unfinished']} cadres unfinished")
    if result["abandoned"]:
        found.append(f"cadres stopped: {result['abandoned']}")
    if not report.ok:
        found.append("loss check failed")
    return found


def run(args) -> int:
    import exam_locust

    low, _, high = args.save_every.partition("-")
    save_every = (float(low), float(high or low))
    print(
        f"exam day: {args.users} cadres arriving {args.spawn_rate:g}/s at {args.host}, "
        f"an answer saved every {args.save_every} s",
        flush=True,
    )
    result = exam_locust.run(args.host, args.users, args.spawn_rate, save_every, args.limit)
    print("\n".join(table(result)))
    print(
        f"wall time {result['wall_seconds']} s; finished {result['finished']}, "
        f"submitted {result['submitted']}, stopped early {result['abandoned'] or 0}"
    )
    for error in result["errors"][:10]:
        print(f"error: {error}")
    report = loss_check(args.database_url, result["acks"], result["started"])
    print("\n".join(report.lines()))
    problems = verdict(result, report)
    print("verdict: " + ("PASS" if not problems else "FAIL (" + "; ".join(problems) + ")"))
    if args.acks:
        Path(args.acks).write_text(json.dumps({"acks": result["acks"], "started": result["started"]}))
    if args.json:
        figures = {k: v for k, v in result.items() if k not in ("acks", "started")}
        figures.update(loss_check=report.as_dict(), passed=not problems, problems=problems)
        Path(args.json).write_text(json.dumps(figures, indent=1, ensure_ascii=False))
    return 0 if not problems else 1


def check_saved(args) -> int:
    saved = json.loads(Path(args.acks).read_text())
    report = loss_check(args.database_url, saved["acks"], saved.get("started"))
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


# --- search and workers ------------------------------------------------------------------------


def spawn_rate(users: int) -> float:
    """A realistic exam arrival: everyone within about 150 s, at least 5 a second."""
    return round(max(5.0, users / 150), 1)


def empty_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def database_env(kind: str) -> tuple[Path, str, dict]:
    if kind == "postgresql" and not os.environ.get("BENCH_DATABASE_URL", "").startswith("postgresql"):
        raise SystemExit(
            "--database postgresql needs BENCH_DATABASE_URL=postgresql+psycopg://… (it is emptied)"
        )
    if kind == "sqlite":
        os.environ.pop("BENCH_DATABASE_URL", None)
    return bench_env("boiduong-exam-")


def pool_for(options: tuple[str, ...]) -> dict:
    """The server's database connections for its threads (PostgreSQL), unless the environment sets
    them: one kept per thread and half as many more at a busy moment. The default pool (3 + 2) is
    sized for sync workers: with 8 threads, requests queued for a connection (on PostgreSQL, N = 500
    failed with it and passed with 8 + 4)."""
    threads = int(options[options.index("--threads") + 1]) if "--threads" in options else 1
    return {
        "DB_POOL_SIZE": os.environ.get("DB_POOL_SIZE") or str(max(3, threads)),
        "DB_MAX_OVERFLOW": os.environ.get("DB_MAX_OVERFLOW") or str(max(2, threads // 2)),
    }


def trial(env: dict, url: str, users: int, options: tuple[str, ...], tmp: Path) -> dict:
    """One run on a rebuilt database and a fresh server: the figures of `run --json`. The server's
    log and the run's own output go to files in `tmp` (printed with the summary)."""
    env = {**env, **pool_for(options)}
    empty_database(url)
    here = Path(__file__).resolve()
    name = f"{users}-{'-'.join(o.lstrip('-') for o in options)}"
    out, log, server_log = tmp / f"run-{name}.json", tmp / f"run-{name}.txt", tmp / f"gunicorn-{name}.log"
    prepared = subprocess.run(
        [sys.executable, str(here), "prepare", "--database-url", url, "--cadres", str(users)],
        env=env,
        capture_output=True,
        text=True,
    )
    if prepared.returncode:
        raise SystemExit(f"prepare failed:\n{prepared.stdout}{prepared.stderr}")
    # keep-alive 5 s: longer than the 2-4 s between a cadre's saves, so a kept-alive connection is
    # not closed by gunicorn (default 2 s) just as the next save is sent (behind nginx, the proxy
    # keeps the browsers' connections and this does not arise)
    server_options = (*options, "--keep-alive", "5", "--error-logfile", str(server_log), "--capture-output")
    with serving("wsgi:app", 2, env, ROOT, server_options) as (port, _server), log.open("w") as output:
        warm_up(port)
        command = [sys.executable, str(here), "run", "--host", f"http://127.0.0.1:{port}"]
        command += ["--users", str(users), "--spawn-rate", str(spawn_rate(users))]
        command += ["--database-url", url, "--json", str(out)]
        code = subprocess.run(command, env=env, stdout=output, stderr=subprocess.STDOUT).returncode
    result = json.loads(out.read_text()) if out.exists() else {"steps": {}, "problems": ["no result"]}
    result["passed"] = code == 0 and result.get("passed", False)
    result["log"] = str(log)
    return result


def warm_up(port: int, requests: int = 64) -> None:
    """A server already running on exam day: each worker has loaded its templates and opened its
    connections before the first cadre arrives (these requests are not measured)."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    def get(path: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path)
        conn.getresponse().read()
        conn.close()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(get, ["/login", "/readyz", "/healthz", "/"] * (requests // 4)))


def summary(users: int, result: dict) -> str:
    p95 = ", ".join(
        f"{name} {s['p95']:.0f}"
        for name, s in result["steps"].items()
        if name in CRITERION and s.get("p95") is not None
    )
    lost = result.get("loss_check", {})
    return (
        f"N={users:5} at {spawn_rate(users):g}/s: {'PASS' if result['passed'] else 'FAIL'}; p95 ms: {p95}; "
        f"loss check {'ok' if lost.get('ok') else 'FAILED'}"
        + "".join(f"; {p}" for p in result.get("problems", []) if "p95" not in p)
        + f" [{result['log']}]"
    )


def gunicorn_options(args) -> tuple[str, ...]:
    options = ("--worker-class", args.worker_class, "--workers", str(args.workers))
    return options + (("--threads", str(args.threads)) if args.worker_class == "gthread" else ())


def search(args) -> int:
    tmp, url, env = database_env(args.database)
    if args.limiter:
        env["RATELIMIT_ENABLED"] = "true"
    options = gunicorn_options(args)
    grid = list(range(args.start, args.max + 1, args.step))
    print(
        f"search on {args.database}, gunicorn {' '.join(options)}, N in {grid[0]}…{grid[-1]} by {args.step}"
    )
    passed_at, failed_at = -1, len(grid)  # indexes: the largest known pass, the smallest known fail
    tried = {}
    while failed_at - passed_at > 1:
        i = (passed_at + failed_at) // 2
        users = grid[i]
        started = time.perf_counter()
        result = trial(env, url, users, options, tmp)
        tried[users] = result
        print(f"{summary(users, result)} ({time.perf_counter() - started:.0f} s)", flush=True)
        if result["passed"]:
            passed_at = i
        else:
            failed_at = i
    final = grid[passed_at] if passed_at >= 0 else 0
    print(f"largest passing N on {args.database}: {final}" + ("" if final else f" (none from {grid[0]})"))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"database": args.database, "options": options, "final": final, "tried": tried}, indent=1
            )
        )
    return 0


def workers(args) -> int:
    tmp, url, env = database_env(args.database)
    rows = {}
    for name, options in CONFIGS.items():
        rows[name] = trial(env, url, args.users, options, tmp)
        print(f"{name:12} {summary(args.users, rows[name])}", flush=True)
    print(f"\ngunicorn configurations at N={args.users} on {args.database} (p95 ms):")
    steps = ("login page", "login", "attempt page", "save", "submit", "result page")
    print(f"{'':12} " + " ".join(f"{s:>12}" for s in steps) + "  verdict")
    for name, result in rows.items():
        cells = " ".join(f"{result['steps'].get(s, {}).get('p95') or float('nan'):12.0f}" for s in steps)
        print(f"{name:12} {cells}  {'PASS' if result['passed'] else 'FAIL'}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("prepare", help="the exam course and N cadres on a database")
    p.add_argument("--database-url", required=True)
    p.add_argument("--cadres", type=int, required=True)
    p.add_argument("--reset", action="store_true", help="delete the bench cadres' earlier exam records")
    p = commands.add_parser("run", help="run the exam against a server, then check the database")
    p.add_argument("--host", required=True)
    p.add_argument("--users", type=int, required=True)
    p.add_argument("--spawn-rate", type=float, required=True)
    p.add_argument("--database-url", required=True)
    p.add_argument("--save-every", default="2-4", help="seconds between saves, e.g. 2-4")
    p.add_argument(
        "--limit", type=float, default=3600, help="stop waiting for cadres after this many seconds"
    )
    p.add_argument("--json")
    p.add_argument("--acks", help="write the acknowledged answers here (for `check`)")
    p = commands.add_parser("check", help="the loss check again, from the answers `run --acks` wrote")
    p.add_argument("--database-url", required=True)
    p.add_argument("--acks", required=True)
    for name in ("search", "workers"):
        p = commands.add_parser(name)
        p.add_argument("--database", choices=("sqlite", "postgresql"), required=True)
        p.add_argument("--json")
        if name == "search":
            p.add_argument("--worker-class", default="gthread")
            p.add_argument("--workers", type=int, default=2)
            p.add_argument("--threads", type=int, default=8)
            p.add_argument("--start", type=int, default=250)
            p.add_argument("--max", type=int, default=4000)
            p.add_argument("--step", type=int, default=250)
            p.add_argument("--limiter", action="store_true", help="keep the rate limiter on")
        else:
            p.add_argument("--users", type=int, required=True)
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.database_url, args.cadres, args.reset)
        return 0
    return {"run": run, "check": check_saved, "search": search, "workers": workers}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
