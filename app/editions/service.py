"""Editions made by trainers in the browser: a .zip uploaded, a commit fetched from the course's
git repository, or a lesson edited on a page. Each goes through the same check as `flask courses
check`; a course that passes becomes a draft edition, which its trainers preview and its owners
publish. An earlier edition can be published again (a new edition with its content), and any
edition with its source kept downloads as a .zip that `courses check` accepts.

Every write takes the actor and asks the policy; uploads, fetches, edits, publications,
re-publications and discarded drafts are audited with the edition's number.
"""

from __future__ import annotations

import io
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app import policy
from app.courses import bundle, gitsource
from app.courses.importer import CourseUrls, ImportOutcome, Origin, import_course, label_problem, label_taken
from app.courses.render import render_markdown
from app.courses.search import index_version
from app.courses.source import COURSE_FILE, Problem, real_path_inside
from app.errors import Conflict, NotFound, ValidationFailed
from app.legal import service as legal
from app.models import Course, CourseBlob, CourseSourceFile, CourseVersion, User
from app.models.base import utcnow
from app.trainers import service as trainers


@dataclass(frozen=True)
class Site:
    """What an edition needs of the running site: its addresses, video hosts and git settings."""

    urls: CourseUrls
    video_hosts: tuple[str, ...] = ()
    git: gitsource.GitPolicy = field(default_factory=gitsource.GitPolicy)


@dataclass(frozen=True)
class ShownProblem:
    """A problem as the trainer sees it: the file within the course, the line and its text."""

    file: str
    line: int
    text: str
    message: object  # str, or a lazy translation rendered in the reader's language
    is_error: bool


@dataclass
class Checked:
    """What came of an upload, a fetch or an edit."""

    status: str  # drafted | unchanged | failed
    code: str | None = None
    number: int | None = None  # the draft made, or the edition that already has this content
    problems: list[ShownProblem] = field(default_factory=list)
    commit: str | None = None
    notice: object = None  # a message that stopped it before the check (a rewritten branch)

    @property
    def errors(self) -> list[ShownProblem]:
        return [p for p in self.problems if p.is_error]


def _line_text(folder: Path, rel: str, line: int) -> str:
    path = real_path_inside(folder, folder / rel) if rel else None
    if path is None or not path.is_file() or path.stat().st_size > 2_000_000:
        return ""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return lines[line - 1].strip()[:300] if 0 < line <= len(lines) else ""


def shown(problems: list[Problem], folder: Path | None, label: str) -> list[ShownProblem]:
    """The problems with their files named inside the course (a problem of the folder as a whole
    after `label`; one of the archive as the archive names it) and the text of their lines."""
    inside = f"{folder}/" if folder is not None else None
    result = []
    for problem in problems:
        rel = problem.path[len(inside) :] if inside and problem.path.startswith(inside) else ""
        name = rel or (label if problem.path == str(folder) else problem.path)
        text = _line_text(folder, rel, problem.line) if folder is not None else ""
        result.append(ShownProblem(name, problem.line, text, problem.message, problem.is_error))
    return result


# --- making drafts ------------------------------------------------------------------------------


def _course(session: Session, code: str) -> Course:
    course = session.scalar(select(Course).where(Course.code == code))
    if course is None:
        raise NotFound(code)
    return course


def _may_edit(session: Session, actor, course: Course) -> bool:
    trainers.forget(session)
    return policy.can_edit_course(actor, trainers.course_facts(session, course.id).trainer_ids)


def _audit(session: Session, actor, action: str, course: Course, number: int | None, **detail) -> None:
    trainers.audit_course(session, actor, action, course, edition=number or "", **detail)


