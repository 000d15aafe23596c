"""Language: Vietnamese by default, English when the user picks it."""

from __future__ import annotations

import math

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from app.extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def format_score(value: float | None) -> str:
    """A percentage for reading, cut (not rounded) to one decimal: 49.996 reads 49,9, never 50,
    so what people read never passes a threshold that the stored score does not."""
    if value is None:
        return "—"
    return format_decimal(math.floor(value * 10) / 10, format="#,##0.#")


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["score"] = format_score
    app.jinja_env.globals["get_locale"] = get_locale
