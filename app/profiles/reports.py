"""Use of cadres after training (sử dụng cán bộ sau đào tạo): did training lead to appointments?"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from app.database import add_days
from app.models import Cadre, PositionRecord, TrainingRecord, Unit, User
from app.models.profile import training_in_force
from app.policy import visible_cadres


@dataclass(frozen=True)
class UseRow:
    unit_code: str
    unit_name: str
    trained: int
    appointed: int  # appointed or reappointed within the window after their training
    moved: int  # transferred or rotated within the window

    @property
    def rate(self) -> float | None:
        return 100 * (self.appointed + self.moved) / self.trained if self.trained else None


def use_after_training(
    session: Session, actor: User, *, course_code: str | None, months: int
) -> list[UseRow]:
    """Per unit (of the cadre at training time): cadres trained, and how many were appointed,
    reappointed, transferred or rotated within `months` after completing. One grouped query."""
    first = _first_completions(actor, course_code)
    per_cadre = _moves_after(first, add_days(session, first.c.done, round(months * 30.44)))
    rows = session.execute(
        select(
            Unit.code,
            Unit.name,
            func.count(per_cadre.c.cadre_id),
            func.sum(per_cadre.c.appointed),
            func.sum(per_cadre.c.moved),
        )
        .join(per_cadre, per_cadre.c.unit_id == Unit.id)
        .group_by(Unit.code, Unit.name)
        .order_by(Unit.code)
    ).all()
    return [
        UseRow(code, name, trained, int(appointed or 0), int(moved or 0))
        for code, name, trained, appointed, moved in rows
    ]


def _first_completions(actor: User, course_code: str | None) -> Subquery:
    """Per cadre the actor may see, and unit they were trained in: their first completion in force
    (`done`), of `course_code` or of any course."""
    first = (
        select(
            TrainingRecord.cadre_id,
            TrainingRecord.unit_id,
            func.min(TrainingRecord.completed_on).label("done"),
        )
        .join(Cadre, Cadre.id == TrainingRecord.cadre_id)
        .where(training_in_force(), TrainingRecord.is_revoked.is_(False), visible_cadres(actor))
        .group_by(TrainingRecord.cadre_id, TrainingRecord.unit_id)
    )
    if course_code:
        first = first.where(TrainingRecord.course_code == course_code)
    return first.subquery()


def _moves_after(first: Subquery, window_end: ColumnElement) -> Subquery:
    """Per row of `first`: whether the cadre was appointed or reappointed (`appointed`), and whether
    transferred or rotated (`moved`), after `done` and by `window_end` (1 or 0)."""
    return (
        select(
            first.c.cadre_id,
            first.c.unit_id,
            _any_position(("appointment", "reappointment"), first.c.done, window_end).label("appointed"),
            _any_position(("transfer", "rotation"), first.c.done, window_end).label("moved"),
        )
        .outerjoin(PositionRecord, PositionRecord.cadre_id == first.c.cadre_id)
        .group_by(first.c.cadre_id, first.c.unit_id)
        .subquery()
    )


def _any_position(kinds: tuple[str, ...], after: ColumnElement, until: ColumnElement) -> ColumnElement[int]:
    """1 when the group holds a position record of one of `kinds` starting after `after` and by
    `until`, else 0."""
    starts_within = and_(
        PositionRecord.kind.in_(kinds),
        PositionRecord.start_date > after,
        PositionRecord.start_date <= until,
    )
    return func.max(case((starts_within, 1), else_=0))
