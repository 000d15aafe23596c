"""The simulated cadre of the exam-day benchmark (bench/exam_day.py), for Locust used as a library.

Import this module first in its process: Locust patches the standard library for gevent when it
is imported. One Locust process with FastHttpUser (geventhttpclient, a few times cheaper per
request than requests) keeps the load generator's share of the two cores small: the app and the
database run on the same machine.

Each cadre runs the exam once, as a browser with app/static/quiz.js does (see `ExamCadre.exam`).
"""

from __future__ import annotations

import html
import random
import re
import time
import unicodedata
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
from exam_check import COURSE_CODE, EMAIL, PASSWORD, STEPS
from locust import FastHttpUser, constant, task
from locust.env import Environment
from locust.exception import StopUser

COURSE_DIR = Path(__file__).resolve().parent / "exam_course"
COURSE = COURSE_CODE
LESSON = "quy-che-thi"
QUIZ = "bai-thi"
RETRIES = 8  # quiz.js retries for ever; a cadre here gives up after this many failures in a row
SKILL = 0.8  # the chance that a cadre answers a question right (the key is in the course file)


def answer_key(path: Path = COURSE_DIR / "02-bai-thi.md") -> dict[str, dict]:
    """{qid: {"right": [texts], "wrong": [texts], "accepted": [texts]}} read from the quiz file."""
    key: dict[str, dict] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"## .*\{#([a-z0-9-]+)", line)
        if heading:
            current = key.setdefault(heading[1], {"right": [], "wrong": [], "accepted": []})
        elif current is not None and (choice := re.match(r"- \[([ x])\] (.+)", line)):
            current["right" if choice[1] == "x" else "wrong"].append(choice[2].strip())
        elif current is not None and (accepted := re.match(r"= (.+)", line)):
            current["accepted"].append(accepted[1].strip())
    return key


KEY = answer_key()
FIELDSET = re.compile(r'<fieldset\b[^>]*\bid="question-([^"]+)"[^>]*>(.*?)</fieldset>', re.S)
INPUT = re.compile(r"<input\b([^>]*)>")
ATTR = re.compile(r'([\w-]+)="([^"]*)"')
TAG = re.compile(r"<[^>]+>")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf(page: str) -> str:
    found = CSRF.search(page)
    if not found:
        raise Abandon("no CSRF token in the page")
    return html.unescape(found[1] or found[2])


def questions(page: str) -> list[dict]:
    """The attempt page's questions: qid, kind (radio, checkbox, text), field name, options
    [(value, label text)]."""
    found = []
    for qid, block in FIELDSET.findall(page):
        options, kind, name = [], None, None
        for match in INPUT.finditer(block):
            attrs = dict(ATTR.findall(match[1]))
            if attrs.get("name") in (None, "qids"):
                continue
            kind, name = attrs.get("type", "text"), attrs["name"]
            end = block.find("</label>", match.end())
            label = " ".join(html.unescape(TAG.sub("", block[match.end() : end])).split())
            options.append((html.unescape(attrs.get("value", "")), label))
        if name:
            found.append({"qid": qid, "kind": kind, "name": name, "options": options})
    return found


def reply(question: dict, rng: random.Random) -> tuple[list[tuple[str, str]], dict]:
    """(form pairs, the reply the server should store) for one question, right with chance SKILL."""
    key = KEY.get(question["qid"], {"right": [], "wrong": [], "accepted": []})
    right = rng.random() < SKILL
    name, options = question["name"], question["options"]
    if question["kind"] == "text":
        text = (
            key["accepted"][0]
            if right and key["accepted"]
            else rng.choice(["không nhớ", "chưa rõ", "bỏ qua"])
        )
        return [(name, text)], {"text": unicodedata.normalize("NFC", text.strip())}
    good = [value for value, label in options if label in key["right"]]
    bad = [value for value, label in options if value not in good]
    if question["kind"] == "checkbox":
        chosen = good if right and good else rng.sample([v for v, _ in options], rng.randint(1, len(options)))
        return [(name, v) for v in chosen], {"choices": chosen}
    choice = rng.choice(good if right and good else bad or good)
    return [(name, choice)], {"choice": choice}


def multipart(pairs: list[tuple[str, str]]) -> tuple[bytes, str]:
    """The body a browser's FormData sends (multipart/form-data) and its Content-Type."""
    boundary = "----exam" + uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in pairs
    ]
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    return body, f"multipart/form-data; boundary={boundary}"


