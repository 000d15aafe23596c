"""Planning limits (quy hoạch) of Regulation 377-QĐ/TW: how many cadres a post may have in its
pool and how many posts a cadre may be planned for, checked when planning is recorded and
reported on the pool page.

A post is a title in a unit. Two entries count together when their periods overlap (an entry
without an end runs on); the limits count every cadre of the city, whoever may see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session

from app.models import Cadre, PlanningEntry, Unit

LEGAL_BASIS = _l("Regulation 377-QĐ/TW of October 2025")
MAX_CADRES_PER_POST = 3  # Regulation 377-QĐ/TW: at most 3 cadres planned for one post
MAX_POSTS_PER_CADRE = 3  # Regulation 377-QĐ/TW: a cadre planned for at most 3 posts

CADRES_PER_POST = "cadres_per_post"
POSTS_PER_CADRE = "posts_per_cadre"


def overlapping(valid_from: date, valid_to: date | None) -> ColumnElement[bool]:
    """Condition on PlanningEntry: its period shares a day with [valid_from, valid_to or open]."""
    starts_in_time = PlanningEntry.valid_from <= valid_to if valid_to is not None else true()
    return and_(starts_in_time, or_(PlanningEntry.valid_to.is_(None), PlanningEntry.valid_to >= valid_from))


def in_force(as_of: date) -> ColumnElement[bool]:
    """Condition on PlanningEntry: in force on `as_of`."""
    return overlapping(as_of, as_of)


@dataclass(frozen=True)
class Exceeded:
    """A limit the new entry would exceed: which one, and how many there are already."""

    limit: str  # CADRES_PER_POST | POSTS_PER_CADRE
    already: int

    @property
    def maximum(self) -> int:
        return MAX_CADRES_PER_POST if self.limit == CADRES_PER_POST else MAX_POSTS_PER_CADRE

    def explain(self):
        """The refusal in a personnel officer's words, with the legal basis (a lazy string)."""
        if self.limit == CADRES_PER_POST:
            return _l(
                "%(count)s other cadres are already planned for this post in this period; "
                "%(basis)s allows at most %(max)s cadres per post.",
                count=self.already,
                basis=LEGAL_BASIS,
                max=self.maximum,
            )
        return _l(
            "This cadre is already planned for %(count)s other posts in this period; "
            "%(basis)s allows at most %(max)s posts per cadre.",
            count=self.already,
            basis=LEGAL_BASIS,
            max=self.maximum,
        )


def explain_all(exceeded: list[Exceeded]) -> LazyString:
    """The refusal for every limit exceeded, in the reader's language."""
    return LazyString(lambda: " ".join(str(e.explain()) for e in exceeded))


def exceeded_limits(
    session: Session,
    cadre_id: int,
    title_code: str,
    unit_id: int,
    valid_from: date,
    valid_to: date | None,
) -> list[Exceeded]:
    """The limits that planning this cadre for this post over this period would exceed: other
    cadres of the post and other posts of the cadre, among entries whose periods overlap."""
    period = overlapping(valid_from, valid_to)
    same_post = and_(PlanningEntry.title_code == title_code, PlanningEntry.unit_id == unit_id)
    cadres = session.scalar(
        select(func.count(func.distinct(PlanningEntry.cadre_id))).where(
            same_post, period, PlanningEntry.cadre_id != cadre_id
        )
    )
    posts = len(
        session.execute(
            select(PlanningEntry.title_code, PlanningEntry.unit_id)
            .distinct()
            .where(PlanningEntry.cadre_id == cadre_id, period, ~same_post)
        ).all()
    )
    found = []
    if cadres >= MAX_CADRES_PER_POST:
        found.append(Exceeded(CADRES_PER_POST, cadres))
    if posts >= MAX_POSTS_PER_CADRE:
        found.append(Exceeded(POSTS_PER_CADRE, posts))
    return found


@dataclass(frozen=True)
class PostCount:
    unit: Unit
    cadres: int

    @property
    def is_over(self) -> bool:
        return self.cadres > MAX_CADRES_PER_POST


@dataclass(frozen=True)
class CadrePosts:
    cadre: Cadre
    posts: int


@dataclass(frozen=True)
class LimitsReport:
    posts: list[PostCount]  # the title in each unit in scope with a pool today, fullest first
    cadres_over: list[CadrePosts]  # the title's planned cadres in scope planned for too many posts

    @property
    def posts_over(self) -> int:
        return sum(1 for p in self.posts if p.is_over)


def limits_report(
    session: Session,
    title_code: str,
    as_of: date,
    units_scope: ColumnElement[bool],
    cadres_scope: ColumnElement[bool],
) -> LimitsReport:
    """The planning limits of a title as of a day, in two grouped queries whatever the number of
    posts: per unit in `units_scope` (a condition on Unit) how many cadres are planned for the
    title there, and which cadres in `cadres_scope` (a condition on Cadre) planned for the title
    are planned for more posts than the limit. Counts include cadres outside the scope."""
    planned = func.count(func.distinct(PlanningEntry.cadre_id))
    per_unit = session.execute(
        select(Unit, planned)
        .join(PlanningEntry, PlanningEntry.unit_id == Unit.id)
        .where(PlanningEntry.title_code == title_code, in_force(as_of), units_scope)
        .group_by(Unit.id)
        .order_by(planned.desc(), Unit.path)
    ).all()

    posts_of = (
        select(PlanningEntry.cadre_id, PlanningEntry.title_code, PlanningEntry.unit_id)
        .distinct()
        .where(in_force(as_of))
        .subquery()
    )
    of_title = select(PlanningEntry.cadre_id).where(PlanningEntry.title_code == title_code, in_force(as_of))
    posts = func.count()
    over = session.execute(
        select(Cadre, posts)
        .join(posts_of, posts_of.c.cadre_id == Cadre.id)
        .where(Cadre.id.in_(of_title), cadres_scope)
        .group_by(Cadre.id)
        .having(posts > MAX_POSTS_PER_CADRE)
        .order_by(posts.desc(), Cadre.search_name)
    ).all()
    return LimitsReport(
        [PostCount(unit, count) for unit, count in per_unit],
        [CadrePosts(cadre, count) for cadre, count in over],
    )
