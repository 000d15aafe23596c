"""Plain, frozen inputs and outputs of the eligibility engine (no database, no Flask).

The engine (app/profiles/eligibility.py) is a pure function of these: a cadre's facts, a requirement
set, reference data (scales, titles) and an as-of date. The database layer builds them in a few
set-based queries; tests build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

MET, UNMET, CONDITIONAL = "met", "unmet", "conditional"

# Why nothing could be checked (Eligibility.reason codes): the title has requirement sets but none
# in force on the date; the title has none at all; the set in force has no rules.
NO_SET_IN_FORCE, NO_REQUIREMENTS, EMPTY_SET = "no_set_in_force", "no_requirements", "empty_set"

# Kinds of appointment (Decree 170/2025): first appointment, reappointment at the end of a term,
# transfer or rotation to a post of the same level, and acting (giao quyền) in a vacant post.
APPOINTMENT, REAPPOINTMENT, TRANSFER, ROTATION, ACTING = (
    "appointment",
    "reappointment",
    "transfer",
    "rotation",
    "acting",
)
APPOINTMENT_KINDS = (APPOINTMENT, REAPPOINTMENT, TRANSFER, ROTATION, ACTING)


@dataclass(frozen=True)
class TrainingFact:
    """One training record in force (not superseded): an internal completion or an external record."""

    record_id: int
    completed_on: date
    hours: int
    course_code: str | None = None  # internal courses, or external ones mapped to a code
    programme: str = ""
    category: str | None = None
    score: float | None = None  # percent
    valid_until: date | None = None  # valid through this day, inclusive
    revoked: bool = False
    revoked_on: date | None = None  # revoked from this day (None with revoked: always)
    course_version: str | None = None
    certificate_no: str | None = None
    unit_code: str | None = None  # the unit the cadre was in when it was earned


@dataclass(frozen=True)
class QualificationFact:
    record_id: int
    scale: str  # e.g. "political-theory"
    level: str  # e.g. "intermediate"
    issued_on: date | None = None
    expires_on: date | None = None  # valid through this day, inclusive
    revoked: bool = False
    revoked_on: date | None = None  # revoked from this day (None with revoked: always)
    issuer: str = ""
    number: str = ""
    recorded_on: date | None = None  # when it was entered: an undated one counts from this day


@dataclass(frozen=True)
class PlanningFact:
    record_id: int
    title_code: str
    valid_from: date
    valid_to: date | None = None  # inclusive
    unit_code: str | None = None  # the unit of the planned post


@dataclass(frozen=True)
class DisciplineFact:
    record_id: int
    level: str  # reprimand | warning | removal | dismissal | other
    decided_on: date  # the cooling-off runs from this day
    counts_from: date | None = None  # a replacement counts from its decision's day (else decided_on)
    ends_on: date | None = None  # annulled or replaced: no longer counts from this day


@dataclass(frozen=True)
class PositionFact:
    record_id: int
    title_code: str
    start_date: date
    end_date: date | None = None  # None: current
    unit_code: str | None = None


@dataclass(frozen=True)
class CadreFacts:
    employee_code: str
    full_name: str
    date_of_birth: date
    gender: str  # "male" | "female"
    title_code: str | None = None  # current title (chức vụ), if any
    trainings: tuple[TrainingFact, ...] = ()
    qualifications: tuple[QualificationFact, ...] = ()
    planning: tuple[PlanningFact, ...] = ()
    discipline: tuple[DisciplineFact, ...] = ()
    positions: tuple[PositionFact, ...] = ()


@dataclass(frozen=True)
class ScaleDef:
    """An ordered scale (data, not code): levels from lowest to highest."""

    code: str
    levels: tuple[str, ...]


@dataclass(frozen=True)
class TitleDef:
    code: str
    name: str
    rank: int  # higher is more senior; "or higher" compares ranks


@dataclass(frozen=True)
class Rule:
    kind: str
    params: dict
    legal_basis: str = ""
    label: str = ""
    key: str = ""  # stable id of the rule within its set
    applies_to: tuple[str, ...] | None = None  # appointment kinds; None: the rule kind's default


@dataclass(frozen=True)
class RequirementSet:
    title_code: str
    version: int
    effective_from: date
    rules: tuple[Rule, ...]
    legal_basis: str = ""
    is_example: bool = False


@dataclass(frozen=True)
class NoRequirementSet:
    """What the engine evaluates when no requirement set is in force for a title on a date."""

    title_code: str
    has_sets: bool  # the title has sets, only none in force on that date (else: none were ever set)


@dataclass(frozen=True)
class Missing:
    """What exactly is missing, as a code and parameters (turned into words by the presenter)."""

    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Evidence:
    """A record the engine relied on."""

    kind: str  # training | qualification | planning | discipline | position | profile
    record_id: int | None
    summary: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    status: str  # met | unmet | conditional
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[Missing, ...] = ()
    deadline: date | None = None  # conditional: by when the condition must be met


@dataclass(frozen=True)
class Eligibility:
    """The evaluation of one cadre for one title on one date.

    Nothing checked is never "met": with no rule to evaluate, `reason` says why (a Missing with one
    of the codes NO_SET_IN_FORCE, NO_REQUIREMENTS, EMPTY_SET) and the status is unmet.
    """

    title_code: str
    as_of: date
    set_version: int  # 0: no set
    results: tuple[RuleResult, ...]
    reason: Missing | None = None
    kind: str = APPOINTMENT  # the kind of appointment evaluated
    not_applied: tuple[Rule, ...] = ()  # rules of the set that do not apply to this kind

    @property
    def status(self) -> str:
        if self.reason is not None or not self.results:
            return UNMET
        statuses = {r.status for r in self.results}
        if UNMET in statuses:
            return UNMET
        if CONDITIONAL in statuses:
            return CONDITIONAL
        return MET