def _draft(
    session: Session, actor, folder: Path, site: Site, origin: Origin, course: Course | None
) -> Checked:
    """Check `folder` and make it a draft edition of its course (of `course` when given: the code
    must then match); a new code makes a new course owned by `actor`. Nothing is written when it
    fails or when `actor` may not write that course."""
    savepoint = session.begin_nested()
    outcome: ImportOutcome = import_course(
        session, folder, urls=site.urls, video_hosts=site.video_hosts, origin=origin
    )
    checked = Checked(
        "failed" if outcome.status == "failed" else outcome.status,
        outcome.code,
        outcome.number,
        shown(outcome.problems, folder, folder.name),
        origin.commit,
    )
    if outcome.status == "failed":
        savepoint.rollback()
        return checked
    if course is not None and outcome.code != course.code:
        savepoint.rollback()
        raise ValidationFailed(
            _l("this folder is the course %(found)s, not %(course)s", found=outcome.code, course=course.code)
        )
    target = _course(session, outcome.code or "")
    if outcome.new_course:
        trainers.own_new_course(session, actor, target)
    elif not _may_edit(session, actor, target):
        savepoint.rollback()
        policy.require(False, f"not a trainer of the course {outcome.code}")
    savepoint.commit()
    return checked


def upload(session: Session, actor, data: bytes, filename: str, site: Site) -> Checked:
    """A course folder uploaded as a .zip: unpacked safely (`bundle`), checked, and, when it
    passes, a draft edition of its course (a new code: a new course the trainer owns)."""
    policy.require(policy.can_create_course(actor), "only trainers upload courses")
    name = unicodedata.normalize("NFC", PurePosixPath(filename or "course.zip").name)[:200]
    with tempfile.TemporaryDirectory(prefix="boiduong-upload-") as tmp:
        folder, problems = bundle.unpack(data, Path(tmp), name)
        if folder is None:
            return Checked("failed", problems=shown(problems, None, name))
        origin = Origin(kind="upload", detail=name, actor_id=actor.id, draft=True)
        checked = _draft(session, actor, folder, site, origin, None)
    if checked.status == "drafted":
        _audit(
            session, actor, "upload_course", _course(session, checked.code or ""), checked.number, file=name
        )
    return checked


# --- a course's git repository -----------------------------------------------------------------


def link_repository(session: Session, actor, code: str, url: str, branch: str, path: str, site: Site) -> bool:
    """Link the course to a git repository's branch and folder (an empty address unlinks it).
    Refused, naming the field, when the address, branch or folder is not acceptable."""
    course = _course(session, code)
    policy.require(_may_edit(session, actor, course), "not a trainer of this course")
    url, branch, path = url.strip(), branch.strip(), gitsource.normal_path(path.strip())
    if url:
        for name, why in (
            ("url", gitsource.refusal(url, "main", "", site.git)),
            ("branch", gitsource.refusal(url, branch, "", site.git) if branch else _l("a branch is needed")),
            ("path", gitsource.refusal(url, branch or "main", path, site.git)),
        ):
            if why:
                raise ValidationFailed(why, field=name)
    new = (url or None, (branch or None) if url else None, (path or None) if url else None)
    if new == (course.git_url, course.git_branch, course.git_path):
        return False
    course.git_url, course.git_branch, course.git_path = new
    _audit(
        session, actor, "link_course_repository", course, None, url=url, branch=branch or "", path=path or ""
    )
    session.flush()
    return True


def _last_commit(session: Session, course: Course) -> str | None:
    return session.scalar(
        select(CourseVersion.source_commit)
        .where(CourseVersion.course_id == course.id, CourseVersion.origin == "repository")
        .order_by(CourseVersion.number.desc())
        .limit(1)
    )


