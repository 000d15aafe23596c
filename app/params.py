"""Bounded request inputs: ids in paths, and the page, year, date, code and text query parameters.

Every value a visitor puts in a URL passes through here before a query, a date calculation or a
header sees it, so that no value (an id past the column's range, page 10^20, year 0, a day the
date type cannot move past, a code with a line break, a NUL byte PostgreSQL refuses) costs a 500.
An id out of range is a 404 (no such thing can exist); a parameter out of range is a 400 whose
message says what is accepted, or is clamped where that is what a person expects: page 0 shows
the first page, a page past the last shows the last.

The bounds, and why:
- ids 1 .. 2^31-1: every primary key is an `integer` column on SQLite and PostgreSQL
  (PostgreSQL refuses a larger number in a comparison with an error, SQLite a number past 2^63).
- pages 1 .. the last (a number past PAGE_MAX is treated as PAGE_MAX before the query, so the
  OFFSET stays small; the result past the last is then the last page).
- years 1900 .. 2100 and dates 1900-01-01 .. 2100-12-31: the oldest serving cadre was born after
  1900 and nothing is planned past 2100, while the date type fails a day past 9999-12-31 (an
  "end" filter adds a day).
- text in a path (course codes, slugs, tokens): at most 200 characters, no control characters.
- codes: ASCII letters, digits, ".", "_" and "-", at most 40 (the column's length), starting with
  a letter or digit: every code in use (units such as "SO-NV-TCCB" or "000.00.00.H26", employee
  codes, course codes) fits, and nothing that can break a header, a file name or a CSV cell does.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from flask import Flask, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

from app.codes import CODE_MESSAGE, is_code
from app.errors import ValidationFailed
from app.extensions import db
from app.labels import date_words
from app.text import nfc

DB_INT_MAX = 2**31 - 1
PAGE_MAX = 1_000_000
PATH_TEXT_MAX = 200
FIRST_YEAR, LAST_YEAR = 1900, 2100
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
_WHOLE_RE = re.compile(r"[+-]?[0-9]+")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


_DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PERCENT_RE = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{1,4})?")


class BadParameter(ValidationFailed):
    """A query parameter the page cannot use (400); the message, in the reader's language, is shown."""


def is_id(value: int) -> bool:
    """Whether `value` can be a primary key (1 .. 2^31-1)."""
    return 0 < value <= DB_INT_MAX


class IdConverter(IntegerConverter):
    """The app's `int` converter: ASCII digits naming a possible primary key, else no such page."""

    regex = r"[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if not is_id(number):
            raise ValidationError()
        return number


class TextConverter(UnicodeConverter):
    """The app's default converter: a path segment of at most PATH_TEXT_MAX characters, none of
    them a control character (PostgreSQL refuses a NUL in a query), else no such page."""

    def __init__(self, map, minlength: int = 1, maxlength: int = PATH_TEXT_MAX, length: int | None = None):
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f]", 1)


