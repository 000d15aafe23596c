"""Cadre profiles, eligibility, appointment decisions and requirement sets in the browser."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app import params, policy
from app.access import (
    ADMIN,
    AUDITED_VIEW,
    CHANGE_DISCIPLINE,
    DECIDE,
    EDIT_REQUIREMENTS,
    LOGGED_IN,
    MANAGE_PROFILE,
    MANAGE_QUALIFICATION,
    MANAGE_TRAINING,
    OVERRIDE_DECISION,
    VIEW_DECISION,
    VIEW_PROFILE,
    allow,
)
from app.clock import local_today
from app.courses.categories import category_choices
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.form_errors import field_error
from app.models import (
    AnnualRating,
    AppointmentDecision,
    Cadre,
    DisciplineRecord,
    PlanningEntry,
    PositionRecord,
    QualificationRecord,
    RequirementSet,
    Scale,
    Title,
    TrainingRecord,
    Unit,
    UnitChange,
)
from app.org import audit
from app.org.units import get_unit
from app.profiles import conditions, decisions, planning, records, requirements
from app.profiles.eligibility import RULE_KINDS_REGISTRY, eligibility_from_dict
from app.profiles.facts import MET, Evidence
from app.profiles.forms import (
    CorrectionForm,
    DisciplineChangeForm,
    DisciplineForm,
    OverrideForm,
    PlanningForm,
    ProposalForm,
    QualificationForm,
    RequirementsForm,
    RevokeForm,
    TrainingForm,
)
from app.profiles.present import (
    KIND_LABELS,
    OVERALL_LABELS,
    STATUS_LABELS,
    Names,
    describe,
    evidence_text,
    load_names,
    reason_text,
)
from app.profiles.reports import use_after_training
from app.text import like_pattern
from app.transactions import discard

bp = Blueprint("profiles", __name__)

DECISION_KIND_LABELS = {
    "appointment": _l("Appointment"),
    "reappointment": _l("Reappointment"),
    "transfer": _l("Transfer"),
    "rotation": _l("Rotation"),
    "acting": _l("Acting appointment"),
}
CONDITION_LABELS = {
    conditions.OVERDUE: _l("Overdue"),
    conditions.DUE_SOON: _l("Due soon"),
    conditions.OPEN: _l("Open"),
    conditions.CLOSED: _l("Closed"),
}
# The colour of each condition status, from the eligibility pills: overdue is the alarming one.
CONDITION_PILLS = {
    conditions.OVERDUE: "unmet",
    conditions.DUE_SOON: "conditional",
    conditions.OPEN: "",
    conditions.CLOSED: "met",
}


@bp.app_context_processor
def _helpers():
    return {
        "status_label": lambda s: STATUS_LABELS.get(s, s),
        "overall_label": lambda s: OVERALL_LABELS.get(s, s),
        "kind_label": lambda k: KIND_LABELS.get(k, k),
        "evidence_text": evidence_text,
        "reason_text": reason_text,
        "decision_kind_label": lambda k: DECISION_KIND_LABELS.get(k, k),
        "discipline_label": lambda k: DISCIPLINE_LABELS.get(k, k),
        "condition_label": lambda s: CONDITION_LABELS.get(s, s),
        "condition_pill": lambda s: CONDITION_PILLS.get(s, ""),
    }


def _record_words(evidence: Evidence, names: Names) -> str:
    """A record that met a condition, in words: the course or programme, or the qualification."""
    summary = evidence.summary
    if evidence.kind == "qualification":
        scale = summary.get("scale") or ""
        return f"{names.scales.get(scale, scale)}: {names.level(scale, summary.get('level'))}"
    if summary.get("course"):
        return names.course(summary["course"])
    return summary.get("programme") or evidence.kind


def _condition_helpers(names: Names) -> dict:
    """What the conditions partial needs to put a condition into words."""
    return {
        "describe": lambda m: describe(m, names),
        "records_words": lambda evidence: ", ".join(_record_words(ev, names) for ev in evidence),
    }


def _cadre_for_viewer(cadre_id: int) -> Cadre:
    """The profile if the current user may see it (the route's rule has checked; this is the
    service-level check again, for a cadre reached through a record or decision)."""
    cadre = db.session.get(Cadre, cadre_id)
    if cadre is None:
        raise NotFound(str(cadre_id))
    policy.require(policy.can_view_profile(current_user, cadre.user_id, cadre.unit.path), "outside your unit")
    return cadre


def _audit_view(action: str, cadre: Cadre, **detail) -> None:
    """A view of a cadre's data by someone other than the cadre is audited."""
    if cadre.user_id != current_user.id:
        audit.record(db.session, current_user, action, "cadre", cadre.id, unit_id=cadre.unit_id, **detail)


