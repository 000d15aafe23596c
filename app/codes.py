"""The code alphabet: units, cadres, courses and titles are named by codes written in it.

ASCII letters, digits, ".", "_" and "-", at most 40 (the column's length), starting with a letter
or digit: every code in use (units such as "SO-NV-TCCB" or "000.00.00.H26", employee codes, course
codes) fits, and nothing that can break a header, a file name or a CSV cell does.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from app.errors import ValidationFailed
from app.text import nfc

CODE_MAX = 40
CODE_RE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{CODE_MAX - 1}}}")

CODE_MESSAGE = _l(
    "Unit and other codes have at most %(max)s characters: letters A–Z without diacritics, digits, "
    "dots, hyphens and underscores.",
    max=CODE_MAX,
)


def is_code(value: str) -> bool:
    """Whether `value` is written in the code alphabet (units, cadres, courses, titles)."""
    return CODE_RE.fullmatch(value) is not None


def check_code(value: str, field: str = "code") -> str:
    """`value` stripped, if it is a code (see `is_code`). Raises ValidationFailed(field=field)."""
    value = nfc(value).strip()
    if not is_code(value):
        raise ValidationFailed(CODE_MESSAGE, field=field)
    return value
