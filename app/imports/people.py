"""Bulk import of units and cadres: every problem by row, column and value first; then all or nothing.

Re-importing the same file changes nothing; an updated file updates cadres by employee code.

Each kind of file goes through three stages:
- parse: each row to a typed record, with the problems of its own values (required, too long,
  unreadable, repeated); nothing is read from the database;
- plan: the records compared with the database and the actor's scope: what to create, update and
  link, and what to refuse; nothing is written;
- apply: only for a plan without problems and not a dry run, the writes, counters and audit,
  flushed in the caller's transaction (the caller commits only a report without problems).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session

from app import policy
from app.clock import local_today
from app.codes import CODE_MESSAGE, is_code
from app.errors import ValidationFailed
from app.imports.reader import Table
from app.models import Cadre, Title, Unit, User
from app.models.base import utcnow
from app.models.org import UNIT_TYPES
from app.org import audit
from app.org.units import create_unit
from app.profiles.records import bring_in_completions
from app.stats import rollups
from app.text import fold, nfc
from app.vocabulary import CADRE_COLUMNS, GENDERS, STAFF, UNIT_COLUMNS, UNIT_TYPE_WORDS, parse_date

CADRE_REQUIRED = ("employee_code", "full_name", "date_of_birth", "gender", "staff_type", "unit_code")
UNIT_REQUIRED = ("code", "name", "type")
UNIT_TEXT = {"code": "code", "name": "name"}  # file column -> the model's column, for its length
CADRE_TEXT = {  # file column -> the model's column, for its length
    "employee_code": "employee_code",
    "full_name": "full_name",
    "job_position": "job_position",
    "rank": "rank",
    "professional_qualification": "professional_qualification",
}
CADRE_FIELDS = (
    "full_name",
    "date_of_birth",
    "gender",
    "staff_type",
    "unit_id",
    "job_position",
    "title_code",
    "rank",
    "professional_qualification",
)


@dataclass(frozen=True, order=True)
class RowProblem:
    row: int
    column: str
    value: str
    why: str = field(compare=False)  # a lazy translation: in the language of whoever reads it

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.value or '(empty)'}: {self.why}"


# Someone fixes a file from its first problem down: a thousand are more than anyone reads in one go,
# and the count of the rest says how far off the file is. Keeping them all cost 400,000 objects on
# a 200,000-row file of wrong rows.
MAX_PROBLEMS = 1_000


@dataclass
class ImportReport:
    kind: str  # units | cadres
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)  # the first MAX_PROBLEMS found
    problem_count: int = 0  # all of them

    def add(self, problem: RowProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    @property
    def more(self) -> int:
        """Problems found beyond the ones kept."""
        return self.problem_count - len(self.problems)

    @property
    def ok(self) -> bool:
        return not self.problem_count


Complaint = tuple[str, object]  # (column name, why) about a row's value in that column

REQUIRED = _l("required")
NO_UNIT = _l("no unit has this code")
OUTSIDE_YOUR_UNIT = _l("outside your unit")
UNREADABLE_CADRE = {  # column -> why, when its value is given but cannot be read
    "date_of_birth": _l("not a possible date of birth (dd/mm/yyyy)"),
    "gender": _l("write Nam or Nữ"),
    "staff_type": _l("write cán bộ, công chức or viên chức"),
}
OLDEST_BIRTH_DATE = date(1930, 1, 1)
MAX_NEW_UNIT_DEPTH = 50  # new units under new units, followed when placing them in the actor's scope
BULK_ROWS = 10_000  # cadres written per INSERT or UPDATE statement


@dataclass(frozen=True)
class _Layout:
    """Where each known column is in the file, and its header as written: problems name the header."""

    index: dict[str, int]
    header: dict[str, str]

    @classmethod
    def of(cls, table: Table, spec: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> _Layout:
        """Raises ValidationFailed naming the required columns the header row lacks."""
        index = _columns(table, spec, required)
        return cls(index, {name: table.headers[i] for name, i in index.items()})

    def values(self, cells: list[str]) -> dict[str, str]:
        return {name: _get(cells, self.index, name) for name in self.index}

    def problem(self, row: int, name: str, value: str, why) -> RowProblem:
        return RowProblem(row, self.header.get(name, name), value, why)

    def report(
        self, report: ImportReport, row: int, values: dict[str, str], complaints: list[Complaint]
    ) -> None:
        """Add each complaint about the row to `report`, with the value as written."""
        for name, why in complaints:
            report.add(self.problem(row, name, values.get(name, ""), why))


def _columns(table: Table, spec: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, key in enumerate(table.keys):
        for name, aliases in spec.items():
            if key in aliases and name not in found:
                found[name] = index
    missing = [name for name in required if name not in found]
    if missing:
        raise ValidationFailed(_l("missing column(s): %(columns)s", columns=", ".join(missing)), field="file")
    return found


def detect_kind(table: Table) -> str:
    keys = set(table.keys)
    if keys & set(CADRE_COLUMNS["employee_code"]):
        return "cadres"
    if keys & set(UNIT_COLUMNS["name"]) and keys & set(UNIT_COLUMNS["type"]):
        return "units"
    raise ValidationFailed(
        _l("the header row names neither cadres (employee_code...) nor units (code, name, type)"),
        field="file",
    )


def import_people(session: Session, actor, table: Table, *, dry_run: bool) -> ImportReport:
    """Check (and unless `dry_run`, apply) a units or cadres table as `actor` (an admin, limited to
    their subtree, or `policy.SYSTEM` on the command line). Flushes; the caller commits only when
    the report has no problems, so a file with any bad row writes nothing."""
    policy.require(policy.can_review(actor), "imports are for admins")
    kind = detect_kind(table)
    if kind == "units":
        return _units(session, actor, table, dry_run)
    return _cadres(session, actor, table, dry_run)


def _get(cells: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _required(values: dict[str, str], names: tuple[str, ...]) -> list[Complaint]:
    return [(name, REQUIRED) for name in names if not values.get(name)]


def _lengths(model, names: dict[str, str]) -> dict[str, int]:
    """File column -> the length of the model's column it is written to."""
    return {name: model.__table__.c[column].type.length for name, column in names.items()}


