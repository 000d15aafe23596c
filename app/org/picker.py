"""Choosing a unit by name or code among the units an admin administers: the search behind the
unit picker, and the check of a code typed (or picked) into a form."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ValidationFailed
from app.models import Unit
from app.org.tree import is_within, subtree
from app.text import fold, nfc

MAX_RESULTS = 20


@dataclass(frozen=True)
class Choice:
    code: str
    name: str
    path: str  # the names from the top of the actor's scope down to the unit's parent, "A › B"

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name, "path": self.path}


def _rank(unit: Unit, key: str, code_key: str) -> int | None:
    """How well a unit matches (lower is better); None when it does not."""
    code = unit.code.casefold()
    if code == code_key:
        return 0
    name = fold(unit.name)
    if code.startswith(code_key):
        return 1
    if name.startswith(key):
        return 2
    if key in name or code_key in code:
        return 3
    return None


def search_units(session: Session, scope: str | None, query: str, limit: int = MAX_RESULTS) -> list[Choice]:
    """Units in the subtree at `scope` (an admin's `policy.scope_path`; None: the whole city) whose
    name (with or without diacritics) or code matches `query`, best matches first; current units
    before dissolved ones. An empty query gives the scope's units by name."""
    key = fold(query or "")
    code_key = (query or "").strip().casefold()
    units = list(session.scalars(_in(select(Unit), scope).order_by(Unit.path)))
    names = {u.id: u.name for u in units}
    ranked = []
    for unit in units:
        rank = _rank(unit, key, code_key) if key else 3
        if rank is not None:
            ranked.append((unit.valid_to is not None, rank, fold(unit.name), unit))
    ranked.sort(key=lambda r: r[:3])
    return [_choice(unit, names) for *_k, unit in ranked[:limit]]


def _in(stmt, scope: str | None):
    return stmt if scope is None else stmt.where(subtree(Unit.path, scope))


def _choice(unit: Unit, names: dict[int, str]) -> Choice:
    ancestors = [int(part) for part in unit.path.strip("/").split("/")[:-1] if part]
    return Choice(unit.code, unit.name, " › ".join(names[i] for i in ancestors if i in names))


def unit_in_scope(
    session: Session, scope: str | None, code: str | None, field: str = "unit_code"
) -> Unit | None:
    """The unit a form names by `code` (None when left empty), if it lies in the subtree at `scope`
    (an admin's `policy.scope_path`; None: the whole city).

    Raises ValidationFailed for `field`, naming the value, when no unit has this code or it lies
    outside the actor's units."""
    code = nfc(code or "").strip()
    if not code:
        return None
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        unit = session.scalar(select(Unit).where(Unit.code == code.upper()))
    if unit is None:
        raise ValidationFailed(_l("No unit has the code «%(code)s».", code=code), field=field)
    if scope is not None and not is_within(unit.path, scope):
        raise ValidationFailed(_l("The unit «%(code)s» is outside your units.", code=unit.code), field=field)
    return unit
