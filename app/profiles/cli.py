"""`flask profiles …` and `flask requirements …`: for the personnel office and for scripts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.clock import local_today
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.models import Cadre, Title, Unit
from app.models.org import UNIT_TYPES
from app.org.units import create_unit, get_unit, merge_unit, move_unit, rename_unit
from app.profiles import decisions, requirements, retirement
from app.profiles.decisions import eligibility_for
from app.profiles.eligibility import result_to_dict, rule_table
from app.profiles.facts import APPOINTMENT_KINDS, CONDITIONAL, MET, NO_REQUIREMENTS, NO_SET_IN_FORCE
from app.profiles.present import (
    OVERALL_LABELS,
    STATUS_LABELS,
    describe,
    evidence_text,
    load_names,
    reason_text,
)

EXIT_CODES = {MET: 0, CONDITIONAL: 3}  # anything else (not eligible): 1; unknown code or title: 2


@click.group("profiles")
def profiles_cli() -> None:
    """Cadre profiles and eligibility."""


@profiles_cli.command("eligibility")
@click.argument("employee_code")
@click.argument("title_code")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Default: today.")
@click.option(
    "--kind",
    type=click.Choice(APPOINTMENT_KINDS),
    help="Kind of appointment. Default: reappointment for the holder of the post, else appointment.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@with_appcontext
def eligibility(employee_code: str, title_code: str, as_of, kind: str | None, as_json: bool) -> None:
    """Check EMPLOYEE_CODE against TITLE_CODE on a date.

    Exit status: 0 eligible, 3 eligible on condition, 1 not eligible (also when no requirement
    set is in force on the date, or none was ever set for the title), 2 unknown employee code or
    title (or other bad input; the message goes to stderr).
    """
    cadre = db.session.scalar(select(Cadre).where(Cadre.employee_code == employee_code))
    if cadre is None:
        raise click.BadParameter(f"no cadre with employee code {employee_code}", param_hint="EMPLOYEE_CODE")
    if db.session.scalar(select(Title.id).where(Title.code == title_code)) is None:
        raise click.BadParameter(f"unknown position {title_code}", param_hint="TITLE_CODE")
    day = as_of.date() if as_of else local_today()
    result, row, _facts = eligibility_for(db.session, cadre, title_code, day, kind)
    names = load_names(db.session)
    if as_json:
        data = result_to_dict(result)
        data["requirement_set"] = {
            "version": row.version if row else None,
            "legal_basis": row.legal_basis if row else None,
        }
        data["reason_text"] = reason_text(result.reason) if result.reason else None
        for item, rule_result in zip(data["results"], result.results, strict=True):
            item["missing_text"] = [describe(m, names) for m in rule_result.missing]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(
            f"{cadre.full_name} ({cadre.employee_code}) → {names.title(title_code)}, {day.isoformat()}: "
            f"{OVERALL_LABELS[result.status]}"
        )
        if row:
            click.echo(f"  requirements version {row.version}, {row.legal_basis}")
        if result.reason:
            click.echo(f"  {_reason_line(result.reason)}")
        for r in result.results:
            click.echo(f"  [{STATUS_LABELS[r.status]}] {r.rule.label or r.rule.kind} — {r.rule.legal_basis}")
            for m in r.missing:
                click.echo(f"      missing: {describe(m, names)}")
            if r.deadline:
                click.echo(f"      deadline: {r.deadline.isoformat()}")
            for e in r.evidence:
                text = evidence_text(e.summary)
                if text:
                    click.echo(f"      evidence: {text}")
    raise SystemExit(EXIT_CODES.get(result.status, 1))


def _reason_line(reason) -> str:
    """Why nothing was checked, for the command line (English, ISO dates)."""
    if reason.code == NO_SET_IN_FORCE:
        return f"no requirement set in force on {reason.params['as_of']}"
    if reason.code == NO_REQUIREMENTS:
        return "no requirements have been set for this position"
    return f"the requirement set in force (version {reason.params.get('version')}) has no rules"


@profiles_cli.command("load-defaults")
@with_appcontext
def load_defaults() -> None:
    """Load the reference scales and titles and the example requirement sets (idempotent)."""
    saved = requirements.load_defaults(db.session)
    db.session.commit()
    click.echo(f"reference data loaded; {len(saved)} example requirement set(s) added")


@profiles_cli.command("retirement-table")
@click.option("--gender", type=click.Choice(retirement.GENDERS), help="One gender only.")
def retirement_table(gender: str | None) -> None:
    """Print the retirement schedule by year and month of birth, as Decree 135/2020's Appendix I
    lays it out (from app/profiles/retirement.yaml), to compare with the decree."""
    rules = retirement.shipped_rules()
    click.echo(f"{rules.legal_basis} (from {rules.effective_from:%d/%m/%Y})")
    for each in [gender] if gender else retirement.GENDERS:
        click.echo(f"{each}:")
        for row in retirement.table(each, rules):
            years, months = divmod(row.age_months, 12)
            born = (
                f"{row.born_from:%m/%Y}-{row.born_to:%m/%Y}" if row.born_to else f"{row.born_from:%m/%Y} on"
            )
            later = "" if row.born_to else " on"
            click.echo(f"  {row.year}{later}: {years} years {months} months, born {born}")
    for exception in rules.exceptions:
        titles = ", ".join(exception.titles)
        click.echo(
            f"exception {exception.key}: {exception.months:+d} months for {titles} ({exception.legal_basis})"
        )


@click.group("requirements")
def requirements_cli() -> None:
    """Position requirements as YAML."""


@requirements_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_(path: str) -> None:
    """Import requirement sets from YAML: all of them or, on any problem, none."""
    try:
        saved = requirements.import_yaml(db.session, None, Path(path).read_text(encoding="utf-8"))
    except requirements.RequirementsInvalid as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(f"{path}: {problem}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    for row in saved:
        click.echo(f"{row.title_code}: version {row.version} from {row.effective_from.isoformat()}")
    click.echo(f"{len(saved)} new version(s)")


@requirements_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Default: today.")
@with_appcontext
def export(path: str, as_of) -> None:
    """Write the requirement sets in force to a YAML file for review."""
    text = requirements.export_yaml(db.session, as_of.date() if as_of else local_today())
    Path(path).write_text(text, encoding="utf-8")
    click.echo(f"wrote {path}")


@requirements_cli.command("rule-table")
@click.option(
    "--write", "readme", type=click.Path(dir_okay=False, exists=True), help="Update it in this README."
)
def print_rule_table(readme: str | None) -> None:
    """Print the rule kinds as a Markdown table, from the engine's registry (or update a README)."""
    table = rule_table()
    if readme is None:
        click.echo(table, nl=False)
        return
    text = Path(readme).read_text(encoding="utf-8")
    start, end = text.index(RULE_TABLE_START) + len(RULE_TABLE_START), text.index(RULE_TABLE_END)
    Path(readme).write_text(text[:start] + "\n" + table + text[end:], encoding="utf-8")
    click.echo(f"updated {readme}")