UNIT_LENGTHS = _lengths(Unit, UNIT_TEXT)
CADRE_LENGTHS = _lengths(Cadre, CADRE_TEXT)


def _too_long(lengths: dict[str, int], values: dict[str, str]) -> list[Complaint]:
    """A value longer than its column would be refused by the database when the import is applied."""
    return [
        (name, _l("longer than %(limit)s characters", limit=limit))
        for name, limit in lengths.items()
        if len(values.get(name, "")) > limit
    ]


# --- units: parse, plan, apply --------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    """One row of a units file, typed (type "" when it cannot be read)."""

    row: int
    code: str
    name: str
    type: str
    parent: str  # the parent's code as written; "" for a root
    valid_from: date | None


@dataclass(frozen=True)
class UnitPlan:
    """The file's units in the order they can be written (each parent before its children), and the
    stored units by code."""

    order: list[UnitRow]
    stored: dict[str, Unit]


def _units(session: Session, actor: User | None, table: Table, dry_run: bool) -> ImportReport:
    layout = _Layout.of(table, UNIT_COLUMNS, UNIT_REQUIRED)
    report = ImportReport("units")
    stored = {u.code: u for u in session.scalars(select(Unit))}
    rows = _parse_units(table, layout, report)
    plan = _plan_units(actor, rows, stored, layout, report)
    if report.ok and not dry_run:
        _apply_units(session, actor, plan, report)
    return report


def _parse_units(table: Table, layout: _Layout, report: ImportReport) -> dict[str, UnitRow]:
    """Parse: each row typed, the problems of its own values reported. Every row with a well-formed
    code is kept, problems or not, so its children are not also reported as orphans; a row that
    repeats a code is reported and left out."""
    rows: dict[str, UnitRow] = {}
    for number, cells in table.rows:
        report.rows += 1
        values = layout.values(cells)
        unit, complaints = _read_unit(number, values)
        if unit.code and not is_code(unit.code):
            complaints.append(("code", CODE_MESSAGE))
        elif unit.code in rows:
            complaints.append(("code", _l("the same unit code is on row %(row)s", row=rows[unit.code].row)))
        elif unit.code:
            rows[unit.code] = unit
        layout.report(report, number, values, complaints)
    return rows


def _read_unit(number: int, values: dict[str, str]) -> tuple[UnitRow, list[Complaint]]:
    """One units row typed, and what is wrong with its values (the code's alphabet aside)."""
    complaints = _required(values, UNIT_REQUIRED) + _too_long(UNIT_LENGTHS, values)
    kind = _unit_type(values["type"])
    if values["type"] and not kind:
        complaints.append(("type", _l("not one of: %(values)s", values=", ".join(UNIT_TYPES))))
    valid_from = parse_date(values["valid_from"]) if values.get("valid_from") else None
    if values.get("valid_from") and valid_from is None:
        complaints.append(("valid_from", _l("not a date (dd/mm/yyyy)")))
    unit = UnitRow(
        number, values["code"], nfc(values["name"]), kind, values.get("parent_code", ""), valid_from
    )
    return unit, complaints