def fetch(session: Session, actor, code: str, site: Site, *, accept_rewrite: bool = False) -> Checked:
    """Fetch the course's folder at its branch's head and make it a draft that records the commit.
    A branch whose history was rewritten since the last fetch changes nothing, unless the trainer
    fetches it anew on purpose (`accept_rewrite`)."""
    course = _course(session, code)
    policy.require(_may_edit(session, actor, course), "not a trainer of this course")
    if not course.git_url:
        raise Conflict(_l("the course is not linked to a repository"))
    previous = _last_commit(session, course)
    with tempfile.TemporaryDirectory(prefix="boiduong-git-") as tmp:
        try:
            got = gitsource.fetch(
                course.git_url,
                course.git_branch or "",
                course.git_path or "",
                Path(tmp) / "fetch",
                previous_commit=previous,
                policy=site.git,
            )
        except gitsource.FetchError as error:
            return Checked("failed", code, notice=error.message)
        if got.rewritten and not accept_rewrite:
            return Checked("failed", code, commit=got.commit, notice=got.history_message)
        detail = f"{got.url} · {got.branch}" + (f" · {got.path}" if got.path else "")
        origin = Origin(kind="repository", detail=detail, commit=got.commit, actor_id=actor.id, draft=True)
        checked = _draft(session, actor, got.folder, site, origin, course)
    _audit(
        session,
        actor,
        "fetch_course",
        course,
        checked.number,
        commit=got.commit,
        outcome=checked.status,
        errors=len(checked.errors),
    )
    return checked


# --- an edition's source files ------------------------------------------------------------------


def edition(session: Session, code: str, number: int) -> tuple[Course, CourseVersion]:
    """The course and its edition numbered `number` (a draft, published or discarded). NotFound."""
    row = session.execute(
        select(Course, CourseVersion)
        .join(CourseVersion, CourseVersion.course_id == Course.id)
        .where(Course.code == code, CourseVersion.number == number)
    ).first()
    if row is None:
        raise NotFound(f"{code} {number}")
    return row[0], row[1]


def source_files(session: Session, version: CourseVersion) -> dict[str, bytes]:
    """The files the edition was made from, by their path in the course folder ({} when the
    edition predates the keeping of sources)."""
    rows = session.execute(
        select(CourseSourceFile.path, CourseBlob.data)
        .join(CourseBlob, CourseBlob.sha256 == CourseSourceFile.sha256)
        .where(CourseSourceFile.course_version_id == version.id)
        .order_by(CourseSourceFile.path)
    ).all()
    return {row.path: row.data for row in rows}


def kept_sources(session: Session, course: Course) -> set[int]:
    """The numbers of the course's editions whose source files are kept."""
    return set(
        session.scalars(
            select(CourseVersion.number)
            .where(CourseVersion.course_id == course.id)
            .where(
                select(CourseSourceFile.path)
                .where(CourseSourceFile.course_version_id == CourseVersion.id)
                .exists()
            )
        )
    )


@contextmanager
def _rebuilt(session: Session, version: CourseVersion) -> Iterator[Path]:
    """The edition's course folder, written out from its kept files into a temporary folder."""
    files = source_files(session, version)
    if not files:
        raise Conflict(_l("this edition's source files were not kept (it predates them)"))
    with tempfile.TemporaryDirectory(prefix="boiduong-edition-") as tmp:
        folder = Path(tmp) / (version.source_folder or "course")
        for rel, data in files.items():
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        yield folder


def download(session: Session, actor, code: str, number: int) -> tuple[str, bytes]:
    """The edition as a .zip of its course folder (the name and the bytes): `courses check`
    accepts it, and an upload of it makes the same content."""
    course, version = edition(session, code, number)
    trainers.require_teaching(session, actor, course.id)
    files = source_files(session, version)
    if not files:
        raise Conflict(_l("this edition's source files were not kept (it predates them)"))
    top = version.source_folder or course.code.lower()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, data in files.items():
            zf.writestr(f"{top}/{rel}", data)
    name = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "-" for ch in f"{top}-{version.label}"
    )
    return f"{name}.zip", buffer.getvalue()


# --- editing one lesson in the browser ----------------------------------------------------------


