"""The register of legal documents: the page everyone signed in reads (courses link their
citations to it), and the city admins' edit form."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import clock, policy
from app.access import EDIT_LEGAL, LOGGED_IN, allow
from app.errors import NotFound
from app.extensions import db
from app.legal import (
    labels,  # noqa: F401 (the kinds' words)
    service,
)
from app.legal.forms import LegalDocumentForm
from app.legal.register import anchor, normal_number
from app.models import LegalDocument

bp = Blueprint("legal", __name__)


@bp.route("/")
@allow(LOGGED_IN)
def register():
    today = clock.local_today()
    stale = service.stale_courses(db.session, today) if policy.can_teach(current_user) else []
    return render_template(
        "legal/register.html",
        documents=service.all_documents(db.session),
        stale=stale,
        today=today,
        anchor=anchor,
        can_edit=policy.can_edit_legal_documents(current_user),
    )


@bp.route("/<int:document_id>/edit", methods=["GET", "POST"])
@allow(EDIT_LEGAL)
def edit(document_id: int):
    row = db.session.get(LegalDocument, document_id)
    if row is None:
        raise NotFound("legal document")
    form = LegalDocumentForm(obj=row)
    if form.validate_on_submit():
        changes = {name: getattr(form, name).data for name in service.EDITABLE}
        changes["replaced_by"] = normal_number(changes["replaced_by"] or "")
        changes["note"] = (changes["note"] or "").strip()
        problem = _replacement_problem(row, changes["replaced_by"])
        if problem:
            form.replaced_by.errors.append(problem)
        else:
            if service.edit(db.session, current_user, row, changes):
                flash(_("Saved: %(number)s.", number=row.number), "success")
            return redirect(url_for("legal.register", _anchor=anchor(row.number)))
    return render_template("legal/edit.html", form=form, document=row)


def _replacement_problem(row: LegalDocument, replaced_by: str) -> str | None:
    if not replaced_by:
        return None
    if replaced_by == row.number:
        return _("A document cannot replace itself.")
    known = db.session.scalar(select(LegalDocument.id).where(LegalDocument.number == replaced_by))
    return None if known else _("%(number)s is not in the register.", number=replaced_by)
