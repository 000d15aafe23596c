"""The tables an admin downloads from the dashboard: the unit table shown on the page, every cadre
with their numbers, and the profiles and unit tree in the import's format (so an export imports
back unchanged, in the words of app.vocabulary). Large ones are generators read in batches;
app.exports writes them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.models import Cadre, CourseCompletion, Enrolment, Unit
from app.org.tree import subtree
from app.reports.dashboard import UnitRow, rolled_up
from app.reports.filters import Filters, course_condition
from app.vocabulary import CADRE_COLUMNS, GENDER_WORDS, STAFF_WORDS, UNIT_COLUMNS, date_text, headings

UNITS = "units"  # the dashboard's table, the default
KINDS = (UNITS, "cadres", "profiles", "units-tree")
# Exports that carry personal data (names, dates of birth): each one is audited.
PERSONAL = ("cadres", "profiles")


def export_rows(session: Session, kind: str, root: Unit | None, filters: Filters) -> Iterable[list]:
    """The rows (heading first) of the export `kind` (one of KINDS) for the subtree of `root`."""
    if kind == "cadres":
        return iter_cadre_export(session, root, filters)
    if kind == "profiles":
        return iter_profile_export(session, root)
    if kind == "units-tree":
        return iter_unit_export(session, root)
    return unit_table(session, root, filters)


def unit_table(session: Session, root: Unit | None, filters: Filters) -> list[list]:
    """The dashboard's table: each child unit of `root`, then `root` itself with the totals."""
    total, rows = rolled_up(session, root, filters)
    out = [
        [
            "unit_code",
            "unit_name",
            "enrolled",
            "in_progress",
            "completed",
            "completion_rate",
            "average_score",
            "overdue",
        ]
    ]
    for r in rows + ([UnitRow(root, total, False)] if root else []):
        s = r.stats
        out.append(
            [
                r.unit.code,
                r.unit.name,
                s.enrolled,
                s.in_progress,
                s.completed,
                "" if s.rate is None else round(s.rate, 1),
                "" if s.average_score is None else round(s.average_score, 1),
                s.overdue,
            ]
        )
    return out


def iter_cadre_export(session: Session, root: Unit | None, filters: Filters) -> Iterator[list]:
    """Every cadre of the subtree with their numbers, read in batches (flat memory for the whole city)."""
    yield ["employee_code", "full_name", "unit_code", "unit_name", "enrolled", "completed", "hours"]
    enrolments = (
        select(Enrolment.user_id, func.count().label("n"))
        .where(course_condition(Enrolment.course_id, filters))
        .group_by(Enrolment.user_id)
        .subquery()
    )
    completions = (
        select(
            CourseCompletion.user_id,
            func.count(func.distinct(CourseCompletion.course_id)).label("n"),
            func.sum(CourseCompletion.hours_credited).label("hours"),
        )
        .where(course_condition(CourseCompletion.course_id, filters))
        .group_by(CourseCompletion.user_id)
        .subquery()
    )
    stmt = (
        select(
            Cadre.employee_code,
            Cadre.full_name,
            Unit.code,
            Unit.name,
            enrolments.c.n,
            completions.c.n,
            completions.c.hours,
        )
        .join(Unit, Unit.id == Cadre.unit_id)
        .outerjoin(enrolments, enrolments.c.user_id == Cadre.user_id)
        .outerjoin(completions, completions.c.user_id == Cadre.user_id)
        .order_by(Unit.path, Cadre.search_name)
        .execution_options(yield_per=5000)
    )
    if root is not None:
        stmt = stmt.where(subtree(Unit.path, root.path))
    for row in session.execute(stmt):
        yield [row[0], row[1], row[2], row[3], row[4] or 0, row[5] or 0, int(row[6] or 0)]


# The cadre profile columns an export writes, in the import's format.
PROFILE_FIELDS = (
    "employee_code",
    "full_name",
    "date_of_birth",
    "gender",
    "staff_type",
    "unit_code",
    "job_position",
    "title_code",
    "rank",
    "professional_qualification",
)
UNIT_FIELDS = ("code", "name", "type", "parent_code")


def iter_profile_export(session: Session, root: Unit | None) -> Iterator[list]:
    """Cadre profiles in the import format, so an export re-imports unchanged (batched reads)."""
    yield headings(CADRE_COLUMNS, PROFILE_FIELDS)
    stmt = (
        select(
            Cadre.employee_code,
            Cadre.full_name,
            Cadre.date_of_birth,
            Cadre.gender,
            Cadre.staff_type,
            Unit.code,
            Cadre.job_position,
            Cadre.title_code,
            Cadre.rank,
            Cadre.professional_qualification,
        )
        .join(Unit, Unit.id == Cadre.unit_id)
        .order_by(Cadre.employee_code)
        .execution_options(yield_per=5000)
    )
    if root is not None:
        stmt = stmt.where(subtree(Unit.path, root.path))
    for code, name, born, gender, staff, unit, job, title, rank, qualification in session.execute(stmt):
        yield [
            code,
            name,
            date_text(born),
            GENDER_WORDS.get(gender, gender),
            STAFF_WORDS.get(staff, staff),
            unit,
            job,
            title or "",
            rank,
            qualification,
        ]


def iter_unit_export(session: Session, root: Unit | None) -> Iterator[list]:
    """The unit tree in the import format (parents before children)."""
    yield headings(UNIT_COLUMNS, UNIT_FIELDS)
    parent = aliased(Unit)
    stmt = (
        select(Unit.code, Unit.name, Unit.type, parent.code)
        .outerjoin(parent, parent.id == Unit.parent_id)
        .order_by(Unit.path)
    )
    if root is not None:
        stmt = stmt.where(subtree(Unit.path, root.path))
    for code, name, kind, parent_code in session.execute(stmt):
        yield [code, name, kind, parent_code or ""]
