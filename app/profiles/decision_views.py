"""Appointment decisions: proposing one, reading it (and recording an override), and the
conditions of the appointments that went through on condition."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app import params
from app.access import ADMIN, AUDITED_VIEW, DECIDE, OVERRIDE_DECISION, VIEW_DECISION, allow
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.form_errors import field_error
from app.models import Title
from app.org import audit
from app.org.units import get_unit
from app.profiles import conditions, decisions
from app.profiles.blueprint import bp, today
from app.profiles.eligibility import eligibility_from_dict
from app.profiles.forms import OverrideForm, ProposalForm
from app.profiles.labels import DECISION_KIND_LABELS, wording
from app.profiles.pages import audit_view, cadre_for_viewer
from app.profiles.present import load_names
from app.transactions import discard


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
    cadre = cadre_for_viewer(db.session, current_user, decision.cadre_id)
    form = OverrideForm()
    if request.method == "GET":
        audit_view(db.session, current_user, "view_decision", cadre, decision=decision.id)
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
        kind_labels=DECISION_KIND_LABELS,
        **wording(names),
    )


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