def init_app(app: Flask) -> None:
    """Make `<int:...>` in every route an id, and `<name>` a segment without control characters
    (call before the blueprints are registered)."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    app.register_error_handler(BadParameter, _bad_parameter)


def _bad_parameter(error: BadParameter):
    from app.errors_web import render_error

    return render_error(400, str(error.message))


# --- query parameters ---------------------------------------------------------------------------


def _arg(name: str) -> str:
    return request.args.get(name, "").strip()


def _whole(name: str, message: str) -> int | None:
    """The parameter as a whole number (None when absent); huge numbers keep only their sign."""
    raw = _arg(name)
    if not raw:
        return None
    if not _WHOLE_RE.fullmatch(raw):
        raise BadParameter(message, field=name)
    digits = raw.lstrip("+-").lstrip("0") or "0"
    if len(digits) > 12:  # past any bound here; int() of thousands of digits is slow
        return -(10**12) if raw.startswith("-") else 10**12
    return int(raw)


def clamped(name: str, default: int, low: int, high: int, message: str | None = None) -> int:
    """A whole number (`default` when absent) brought into low .. high. Raises BadParameter when
    it is not a whole number."""
    number = _whole(name, message or _("A number in the address is not a whole number."))
    return default if number is None else min(max(number, low), high)


def page_number(name: str = "page") -> int:
    """The page asked for: 1 when absent; below 1 is 1, past PAGE_MAX is PAGE_MAX. Raises
    BadParameter when it is not a whole number."""
    return clamped(name, 1, 1, PAGE_MAX, _("The page number must be a whole number, such as 2."))


def paginate(stmt: Select, per_page: int, name: str = "page"):
    """One page of `stmt`, the page asked for in `name`; a page past the last shows the last."""
    number = page_number(name)
    page = db.paginate(stmt, page=number, per_page=per_page, error_out=False, count=True)
    if number > 1 and not page.items and page.pages:
        page = db.paginate(stmt, page=page.pages, per_page=per_page, error_out=False, count=True)
    return page


def year(name: str = "year", default: int | None = None) -> int | None:
    """The year asked for (`default` when absent). Raises BadParameter outside 1900 .. 2100."""
    message = _(
        "The year must be a whole number from %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR
    )
    number = _whole(name, message)
    if number is None:
        return default
    if not FIRST_YEAR <= number <= LAST_YEAR:
        raise BadParameter(message, field=name)
    return number


def day(name: str) -> date | None:
    """The date asked for as yyyy-mm-dd (None when absent). Raises BadParameter when it is not a
    date or falls outside 1900-01-01 .. 2100-12-31."""
    raw = _arg(name)
    if not raw:
        return None
    message = _(
        "Dates must be real dates from %(first)s to %(last)s.",
        first=date_words(FIRST_DAY),
        last=date_words(LAST_DAY),
    )
    try:
        value = date.fromisoformat(raw) if _DAY_RE.fullmatch(raw) else None
    except ValueError:
        value = None
    if value is None or not FIRST_DAY <= value <= LAST_DAY:
        raise BadParameter(message, field=name)
    return value


def percent(name: str) -> float | None:
    """A percentage from 0 to 100 (a comma or a point before the decimals; None when absent).
    Raises BadParameter otherwise."""
    raw = _arg(name)
    if not raw:
        return None
    if not _PERCENT_RE.fullmatch(raw) or float(raw.replace(",", ".")) > 100:
        raise BadParameter(_("The percentage must be a number from 0 to 100."), field=name)
    return float(raw.replace(",", "."))


def code(name: str, args=None) -> str | None:
    """A code asked for in `args` (default: the query string; None when absent). Raises
    BadParameter when it is not in the code alphabet."""
    raw = (request.args if args is None else args).get(name, "").strip()
    if not raw:
        return None
    if not is_code(raw):
        raise BadParameter(CODE_MESSAGE, field=name)
    return raw


def codes(name: str, limit: int = 100) -> list[str]:
    """Every code asked for under `name` (a repeated parameter), at most `limit` of them. Raises
    BadParameter for one that is not in the code alphabet."""
    found = [c.strip() for c in request.args.getlist(name)[:limit] if c.strip()]
    if not all(is_code(c) for c in found):
        raise BadParameter(CODE_MESSAGE, field=name)
    return found


def choice(name: str, choices, default: str = "", *, strict: bool = False) -> str:
    """The parameter if it is one of `choices`, else `default` (a stale link keeps working).
    With `strict`, a value given that is not one of them raises BadParameter instead: where the
    default would answer something other than what was asked (another table to download)."""
    value = request.args.get(name, "")
    if value in choices:
        return value
    if strict and value:
        raise BadParameter(_("Unknown value of “%(name)s”.", name=name), field=name)
    return default


def only(*names: str) -> MultiDict:
    """The query parameters called `names`, to carry over into a page's links (never all of them:
    `url_for(**request.args)` fails on a parameter that is also an argument of the call)."""
    return MultiDict([(k, v) for k, v in request.args.items(multi=True) if k in names])


def text(name: str, max_length: int = 100) -> str:
    """Free text to search for: NFC, without control characters (PostgreSQL refuses NUL), trimmed."""
    return _CONTROL_RE.sub(" ", nfc(request.args.get(name, "")[: max_length * 4])).strip()[:max_length]


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect): browsers read a backslash
    as a slash ("/\\evil.example" is another site) and a control character cannot go in a header."""
    if target and len(target) <= 2000 and "\\" not in target and target.isprintable():
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("learning.home")