RULE_TABLE_START, RULE_TABLE_END = "<!-- rule-table: start -->", "<!-- rule-table: end -->"


@click.group("units")
def units_cli() -> None:
    """Organisation units: create, rename, move, merge (history is kept)."""


def _unit(code: str):
    try:
        return get_unit(db.session, code)
    except NotFound:
        raise click.ClickException(f"no unit with code {code}") from None


def _day(value) -> date:
    return value.date() if value else local_today()


DATE = click.DateTime(formats=["%Y-%m-%d"])


@units_cli.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--type", "kind", type=click.Choice(UNIT_TYPES), required=True)
@click.option("--parent", help="Code of the parent unit (none: a root).")
@click.option("--from", "valid_from", type=DATE, help="Valid from (default: today).")
@with_appcontext
def create(code: str, name: str, kind: str, parent: str | None, valid_from) -> None:
    """Create unit CODE called NAME."""
    try:
        unit = create_unit(
            db.session,
            None,
            code=code,
            name=name,
            type=kind,
            parent=_unit(parent) if parent else None,
            valid_from=_day(valid_from),
        )
    except (ValidationFailed, Conflict) as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created {unit.code} {unit.path}")


@units_cli.command("rename")
@click.argument("code")
@click.argument("name")
@click.option("--on", "effective_on", type=DATE, help="Effective date (default: today).")
@click.option("--decision", default="", help="Decision number.")
@with_appcontext
def rename(code: str, name: str, effective_on, decision: str) -> None:
    """Rename unit CODE to NAME."""
    rename_unit(db.session, None, _unit(code), name, _day(effective_on), decision)
    db.session.commit()
    click.echo(f"renamed {code}")


@units_cli.command("move")
@click.argument("code")
@click.argument("parent")
@click.option("--on", "effective_on", type=DATE, help="Effective date (default: today).")
@click.option("--decision", default="", help="Decision number.")
@with_appcontext
def move(code: str, parent: str, effective_on, decision: str) -> None:
    """Move unit CODE (and everything below it) under PARENT."""
    try:
        move_unit(db.session, None, _unit(code), _unit(parent), _day(effective_on), decision)
    except ValidationFailed as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"moved {code} under {parent}")


@units_cli.command("merge")
@click.argument("code")
@click.argument("successor")
@click.option("--on", "effective_on", type=DATE, required=True, help="The successor takes over on this day.")
@click.option("--decision", default="", help="Decision number.")
@with_appcontext
def merge(code: str, successor: str, effective_on, decision: str) -> None:
    """Merge unit CODE into SUCCESSOR: CODE stays in the records it was cited in."""
    try:
        merge_unit(db.session, None, _unit(code), _unit(successor), effective_on.date(), decision)
    except ValidationFailed as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"merged {code} into {successor} from {effective_on.date().isoformat()}")


@click.group("decisions")
def decisions_cli() -> None:
    """Appointment decisions."""


@decisions_cli.command("apply-due")
@click.option("--as-of", "as_of", type=DATE, help="Apply those effective on or before (default: today).")
@with_appcontext
def apply_due(as_of) -> None:
    """Apply the pending decisions that have taken effect (run daily).

    Each changes its cadre's post, title and unit, exactly once even when runs overlap.
    """
    applied = decisions.apply_due(db.session, _day(as_of))
    db.session.commit()
    for decision in applied:
        cadre = db.session.get(Cadre, decision.cadre_id)
        unit = db.session.get(Unit, decision.unit_id)
        click.echo(
            f"applied {decision.decision_no} (#{decision.id}): {cadre.employee_code} {cadre.full_name} "
            f"-> {decision.title_code} in {unit.code}, effective {decision.effective_on.isoformat()}"
        )
    click.echo(f"{len(applied)} decision(s) applied")