def lesson_source(
    session: Session, actor, code: str, number: int, slug: str
) -> tuple[CourseVersion, str, str]:
    """The edition, the file name and the Markdown of its lesson `slug` (a page, not a quiz)."""
    course, version = edition(session, code, number)
    policy.require(_may_edit(session, actor, course), "not a trainer of this course")
    lesson = next((lesson for lesson in version.lessons if lesson.slug == slug), None)
    if lesson is None or lesson.kind != "page":
        raise NotFound(slug)
    files = source_files(session, version)
    if lesson.source_file not in files:
        raise Conflict(_l("this edition's source files were not kept (it predates them)"))
    return version, lesson.source_file, files[lesson.source_file].decode("utf-8", errors="replace")


def _set_label(folder: Path, label: str) -> None:
    """Give the course.md in `folder` the version label `label` (its `version:` line)."""
    course_md = folder / COURSE_FILE
    lines = course_md.read_text(encoding="utf-8").split("\n")
    for index, line in enumerate(lines):
        if line.startswith("version:"):
            lines[index] = f'version: "{label}"'
            break
    course_md.write_text("\n".join(lines), encoding="utf-8")


def save_lesson(
    session: Session, actor, code: str, number: int, slug: str, text: str, label: str, site: Site
) -> Checked:
    """Edition `number` with lesson `slug`'s file replaced by `text` (and, when given, a new version
    label), checked as a whole and made a draft."""
    version, name, _old = lesson_source(session, actor, code, number, slug)
    label = unicodedata.normalize("NFC", label.strip())
    if label and not _safe_label(label):
        raise ValidationFailed(_l("a version label is letters, digits, dots and dashes"), field="label")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    with _rebuilt(session, version) as folder:
        (folder / name).write_text(text, encoding="utf-8")
        if label:
            _set_label(folder, label)
        origin = Origin(kind="edit", detail=name, based_on=number, actor_id=actor.id, draft=True)
        checked = _draft(session, actor, folder, site, origin, version.course)
    if checked.status == "drafted":
        _audit(session, actor, "edit_course", version.course, checked.number, file=name, based_on=number)
    return checked


def _safe_label(label: str) -> bool:
    return len(label) <= 40 and all(ch.isalnum() or ch in ".-_" for ch in label)


# --- publishing ----------------------------------------------------------------------------------


def _require_publishing(session: Session, actor, course: Course) -> None:
    trainers.forget(session)
    facts = trainers.course_facts(session, course.id)
    policy.require(
        policy.can_publish_course(actor, facts.owner_ids, facts.unit_path), "not an owner of this course"
    )


def publish(session: Session, actor, code: str, number: int) -> CourseVersion:
    """Publish draft `number`: learners who enrol from now on take it; those enrolled keep the
    edition they started, as every result keeps the edition it was earned on."""
    course, version = edition(session, code, number)
    _require_publishing(session, actor, course)
    if version.status != "draft":
        raise Conflict(_l("only a draft can be published; this edition is not one"))
    if label_taken(session, course.id, version.label, version.content_hash):
        problem = label_problem(Path(COURSE_FILE), 1, version.label)
        raise Conflict(problem.message)
    version.status = "published"
    version.published_at = utcnow()
    version.published_by_id = actor.id
    previous = course.current_version_number
    course.current_version_number = version.number
    index_version(session, version)  # the catalogue search finds the course by this edition now
    _audit(session, actor, "publish_edition", course, number, label=version.label, replaced=previous or "")
    session.flush()
    return version


def discard(session: Session, actor, code: str, number: int) -> CourseVersion:
    """Set draft `number` aside: it stays, as a record, but cannot be published."""
    course, version = edition(session, code, number)
    policy.require(_may_edit(session, actor, course), "not a trainer of this course")
    if version.status != "draft":
        raise Conflict(_l("only a draft can be discarded; this edition is not one"))
    version.status = "discarded"
    _audit(session, actor, "discard_edition", course, number, label=version.label)
    session.flush()
    return version