def _unit_type(text: str) -> str:
    """A unit type as its code (`ward`) or in Vietnamese words (`phường`); "" when it is neither."""
    kind = text.lower()
    return kind if kind in UNIT_TYPES else UNIT_TYPE_WORDS.get(fold(kind), "")


def _plan_units(
    actor: User | None,
    rows: dict[str, UnitRow],
    stored: dict[str, Unit],
    layout: _Layout,
    report: ImportReport,
) -> UnitPlan:
    """Plan: refuse units whose parent is unknown or that fall outside the actor's scope, order the
    rest parents first (refusing units that are each other's parents), and count what applying the
    file would create, update and leave unchanged. Writes nothing."""
    for problem in _unit_refusals(actor, rows, stored, layout):
        report.add(problem)
    order, looped = _parents_first(rows)
    if looped is not None:
        report.add(layout.problem(looped.row, "code", looped.code, _l("units are each other's parents")))
    report.problems.sort()
    for unit in rows.values():
        current = stored.get(unit.code)
        if current is None:
            report.created += 1
        elif _unit_changed(current, unit):
            report.updated += 1
        else:
            report.unchanged += 1
    return UnitPlan(order, stored)


def _unit_refusals(
    actor: User | None, rows: dict[str, UnitRow], stored: dict[str, Unit], layout: _Layout
) -> Iterator[RowProblem]:
    """Units whose parent is neither stored nor in the file, and units outside the actor's scope."""
    scope = policy.scope_path(actor)
    for code, unit in rows.items():
        if unit.parent and unit.parent not in stored and unit.parent not in rows:
            yield layout.problem(unit.row, "parent_code", unit.parent, NO_UNIT)
        elif scope is not None and not _within_scope(code, rows, stored, scope):
            yield layout.problem(unit.row, "code", code, OUTSIDE_YOUR_UNIT)


def _within_scope(code: str, rows: dict[str, UnitRow], stored: dict[str, Unit], scope: str) -> bool:
    """Whether unit `code` is inside `scope`: a stored unit by its path, a new one by its nearest
    stored ancestor (found within MAX_NEW_UNIT_DEPTH new parents; a loop of new units is not)."""
    for _ in range(MAX_NEW_UNIT_DEPTH + 1):
        if code in stored:
            return stored[code].path.startswith(scope)
        code = rows[code].parent if code in rows else ""
        if not code:
            return False
    return False


def _parents_first(rows: dict[str, UnitRow]) -> tuple[list[UnitRow], UnitRow | None]:
    """The units in an order that writes each parent in the file before its children (otherwise in
    file order), and the first unit left waiting when the units left all wait on each other (a
    loop of parents; None when there is none)."""
    pending = dict(rows)
    order: list[UnitRow] = []
    while pending:
        progressed = False
        for code, unit in list(pending.items()):
            if unit.parent and unit.parent in pending:
                continue
            order.append(unit)
            del pending[code]
            progressed = True
        if not progressed:
            return order, next(iter(pending.values()))
    return order, None


def _unit_changed(current: Unit, unit: UnitRow) -> bool:
    return current.name != unit.name or current.type != unit.type


def _apply_units(session: Session, actor: User | None, plan: UnitPlan, report: ImportReport) -> None:
    """Apply: create the new units (each under its parent), rename or retype the changed ones, and
    audit the import. Flushes, never commits."""
    units = dict(plan.stored)
    for unit in plan.order:
        current = units.get(unit.code)
        if current is None:
            units[unit.code] = create_unit(
                session,
                actor,
                code=unit.code,
                name=unit.name,
                type=unit.type,
                parent=units.get(unit.parent) if unit.parent else None,
                valid_from=unit.valid_from,
            )
        elif _unit_changed(current, unit):
            current.name, current.type = unit.name, unit.type
    session.flush()
    audit.record(
        session,
        actor,
        "import_units",
        "units",
        None,
        unit_id=actor.unit_id,
        created=report.created,
        updated=report.updated,
    )


