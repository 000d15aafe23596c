"""Use of cadres after training (sử dụng cán bộ sau đào tạo): did training lead to appointments?"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

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
    first = first.subquery()
    window_end = add_days(session, first.c.done, round(months * 30.44))

    def moved_kind(kinds):
        return func.max(
            case(
                (
                    and_(
                        PositionRecord.kind.in_(kinds),
                        PositionRecord.start_date > first.c.done,
                        PositionRecord.start_date <= window_end,
                    ),
                    1,
                ),
                else_=0,
            )
        )

    per_cadre = (
        select(
            first.c.cadre_id,
            first.c.unit_id,
            moved_kind(("appointment", "reappointment")).label("appointed"),
            moved_kind(("transfer", "rotation")).label("moved"),
        )
        .outerjoin(PositionRecord, PositionRecord.cadre_id == first.c.cadre_id)
        .group_by(first.c.cadre_id, first.c.unit_id)
        .subquery()
    )
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
