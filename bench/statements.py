"""SQL statements per logged-in page, and how many of them establish who is asking.

Logs a learner in through the real form and reads a few pages twice (the second read is counted),
on a fresh SQLite database. Prints one line per page. Run it on an older checkout to compare:
`cd OLD && python /path/to/bench/statements.py`.
"""

import os
import sys
import tempfile

os.environ["BOIDUONG_ENV"] = "test"
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-long-enough-0123456789")
sys.path.insert(0, os.getcwd())

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from app.auth import service  # noqa: E402
from app.extensions import db  # noqa: E402

PASSWORD = "correct horse battery"


def main() -> None:
    folder = tempfile.mkdtemp(prefix="bench-statements-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        try:  # the accounts service takes the actor since the authorization policy
            from app.policy import SYSTEM

            service.create_user(db.session, SYSTEM, "hv@example.vn", PASSWORD, "learner", "Học Viên")
        except (ImportError, TypeError):  # an older checkout
            service.create_user(db.session, "hv@example.vn", PASSWORD, "learner", "Học Viên")
        db.session.commit()
        engine = db.engine
    client = app.test_client()
    client.post("/login", data={"email": "hv@example.vn", "password": PASSWORD})
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *_a: statements.append(sql))
    for path in ("/courses/", "/my", "/me"):
        client.get(path)
        statements.clear()
        status = client.get(path).status_code
        identity = [s for s in statements if "login_sessions" in s or "FROM users" in s]
        print(f"{path:10} status {status}: {len(statements)} statements, {len(identity)} for identity")


if __name__ == "__main__":
    main()
