"""Requirement sets by title: the list, the planning pool with its eligibility, and the editor."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import policy
from app.access import ADMIN, AUDITED_VIEW, EDIT_REQUIREMENTS, allow
from app.errors import NotFound
from app.extensions import db
from app.models import RequirementSet, Title
from app.org import audit
from app.profiles import planning, requirements, rule_form
from app.profiles.blueprint import bp, today
from app.profiles.eligibility import RULE_KINDS_REGISTRY
from app.profiles.forms import RequirementsForm


def _title(code: str) -> Title:
    title = db.session.scalar(select(Title).where(Title.code == code))
    if title is None:
        raise NotFound(code)
    return title


@bp.route("/requirements/")
@allow(ADMIN)
def requirement_sets():
    sets = list(
        db.session.scalars(
            select(RequirementSet).order_by(RequirementSet.title_code, RequirementSet.version.desc())
        )
    )
    titles = list(db.session.scalars(select(Title).order_by(Title.rank.desc())))
    return render_template("profiles/requirements.html", sets=sets, titles=titles, today=today())


@bp.route("/requirements/<title_code>/pool")
@allow(ADMIN, get_writes=AUDITED_VIEW)
def pool(title_code: str):
    title = _title(title_code)
    day = today()
    entries = requirements.pool_eligibility(db.session, title_code, day, policy.visible_cadres(current_user))
    limits = planning.limits_report(
        db.session,
        title_code,
        day,
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
        today=day,
    )
    # Committed once the page is rendered: a commit expires every loaded row, and reading the
    # candidates again afterwards would cost a statement each.
    return page


def _changed_source(form: RequirementsForm, kind: str) -> str:
    """The YAML to check: as written, or with the rule of the form below it added."""
    source = form.source.data or ""
    if request.form.get("action") == "add_rule" and kind:
        source = rule_form.add_rule(source, rule_form.rule_from_form(kind, request.form))
        form.source.data = source
    return source


@bp.route("/requirements/<title_code>/edit", methods=["GET", "POST"])
@allow(EDIT_REQUIREMENTS)
def edit_requirements(title_code: str):
    """The set as YAML, with a form that adds a rule of a chosen kind to it; nothing is saved
    until the effect has been previewed and "save" is pressed."""
    title = _title(title_code)
    form = RequirementsForm()
    kind = request.values.get("rule_kind", "")
    kind = kind if kind in rule_form.PARAMS else ""
    if request.method == "GET":
        form.source.data = requirements.editable_yaml(db.session, title_code, today())
    preview, problems = None, []
    if form.validate_on_submit() and request.form.get("action") != "choose_kind":
        try:
            parsed = requirements.parse_sets_of(db.session, _changed_source(form, kind), title_code)
        except requirements.RequirementsInvalid as exc:
            problems = exc.explained
        else:
            if request.form.get("action") == "save":
                saved = [requirements.save_set(db.session, current_user, p) for p in parsed]
                flash(_("Saved as a new version.") if any(saved) else _("Nothing changed."), "success")
                return redirect(url_for("profiles.requirement_sets"))
            preview = requirements.what_if(db.session, parsed[0], today())
    added = request.form.get("action") == "add_rule" and not problems
    return render_template(
        "profiles/requirements_edit.html",
        form=form,
        title=title,
        preview=preview,
        problems=problems,
        rule_kinds=list(RULE_KINDS_REGISTRY),
        kinds=RULE_KINDS_REGISTRY,
        kind=kind,
        params=rule_form.PARAMS.get(kind, ()),
        values={} if added else request.form,
    )