@dataclass
class Shared:
    """What the cadres report to the run: acknowledged saves, attempts started, how each ended."""

    users: int = 0
    save_every: tuple[float, float] = (2.0, 4.0)
    accounts: int = 0
    finished: int = 0
    submitted: int = 0
    acks: list[tuple[int, str, dict]] = field(default_factory=list)
    started: set[int] = field(default_factory=set)
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    abandoned: Counter = field(default_factory=Counter)


SHARED = Shared()


class Abandon(Exception):
    """A step went wrong: the cadre stops (as a real one would call the help desk)."""


def path_of(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class ExamCadre(FastHttpUser):
    """One cadre sitting the exam once (no loop)."""

    wait_time = constant(0)
    # A browser sends a request again, POSTs included, when the server had closed the kept-alive
    # connection it reused (gunicorn gthread closes idle ones after 2 s, shorter than the pause
    # between saves); geventhttpclient retries only GETs unless told (`on_start`).
    max_retries = 1

    def on_start(self) -> None:
        self.client.client._may_retry = lambda _request: True

    network_timeout = 120.0
    connection_timeout = 120.0

    def step(
        self,
        name: str,
        method: str,
        path: str,
        *,
        body=None,
        content_type=None,
        fetch=False,
        expect=200,
        retry=False,
    ):
        """The response; with `retry`, None for a server error or a lost connection (quiz.js keeps
        the answers and tries again), else Abandon for anything but `expect`."""
        headers = {"Content-Type": content_type} if content_type else {}
        if fetch:
            headers["X-Requested-With"] = "fetch"  # quiz.js's fetch()
        with self.client.request(
            method, path, name=name, data=body, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            status = response.status_code or 0
            SHARED.statuses[name][status] += 1
            if status not in (expect if isinstance(expect, tuple) else (expect,)):
                error = getattr(response, "error", None) if not status else None
                response.failure(f"HTTP {status}, expected {expect}" + (f": {error!r}" if error else ""))
                if retry and (status == 0 or status >= 500):
                    return None
                raise Abandon(f"{name}: HTTP {status}")
            response.success()
            return response

    def form(self, name: str, path: str, pairs: list[tuple[str, str]]):
        return self.step(
            name,
            "POST",
            path,
            body=urlencode(pairs).encode(),
            content_type="application/x-www-form-urlencoded",
            expect=302,
        )

    @task
    def exam(self) -> None:
        SHARED.accounts += 1
        number = SHARED.accounts
        if number > SHARED.users:
            raise StopUser()
        try:
            self.sit(number, random.Random(number))
        except Abandon as exc:
            SHARED.abandoned[str(exc).split(":")[0]] += 1
        except Exception as exc:  # noqa: BLE001 (a connection error ends this cadre, not the run)
            SHARED.abandoned[type(exc).__name__] += 1
        finally:
            SHARED.finished += 1
        raise StopUser()

    def log_in(self, number: int, rng: random.Random) -> None:
        """As login.js does in a login storm: the form sent with fetch; a 429 with Retry-After (every
        password check of the server taken, app/auth/budget.py) is waited out, plus a little
        jitter, and the same form sent again. "login, waits included" is what the cadre sees."""
        page = self.step("login page", "GET", "/login").text
        form = [("csrf_token", csrf(page)), ("email", EMAIL.format(number)), ("password", PASSWORD)]
        began = time.perf_counter()
        for _ in range(LOGIN_TRIES):
            response = self.step(
                "login",
                "POST",
                "/login",
                body=urlencode(form).encode(),
                content_type="application/x-www-form-urlencoded",
                fetch=True,
                expect=(302, 429),
            )
            if response.status_code == 302:
                self.environment.events.request.fire(
                    request_type="POST",
                    name="login, waits included",
                    response_time=(time.perf_counter() - began) * 1000,
                    response_length=0,
                    exception=None,
                    context={},
                )
                return
            gevent.sleep(float(response.headers.get("Retry-After", "3")) + rng.uniform(0, 2))
        raise Abandon("login: still asked to wait")

    def sit(self, number: int, rng: random.Random) -> None:
        self.log_in(number, rng)
        course = f"/courses/{COURSE}"
        page = self.step("course page", "GET", course).text
        lesson = f"{course}/lessons/{LESSON}"
        if f'action="{course}/enrol"' in page:
            lesson = path_of(
                self.form("enrol", f"{course}/enrol", [("csrf_token", csrf(page))]).headers["Location"]
            )
        page = self.step("lesson page", "GET", lesson).text
        self.form("lesson complete", f"{course}/lessons/{LESSON}/complete", [("csrf_token", csrf(page))])
        page = self.step("quiz page", "GET", f"{course}/lessons/{QUIZ}").text
        start = f"{course}/quizzes/{QUIZ}/start"
        if f'action="{start}"' not in page:
            raise Abandon("quiz page: no start button (an attempt already used?)")
        attempt = path_of(self.form("start", start, [("csrf_token", csrf(page))]).headers["Location"])
        attempt_id = int(re.search(r"/attempts/(\d+)", attempt)[1])
        SHARED.started.add(attempt_id)
        page = self.step("attempt page", "GET", attempt).text
        token = csrf(page)
        shown = questions(page)
        save, submit = f"/attempts/{attempt_id}/save", f"/attempts/{attempt_id}/submit"
        # quiz.js: every answer not yet acknowledged waits in the page and goes with the next save;
        # after a failure it retries after 2 s, 4 s, 8 s … at most 30 s
        waiting: dict[str, tuple[list, dict]] = {}
        answers: list[tuple[str, str]] = []
        backoff = 0.0
        for question in shown + [None] * RETRIES:
            if question is None and not waiting:
                break
            gevent.sleep(backoff if question is None else rng.uniform(*SHARED.save_every))
            if question is not None:
                waiting[question["qid"]] = reply(question, rng)
                answers += waiting[question["qid"]][0]
            pairs = [("csrf_token", token)]
            for qid, (fields, _stored) in waiting.items():
                pairs += [("qids", qid), *fields]
            body, content_type = multipart(pairs)
            response = self.step(
                "save", "POST", save, body=body, content_type=content_type, fetch=True, retry=True
            )
            if response is None:
                backoff = min(backoff * 2 or 2.0, 30.0)
                continue
            backoff = 0.0
            if response.json().get("saved") is True:
                SHARED.acks += [(attempt_id, qid, stored) for qid, (_fields, stored) in waiting.items()]
                waiting.clear()
        # the submission: the whole form, as quiz.js sends FormData(form), then the result page
        body, content_type = multipart(
            [("csrf_token", token), *(("qids", q["qid"]) for q in shown), *answers]
        )
        for n in range(RETRIES + 1):
            done = self.step(
                "submit",
                "POST",
                submit,
                body=body,
                content_type=content_type,
                fetch=True,
                expect=302,
                retry=True,
            )
            if done is not None:
                break
            gevent.sleep(min(2.0 * 2**n, 30.0))
        else:
            raise Abandon("submit: no answer from the server")
        self.step("result page", "GET", path_of(done.headers["Location"]))
        SHARED.submitted += 1


LOGIN_TRIES = 60  # a cadre who is asked to wait for three minutes calls the exam's organiser


def run(host: str, users: int, spawn_rate: float, save_every: tuple[float, float], limit: float) -> dict:
    """Run `users` cadres arriving `spawn_rate` a second against `host`; wait until every one has
    finished (or `limit` seconds); return the figures per step and what the cadres reported."""
    SHARED.users, SHARED.save_every = users, save_every
    env = Environment(user_classes=[ExamCadre], host=host)
    runner = env.create_local_runner()
    started = time.monotonic()
    runner.start(users, spawn_rate=spawn_rate)
    shown = 0.0
    while SHARED.finished < users and time.monotonic() - started < limit:
        gevent.sleep(0.5)
        if time.monotonic() - shown >= 15:
            shown = time.monotonic()
            print(
                f"  {time.monotonic() - started:5.0f} s: {SHARED.accounts} arrived, "
                f"{SHARED.finished} finished, "
                f"{len(SHARED.acks)} answers saved, {env.stats.total.num_failures} failures",
                flush=True,
            )
    wall = time.monotonic() - started
    runner.quit()
    steps = {}
    for name, method in STEPS:
        entry = env.stats.entries.get((name, method))
        if entry is None or not entry.num_requests:
            steps[name] = {"count": 0, "failures": 0, "p50": None, "p95": None, "p99": None, "statuses": {}}
            continue
        steps[name] = {
            "count": entry.num_requests,
            "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
            "max": entry.max_response_time,
            "statuses": {str(k): v for k, v in sorted(SHARED.statuses[name].items())},
        }
    return {
        "users": users,
        "spawn_rate": spawn_rate,
        "wall_seconds": round(wall, 1),
        "finished": SHARED.finished,
        "submitted": SHARED.submitted,
        "unfinished": users - SHARED.finished,
        "abandoned": dict(SHARED.abandoned),
        "steps": steps,
        "errors": [f"{e.method} {e.name}: {e.error} ({e.occurrences}x)" for e in env.stats.errors.values()],
        "acks": list(SHARED.acks),
        "started": sorted(SHARED.started),
    }
