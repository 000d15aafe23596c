"""Unicode handling for Vietnamese text: NFC storage and diacritic-insensitive search keys."""

from __future__ import annotations

import re
import unicodedata

_EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "d"})
_WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*")


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC, the one form the platform stores."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Search key: lower case, without diacritics, đ as d, single spaces.

    "Chuyển đổi số" and "chuyen doi so" fold to the same key, and so do the old and new
    tone-mark placements ("hoà" and "hòa").
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA_FOLDS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def like_pattern(term: str) -> str:
    """A LIKE pattern that finds the folded `term` anywhere, with LIKE wildcards escaped."""
    escaped = fold(term).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def word_count(text: str) -> int:
    """Words as a reader counts them: runs of letters and digits, "e-mail" and "l’état" as one."""
    return len(_WORD_RE.findall(text))
