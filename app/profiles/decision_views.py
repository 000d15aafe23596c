"""Appointment decisions: proposing one, reading it (and recording an override), and the
conditions of the appointments that went through on condition."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app import params, policy
from app.access import ADMIN, AUDITED_VIEW, DECIDE, OVERRIDE_DECISION, VIEW_DECISION, allow
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.form_errors import field_error
from app.models import Title
from app.org import audit
from app.org.picker import unit_in_scope
from app.profiles import conditions, decision_list, decisions
from app.profiles.blueprint import bp, today
from app.profiles.decision_list import OUTCOMES, DecisionFilters
from app.profiles.eligibility import eligibility_from_dict
from app.profiles.forms import OverrideForm, ProposalForm
from app.profiles.labels import DECISION_KIND_LABELS, wording
from app.profiles.pages import audit_view, cadre_for_viewer
from app.profiles.present import load_names


@bp.route("/cadres/<int:cadre_id>/appointments/new", methods=["GET", "POST"])
@allow(DECIDE)
def propose(cadre_id: int):
    cadre = cadre_for_viewer(db.session, current_user, cadre_id)
    form = ProposalForm()
    form.title_code.choices = [
        SelectChoice(t.code, t.name) for t in db.session.scalars(select(Title).order_by(Title.rank))
    ]
    form.kind.choices = [SelectChoice(k, str(v)) for k, v in DECISION_KIND_LABELS.items()]
    if request.method == "GET":
        form.unit_code.data = cadre.unit.code
    if form.validate_on_submit():
        try:
            unit = unit_in_scope(db.session, policy.scope_path(current_user), form.unit_code.data)
            if unit is None:
                raise ValidationFailed(_l("Required."), field="unit_code")
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
        except ValidationFailed as exc:
            field_error(form, exc)
        else:
            return redirect(url_for("profiles.decision", decision_id=decision.id))
    return render_template("profiles/propose.html", form=form, cadre=cadre)


def _decision_page(decision, cadre, form: OverrideForm, status: int = 200):
    names = load_names(db.session)
    html = render_template(
        "profiles/decision.html",
        decision=decision,
        cadre=cadre,
        form=form,
        names=names,
        result=eligibility_from_dict(decision.evaluation["result"]),
        kind_labels=DECISION_KIND_LABELS,
        may_decide=policy.can_decide(current_user, cadre.unit.path),
        **wording(names),
    )
    return html, status


@bp.route("/decisions/<int:decision_id>", methods=["GET", "POST"])
@allow(VIEW_DECISION, post=OVERRIDE_DECISION, get_writes=AUDITED_VIEW)
def decision(decision_id: int):
    """The decision (read-only for the cadre it is about); its override form POSTs here first, to
    a page that shows what will be recorded, and nothing is recorded until that is confirmed."""
    decision = decisions.get_decision(db.session, decision_id)
    cadre = cadre_for_viewer(db.session, current_user, decision.cadre_id)
    form = OverrideForm()
    if request.method == "GET":
        audit_view(db.session, current_user, "view_decision", cadre, decision=decision.id)
        return _decision_page(decision, cadre, form)
    if not form.validate_on_submit():
        return _decision_page(decision, cadre, form, 400)
    if decision.status != "blocked" or decision.override is not None:
        raise Conflict("only a blocked proposal can be overridden")
    names = load_names(db.session)
    result = eligibility_from_dict(decision.evaluation["result"])
    return render_template(
        "profiles/override_confirm.html",
        decision=decision,
        cadre=cadre,
        form=form,
        names=names,
        unmet=[r for r in result.results if r.status == "unmet"],
        kind_labels=DECISION_KIND_LABELS,
        **wording(names),
    )


@bp.route("/decisions/<int:decision_id>/override", methods=["POST"])
@allow(OVERRIDE_DECISION)
def record_override(decision_id: int):
    """The second step: the override as confirmed on the page before is recorded."""
    decision = decisions.get_decision(db.session, decision_id)
    cadre = cadre_for_viewer(db.session, current_user, decision.cadre_id)
    form = OverrideForm()
    if not form.validate_on_submit():
        return _decision_page(decision, cadre, form, 400)
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
        return _decision_page(decision, cadre, form, 400)
    if decision.applied_at:
        flash(_("The override was recorded and the appointment went through."), "success")
    else:
        flash(_("The override was recorded; the appointment takes effect on its date."), "success")
    return redirect(url_for("profiles.decision", decision_id=decision.id))


def _decision_filters() -> tuple[DecisionFilters, str | None]:
    """The filters asked for in the query string, and the unit filter's error (if any): a unit
    unknown or outside the admin's units filters nothing in, rather than everything."""
    try:
        unit = unit_in_scope(db.session, policy.scope_path(current_user), params.code("unit"), "unit")
        error = None
    except ValidationFailed as exc:
        unit, error = None, str(exc.message)
    filters = DecisionFilters(
        unit=unit,
        kind=params.choice("kind", tuple(DECISION_KIND_LABELS)),
        outcome=params.choice("outcome", tuple(OUTCOMES)),
        start=params.day("from"),
        end=params.day("to"),
        name=params.text("q"),
    )
    return filters, error


@bp.route("/decisions/")
@allow(ADMIN, get_writes=AUDITED_VIEW)
def decisions_list():
    filters, unit_error = _decision_filters()
    page = None
    if unit_error is None:
        page = decision_list.list_decisions(
            db.session, current_user, filters, params.page_number(), current_app.config["PAGE_SIZE"]
        )
        audit.record(
            db.session,
            current_user,
            "view_decisions",
            "decision",
            None,
            unit_id=filters.unit.id if filters.unit else current_user.unit_id,
            decisions=page.total,
            **filters.as_detail(),
        )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    html = render_template(
        "profiles/decisions.html",
        page=page,
        filters=filters,
        args=args,
        unit_code=request.args.get("unit", ""),
        unit_error=unit_error,
        kind_labels=DECISION_KIND_LABELS,
        outcomes=OUTCOMES,
    )
    return html, 400 if unit_error else 200


@bp.route("/decisions/conditions")
@allow(ADMIN, get_writes=AUDITED_VIEW)
def decision_conditions():
    wanted = params.choice("status", (*conditions.STATUSES, "all"))  # "": every one not closed yet
    day = today()
    rows = conditions.conditions(db.session, current_user, day)
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
        today=day,
        **wording(names),
    )
    # Committed after rendering: a commit expires the rows, and reloading them would cost a
    # statement per row. The view is audited once the page exists.
    return html
