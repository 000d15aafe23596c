"""Trainer pages: how each course and each of its lessons is doing."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app import params, policy
from app.access import AUDITED_VIEW, MANAGE_COURSE, TEACH, TEACH_COURSE, allow
from app.clock import local_today
from app.courses.review import review_due
from app.editions import service as editions
from app.errors import Conflict, PermissionDenied, ValidationFailed
from app.exports import csv_response
from app.extensions import db
from app.form_errors import field_error
from app.forms import Form
from app.learning.service import find_lesson, get_course, lessons_of
from app.legal import service as legal
from app.legal.register import anchor
from app.models import Unit
from app.org.picker import unit_in_scope
from app.quizzes.service import quiz_of_lesson
from app.teach import progress, service
from app.teach.forms import IssuerForm, TrainerForm
from app.trainers import service as trainers
from app.transactions import discard

bp = Blueprint("teach", __name__)


@bp.route("/")
@allow(TEACH)
def index():
    mine = policy.teachable_courses(current_user)
    return render_template(
        "teach/index.html",
        rows=service.course_overview(db.session, current_user),
        stale=legal.stale_courses(db.session, among=mine),
        anchor=anchor,
        review=review_due(db.session, among=mine),
        today=local_today(),
        drafts=editions.drafts_of(db.session, current_user),
    )


@bp.route("/guide")
@allow(TEACH)
def guide():
    """How trainers write, check and publish a course: the guide, on a page of the app."""
    return render_template("teach/guide.html", guide_html=service.guide_html(get_locale().language))


@bp.route("/courses/<code>")
@allow(TEACH_COURSE)
def course(code: str):
    course, version = get_course(db.session, code)
    facts = trainers.course_facts(db.session, course.id)
    return render_template(
        "teach/course.html",
        course=course,
        version=version,
        lessons=service.lesson_stats(db.session, version),
        history=service.version_history(db.session, course),
        stats=service.course_overview(db.session, current_user, course.id)[0],
        trainers=[a for a in trainers.assignments(db.session, course) if a.ended_at is None],
        may_manage=policy.can_manage_course(current_user, facts.unit_path),
        may_mark=policy.can_edit_course(current_user, facts.trainer_ids),
    )


def _quiz_context(code: str, slug: str):
    course, version = get_course(db.session, code)
    lesson = find_lesson(lessons_of(db.session, version), slug)
    quiz = quiz_of_lesson(db.session, lesson)
    titles = {q.qid: (q.title, q.type) for q in quiz.questions}
    return course, version, quiz, titles


@bp.route("/courses/<code>/quizzes/<slug>")
@allow(TEACH_COURSE)
def quiz_results(code: str, slug: str):
    course, version, quiz, titles = _quiz_context(code, slug)
    return render_template(
        "teach/quiz.html",
        course=course,
        version=version,
        quiz=quiz,
        results=service.quiz_results(db.session, current_user, course, slug),
        items=service.item_analysis(db.session, current_user, course, slug, titles),
    )


@bp.route("/courses/<code>/quizzes/<slug>/items.csv")
@allow(TEACH_COURSE)
def quiz_items_csv(code: str, slug: str):
    course, _version, _quiz, titles = _quiz_context(code, slug)
    items = service.item_analysis(db.session, current_user, course, slug, titles)
    table = [["question_id", "title", "type", "answered", "facility", "discrimination"]] + [
        [
            item.qid,
            item.title,
            item.type,
            item.answered,
            "" if item.facility is None else round(item.facility, 3),
            "" if item.discrimination is None else round(item.discrimination, 3),
        ]
        for item in items
    ]
    return csv_response(table, f"{code}-{slug}-items.csv")


def _progress_query(code: str):
    """The course, and its learners' progress as asked for (status filter and order)."""
    course, version = get_course(db.session, code)
    status = params.choice("status", progress.STATUS_LABELS, "")
    sort = params.choice("sort", progress.SORTS, "name")
    return (
        course,
        version,
        status,
        sort,
        progress.progress_query(db.session, current_user, version, status, sort),
    )


@bp.route("/courses/<code>/learners")
@allow(TEACH_COURSE, get_writes=AUDITED_VIEW)
def learners(code: str):
    course, version, status, sort, stmt = _progress_query(code)
    page = progress.progress_page(db.session, stmt, params.page_number(), current_app.config["PAGE_SIZE"])
    progress.audit_progress(
        db.session, current_user, "view_learner_progress", course, status=status or None, page=page.page
    )
    return render_template(
        "teach/learners.html",
        course=course,
        version=version,
        page=page,
        status=status,
        sort=sort,
        statuses=progress.STATUS_LABELS,
    )