def _today() -> date:
    return local_today()


def _profile_context(cadre: Cadre) -> dict:
    session = db.session
    names = load_names(session)
    today = _today()
    targets = [cadre.title_code] if cadre.title_code else []
    planning = list(
        session.scalars(
            select(PlanningEntry)
            .where(PlanningEntry.cadre_id == cadre.id)
            .order_by(PlanningEntry.valid_from.desc())
        )
    )
    planned_in = {p.unit_id for p in planning if p.unit_id is not None}
    planning_units = (
        dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(planned_in))).all())
        if planned_in
        else {}
    )
    targets += [
        p.title_code
        for p in planning
        if (p.valid_to is None or p.valid_to >= today) and p.title_code not in targets
    ]
    evaluations = []
    for title in targets:
        result, row, _facts = decisions.eligibility_for(session, cadre, title, today)
        missing_courses = sorted(
            {
                code
                for r in result.results
                if r.status != MET
                for m in r.missing
                for code in (
                    [m.params.get("course")] if m.params.get("course") else m.params.get("remaining", [])
                )
            }
        )
        evaluations.append(
            {
                "title": title,
                "result": result,
                "set": row,
                "plan": missing_courses,
                "describe": lambda m, names=names: describe(m, names),
            }
        )
    return {
        "cadre": cadre,
        "may_manage": policy.can_manage_profile(current_user, cadre.unit.path),
        "may_decide": policy.can_decide(current_user, cadre.unit.path),
        "conditions": conditions.conditions(session, current_user, today, cadre_id=cadre.id),
        "condition_helpers": _condition_helpers(names),
        "names": names,
        "today": today,
        "evaluations": evaluations,
        "planning": planning,
        "planning_units": planning_units,
        "positions": list(
            session.scalars(
                select(PositionRecord)
                .where(PositionRecord.cadre_id == cadre.id)
                .order_by(PositionRecord.start_date.desc())
            )
        ),
        "discipline": list(
            session.scalars(
                select(DisciplineRecord)
                .where(DisciplineRecord.cadre_id == cadre.id)
                .order_by(DisciplineRecord.decided_on.desc())
            )
        ),
        "ratings": list(
            session.scalars(
                select(AnnualRating)
                .where(AnnualRating.cadre_id == cadre.id)
                .order_by(AnnualRating.year.desc())
            )
        ),
        "qualifications": list(
            session.scalars(
                select(QualificationRecord)
                .where(QualificationRecord.cadre_id == cadre.id)
                .order_by(QualificationRecord.scale_code)
            )
        ),
        "trainings": records.training_history(session, cadre),
        "superseded_qualifications": set(
            session.scalars(
                select(QualificationRecord.supersedes_id).where(
                    QualificationRecord.cadre_id == cadre.id, QualificationRecord.supersedes_id.is_not(None)
                )
            )
        ),
        "decisions": list(
            session.scalars(
                select(AppointmentDecision)
                .where(AppointmentDecision.cadre_id == cadre.id)
                .order_by(AppointmentDecision.created_at.desc())
            )
        ),
    }


@bp.route("/me")
@allow(LOGGED_IN)
def my_profile():
    cadre = db.session.scalar(select(Cadre).where(Cadre.user_id == current_user.id))
    if cadre is None:
        return render_template("profiles/no_profile.html")
    return render_template("profiles/profile.html", owner=True, **_profile_context(cadre))