# --- cadres: parse, plan, apply -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CadreRow:
    """One row of a cadres file: date of birth, gender and staff type typed (None where they cannot
    be read); text as written (made NFC only for a row to be written); its unit, position and
    account as written, for the plan to look up."""

    row: int
    employee_code: str  # in capitals
    full_name: str
    date_of_birth: date | None
    gender: str | None
    staff_type: str | None
    job_position: str
    rank: str
    professional_qualification: str
    unit_code: str
    title: str  # a position's code or name
    email: str
    is_clean: bool  # no problem with its own values; a row with problems is looked up, never written


@dataclass(frozen=True, slots=True)
class CadreCandidate:
    """A row that passed every check of its own and every look-up: the cadre as it would be written."""

    row: int
    employee_code: str
    columns: dict[str, object]  # each of CADRE_FIELDS
    user_id: int | None  # the account the row names, if any


@dataclass(frozen=True)
class CadreLookups:
    """What a cadres file's units, positions and e-mail addresses are looked up in."""

    unit_ids: dict[str, int]  # unit code -> id
    unit_paths: dict[int, str]  # unit id -> path
    titles: dict[str, str]  # a position's code, or its name folded -> its code
    accounts: dict[str, Row]  # e-mail -> (email, id, role, path); empty without an e-mail column

    def title_code(self, written: str) -> str | None:
        return (self.titles.get(written) or self.titles.get(fold(written))) if written else None

    def in_scope(self, unit_id: int, scope: str | None) -> bool:
        return scope is None or self.unit_paths[unit_id].startswith(scope)


@dataclass
class CadrePlan:
    """What applying a cadres file writes: the rows to insert and to update (as their columns) and
    the accounts newly linked to a profile."""

    inserts: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    linking: list[int] = field(default_factory=list)
    unchanged: int = 0


def _cadres(session: Session, actor: User | None, table: Table, dry_run: bool) -> ImportReport:
    layout = _Layout.of(table, CADRE_COLUMNS, CADRE_REQUIRED)
    report = ImportReport("cadres")
    lookups = _cadre_lookups(session, with_accounts="email" in layout.index)
    rows = _parse_cadres(table, layout, report)
    plan = _plan_cadres(session, actor, rows, lookups, layout, report)
    report.created, report.updated, report.unchanged = len(plan.inserts), len(plan.updates), plan.unchanged
    if report.ok and not dry_run:
        _apply_cadres(session, actor, plan, report)
    return report


def _cadre_lookups(session: Session, *, with_accounts: bool) -> CadreLookups:
    """Units, positions and (when the file names them) accounts, one query each, whatever the rows."""
    units = session.execute(select(Unit.code, Unit.id, Unit.path)).all()
    titles = session.execute(select(Title.code, Title.name)).all()
    title_codes = {code: code for code, _ in titles}
    title_codes.update({fold(name): code for code, name in titles})
    accounts = (
        {
            row.email: row
            for row in session.execute(
                select(User.email, User.id, User.role, Unit.path).outerjoin(Unit, Unit.id == User.unit_id)
            )
        }
        if with_accounts
        else {}
    )
    return CadreLookups(
        unit_ids={code: unit_id for code, unit_id, _ in units},
        unit_paths={unit_id: path for _, unit_id, path in units},
        titles=title_codes,
        accounts=accounts,
    )


def _parse_cadres(table: Table, layout: _Layout, report: ImportReport) -> Iterator[CadreRow]:
    """Parse: each row typed, the problems of its own values reported to `report` as the row is read.

    Yields every row for the plan to look up, as it is read (a city's file is not held twice in
    memory); a row that repeats an employee code is reported and not read further.
    """
    first_rows: dict[str, int] = {}  # employee code -> the row it is first on
    for number, cells in table.rows:
        report.rows += 1
        values = layout.values(cells)
        code = values["employee_code"].upper()
        complaints = _required(values, CADRE_REQUIRED) + _too_long(CADRE_LENGTHS, values)
        if code in first_rows:
            why = _l("the same employee code is on row %(row)s", row=first_rows[code])
            layout.report(report, number, values, [*complaints, ("employee_code", why)])
            continue
        if code:
            first_rows[code] = number
        row, complaints = _read_cadre(number, code, values, complaints)
        layout.report(report, number, values, complaints)
        yield row