@bp.route("/courses/<code>/learners.csv")
@allow(TEACH_COURSE, get_writes=AUDITED_VIEW)
def learners_csv(code: str):
    course, _version, status, _sort, stmt = _progress_query(code)
    rows = progress.progress_rows(db.session, stmt)
    progress.audit_progress(
        db.session, current_user, "export_learner_progress", course, status=status or None, rows=len(rows)
    )
    header = [
        _("Learner"),
        _("E-mail"),
        _("Unit"),
        _("Lessons done"),
        _("Lessons in the course"),
        _("Best graded quiz result (%)"),
        _("Graded attempts"),
        _("Status"),
        _("Completed on"),
        _("Last activity"),
    ]
    table = [header] + [
        [
            r.name,
            r.email,
            r.unit or "",
            r.done,
            r.total,
            "" if r.best_percent is None else round(r.best_percent, 1),
            r.graded_attempts,
            str(progress.STATUS_LABELS[r.status]),
            progress.local(r.completed_at).strftime("%d/%m/%Y") if r.completed_at else "",
            progress.local(r.last_activity).strftime("%d/%m/%Y %H:%M") if r.last_activity else "",
        ]
        for r in rows
    ]
    return csv_response(table, f"{course.code}-learners.csv")


# --- the course's trainers and issuing unit, assigned by an admin ------------------------------


def _trainers_page(course, version, form=None, issuer_form=None, status: int = 200):
    unit = course.issuing_unit_id and db.session.get(Unit, course.issuing_unit_id)
    if issuer_form is None:
        issuer_form = IssuerForm(unit_code=unit.code if unit else "")
    return (
        render_template(
            "teach/trainers.html",
            course=course,
            version=version,
            unit=unit,
            assignments=trainers.assignments(db.session, course),
            form=form or TrainerForm(formdata=None),
            issuer_form=issuer_form,
            end_form=Form(formdata=None),
        ),
        status,
    )


@bp.route("/courses/<code>/trainers", methods=["GET", "POST"])
@allow(MANAGE_COURSE)
def course_trainers(code: str):
    """Who teaches the course (owners and editors) and which unit issues it; adding a trainer."""
    course, version = get_course(db.session, code)
    form = TrainerForm()
    if not form.validate_on_submit():
        return _trainers_page(course, version, form, status=400 if form.is_submitted() else 200)
    try:
        trainers.add_trainer(db.session, current_user, course, form.email.data or "", form.role.data)
    except ValidationFailed as exc:
        field_error(form, exc)
        return _trainers_page(course, version, form, status=400)
    except Conflict:
        discard()
        form.email.errors.append(_("This trainer already has this role in the course."))
        return _trainers_page(course, version, form, status=400)
    flash(_("%(email)s now teaches this course.", email=form.email.data), "success")
    return redirect(url_for("teach.course_trainers", code=course.code))


@bp.route("/courses/<code>/trainers/<int:course_trainer_id>/end", methods=["POST"])
@allow(MANAGE_COURSE)
def end_trainer(code: str, course_trainer_id: int):
    course, version = get_course(db.session, code)
    if not Form().validate_on_submit():
        return _trainers_page(course, version, status=400)
    try:
        trainers.remove_trainer(db.session, current_user, course, course_trainer_id)
    except Conflict:
        discard()
        flash(_("This trainer had already been removed."), "info")
    else:
        flash(_("The trainer no longer teaches this course; the assignment stays on record."), "success")
    return redirect(url_for("teach.course_trainers", code=course.code))


@bp.route("/courses/<code>/issuer", methods=["POST"])
@allow(MANAGE_COURSE)
def course_issuer(code: str):
    course, version = get_course(db.session, code)
    form = IssuerForm()
    if form.validate_on_submit():
        try:
            unit = unit_in_scope(db.session, policy.scope_path(current_user), form.unit_code.data)
            changed = trainers.set_issuing_unit(db.session, current_user, course, unit)
        except ValidationFailed as exc:
            field_error(form, exc)
        except PermissionDenied:
            discard()
            form.unit_code.errors.append(_("Only a city admin may leave a course without an issuing unit."))
        else:
            flash(_("Saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("teach.course_trainers", code=course.code))
    return _trainers_page(course, version, issuer_form=form, status=400)
