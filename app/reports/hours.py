"""Annual training hours (tiết) per unit and content area, and the cadres below the city's
annual target; read from the hours counters and rolled up the unit tree in memory."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.models import Cadre, CadreHoursStats, TrainingRecord, Unit, UnitHoursStats
from app.models.profile import training_in_force
from app.org.tree import in_subtree, subtree, units_under


@dataclass(frozen=True)
class HoursRow:
    unit: Unit
    by_category: dict[str, int]
    cadres: int
    short: int  # cadres below the target (0 when no target is set)

    @property
    def total(self) -> int:
        return sum(self.by_category.values())


def hours_report(
    session: Session, root: Unit | None, year: int, target: int
) -> tuple[list[HoursRow], list[str]]:
    """Periods (tiết) credited in `year` per child unit and content area, and (with a target) how
    many cadres fall short; read from the hours counters per unit, rolled up in memory."""
    scope = units_under(root.path) if root else None
    tree = select(Unit.id, Unit.path)
    if root is not None:
        tree = tree.where(subtree(Unit.path, root.path))
    paths = dict(session.execute(tree).all())
    per_unit: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    hours = select(UnitHoursStats.unit_id, UnitHoursStats.category, UnitHoursStats.hours).where(
        UnitHoursStats.year == year
    )
    if root is not None:
        hours = hours.where(UnitHoursStats.unit_id.in_(scope))
    for unit_id, category, value in session.execute(hours):
        per_unit[unit_id][category] += int(value or 0)
    people = select(Cadre.unit_id, func.count()).group_by(Cadre.unit_id)
    if root is not None:
        people = people.where(Cadre.unit_id.in_(scope))
    headcount = dict(session.execute(people).all())
    short: dict[int, int] = {}
    if target > 0:
        credited = and_(CadreHoursStats.cadre_id == Cadre.id, CadreHoursStats.year == year)
        short = dict(
            session.execute(
                people.outerjoin(CadreHoursStats, credited).where(
                    func.coalesce(CadreHoursStats.hours, 0) < target
                )
            ).all()
        )
    totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for unit_id, path in paths.items():
        for ancestor in (int(p) for p in path.strip("/").split("/")):
            for category, value in per_unit.get(unit_id, {}).items():
                totals[ancestor][category] += value
            counts[ancestor][0] += headcount.get(unit_id, 0)
            counts[ancestor][1] += short.get(unit_id, 0)
    below = Unit.parent_id == root.id if root else Unit.parent_id.is_(None)
    children = sorted(session.scalars(select(Unit).where(below)), key=lambda u: u.name)
    categories = sorted({c for values in per_unit.values() for c, v in values.items() if v})
    return [HoursRow(c, dict(totals[c.id]), counts[c.id][0], counts[c.id][1]) for c in children], categories


def hours_table(rows: list[HoursRow], categories: list[str]) -> list[list]:
    """The hours report as a table to download, heading first."""
    return [["unit_code", "unit_name", "cadres", *categories, "total", "below_target"]] + [
        [r.unit.code, r.unit.name, r.cadres, *[r.by_category.get(c, 0) for c in categories], r.total, r.short]
        for r in rows
    ]


def short_cadres(
    session: Session, unit: Unit, year: int, target: int, limit: int = 500
) -> list[tuple[Cadre, int]]:
    """Cadres of a unit's subtree below the annual target, with the periods they have."""
    credited = (
        select(TrainingRecord.cadre_id, func.sum(TrainingRecord.hours).label("hours"))
        .where(
            TrainingRecord.completed_on.between(date(year, 1, 1), date(year, 12, 31)),
            TrainingRecord.is_revoked.is_(False),
            training_in_force(),
        )
        .group_by(TrainingRecord.cadre_id)
        .subquery()
    )
    hours = func.coalesce(credited.c.hours, 0)
    return [
        (c, int(h))
        for c, h in session.execute(
            select(Cadre, hours)
            .outerjoin(credited, credited.c.cadre_id == Cadre.id)
            .where(
                hours < target,
                in_subtree(Cadre.unit_id, unit.path),
            )
            .order_by(hours, Cadre.search_name)
            .limit(limit)
        ).all()
    ]
