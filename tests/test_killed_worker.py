"""A worker killed mid-request leaves no partial write (issue 18): the cadre import and the quiz
submit run in a process of their own, which stops inside its transaction (after its first write,
or with every statement sent and the COMMIT not yet) and is killed with SIGKILL. The database then
holds all of the work or none of it, and the work done again afterwards counts once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AttemptAnswer, AuditEntry, Cadre, QuizAttempt
from tests.helpers import ROOT, cadres_csv
from tests.quiz_fixtures import enrol_and_start, post_attempt, right_answers

ROWS = 120


def _run_and_kill(database_url: str, tmp_path: Path, when: str, *job: str) -> None:
    """Run the worker until it stands inside its transaction, then kill -9 it."""
    marker = tmp_path / f"marker-{when}"
    output = tmp_path / f"worker-{when}.log"
    with output.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.kill_worker", database_url, str(marker), when, *job],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while not marker.exists():
        if worker.poll() is not None:
            pytest.fail(f"the worker ended before its transaction's {when}: {output.read_text()}")
        if time.monotonic() > deadline:
            worker.kill()
            worker.wait()
            pytest.fail("the worker never reached its transaction")
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    assert worker.wait(timeout=10) == -signal.SIGKILL


def _count(app, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(where[0]).where(*where[1:]))


@pytest.mark.parametrize("when", ["first-write", "commit"])
def test_a_cadre_import_killed_mid_transaction_writes_nothing(world, app, database_url, tmp_path, when):
    path = tmp_path / "cb.csv"
    path.write_bytes(cadres_csv(ROWS))
    audit_before = _count(app, AuditEntry)
    _run_and_kill(database_url, tmp_path, when, "import", str(path))
    assert _count(app, Cadre, Cadre.employee_code.like("HN-8%")) == 0
    assert _count(app, AuditEntry) == audit_before
    # the same import run to its end: every row
    result = app.test_cli_runner().invoke(args=["cadres", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert _count(app, Cadre, Cadre.employee_code.like("HN-8%")) == ROWS


@pytest.mark.parametrize("when", ["first-write", "commit"])
def test_a_quiz_submit_killed_mid_transaction_leaves_the_attempt_open(
    app, learner, quiz_course, auth, client, database_url, tmp_path, when
):
    quiz_course()
    attempt_id = enrol_and_start(auth, client)
    form = right_answers(app, attempt_id)
    post_attempt(auth, attempt_id, "save", form, _qids(app, attempt_id))
    _run_and_kill(database_url, tmp_path, when, "submit", str(attempt_id), "learner@example.vn")
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert (attempt.status, attempt.submitted_at, attempt.percent) == ("open", None, None)
    assert _count(app, AttemptAnswer, AttemptAnswer.mark.is_not(None)) == 0
    # submitted again once the worker is gone: graded once
    response = post_attempt(auth, attempt_id, "submit", {}, [])
    assert response.status_code == 302
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.status == "submitted" and attempt.percent == 100
    assert _count(app, AttemptAnswer, AttemptAnswer.mark.is_not(None)) == len(_qids(app, attempt_id))
    assert _count(app, QuizAttempt) == 1


def _qids(app, attempt_id: int) -> list[str]:
    with app.app_context():
        return [entry["qid"] for entry in db.session.get(QuizAttempt, attempt_id).draw]