def _read_cadre(
    number: int, code: str, values: dict[str, str], complaints: list[Complaint]
) -> tuple[CadreRow, list[Complaint]]:
    """One cadres row typed, and `complaints` (found so far) with those about values it cannot read."""
    born = _date_of_birth(values["date_of_birth"])
    gender = GENDERS.get(fold(values["gender"]))
    staff = _staff_type(values["staff_type"])
    complaints = complaints + [
        (name, UNREADABLE_CADRE[name])
        for name, typed in (("date_of_birth", born), ("gender", gender), ("staff_type", staff))
        if values[name] and typed is None
    ]
    row = CadreRow(
        row=number,
        employee_code=code,
        full_name=values["full_name"],
        date_of_birth=born,
        gender=gender,
        staff_type=staff,
        job_position=values.get("job_position", ""),
        rank=values.get("rank", ""),
        professional_qualification=values.get("professional_qualification", ""),
        unit_code=values["unit_code"],
        title=values.get("title_code", ""),
        email=values.get("email", ""),
        is_clean=not complaints,
    )
    return row, complaints


def _date_of_birth(text: str) -> date | None:
    """dd/mm/yyyy from 1930 to today; None when empty or not such a date."""
    born = parse_date(text) if text else None
    return born if born is not None and OLDEST_BIRTH_DATE <= born <= local_today() else None


def _staff_type(text: str) -> str | None:
    return STAFF.get(fold(text).replace("_", " ")) or STAFF.get(text)


def _plan_cadres(
    session: Session,
    actor: User | None,
    rows: Iterable[CadreRow],
    lookups: CadreLookups,
    layout: _Layout,
    report: ImportReport,
) -> CadrePlan:
    """Plan: look each row's unit, position and account up, refuse what falls outside the actor's
    scope or would take an account from another profile, and compare the rest with the stored
    cadres: what to insert, update and link. Writes nothing; refused rows are in the report."""
    scope = policy.scope_path(actor)
    candidates: dict[str, CadreCandidate] = {}
    for row in rows:
        candidate = _look_up_cadre(row, lookups, scope, layout, report)
        if candidate is not None:
            candidates[candidate.employee_code] = candidate
    stored = _stored_cadres(session)
    for problem in _cadre_refusals(actor, scope, candidates, stored, lookups, layout):
        report.add(problem)
    report.problems.sort()
    return _cadre_changes(candidates, stored)


def _look_up_cadre(
    row: CadreRow, lookups: CadreLookups, scope: str | None, layout: _Layout, report: ImportReport
) -> CadreCandidate | None:
    """The row's unit (which must be in the actor's scope), position and account; each one named but
    not found is reported. None for a row that is not to be written."""
    unit_id = lookups.unit_ids.get(row.unit_code)
    title = lookups.title_code(row.title)
    account = lookups.accounts.get(row.email.lower()) if row.email else None
    problems: list[RowProblem] = []
    if row.unit_code and unit_id is None:
        problems.append(layout.problem(row.row, "unit_code", row.unit_code, NO_UNIT))
    elif unit_id is not None and not lookups.in_scope(unit_id, scope):
        problems.append(layout.problem(row.row, "unit_code", row.unit_code, OUTSIDE_YOUR_UNIT))
    if row.title and title is None:
        problems.append(layout.problem(row.row, "title_code", row.title, _l("unknown position")))
    if row.email and account is None:
        problems.append(layout.problem(row.row, "email", row.email, _l("no account has this e-mail")))
    for problem in problems:
        report.add(problem)
    if problems or not row.is_clean:
        return None
    columns = _cadre_columns(row, unit_id, title)
    return CadreCandidate(row.row, row.employee_code, columns, account.id if account else None)


def _cadre_columns(row: CadreRow, unit_id: int, title_code: str | None) -> dict[str, object]:
    """The cadre's columns (CADRE_FIELDS) as a row would write them, text in NFC."""
    return {
        "full_name": nfc(row.full_name),
        "date_of_birth": row.date_of_birth,
        "gender": row.gender,
        "staff_type": row.staff_type,
        "unit_id": unit_id,
        "job_position": nfc(row.job_position),
        "title_code": title_code,
        "rank": nfc(row.rank),
        "professional_qualification": nfc(row.professional_qualification),
    }


def _stored_cadres(session: Session) -> dict[str, Row]:
    """Every stored cadre by employee code, with the columns an import compares (one query)."""
    compared = [getattr(Cadre, name) for name in CADRE_FIELDS if name != "unit_id"]
    rows = session.execute(select(Cadre.id, Cadre.employee_code, Cadre.unit_id, Cadre.user_id, *compared))
    return {row.employee_code: row for row in rows.all()}


