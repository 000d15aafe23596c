"""Trainer pages for a course's editions: upload a .zip, link a git repository and fetch from it,
edit a lesson in the browser, and publish, re-publish, discard or download editions."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import policy
from app.access import CREATE_COURSE, EDIT_COURSE, PUBLISH_COURSE, TEACH_COURSE, allow
from app.courses.bundle import MAX_ZIP_BYTES, megabytes
from app.courses.diff import diffs_for
from app.courses.gitsource import GitPolicy
from app.courses.importer import urls_of
from app.editions import service
from app.errors import DomainError
from app.extensions import db
from app.form_errors import field_error
from app.forms import Form
from app.teach.edition_forms import FetchForm, LessonEditForm, RepositoryForm, UploadForm
from app.trainers import service as trainers

bp = Blueprint("editions", __name__)


def _site() -> service.Site:
    config = current_app.config
    return service.Site(urls_of(current_app), tuple(config["VIDEO_HOSTS"]), GitPolicy.from_config(config))


def _upload_limit() -> str:
    return megabytes(min(MAX_ZIP_BYTES, current_app.config.get("MAX_CONTENT_LENGTH") or MAX_ZIP_BYTES))


def _checked_page(checked: service.Checked, course_code: str | None, what: str, status: int = 200):
    return (
        render_template(
            "teach/editions/checked.html", checked=checked, code=course_code or checked.code, what=what
        ),
        status if checked.status != "failed" else 422,
    )


@bp.route("/upload", methods=["GET", "POST"])
@allow(CREATE_COURSE)
def upload():
    """Upload a course folder as a .zip: checked at once; a course that passes becomes a draft."""
    form = UploadForm()
    if form.validate_on_submit():
        file = form.archive.data
        checked = service.upload(
            db.session, current_user, file.read(MAX_ZIP_BYTES + 1), file.filename, _site()
        )
        return _checked_page(checked, None, "upload")
    return render_template("teach/editions/upload.html", form=form, limit=_upload_limit()), (
        400 if form.errors else 200
    )


@bp.route("/courses/<code>/editions")
@allow(TEACH_COURSE)
def index(code: str):
    course = service.course_or_404(db.session, code)
    facts = trainers.course_facts(db.session, course.id)
    return render_template(
        "teach/editions/index.html",
        course=course,
        rows=service.editions(db.session, current_user, course),
        diffs=diffs_for(db.session, course.id, is_base=lambda v: v.status == "published"),
        may_edit=policy.can_edit_course(current_user, facts.trainer_ids),
        may_publish=policy.can_publish_course(current_user, facts.owner_ids, facts.unit_path),
        form=Form(),
    )


def _act(code: str, number: int, action, done: str):
    try:
        action(db.session, current_user, code, number)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("editions.index", code=code)), 303
    flash(done, "success")
    return redirect(url_for("editions.index", code=code)), 303


@bp.route("/courses/<code>/editions/<int:number>/publish", methods=["POST"])
@allow(PUBLISH_COURSE)
def publish(code: str, number: int):
    return _act(
        code,
        number,
        service.publish,
        _("Edition %(number)s is published: learners who enrol now take it.", number=number),
    )


@bp.route("/courses/<code>/editions/<int:number>/discard", methods=["POST"])
@allow(EDIT_COURSE)
def discard(code: str, number: int):
    return _act(code, number, service.discard, _("Draft %(number)s is set aside.", number=number))


@bp.route("/courses/<code>/editions/<int:number>/republish", methods=["POST"])
@allow(PUBLISH_COURSE)
def republish(code: str, number: int):
    checked = service.republish(db.session, current_user, code, number, _site())
    if checked.status == "published":
        flash(
            _("Edition %(old)s is published again as edition %(new)s.", old=number, new=checked.number),
            "success",
        )
        return redirect(url_for("editions.index", code=code)), 303
    return _checked_page(checked, code, "republish")


@bp.route("/courses/<code>/editions/<int:number>/download")
@allow(TEACH_COURSE)
def download(code: str, number: int):
    name, data = service.download(db.session, current_user, code, number)
    response = current_app.response_class(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/courses/<code>/repository", methods=["GET", "POST"])
@allow(EDIT_COURSE)
def repository(code: str):
    course = service.course_or_404(db.session, code)
    form = RepositoryForm(data=None if request.method == "POST" else _repository_data(course))
    status = 200
    if form.validate_on_submit():
        try:
            changed = service.link_repository(
                db.session,
                current_user,
                code,
                form.url.data or "",
                form.branch.data or "",
                form.path.data or "",
                _site(),
            )
        except DomainError as error:
            field_error(form, error)
            status = 400
        else:
            flash(_("The repository is saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("editions.repository", code=code)), 303
    elif form.errors:
        status = 400
    return render_template(
        "teach/editions/repository.html",
        course=course,
        form=form,
        fetch_form=FetchForm(),
        sources=_site().git.sources,
    ), status


def _repository_data(course) -> dict:
    return {"url": course.git_url or "", "branch": course.git_branch or "main", "path": course.git_path or ""}


@bp.route("/courses/<code>/repository/fetch", methods=["POST"])
@allow(EDIT_COURSE)
def fetch(code: str):
    form = FetchForm()
    if not form.validate_on_submit():
        return redirect(url_for("editions.repository", code=code)), 303
    checked = service.fetch(db.session, current_user, code, _site(), accept_rewrite=form.accept_rewrite.data)
    return _checked_page(checked, code, "fetch")


_TRAILING_NUMBER = re.compile(r"^(.*?)(\d+)$")


def next_label(label: str) -> str:
    """A suggestion for the label after `label`: its last number plus one (2026.2 → 2026.3)."""
    match = _TRAILING_NUMBER.match(label)
    return f"{match.group(1)}{int(match.group(2)) + 1}" if match else f"{label}.1"


@bp.route("/courses/<code>/editions/<int:number>/lessons/<slug>/edit", methods=["GET", "POST"])
@allow(EDIT_COURSE)
def edit_lesson(code: str, number: int, slug: str):
    """Edit one lesson's Markdown with a preview beside it; saving makes a checked draft."""
    version, name, text = service.lesson_source(db.session, current_user, code, number, slug)
    form = LessonEditForm(data={"text": text, "label": next_label(version.label)})
    site = _site()
    checked = None
    if form.validate_on_submit() and request.form.get("action") != "preview":
        try:
            checked = service.save_lesson(
                db.session, current_user, code, number, slug, form.text.data, form.label.data, site
            )
        except DomainError as error:
            field_error(form, error)
        else:
            if checked.status != "failed":
                return _checked_page(checked, code, "edit")
    page = render_template(
        "teach/editions/edit.html",
        course=version.course,
        version=version,
        slug=slug,
        file=name,
        form=form,
        checked=checked,  # a save the check refused: its problems above the text, which stays
        preview=service.preview_html(db.session, version, form.text.data or "", site),
    )
    return page, (422 if checked else 400 if form.errors else 200)


@bp.route("/courses/<code>/editions/<int:number>/markdown-preview", methods=["POST"])
@allow(EDIT_COURSE)
def markdown_preview(code: str, number: int):
    """The editor's live preview: the lesson's Markdown rendered by the server, sanitised as a
    published lesson is."""
    form = Form()
    if not form.validate_on_submit():
        return jsonify(error=_("The page has expired; reload it.")), 400
    version = service.edition(db.session, code, number)[1]
    text = (request.form.get("text") or "")[:500_000]
    return jsonify(html=service.preview_html(db.session, version, text, _site()))
