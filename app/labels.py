"""The one registry of words for the codes people read: every code a page, a message or an export
for people shows passes through `label(kind, code)` (templates: `{{ code|label("unit_type") }}`).

A leaf module: the tables that belong here are written here; the few that live with their concern
(the rule kinds of the eligibility engine, the audit actions) are added by that concern with
`register`. Titles, scales and levels are the reference data shipped in
app/profiles/reference.yaml (a city's own additions are named in its database: `Names`).

An unknown code reads as itself: a code is never hidden, and the test of the Vietnamese pages
(tests/test_vietnamese_pages.py) fails on every code of this registry shown raw.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import yaml
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_timezone
from flask_babel import lazy_gettext as _l

REFERENCE_FILE = Path(__file__).parent / "profiles" / "reference.yaml"

Table = Mapping[str, object]  # code -> its words (a lazy string, or a plain one from data)


def _reference() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Titles, scales and levels ("scale:level") as the shipped reference data names them."""
    data = yaml.safe_load(REFERENCE_FILE.read_text(encoding="utf-8"))
    titles = {code: name for code, name, _rank in data["titles"]}
    scales = {item["code"]: item["name"] for item in data["scales"]}
    levels = {f"{item['code']}:{code}": name for item in data["scales"] for code, name in item["levels"]}
    return titles, scales, levels


TITLES, SCALES, LEVELS = _reference()

_TABLES: dict[str, dict[str, object]] = {
    "title": dict(TITLES),
    "scale": dict(SCALES),
    "level": dict(LEVELS),
    "unit_type": {
        "city": _l("City"),
        "department": _l("Department"),
        "district": _l("District"),
        "ward": _l("Ward"),
        "commune": _l("Commune"),
        "division": _l("Division"),
        "office": _l("Office"),
        "other": _l("Other unit"),
    },
    "unit_event": {
        "created": _l("Created"),
        "renamed": _l("Renamed"),
        "moved": _l("Moved"),
        "merged": _l("Merged"),
        "dissolved": _l("Dissolved"),
    },
    "gender": {"male": _l("Male"), "female": _l("Female")},
    "staff_type": {
        "cadre": _l("Cadre"),
        "civil_servant": _l("Civil servant"),
        "public_employee": _l("Public employee"),
    },
    "role": {"learner": _l("Learner"), "trainer": _l("Trainer"), "admin": _l("Admin")},
    "question_type": {
        "single": _l("Single choice"),
        "multiple": _l("Multiple choice"),
        "truefalse": _l("True or false"),
        "short": _l("Short answer"),
        "numeric": _l("Numeric answer"),
        "matching": _l("Matching"),
        "ordering": _l("Ordering"),
    },
    "quiz_kind": {"graded": _l("Graded"), "practice": _l("Practice")},
    "lesson_kind": {"page": _l("Lesson"), "quiz": _l("Quiz")},
    "category": {
        "digital-transformation": _l("Digital transformation"),
        "urban-governance": _l("Urban governance"),
        "information-security": _l("Information security"),
        "international": _l("Working in an international environment"),
        "political-theory": _l("Political theory"),
        "state-management": _l("State management"),
        "defence-security": _l("Defence and security"),
        "job-skills": _l("Job-position skills"),
        "other": _l("Other"),
    },
    "rule_status": {"met": _l("Met"), "unmet": _l("Not met"), "conditional": _l("Met on condition")},
    "eligibility": {
        "met": _l("Eligible"),
        "unmet": _l("Not eligible"),
        "conditional": _l("Eligible on condition"),
    },
    "condition": {
        "overdue": _l("Overdue"),
        "due_soon": _l("Due soon"),
        "open": _l("Open"),
        "closed": _l("Closed"),
    },
    "attempt_status": {
        "open": _l("in progress"),
        "submitted": _l("submitted"),
        "expired": _l("closed when time ran out"),
        "awaiting": _l("waiting to be marked"),
    },
    "decision_status": {"approved": _l("approved"), "blocked": _l("blocked")},
    "decision_kind": {
        "appointment": _l("Appointment"),
        "reappointment": _l("Reappointment"),
        "transfer": _l("Transfer"),
        "rotation": _l("Rotation"),
        "acting": _l("Acting appointment"),
    },
    "discipline": {
        "reprimand": _l("Reprimand"),
        "warning": _l("Warning"),
        "removal": _l("Removal from post"),
        "dismissal": _l("Dismissal"),
        "other": _l("Other"),
    },
    "import_kind": {"units": _l("units"), "cadres": _l("cadres")},
    "edition_status": {  # an edition of a course
        "draft": _l("Draft"),
        "published": _l("Published"),
        "discarded": _l("Set aside"),
    },
    "edition_origin": {  # where an edition's content came from
        "import": _l("Imported on the server"),
        "upload": _l("Uploaded .zip"),
        "repository": _l("Git repository"),
        "edit": _l("Edited in the browser"),
        "republish": _l("Re-published"),
    },
    "course_trainer_role": {  # a trainer's part in a course
        "owner": _l("Owner"),
        "editor": _l("Editor"),
    },
    "progress": {  # a learner in a course or an assignment
        "not_started": _l("Not started"),
        "in_progress": _l("In progress"),
        "completed": _l("Completed"),
    },
    "assignment_target": {
        "unit": _l("A unit"),
        "title": _l("A title"),
        "planning": _l("A planning pool"),
        "cadres": _l("Named cadres"),
    },
}


