"""Course categories (content areas), with their names in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "digital-transformation": _l("Digital transformation"),
    "urban-governance": _l("Urban governance"),
    "information-security": _l("Information security"),
    "international": _l("Working in an international environment"),
    "political-theory": _l("Political theory"),
    "state-management": _l("State management"),
    "defence-security": _l("Defence and security"),
    "job-skills": _l("Job-position skills"),
    "other": _l("Other"),
}
CATEGORIES = tuple(CATEGORY_LABELS)


def category_label(code: str) -> str:
    label = CATEGORY_LABELS.get(code)
    return str(label) if label is not None else code


def category_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in CATEGORY_LABELS.items()]


def template_helpers() -> dict:
    """What every page may use to put a category code into words."""
    return {"category_label": category_label}
