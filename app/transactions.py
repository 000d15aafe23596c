"""One commit point per request: after the view returns, in one place.

Views and services never commit. Every view runs inside `_transactional`: when it returns, what it
wrote is committed; when it raises (a domain error on its way to the error page, an abort, a
bug), everything is rolled back. A view that shows a validation error at a form field calls
`discard()` (`app.form_errors.field_error` does), and the request's writes are rolled back instead
of committed. A part that may fail while the rest stands (an answer sent after the time limit,
then the attempt closed) runs in a savepoint: `with db.session.begin_nested(): ...`.

GET pages read. The few that must write say why with `@allow(..., get_writes="why")`; any other
GET that writes is a bug: the test suite fails on it (TESTING), and a live server logs it and rolls
the writes back.
"""

from __future__ import annotations

from functools import wraps

from flask import Flask, Response, current_app, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

_WROTE = "boiduong.wrote"
_DISCARD = "boiduong.discard"
_KEPT = "boiduong.kept"


class UndeclaredWrite(RuntimeError):
    """A GET handler wrote to the database without declaring why (`@allow(..., get_writes=...)`)."""


def discard(session: Session | None = None) -> None:
    """Roll this request's writes back at its end instead of committing them."""
    (session or db.session).info[_DISCARD] = True


def keep(session: Session, row) -> None:
    """Hold `row` for the rest of the request: the identity map holds rows weakly, and a row loaded
    by the access guard is looked up again by the view (`session.get`, then with no statement)."""
    session.info.setdefault(_KEPT, []).append(row)


def _after_flush(session: Session, _context) -> None:
    session.info[_WROTE] = True


def _orm_execute(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def _finish(view_name: str, get_writes: str | None, streamed: bool) -> None:
    session = db.session()  # the request's Session itself, not the scoped proxy
    wrote = session.info.get(_WROTE) or bool(session.new or session.dirty or session.deleted)
    if session.info.get(_DISCARD):
        session.rollback()
    elif wrote and request.method in ("GET", "HEAD") and not get_writes:
        session.rollback()
        message = f"GET {view_name} wrote to the database without declaring why (get_writes=)"
        if current_app.testing:
            raise UndeclaredWrite(message)
        current_app.logger.error("%s: rolled back", message)
    elif streamed:
        # The body is produced after the session has closed, from what the view loaded (the
        # account's language, the unit asked about): the commit must not expire it.
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    else:
        session.commit()
    for key in (_WROTE, _DISCARD, _KEPT):
        session.info.pop(key, None)


def transactional(view):
    """`view` with the request's commit point around it."""

    @wraps(view)
    def run(*args, **kwargs):
        for key in (_WROTE, _DISCARD):
            db.session.info.pop(key, None)
        try:
            response = view(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise
        streamed = isinstance(response, Response) and response.is_streamed
        _finish(view.__name__, getattr(view, "get_writes", None), streamed)
        return response

    return run


def init_app(app: Flask) -> None:
    """Wrap every view registered so far (call after the blueprints are registered)."""
    # One `db` serves every app made in this process (the tests make many): listen once.
    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _orm_execute)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = transactional(view)
