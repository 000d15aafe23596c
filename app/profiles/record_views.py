"""The forms that add to a cadre's records, correct or revoke them: external training,
qualifications, planning pools, discipline."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app import policy
from app.access import (
    CHANGE_DISCIPLINE,
    MANAGE_PROFILE,
    MANAGE_QUALIFICATION,
    MANAGE_TRAINING,
    allow,
)
from app.courses.categories import category_choices
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.form_errors import field_error
from app.labels import date_words
from app.models import Cadre, DisciplineRecord, QualificationRecord, Scale, Title, TrainingRecord
from app.org.picker import unit_in_scope
from app.profiles import records
from app.profiles.blueprint import bp
from app.profiles.forms import (
    CorrectionForm,
    DisciplineChangeForm,
    DisciplineForm,
    PlanningForm,
    QualificationForm,
    RevokeForm,
    TrainingForm,
)
from app.profiles.labels import DISCIPLINE_LABELS
from app.profiles.pages import cadre_for_viewer


def _cadre(cadre_id: int) -> Cadre:
    return cadre_for_viewer(db.session, current_user, cadre_id)


def _record(model, record_id: int):
    """A record and its cadre, if the current user may see the cadre. Raises NotFound."""
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound(str(record_id))
    return record, _cadre(record.cadre_id)


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
    cadre = _cadre(cadre_id)
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


@bp.route("/training/<int:record_id>/correct", methods=["GET", "POST"])
@allow(MANAGE_TRAINING)
def correct_training(record_id: int):
    record, cadre = _record(TrainingRecord, record_id)
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
    record, cadre = _record(TrainingRecord, record_id)
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
    cadre = _cadre(cadre_id)
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
    record, cadre = _record(QualificationRecord, record_id)
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
    cadre = _cadre(cadre_id)
    form = PlanningForm()
    form.title_code.choices = [
        SelectChoice(t.code, t.name) for t in db.session.scalars(select(Title).order_by(Title.rank))
    ]
    if request.method == "GET":
        form.unit_code.data = cadre.unit.code

    def save():
        unit = unit_in_scope(db.session, policy.scope_path(current_user), form.unit_code.data)
        if unit is None:
            raise ValidationFailed(_l("Required."), field="unit_code")
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
    cadre = _cadre(cadre_id)
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
    record, cadre = _record(DisciplineRecord, record_id)
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
        day=date_words(record.decided_on),
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
