"""Bulk import of units and cadres: every problem by row, column and value first; then all or nothing.

Re-importing the same file changes nothing; an updated file updates cadres by employee code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app import policy
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


def _check_lengths(model, names: dict[str, str], values: dict[str, str], bad) -> None:
    """A value longer than its column would be refused by the database when the import is applied."""
    for name, column in names.items():
        limit = model.__table__.c[column].type.length
        if len(values.get(name, "")) > limit:
            bad(name, _l("longer than %(limit)s characters", limit=limit))


def _get(cells: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _units(session: Session, actor: User | None, table: Table, dry_run: bool) -> ImportReport:
    columns = _columns(table, UNIT_COLUMNS, UNIT_REQUIRED)
    report = ImportReport("units")
    headers = {name: table.headers[i] for name, i in columns.items()}
    existing = {u.code: u for u in session.scalars(select(Unit))}
    scope = policy.scope_path(actor)
    wanted: dict[str, dict] = {}
    for number, cells in table.rows:
        report.rows += 1
        values = {name: _get(cells, columns, name) for name in columns}

        def bad(name: str, why, number=number, values=values) -> None:
            report.add(RowProblem(number, headers.get(name, name), values.get(name, ""), why))

        for name in UNIT_REQUIRED:
            if not values.get(name):
                bad(name, _l("required"))
        _check_lengths(Unit, UNIT_TEXT, values, bad)
        code = values.get("code", "")
        kind = values.get("type", "").lower()
        kind = kind if kind in UNIT_TYPES else UNIT_TYPE_WORDS.get(fold(kind), "")
        if values.get("type") and not kind:
            bad("type", _l("not one of: %(values)s", values=", ".join(UNIT_TYPES)))
        valid_from = None
        if values.get("valid_from"):
            valid_from = parse_date(values["valid_from"])
            if valid_from is None:
                bad("valid_from", _l("not a date (dd/mm/yyyy)"))
        if code and not is_code(code):
            bad("code", CODE_MESSAGE)
            continue
        if code in wanted:
            bad("code", _l("the same unit code is on row %(row)s", row=wanted[code]["row"]))
            continue
        if code:
            wanted[code] = {
                "row": number,
                "name": nfc(values.get("name", "")),
                "type": kind,
                "parent": values.get("parent_code", ""),
                "valid_from": valid_from,
            }

    def within_scope(code: str, depth: int = 0) -> bool:
        if code in existing:
            return existing[code].path.startswith(scope)
        parent = wanted.get(code, {}).get("parent", "")
        return bool(parent) and depth < 50 and within_scope(parent, depth + 1)

    for code, item in wanted.items():
        parent = item["parent"]
        if parent and parent not in existing and parent not in wanted:
            report.add(
                RowProblem(
                    item["row"],
                    headers.get("parent_code", "parent_code"),
                    parent,
                    _l("no unit has this code"),
                )
            )
        elif scope is not None and not within_scope(code):
            report.add(RowProblem(item["row"], headers["code"], code, _l("outside your unit")))
    report.problems.sort()
    if report.problem_count or dry_run:
        _count_units(report, wanted, existing)
        return report
    pending = dict(wanted)
    while pending:
        progressed = False
        for code, item in list(pending.items()):
            parent = item["parent"]
            if parent and parent in pending:
                continue
            unit = existing.get(code)
            parent_unit = existing.get(parent) if parent else None
            if unit is None:
                existing[code] = create_unit(
                    session,
                    actor,
                    code=code,
                    name=item["name"],
                    type=item["type"],
                    parent=parent_unit,
                    valid_from=item["valid_from"],
                )
                report.created += 1
            elif unit.name != item["name"] or unit.type != item["type"]:
                unit.name, unit.type = item["name"], item["type"]
                report.updated += 1
            else:
                report.unchanged += 1
            del pending[code]
            progressed = True
        if not progressed:
            report.add(
                RowProblem(
                    next(iter(pending.values()))["row"],
                    headers["code"],
                    next(iter(pending)),
                    _l("units are each other's parents"),
                )
            )
            return report
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
    return report


def _count_units(report: ImportReport, wanted: dict, existing: dict) -> None:
    for code, item in wanted.items():
        unit = existing.get(code)
        if unit is None:
            report.created += 1
        elif unit.name != item["name"] or unit.type != item["type"]:
            report.updated += 1
        else:
            report.unchanged += 1


def _cadres(session: Session, actor: User | None, table: Table, dry_run: bool) -> ImportReport:
    columns = _columns(table, CADRE_COLUMNS, CADRE_REQUIRED)
    headers = {name: table.headers[i] for name, i in columns.items()}
    report = ImportReport("cadres")
    units = dict(session.execute(select(Unit.code, Unit.id)).all())
    unit_paths = dict(session.execute(select(Unit.id, Unit.path)).all())
    titles = {code: code for code in session.scalars(select(Title.code))}
    titles.update({fold(name): code for code, name in session.execute(select(Title.code, Title.name))})
    users = (
        {
            row.email: row
            for row in session.execute(
                select(User.email, User.id, User.role, Unit.path).outerjoin(Unit, Unit.id == User.unit_id)
            )
        }
        if "email" in columns
        else {}
    )
    scope = policy.scope_path(actor)
    rows: dict[str, dict] = {}
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        report.rows += 1
        values = {name: _get(cells, columns, name) for name in columns}
        problems_before = report.problem_count

        def bad(name: str, why, number=number, values=values) -> None:
            report.add(RowProblem(number, headers.get(name, name), values.get(name, ""), why))

        for name in CADRE_REQUIRED:
            if not values.get(name):
                bad(name, _l("required"))
        _check_lengths(Cadre, CADRE_TEXT, values, bad)
        code = values.get("employee_code", "").upper()
        if code in seen:
            bad("employee_code", _l("the same employee code is on row %(row)s", row=seen[code]))
            continue
        if code:
            seen[code] = number
        born = parse_date(values.get("date_of_birth", "")) if values.get("date_of_birth") else None
        if values.get("date_of_birth") and (born is None or not date(1930, 1, 1) <= born <= date.today()):
            bad("date_of_birth", _l("not a possible date of birth (dd/mm/yyyy)"))
        gender = GENDERS.get(fold(values.get("gender", "")))
        if values.get("gender") and gender is None:
            bad("gender", _l("write Nam or Nữ"))
        staff = STAFF.get(fold(values.get("staff_type", "")).replace("_", " ")) or STAFF.get(
            values.get("staff_type", "")
        )
        if values.get("staff_type") and staff is None:
            bad("staff_type", _l("write cán bộ, công chức or viên chức"))
        unit_id = units.get(values.get("unit_code", ""))
        if values.get("unit_code") and unit_id is None:
            bad("unit_code", _l("no unit has this code"))
        elif unit_id is not None and scope is not None and not unit_paths[unit_id].startswith(scope):
            bad("unit_code", _l("outside your unit"))
        title = None
        if values.get("title_code"):
            title = titles.get(values["title_code"]) or titles.get(fold(values["title_code"]))
            if title is None:
                bad("title_code", _l("unknown position"))
        user_id = None
        if values.get("email"):
            account = users.get(values["email"].lower())
            if account is None:
                bad("email", _l("no account has this e-mail"))
            else:
                user_id = account.id
        if code and report.problem_count == problems_before:
            rows[code] = {
                "employee_code": code,
                "full_name": nfc(values["full_name"]),
                "date_of_birth": born,
                "gender": gender,
                "staff_type": staff,
                "unit_id": unit_id,
                "job_position": nfc(values.get("job_position", "")),
                "title_code": title,
                "rank": nfc(values.get("rank", "")),
                "professional_qualification": nfc(values.get("professional_qualification", "")),
                "user_id": user_id,
                "row": number,
            }
    existing = {
        c.employee_code: c
        for c in session.execute(
            select(
                Cadre.id,
                Cadre.employee_code,
                Cadre.unit_id,
                Cadre.user_id,
                *[getattr(Cadre, f) for f in CADRE_FIELDS if f != "unit_id"],
            )
        ).all()
    }
    linked = {c.user_id: c.employee_code for c in existing.values() if c.user_id is not None}
    accounts = {account.id: account for account in users.values()}
    for code, row in rows.items():
        current = existing.get(code)
        if current is not None and scope is not None and not unit_paths[current.unit_id].startswith(scope):
            report.add(
                RowProblem(
                    row["row"], headers["employee_code"], code, _l("this cadre is in a unit outside yours")
                )
            )
        owner = linked.get(row["user_id"]) if row["user_id"] is not None else None
        account = accounts.get(row["user_id"]) if row["user_id"] is not None else None
        links = account is not None and (current is None or current.user_id != account.id)
        if (
            links
            and owner is None
            and not policy.can_link_account(actor, account.path, unit_paths.get(row["unit_id"]))
        ):
            report.add(
                RowProblem(
                    row["row"],
                    headers["email"],
                    account.email,
                    _l("this account is outside your unit: you cannot link it to a profile"),
                )
            )
        if owner is not None and owner != code:
            report.add(
                RowProblem(
                    row["row"],
                    headers["email"],
                    "",
                    _l("the account is linked to another profile (%(code)s)", code=owner),
                )
            )
    report.problems.sort()
    inserts, updates, linking = [], [], []
    for code, row in rows.items():
        current = existing.get(code)
        data = {k: row[k] for k in CADRE_FIELDS}
        if row["user_id"] is not None and (current is None or current.user_id != row["user_id"]):
            linking.append(row["user_id"])
        if current is None:
            inserts.append(
                {
                    **data,
                    "employee_code": code,
                    "search_name": fold(row["full_name"]),
                    "user_id": row["user_id"],
                }
            )
        else:
            changed = any(getattr(current, k) != v for k, v in data.items()) or (
                row["user_id"] is not None and current.user_id != row["user_id"]
            )
            if changed:
                updates.append(
                    {
                        **data,
                        "id": current.id,
                        "search_name": fold(row["full_name"]),
                        "user_id": row["user_id"] if row["user_id"] is not None else current.user_id,
                    }
                )
            else:
                report.unchanged += 1
    report.created, report.updated = len(inserts), len(updates)
    if report.problem_count or dry_run:
        return report
    now = utcnow()
    for start in range(0, len(inserts), 10_000):
        session.execute(insert(Cadre), [{**r, "created_at": now} for r in inserts[start : start + 10_000]])
    for start in range(0, len(updates), 10_000):
        session.execute(update(Cadre), updates[start : start + 10_000])
    session.flush()
    brought = bring_in_completions(session, linking)  # newly linked accounts bring their completed courses
    _audit_links(session, actor, linking, brought)
    if inserts or updates:  # cadres may have moved, changed post or been linked to an account
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
    return report
