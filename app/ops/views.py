"""`/healthz` and `/readyz`, for the proxy in front of the app servers (README "Running in production").

Both are public, cheap and plain JSON, never cached and never rate-limited. `/healthz` says the
process answers and touches nothing else: no database, no session, no account. `/readyz` says
whether the process can serve pages: 503 while the database does not answer or is not migrated
to the code's head. Neither sets a cookie (they set no session key, and their own Cache-Control
keeps the security headers from asking whether anyone is logged in).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from app.access import PUBLIC, allow
from app.extensions import limiter
from app.ops import health

bp = Blueprint("health", __name__)


def _answer(ok: bool, reason: str):
    response = jsonify(status="ok" if ok else "unavailable", reason=reason)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
@allow(PUBLIC)
@limiter.exempt
def healthz():
    return _answer(True, "the process answers")


@bp.route("/readyz")
@allow(PUBLIC)
@limiter.exempt
def readyz():
    result = health.readiness(current_app)
    return _answer(result.ok, result.reason)
