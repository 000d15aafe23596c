"""Course categories (content areas), with their names in the user's language."""

from __future__ import annotations

from app.labels import choices, kinds, label

CATEGORY_LABELS = kinds()["category"]  # the registry's table (app/labels.py)
CATEGORIES = tuple(CATEGORY_LABELS)


def category_label(code: str) -> str:
    return label("category", code)


def category_choices() -> list[tuple[str, str]]:
    return choices("category")


def template_helpers() -> dict:
    """What every page may use to put a category code into words."""
    return {"category_label": category_label}
