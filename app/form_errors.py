"""Showing a domain error next to the form field it concerns."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.errors import DomainError
from app.transactions import discard


def field_error(form: FlaskForm, exc: DomainError, default: str | None = None) -> None:
    """Put the error's message under its field (or `default`), else at the top of the form; what
    the request wrote before the error is rolled back instead of committed."""
    discard()
    field = getattr(exc, "field", None) or default
    message = str(getattr(exc, "message", exc))
    target = getattr(form, field, None) if field else None
    (target.errors if target is not None else form.form_errors).append(message)