@bp.route("/cadres/")
@allow(ADMIN)
def cadres():
    query = params.text("q")
    stmt = select(Cadre).where(policy.visible_cadres(current_user)).order_by(Cadre.search_name, Cadre.id)
    if query:
        stmt = stmt.where(
            (Cadre.search_name.like(like_pattern(query), escape="\\"))
            | (Cadre.employee_code == query.upper())
        )
    page = params.paginate(stmt, current_app.config["PAGE_SIZE"])
    unit_ids = {c.unit_id for c in page.items}
    units = (
        {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    )
    titles = dict(db.session.execute(select(Title.code, Title.name)).all())
    return render_template("profiles/cadres.html", page=page, query=query, units=units, titles=titles)


@bp.route("/cadres/<int:cadre_id>")
@allow(VIEW_PROFILE, get_writes=AUDITED_VIEW)
def profile(cadre_id: int):
    cadre = _cadre_for_viewer(cadre_id)
    owner = cadre.user_id == current_user.id
    _audit_view("view_profile", cadre)
    return render_template("profiles/profile.html", owner=owner, **_profile_context(cadre))


@bp.route("/cadres/<int:cadre_id>/print")
@allow(VIEW_PROFILE, get_writes=AUDITED_VIEW)
def dossier(cadre_id: int):
    cadre = _cadre_for_viewer(cadre_id)
    _audit_view("print_profile", cadre)
    return render_template("profiles/dossier.html", **_profile_context(cadre))


def _category_choices():
    return [SelectChoice("", "—")] + [SelectChoice(code, label) for code, label in category_choices()]


def _external(form: TrainingForm) -> records.ExternalTraining:
    return records.ExternalTraining(
        programme=form.programme.data or "",
        issuer=form.issuer.data or "",
        completed_on=form.completed_on.data,
        hours=form.hours.data or 0,
        certificate_no=form.certificate_no.data or "",
        category=form.category.data or None,
        course_code=(form.course_code.data or "").strip().upper() or None,
        valid_until=form.valid_until.data,
        score=float(form.score.data) if form.score.data is not None else None,
        evidence=form.evidence.data or "",
    )


@bp.route("/cadres/<int:cadre_id>/training/new", methods=["GET", "POST"])
@allow(MANAGE_PROFILE)
def add_training(cadre_id: int):
    cadre = _cadre_for_viewer(cadre_id)
    form = TrainingForm()
    form.category.choices = _category_choices()
    if form.validate_on_submit():
        try:
            records.add_external(db.session, current_user, cadre, _external(form))
        except ValidationFailed as exc:
            field_error(form, exc)
        else:
            flash(_("Training record added."), "success")
            return redirect(url_for("profiles.profile", cadre_id=cadre.id))
    return render_template("profiles/training_form.html", form=form, cadre=cadre, record=None, mode="add")


def _record_for_admin(record_id: int) -> tuple[TrainingRecord, Cadre]:
    record = db.session.get(TrainingRecord, record_id)
    if record is None:
        raise NotFound(str(record_id))
    return record, _cadre_for_viewer(record.cadre_id)


@bp.route("/training/<int:record_id>/correct", methods=["GET", "POST"])
@allow(MANAGE_TRAINING)
def correct_training(record_id: int):
    record, cadre = _record_for_admin(record_id)
    form = CorrectionForm(obj=record) if request.method == "GET" else CorrectionForm()
    form.category.choices = _category_choices()
    if form.validate_on_submit():
        try:
            records.correct_training(
                db.session, current_user, record, _external(form), form.reason.data or ""
            )
        except (ValidationFailed, Conflict) as exc:
            field_error(form, exc)
        else:
            flash(_("The record was corrected; the original stays in the history."), "success")
            return redirect(url_for("profiles.profile", cadre_id=cadre.id))
    return render_template(
        "profiles/training_form.html", form=form, cadre=cadre, record=record, mode="correct"
    )


@bp.route("/training/<int:record_id>/revoke", methods=["GET", "POST"])
@allow(MANAGE_TRAINING)
def revoke_training(record_id: int):
    record, cadre = _record_for_admin(record_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            records.revoke_training(
                db.session, current_user, record, form.reason.data or "", form.revoked_on.data
            )
        except (ValidationFailed, Conflict) as exc:
            field_error(form, exc)
        else:
            flash(_("The record was revoked; it stays in the history."), "success")
            return redirect(url_for("profiles.profile", cadre_id=cadre.id))
    return render_template(
        "profiles/training_form.html", form=form, cadre=cadre, record=record, mode="revoke"
    )


DISCIPLINE_LABELS = {
    "reprimand": _l("Reprimand"),
    "warning": _l("Warning"),
    "removal": _l("Removal from post"),
    "dismissal": _l("Dismissal"),
    "other": _l("Other"),
}


def _record_form(cadre: Cadre, form, heading: str, save):
    """Shared GET/POST handling of the small record forms: save, or show the field's error."""
    if form.validate_on_submit():
        try:
            save()
        except (ValidationFailed, Conflict) as exc:
            field_error(form, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("profiles.profile", cadre_id=cadre.id))
    return render_template("profiles/record_form.html", form=form, cadre=cadre, heading=heading)


@bp.route("/cadres/<int:cadre_id>/qualifications/new", methods=["GET", "POST"])
@allow(MANAGE_PROFILE)
def add_qualification(cadre_id: int):
    cadre = _cadre_for_viewer(cadre_id)
    form = QualificationForm()
    scales = list(db.session.scalars(select(Scale).order_by(Scale.name)))
    form.scale.choices = [SelectChoice(s.code, s.name) for s in scales]
    form.level.choices = [
        SelectChoice(level.code, f"{s.name}: {level.name}") for s in scales for level in s.levels
    ]

    def save():
        records.add_qualification(
            db.session,
            current_user,
            cadre,
            records.QualificationInput(
                scale=form.scale.data,
                level=form.level.data,
                issuer=form.issuer.data or "",
                number=form.number.data or "",
                issued_on=form.issued_on.data,
                expires_on=form.expires_on.data,
                evidence=form.evidence.data or "",
            ),
        )

    return _record_form(cadre, form, _("Add a qualification"), save)


@bp.route("/qualifications/<int:record_id>/revoke", methods=["GET", "POST"])
@allow(MANAGE_QUALIFICATION)
def revoke_qualification(record_id: int):
    record = db.session.get(QualificationRecord, record_id)
    if record is None:
        raise NotFound(str(record_id))
    cadre = _cadre_for_viewer(record.cadre_id)
    form = RevokeForm()
    return _record_form(
        cadre,
        form,
        _("Revoke a qualification"),
        lambda: records.revoke_qualification(
            db.session, current_user, record, form.reason.data or "", form.revoked_on.data
        ),
    )


@bp.route("/cadres/<int:cadre_id>/planning/new", methods=["GET", "POST"])
@allow(MANAGE_PROFILE)
def add_planning(cadre_id: int):
    cadre = _cadre_for_viewer(cadre_id)
    form = PlanningForm()
    form.title_code.choices = [
        SelectChoice(t.code, t.name) for t in db.session.scalars(select(Title).order_by(Title.rank))
    ]
    if request.method == "GET":
        form.unit_code.data = cadre.unit.code

    def save():
        try:
            unit = get_unit(db.session, (form.unit_code.data or "").strip())
        except NotFound:
            raise ValidationFailed(_l("No unit has this code."), field="unit_code") from None
        records.add_planning(
            db.session,
            current_user,
            cadre,
            title_code=form.title_code.data,
            unit=unit,
            term=form.term.data or "",
            valid_from=form.valid_from.data,
            valid_to=form.valid_to.data,
            decision_no=form.decision_no.data or "",
            limit_override=form.limit_override.data or "",
        )

    return _record_form(cadre, form, _("Add to a planning pool"), save)


@bp.route("/cadres/<int:cadre_id>/discipline/new", methods=["GET", "POST"])
@allow(MANAGE_PROFILE)
def add_discipline(cadre_id: int):
    cadre = _cadre_for_viewer(cadre_id)
    form = DisciplineForm()
    form.level.choices = [SelectChoice(k, str(v)) for k, v in DISCIPLINE_LABELS.items()]
    return _record_form(
        cadre,
        form,
        _("Record a discipline decision"),
        lambda: records.add_discipline(
            db.session,
            current_user,
            cadre,
            level=form.level.data,
            decided_on=form.decided_on.data,
            decision_no=form.decision_no.data or "",
            reason=form.reason.data or "",
        ),
    )


@bp.route("/discipline/<int:record_id>/change", methods=["GET", "POST"])
@allow(CHANGE_DISCIPLINE)
def change_discipline(record_id: int):
    record = db.session.get(DisciplineRecord, record_id)
    if record is None:
        raise NotFound(str(record_id))
    cadre = _cadre_for_viewer(record.cadre_id)
    form = DisciplineChangeForm()
    form.action.choices = [
        SelectChoice("annul", _("Annul it")),
        SelectChoice("replace", _("Replace it by another level")),
    ]
    form.level.choices = [SelectChoice("", "—")] + [
        SelectChoice(k, str(v)) for k, v in DISCIPLINE_LABELS.items()
    ]
    heading = _(
        "Annul or replace: %(level)s of %(day)s",
        level=DISCIPLINE_LABELS.get(record.level, record.level),
        day=format_date(record.decided_on),
    )
    return _record_form(
        cadre,
        form,
        heading,
        lambda: records.change_discipline(
            db.session,
            current_user,
            record,
            annul=form.action.data == "annul",
            effective_on=form.effective_on.data,
            decision_no=form.decision_no.data or "",
            reason=form.reason.data or "",
            level=form.level.data or None,
            decided_on=form.decided_on.data,
        ),
    )


@bp.route("/cadres/<int:cadre_id>/appointments/new", methods=["GET", "POST"])
@allow(DECIDE)
def propose(cadre_id: int):
    cadre = _cadre_for_viewer(cadre_id)
    form = ProposalForm()
    form.title_code.choices = [
        SelectChoice(t.code, t.name) for t in db.session.scalars(select(Title).order_by(Title.rank))
    ]
    form.kind.choices = [SelectChoice(k, str(v)) for k, v in DECISION_KIND_LABELS.items()]
    if request.method == "GET":
        form.unit_code.data = cadre.unit.code
    if form.validate_on_submit():
        try:
            unit = get_unit(db.session, (form.unit_code.data or "").strip())
            decision = decisions.propose(
                db.session,
                current_user,
                cadre,
                title_code=form.title_code.data,
                unit=unit,
                effective_on=form.effective_on.data,
                decision_no=form.decision_no.data or "",
                kind=form.kind.data,
            )
        except NotFound:
            discard()
            form.unit_code.errors.append(_("No unit has this code."))
        except ValidationFailed as exc:
            field_error(form, exc)
        else:
            return redirect(url_for("profiles.decision", decision_id=decision.id))
    return render_template("profiles/propose.html", form=form, cadre=cadre)


@bp.route("/decisions/<int:decision_id>", methods=["GET", "POST"])
@allow(VIEW_DECISION, post=OVERRIDE_DECISION, get_writes=AUDITED_VIEW)
def decision(decision_id: int):
    decision = decisions.get_decision(db.session, decision_id)
    cadre = _cadre_for_viewer(decision.cadre_id)
    form = OverrideForm()
    if request.method == "GET":
        _audit_view("view_decision", cadre, decision=decision.id)
    if request.method == "POST" and form.validate_on_submit():
        try:
            decisions.record_override(
                db.session,
                current_user,
                decision,
                authority=form.authority.data or "",
                authority_decision_no=form.authority_decision_no.data or "",
                reason=form.reason.data or "",
            )
        except ValidationFailed as exc:
            field_error(form, exc)
        else:
            if decision.applied_at:
                flash(_("The override was recorded and the appointment went through."), "success")
            else:
                flash(_("The override was recorded; the appointment takes effect on its date."), "success")
            return redirect(url_for("profiles.decision", decision_id=decision.id))
    names = load_names(db.session)
    return render_template(
        "profiles/decision.html",
        decision=decision,
        cadre=cadre,
        form=form,
        names=names,
        result=eligibility_from_dict(decision.evaluation["result"]),
        describe=lambda m: describe(m, names),
        kind_labels=DECISION_KIND_LABELS,
    )


@bp.route("/decisions/conditions")
@allow(ADMIN, get_writes=AUDITED_VIEW)
def decision_conditions():
    wanted = params.choice("status", (*conditions.STATUSES, "all"))  # "": every one not closed yet
    rows = conditions.conditions(db.session, current_user, _today())
    counts = {status: sum(1 for c in rows if c.status == status) for status in conditions.STATUSES}
    if wanted == "":
        rows = [c for c in rows if c.status != conditions.CLOSED]
    elif wanted != "all":
        rows = [c for c in rows if c.status == wanted]
    audit.record(
        db.session,
        current_user,
        "view_conditions",
        "decision",
        None,
        unit_id=current_user.unit_id,
        status=wanted or "not_closed",
        decisions=len(rows),
    )
    names = load_names(db.session)
    html = render_template(
        "profiles/conditions.html",
        rows=rows[:500],
        total=len(rows),
        counts=counts,
        wanted=wanted,
        names=names,
        today=_today(),
        **_condition_helpers(names),
    )
    # Committed after rendering: a commit expires the rows, and reloading them would cost a
    # statement per row. The view is audited once the page exists.
    return html


@bp.route("/requirements/")
@allow(ADMIN)
def requirement_sets():
    sets = list(
        db.session.scalars(
            select(RequirementSet).order_by(RequirementSet.title_code, RequirementSet.version.desc())
        )
    )
    titles = list(db.session.scalars(select(Title).order_by(Title.rank.desc())))
    return render_template("profiles/requirements.html", sets=sets, titles=titles, today=_today())


@bp.route("/requirements/<title_code>/pool")
@allow(ADMIN, get_writes=AUDITED_VIEW)
def pool(title_code: str):
    title = db.session.scalar(select(Title).where(Title.code == title_code))
    if title is None:
        raise NotFound(title_code)
    entries = requirements.pool_eligibility(
        db.session, title_code, _today(), policy.visible_cadres(current_user)
    )
    limits = planning.limits_report(
        db.session,
        title_code,
        _today(),
        policy.units_in_scope(current_user),
        policy.visible_cadres(current_user),
    )
    audit.record(
        db.session,
        current_user,
        "view_pool",
        "title",
        title.id,
        unit_id=current_user.unit_id,
        title=title_code,
        cadres=len(entries),
    )
    order = {"met": 0, "conditional": 1, "unmet": 2}
    entries.sort(key=lambda e: (order.get(e.status, 3), e.cadre.search_name))
    counts = {status: sum(1 for e in entries if e.status == status) for status in order}
    page = render_template(
        "profiles/pool.html",
        title=title,
        entries=entries[:500],
        total=len(entries),
        counts=counts,
        limits=limits,
        max_cadres=planning.MAX_CADRES_PER_POST,
        max_posts=planning.MAX_POSTS_PER_CADRE,
        legal_basis=planning.LEGAL_BASIS,
        today=_today(),
    )
    # Committed once the page is rendered: a commit expires every loaded row, and reading the
    # candidates again afterwards would cost a statement each.
    return page


@bp.route("/requirements/<title_code>/edit", methods=["GET", "POST"])
@allow(EDIT_REQUIREMENTS)
def edit_requirements(title_code: str):
    title = db.session.scalar(select(Title).where(Title.code == title_code))
    if title is None:
        raise NotFound(title_code)
    form = RequirementsForm()
    if request.method == "GET":
        form.source.data = (
            requirements.export_yaml(db.session, _today(), [title_code])
            if requirements.current_set(db.session, title_code, date.max)
            else _starter_yaml(title_code)
        )
    preview, problems = None, []
    if form.validate_on_submit():
        try:
            parsed = requirements.parse_sets(db.session, form.source.data or "")
            if any(p.title_code != title_code for p in parsed):
                raise requirements.RequirementsInvalid(
                    [
                        requirements.FieldProblem(
                            "requirements[0].title", _("must be %(code)s", code=title_code)
                        )
                    ]
                )
        except requirements.RequirementsInvalid as exc:
            problems = exc.problems
        else:
            if request.form.get("action") == "save":
                saved = [requirements.save_set(db.session, current_user, p) for p in parsed]
                flash(_("Saved as a new version.") if any(saved) else _("Nothing changed."), "success")
                return redirect(url_for("profiles.requirement_sets"))
            preview = requirements.what_if(db.session, parsed[0], _today())
    return render_template(
        "profiles/requirements_edit.html",
        form=form,
        title=title,
        preview=preview,
        problems=problems,
        rule_kinds=", ".join(RULE_KINDS_REGISTRY),
    )


def _starter_yaml(title_code: str) -> str:
    return (
        f"requirements:\n  - title: {title_code}\n    effective_from: {_today().isoformat()}\n"
        "    legal_basis: ''\n    rules:\n      - {key: planning, kind: planning, legal_basis: '', "
        "params: {or_higher: true}}\n"
    )


@bp.route("/reports/use-after-training")
@allow(ADMIN)
def use_report():
    courses = params.code("course") or ""
    months = params.clamped("months", 12, 1, 120)
    rows = use_after_training(db.session, current_user, course_code=courses or None, months=months)
    return render_template("profiles/use_report.html", rows=rows, months=months, course=courses)


@bp.route("/units/")
@allow(ADMIN)
def units():
    stmt = select(Unit).where(policy.units_in_scope(current_user)).order_by(Unit.path)
    rows = list(db.session.scalars(stmt))
    by_id = {u.id: u for u in rows}
    successors = {u.successor_id for u in rows if u.successor_id and u.successor_id not in by_id}
    if successors:
        by_id.update({u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(successors)))})
    changes = list(
        db.session.scalars(
            select(UnitChange)
            .where(UnitChange.unit_id.in_([u.id for u in rows]))
            .order_by(UnitChange.effective_on.desc())
            .limit(200)
        )
    )
    return render_template("profiles/units.html", units=rows, by_id=by_id, changes=changes, today=_today())