def republish(session: Session, actor, code: str, number: int, site: Site) -> Checked:
    """Publish earlier edition `number` again: a new edition with its content, checked as today
    (a document it cites may have been repealed since), published at once."""
    course, version = edition(session, code, number)
    _require_publishing(session, actor, course)
    if version.status != "published":
        raise Conflict(_l("only an edition that was published can be published again"))
    if version.number == course.current_version_number:
        raise Conflict(_l("this edition is the one learners take now"))
    with _rebuilt(session, version) as folder:
        origin = Origin(kind="republish", detail=str(number), based_on=number, actor_id=actor.id)
        outcome = import_course(session, folder, urls=site.urls, video_hosts=site.video_hosts, origin=origin)
        checked = Checked(
            outcome.status, outcome.code, outcome.number, shown(outcome.problems, folder, folder.name)
        )
    if outcome.status == "updated":
        checked.status = "published"
        new = edition(session, code, outcome.number or 0)[1]
        _audit(session, actor, "republish_edition", course, new.number, based_on=number, label=new.label)
    return checked


@dataclass(frozen=True)
class EditionRow:
    """One edition on the course's editions page."""

    version: CourseVersion
    created_by: str | None
    published_by: str | None
    sources_kept: bool
    current: bool


def editions(session: Session, actor, course: Course) -> list[EditionRow]:
    """Every edition of the course, newest first, with who made and published it: two queries."""
    trainers.require_teaching(session, actor, course.id)
    creator, publisher = aliased(User), aliased(User)
    rows = session.execute(
        select(CourseVersion, creator.full_name, publisher.full_name)
        .outerjoin(creator, creator.id == CourseVersion.created_by_id)
        .outerjoin(publisher, publisher.id == CourseVersion.published_by_id)
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.number.desc())
    ).all()
    kept = kept_sources(session, course)
    return [
        EditionRow(
            row[0], row[1], row[2], row[0].number in kept, row[0].number == course.current_version_number
        )
        for row in rows
    ]


def drafts_of(session: Session, actor) -> list[tuple[Course, CourseVersion]]:
    """The drafts waiting in the courses `actor` teaches, newest first."""
    return [
        (row[0], row[1])
        for row in session.execute(
            select(Course, CourseVersion)
            .join(CourseVersion, CourseVersion.course_id == Course.id)
            .where(CourseVersion.status == "draft", policy.teachable_courses(actor))
            .order_by(CourseVersion.imported_at.desc())
        ).all()
    ]


def course_or_404(session: Session, code: str) -> Course:
    return _course(session, code)


def lesson_body(text: str) -> str:
    """A lesson file's Markdown without its front matter (between two '---' lines at the top)."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in {"---", "..."}), None)
        if end is not None:
            return "\n".join(lines[end + 1 :])
    return text


def preview_html(session: Session, version: CourseVersion, text: str, site: Site) -> str:
    """`text` (a lesson file of `version`) rendered as the lesson will be: the same renderer and
    sanitiser, with the edition's images, its lessons' addresses and the legal register's titles."""
    images = session.execute(
        select(CourseSourceFile.path, CourseSourceFile.sha256).where(
            CourseSourceFile.course_version_id == version.id,
            CourseSourceFile.path != COURSE_FILE,
        )
    ).all()
    lessons = {lesson.source_file: lesson.slug for lesson in version.lessons}
    documents = legal.documents_for_import(session)
    return render_markdown(
        lesson_body(text),
        lesson_urls={name: site.urls.lesson(version.course.code, slug) for name, slug in lessons.items()},
        image_urls={row.path: site.urls.media(row.sha256) for row in images if row.path not in lessons},
        video_hosts=site.video_hosts,
        citations={
            number: (site.urls.legal(number) if site.urls.legal else None, doc.title)
            for number, doc in documents.items()
        },
    )