def _cadre_refusals(
    actor: User | None,
    scope: str | None,
    candidates: dict[str, CadreCandidate],
    stored: dict[str, Row],
    lookups: CadreLookups,
    layout: _Layout,
) -> Iterator[RowProblem]:
    """Rows the actor may not write: a stored cadre in a unit outside their scope, an account outside
    it newly linked, or an account already linked to another profile."""
    linked = {cadre.user_id: cadre.employee_code for cadre in stored.values() if cadre.user_id is not None}
    accounts = {account.id: account for account in lookups.accounts.values()}
    for code, candidate in candidates.items():
        current = stored.get(code)
        if current is not None and not lookups.in_scope(current.unit_id, scope):
            yield layout.problem(
                candidate.row, "employee_code", code, _l("this cadre is in a unit outside yours")
            )
        owner = linked.get(candidate.user_id)
        account = accounts.get(candidate.user_id)
        links = account is not None and (current is None or current.user_id != account.id)
        unit_path = lookups.unit_paths.get(candidate.columns["unit_id"])
        if links and owner is None and not policy.can_link_account(actor, account.path, unit_path):
            why = _l("this account is outside your unit: you cannot link it to a profile")
            yield layout.problem(candidate.row, "email", account.email, why)
        if owner is not None and owner != code:
            why = _l("the account is linked to another profile (%(code)s)", code=owner)
            yield layout.problem(candidate.row, "email", "", why)


def _cadre_changes(candidates: dict[str, CadreCandidate], stored: dict[str, Row]) -> CadrePlan:
    """The rows to insert and to update, and the accounts the file links anew; a row the same as its
    stored cadre is counted unchanged. An account is never unlinked by a row without one."""
    plan = CadrePlan()
    for code, candidate in candidates.items():
        current = stored.get(code)
        user_id = candidate.user_id
        if user_id is not None and (current is None or current.user_id != user_id):
            plan.linking.append(user_id)
        search_name = fold(candidate.columns["full_name"])
        if current is None:
            plan.inserts.append(
                {**candidate.columns, "employee_code": code, "search_name": search_name, "user_id": user_id}
            )
        elif _cadre_differs(current, candidate):
            plan.updates.append(
                {
                    **candidate.columns,
                    "id": current.id,
                    "search_name": search_name,
                    "user_id": user_id if user_id is not None else current.user_id,
                }
            )
        else:
            plan.unchanged += 1
    return plan


def _cadre_differs(current: Row, candidate: CadreCandidate) -> bool:
    return any(getattr(current, name) != value for name, value in candidate.columns.items()) or (
        candidate.user_id is not None and current.user_id != candidate.user_id
    )


def _apply_cadres(session: Session, actor: User | None, plan: CadrePlan, report: ImportReport) -> None:
    """Apply: insert and update the cadres in bulk, bring in the completed courses of newly linked
    accounts, rebuild the counters and audit; flushed in the caller's transaction, never committed,
    so the whole file is written or (on any error) none of it."""
    now = utcnow()
    for start in range(0, len(plan.inserts), BULK_ROWS):
        session.execute(
            insert(Cadre), [{**r, "created_at": now} for r in plan.inserts[start : start + BULK_ROWS]]
        )
    for start in range(0, len(plan.updates), BULK_ROWS):
        session.execute(update(Cadre), plan.updates[start : start + BULK_ROWS])
    session.flush()
    # Newly linked accounts bring their completed courses into the training record.
    brought = bring_in_completions(session, plan.linking)
    _audit_links(session, actor, plan.linking, brought)
    if plan.inserts or plan.updates:  # cadres may have moved, changed post or been linked to an account
        rollups.rebuild(session)
    audit.record(
        session,
        actor,
        "import_cadres",
        "cadres",
        None,
        unit_id=actor.unit_id,
        created=report.created,
        updated=report.updated,
    )


def _audit_links(session: Session, actor, user_ids: list[int], brought: dict[int, int]) -> None:
    """One audit entry per account linked by the import, with how many records it brought in."""
    for start in range(0, len(user_ids), 1000):
        rows = session.execute(
            select(Cadre.id, Cadre.unit_id, Cadre.employee_code, User.id, User.email)
            .join(User, User.id == Cadre.user_id)
            .where(Cadre.user_id.in_(user_ids[start : start + 1000]))
        ).all()
        audit.append(
            session,
            [
                audit.Entry(
                    actor.id,
                    "link_account",
                    "cadre",
                    cadre_id,
                    unit_id,
                    {
                        "user": email,
                        "employee_code": code,
                        "records": brought.get(user_id, 0),
                        "via": "import",
                    },
                )
                for cadre_id, unit_id, code, user_id, email in rows
            ],
        )
