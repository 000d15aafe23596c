"""Login sessions kept on the server, so that a login can be ended at once.

The browser's cookie carries a random token; the server keeps its SHA-256 with the device, the
address, when the login started and when it was last seen. A logged-in request costs one
statement (the session joined with its account and the account's unit); `last_seen_at` is written
at most once a minute, on a connection of its own.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.models import LoginSession, User
from app.models.base import utcnow

TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(
    session: Session, user: User, *, ip_address: str, user_agent: str, second_factor: bool
) -> LoginSession:
    """A new login for `user`; the returned row carries its token (only here, never stored)."""
    token = secrets.token_urlsafe(32)
    row = LoginSession(
        token_hash=_hash(token),
        user_id=user.id,
        ip_address=(ip_address or "")[:64],
        user_agent=(user_agent or "")[:300],
        second_factor=second_factor,
    )
    session.add(row)
    session.flush()
    row.token = token
    user.login_session = row
    return row


# Built once: every logged-in request runs it, and building the expression costs as much as
# running it on SQLite.
_OPEN_SESSION = (
    select(LoginSession, User)
    .join(User, User.id == LoginSession.user_id)
    .where(LoginSession.token_hash == bindparam("token_hash"), LoginSession.ended_at.is_(None))
)


def load(session: Session, token: str, idle: timedelta, now: datetime | None = None) -> User | None:
    """The account of an open, not idle session with this token (one statement), or None."""
    now = now or utcnow()
    found = session.execute(_OPEN_SESSION, {"token_hash": _hash(token)}).first()
    if found is None:
        return None
    row, user = found
    if row.last_seen_at < now - idle or not user.is_active:
        return None
    row.token = token
    user.login_session = row
    return user


def needs_touch(row: LoginSession, now: datetime | None = None) -> bool:
    return (now or utcnow()) - row.last_seen_at >= TOUCH_EVERY


def touch_statement(row: LoginSession, now: datetime | None = None):
    """The UPDATE that moves `last_seen_at` (run by the caller on a connection of its own)."""
    return update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=now or utcnow())


def end(session: Session, row: LoginSession, reason: str) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.id == row.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def end_all(session: Session, user_id: int, reason: str, *, keep: int | None = None) -> int:
    """End every open login of an account (but `keep`); returns how many were ended."""
    stmt = update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
    if keep is not None:
        stmt = stmt.where(LoginSession.id != keep)
    return session.execute(stmt.values(ended_at=utcnow(), end_reason=reason)).rowcount


def open_sessions(session: Session, user_id: int, idle: timedelta) -> list[LoginSession]:
    """The account's open logins that have not idled out, the latest first."""
    return list(
        session.scalars(
            select(LoginSession)
            .where(
                LoginSession.user_id == user_id,
                LoginSession.ended_at.is_(None),
                LoginSession.last_seen_at >= utcnow() - idle,
            )
            .order_by(LoginSession.last_seen_at.desc())
        )
    )


def describe_device(user_agent: str) -> str:
    """A short, human name for a browser's User-Agent ("Chrome on Android")."""
    ua = user_agent or ""
    browser = next(
        (name for key, name in _BROWSERS if key in ua),
        "",
    )
    system = next((name for key, name in _SYSTEMS if key in ua), "")
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or (ua[:60] if ua else "?")


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("CocCoc", "Cốc Cốc"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
    ("python", "Python"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)
