"""Language: Vietnamese by default, English when the user picks it.

A page's strings are translated by the request's catalogue, looked up once per request and
locale: Flask-Babel's own Jinja callables look it up anew for every string (about ten context
lookups each, and a quiz page has sixty strings). The lookup follows `force_locale`, which swaps
the locale object the cached catalogue is checked against.
"""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask import Flask
from flask.globals import _cv_app, _cv_request
from flask_babel import get_locale, get_translations
from flask_login import current_user

from app import labels
from app.extensions import babel
from app.labels import format_score


def select_locale() -> Locale:
    """The account's language, else the one chosen in this browser, else Vietnamese. A Locale
    made once per language: Flask-Babel would parse the code anew on every request."""
    app_context, request_context = _cv_app.get(None), _cv_request.get(None)
    config = app_context.app.config
    languages = config["LANGUAGES"]
    chosen = config["BABEL_DEFAULT_LOCALE"]
    if request_context is not None:  # else the command line: the default language
        user = current_user._get_current_object()
        if user.is_authenticated and user.locale in languages:
            chosen = user.locale
        elif (request_context.session or {}).get("locale") in languages:
            chosen = request_context.session["locale"]
    return _locale(chosen)


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(code)


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