def register(kind: str, table: Table) -> None:
    """Add the words of a kind whose table lives with its concern (rule kinds, audit actions)."""
    _TABLES.setdefault(kind, {}).update(table)


def kinds() -> dict[str, dict[str, object]]:
    """Every kind and its table (read-only use: the pages test compares what pages show with it)."""
    return {kind: dict(table) for kind, table in _TABLES.items()}


def has_label(kind: str, code: str | None) -> bool:
    return code is not None and code in _TABLES.get(kind, {})


def label(kind: str, code: str | None, default: str | None = None) -> str:
    """The words for `code` of `kind` in the reader's language; "—" for none; an unknown code reads
    as `default`, or as itself (a code that was never given words is shown, not hidden)."""
    if code is None or code == "":
        return "—"
    words = _TABLES[kind].get(code)
    if words is None:
        return default if default is not None else str(code)
    return str(words)


def level_label(scale: str | None, level: str | None) -> str:
    """A level of a qualification scale ("political-theory", "intermediate" → "Trung cấp")."""
    return label("level", f"{scale}:{level}", default=level or "—") if level else "—"


def choices(kind: str) -> list[tuple[str, str]]:
    """(code, words) pairs for a select field, in the table's order."""
    return [(code, str(words)) for code, words in _TABLES[kind].items()]


# --- dates and numbers: one way to write each, in both languages --------------------------------
DATE_PATTERN = "dd/MM/yyyy"
DATETIME_PATTERN = "dd/MM/yyyy HH:mm"
_PATTERNS = ("short", "medium", "long", "full")  # Babel's named formats: all read as the one


def date_words(day: date | datetime | None, pattern: str | None = None) -> str:
    """A day as people here write it: 29/11/2026 ("—" for none). A named Babel format ("short",
    "medium") reads as the one format; an explicit pattern is kept."""
    if day is None:
        return "—"
    chosen = pattern if pattern and pattern not in _PATTERNS else DATE_PATTERN
    return format_date(day, chosen)


def datetime_words(moment: datetime | None, pattern: str | None = None) -> str:
    """A moment in the user's time zone: 29/11/2026 14:05 (a pattern such as "HH:mm:ss" is kept)."""
    if moment is None:
        return "—"
    chosen = pattern if pattern and pattern not in _PATTERNS else DATETIME_PATTERN
    return format_datetime(moment, chosen)


def clock_time(moment: datetime) -> str:
    """The time of day in the user's time zone, 14:05:09: the same in every language, so written
    without Babel's pattern machinery (an answer is saved every few seconds during an exam)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(get_timezone()).strftime("%H:%M:%S")


def number_words(value: float | int | None, digits: int = 2) -> str:
    """A number as the reader's language writes it, with no trailing zeros: 12, 4,5 (vi)."""
    if value is None:
        return "—"
    return format_decimal(round(value, digits), format="#,##0." + "#" * digits if digits else "#,##0")


def percent_words(value: float | int | None) -> str:
    """A share out of 100 (98.76 → "98,8%"), rounded to one decimal, Babel's percent sign."""
    if value is None:
        return "—"
    return format_percent(value / 100, format="#,##0.#%")


def format_score(value: float | None) -> str:
    """A percentage for reading, cut (not rounded) to one decimal: 49.996 reads 49,9, never 50,
    so what people read never passes a threshold that the stored score does not."""
    if value is None:
        return "—"
    return format_decimal(math.floor(value * 10) / 10, format="#,##0.#")


def place_and_date(day: date) -> dict:
    """The day as a document's place-and-date line writes it (Decree 30/2020/NĐ-CP: a day under 10
    and the months January and February take a leading zero)."""
    return {
        "day": f"{day.day:02d}",
        "month": f"{day.month:02d}" if day.month < 3 else str(day.month),
        "year": str(day.year),
    }
