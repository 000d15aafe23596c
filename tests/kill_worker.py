"""A worker for tests/test_killed_worker.py: does one piece of work against the test database and,
at a chosen point inside its transaction, writes a marker file and waits to be killed.

    python -m tests.kill_worker DATABASE_URL MARKER WHEN JOB ARGS...

WHEN is "first-write" (just after the transaction's first INSERT/UPDATE/DELETE) or "commit" (every
statement sent, the COMMIT not yet), or "never" (the work finishes and commits). JOB is
`import FILE` (the cadre import, as `flask cadres import` runs it) or `submit ATTEMPT EMAIL` (the
quiz submit through the app's request handling, as a server worker runs it)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sqlalchemy import event

from app import create_app
from app.extensions import db


def _block(marker: str) -> None:
    Path(marker).write_text("in the transaction")
    time.sleep(600)  # until SIGKILL


def _hook(engine, marker: str, when: str) -> None:
    if when == "commit":
        event.listen(engine, "commit", lambda _connection: _block(marker))
    elif when == "first-write":

        def after(_conn, _cursor, statement, *_args):
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
                _block(marker)

        event.listen(engine, "after_cursor_execute", after)


def main(url: str, marker: str, when: str, job: str, *args: str) -> None:
    from tests.helpers import Auth, config_for, csrf_token

    app = create_app(config_for(url))
    if job == "import":
        with app.app_context():
            _hook(db.engine, marker, when)
        result = app.test_cli_runner().invoke(args=["cadres", "import", args[0]])
        print(result.output)
        sys.exit(result.exit_code)
    attempt_id, email = args
    client = app.test_client()
    Auth(client, app).login(email)  # before the hook: the login writes its own session
    token = csrf_token(client, f"/attempts/{attempt_id}")
    with app.app_context():
        _hook(db.engine, marker, when)
    response = client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    print(response.status_code)


if __name__ == "__main__":
    main(*sys.argv[1:])
