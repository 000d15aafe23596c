"""Language: Vietnamese by default, English when the user picks it.

A page's strings are translated by the request's catalogue, looked up once per request and
locale: Flask-Babel's own Jinja callables look it up anew for every string (about ten context
lookups each, and a quiz page has sixty strings). The lookup follows `force_locale`, which swaps
the locale object the cached catalogue is checked against.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, session
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations
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


def _babel_locale(g):
    """The locale Flask-Babel has resolved for this context (its own cache), or None."""
    return getattr(getattr(g, "_flask_babel", None), "babel_locale", None)


def request_translations():
    """The catalogue of the current request's locale, kept on `g` beside the locale it is for."""
    ctx = _cv_app.get(None)
    if ctx is None:
        return get_translations()
    locale = _babel_locale(ctx.g)
    cached = getattr(ctx.g, "_i18n_catalogue", None)
    if cached is None or locale is None or cached[0] is not locale:
        translations = get_translations()  # resolves (and caches) the locale too
        cached = ctx.g._i18n_catalogue = (get_locale(), translations)
    return cached[1]


def request_locale():
    """`flask_babel.get_locale`, without its context lookups once the locale is resolved."""
    ctx = _cv_app.get(None)
    return (_babel_locale(ctx.g) if ctx is not None else None) or get_locale()


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.filters["date"] = labels.date_words
    app.jinja_env.filters["datetime"] = labels.datetime_words
    app.jinja_env.filters["score"] = format_score
    app.jinja_env.filters["number"] = labels.number_words
    app.jinja_env.filters["percent"] = labels.percent_words
    app.jinja_env.filters["label"] = lambda code, kind: labels.label(kind, code)
    app.jinja_env.globals["label"] = labels.label
    app.jinja_env.globals["level_label"] = labels.level_label
    app.jinja_env.globals["get_locale"] = request_locale
