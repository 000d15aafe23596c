"""Turning errors into pages in the site's layout (or JSON for clients that ask for it)."""

from __future__ import annotations

import contextlib

from flask import Flask, current_app, render_template, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc
from werkzeug.exceptions import HTTPException

from app import outage
from app.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.messages import Message

_DOMAIN_STATUS = {NotFound: 404, PermissionDenied: 403, ValidationFailed: 400, Conflict: 409}


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("This action is not allowed here"),
        409: _("This conflicts with the current state"),
        413: _("The upload is too large"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
    }


def _messages() -> dict[int, str]:
    return {
        400: _("Please go back and try again."),
        403: _("If you think you should see it, ask your unit's administrator."),
        404: _("The address may be mistyped, or the page has been removed."),
        405: _("Please go back and use the buttons on the page."),
        409: _("Please reload the page and try again."),
        413: _("Please send a smaller file."),
        429: _("Please wait a minute before trying again."),
        500: _("The error has been logged. Please try again in a moment."),
    }


def render_error(status: int, detail: str | None = None):
    status = status if status in _titles() else 500
    if request.accept_mimetypes.best == "application/json":
        return {"error": _titles()[status], "detail": detail}, status
    return render_template(
        "errors/error.html",
        status=status,
        title=_titles()[status],
        message=detail or _messages()[status],
    ), status


def _wants_json() -> bool:
    fetched = request.headers.get("X-Requested-With") == "fetch"
    return fetched or request.accept_mimetypes.best == "application/json"


def unavailable(error: BaseException):
    """The answer while the database is away: 503 with Retry-After, our own page in the reader's
    language (from the session cookie, never the account: loading it needs the database) or JSON
    for fetch requests. Nothing here may touch the database. Any other database error is a bug:
    re-raised, Flask logs it and answers 500."""
    if not outage.is_outage(error):
        raise error
    outage.failed(error)
    with contextlib.suppress(exc.SQLAlchemyError):  # the connection is gone; the pool replaces it
        db.session.rollback()
    wait = current_app.config.get("OUTAGE_RETRY_AFTER", 15)
    locale = session.get("locale")
    if locale not in current_app.config["LANGUAGES"]:
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    headers = {"Retry-After": str(wait), "Cache-Control": "no-store"}  # no-store: no account check after
    with force_locale(locale):
        title = _("The service is briefly unavailable")
        if _wants_json():
            return {"error": title, "retry_after": wait}, 503, headers
        # Rendered without Flask's context processors: Flask-Login's would load the account.
        page = current_app.jinja_env.get_template("errors/unavailable.html").render(
            request=request,
            locale=locale,
            title=title,
            message=_("Please try again in a minute: this page tries again by itself."),
            wait=wait,
        )
    return page, 503, headers


def _recovery() -> None:
    """First thing in a request after this process saw the database fail: record the outage if
    the database answers again. While it does not, the request goes on: a page that needs the
    database gets 503 from its own query, one that does not (a health check) is served."""
    if not outage.in_outage():
        return
    try:
        outage.recovered(db.engine)
    except (exc.DBAPIError, exc.TimeoutError) as error:
        if not outage.is_outage(error):
            raise
        outage.failed(error)


def init_app(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _recovery)  # before the account is loaded
    app.register_error_handler(exc.DBAPIError, unavailable)
    app.register_error_handler(exc.TimeoutError, unavailable)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, CSRFError):
            current_app.logger.info("CSRF refused: %s", error.description)
            return render_error(400, _("The form has expired. Please reload the page and try again."))
        if (error.code or 500) >= 500:
            db.session.rollback()  # Flask has logged the original exception already
        return render_error(error.code or 500)

    for exc_class, status in _DOMAIN_STATUS.items():
        app.register_error_handler(exc_class, lambda error, status=status: render_error(status, _said(error)))


def _said(error: DomainError) -> str | None:
    """The error's message when it was written for people (a translation: lazy, or a checker's
    `Message`), else None: messages
    such as "not your attempt" are for the log, and the page then says what the status means."""
    message = getattr(error, "message", None)
    if message is None and error.args:
        message = error.args[0]
    return str(message) if isinstance(message, LazyString | Message) else None
