"""The unit tree: creating, renaming, moving and merging units without losing history."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session

from app.clock import local_today
from app.codes import check_code
from app.errors import Conflict, NotFound, ValidationFailed
from app.models import Cadre, Role, Unit, UnitChange, User
from app.models.org import UNIT_TYPES
from app.org.events import units_moved
from app.org.tree import is_within, subtree
from app.text import nfc


def get_unit(session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound(code)
    return unit


def create_unit(
    session: Session,
    actor: User | None,
    *,
    code: str,
    name: str,
    type: str,
    parent: Unit | None = None,
    valid_from: date | None = None,
) -> Unit:
    """Add a unit under `parent` (None: a root). Raises ValidationFailed (a code outside the code
    alphabet, see `app.codes.is_code`) or Conflict."""
    if type not in UNIT_TYPES:
        raise ValidationFailed(f"type: unknown unit type {type!r}")
    code = check_code(code)
    if session.scalar(select(Unit.id).where(Unit.code == code)) is not None:
        raise Conflict(f"code: unit {code} exists")
    unit = Unit(
        code=code,
        name=nfc(name).strip(),
        type=type,
        parent_id=parent.id if parent else None,
        valid_from=valid_from,
    )
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    session.add(
        UnitChange(
            unit_id=unit.id,
            kind="created",
            effective_on=valid_from or local_today(),
            new_name=unit.name,
            new_parent_id=unit.parent_id,
            recorded_by_id=actor.id if actor else None,
        )
    )
    session.flush()
    return unit


def rename_unit(
    session: Session, actor: User | None, unit: Unit, name: str, effective_on: date, decision_no: str = ""
) -> None:
    session.add(
        UnitChange(
            unit_id=unit.id,
            kind="renamed",
            effective_on=effective_on,
            old_name=unit.name,
            new_name=nfc(name).strip(),
            decision_no=decision_no,
            recorded_by_id=actor.id if actor else None,
        )
    )
    unit.name = nfc(name).strip()
    session.flush()


def move_unit(
    session: Session,
    actor: User | None,
    unit: Unit,
    new_parent: Unit,
    effective_on: date,
    decision_no: str = "",
) -> None:
    """Move a unit (and its subtree) under another parent; paths below it follow in one UPDATE."""
    if is_within(new_parent.path, unit.path):
        raise ValidationFailed("parent: a unit cannot move under itself")
    old_path = unit.path
    new_path = f"{new_parent.path}{unit.id}/"
    session.add(
        UnitChange(
            unit_id=unit.id,
            kind="moved",
            effective_on=effective_on,
            old_parent_id=unit.parent_id,
            new_parent_id=new_parent.id,
            decision_no=decision_no,
            recorded_by_id=actor.id if actor else None,
        )
    )
    unit.parent_id = new_parent.id
    session.flush()
    session.execute(
        update(Unit)
        .where(subtree(Unit.path, old_path))
        .values(path=literal(new_path) + func.substr(Unit.path, len(old_path) + 1))
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    units_moved.send(session)  # who is inside an assigned subtree has changed (the counters listen)


def merge_unit(
    session: Session,
    actor: User | None,
    unit: Unit,
    successor: Unit,
    effective_on: date,
    decision_no: str = "",
) -> None:
    """Merge `unit` into `successor` from `effective_on`: it stops being valid the day before, keeps
    its row (past records cite it) and reports can roll it up into the successor."""
    if unit.id == successor.id:
        raise ValidationFailed("successor: a unit cannot merge into itself")
    unit.valid_to = date.fromordinal(effective_on.toordinal() - 1)
    unit.successor_id = successor.id
    session.add(
        UnitChange(
            unit_id=unit.id,
            kind="merged",
            effective_on=effective_on,
            successor_id=successor.id,
            decision_no=decision_no,
            recorded_by_id=actor.id if actor else None,
        )
    )
    session.flush()


def current_successor(session: Session, unit: Unit) -> Unit:
    """Follow merges to the unit that carries this one's work today (roll-up for reports)."""
    seen = set()
    while unit.successor_id is not None and unit.id not in seen:
        seen.add(unit.id)
        unit = session.get(Unit, unit.successor_id)
    return unit


def account_home(session: Session, user: User) -> Unit | None:
    """The account's home unit (see `policy.can_manage_account`): for an admin the unit it
    administers; for others the unit of the profile linked to it, else its own. None: no unit."""
    if user.role != Role.ADMIN.value:
        linked = session.scalar(
            select(Unit).join(Cadre, Cadre.unit_id == Unit.id).where(Cadre.user_id == user.id)
        )
        if linked is not None:
            return linked
    return user.unit


def account_unit_path(session: Session, user: User) -> str | None:
    home = account_home(session, user)
    return home.path if home else None
