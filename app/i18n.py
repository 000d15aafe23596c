"""Language: Vietnamese by default, English when the user picks it."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, session
from flask_babel import get_locale
from flask_login import current_user

from app import labels
from app.extensions import babel
from app.labels import format_score


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["date"] = labels.date_words
    app.jinja_env.filters["datetime"] = labels.datetime_words
    app.jinja_env.filters["score"] = format_score
    app.jinja_env.filters["number"] = labels.number_words
    app.jinja_env.filters["percent"] = labels.percent_words
    app.jinja_env.filters["label"] = lambda code, kind: labels.label(kind, code)
    app.jinja_env.globals["label"] = labels.label
    app.jinja_env.globals["level_label"] = labels.level_label
    app.jinja_env.globals["get_locale"] = get_locale
