"""`flask courses check|import`: the trainers' commands."""

from __future__ import annotations

import functools
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from app import clock
from app.courses.bundle import unpack_file
from app.courses.gitsource import FetchError, FetchResult, GitPolicy, fetch
from app.courses.importer import CourseUrls, ImportOutcome, import_course, urls_of
from app.courses.render import heading_slug, render_markdown
from app.courses.source import COURSE_FILE, Problem, course_folders, read_course
from app.courses.workload import estimate, estimate_line
from app.extensions import db
from app.legal.cli import read_register
from app.legal.register import CitationCheck
from app.messages import _l
from app.quizzes.gift import convert_gift, quiz_to_gift


def site_urls() -> CourseUrls:
    """Addresses of lessons and images as the running site serves them."""
    return urls_of(current_app)


def in_english(command: Callable) -> Callable:
    """Run a command with English as the language: the checker's messages are made in the language
    active when they are shown (a trainer's page shows them in Vietnamese), and scripts read these
    commands' output in English."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        with force_locale("en"):
            return command(*args, **kwargs)

    return run


@dataclass(frozen=True)
class GitOptions:
    """--git URL --branch B --path P --previous-commit C, as given."""

    url: str | None
    branch: str
    path: str
    previous_commit: str | None


def git_options(command: Callable) -> Callable:
    """The options that take the course from a git repository instead of PATH."""
    for option in reversed(
        [
            click.option(
                "--git",
                "git_url",
                metavar="URL",
                help="Fetch the course from this git repository "
                "(https://, git://, or as GIT_SOURCES allows) instead of PATH.",
            ),
            click.option("--branch", default="main", show_default=True, help="With --git: the branch."),
            click.option(
                "--path",
                "git_path",
                default="",
                metavar="FOLDER",
                help="With --git: the course's folder in the repository (default: its top).",
            ),
            click.option(
                "--previous-commit",
                metavar="SHA",
                help="With --git: the commit fetched last; a branch whose history no longer contains it "
                "(a forced push) is reported, and not imported.",
            ),
        ]
    ):
        command = option(command)
    return command


@dataclass
class Opened:
    folders: list[Path]
    problems: list[Problem]  # of the archive or repository itself: the course is then not read
    shown: Callable[[Problem], Problem]  # names a problem's file as the trainer knows it
    fetched: FetchResult | None = None


@contextmanager
def _opened(path: str | None, git: GitOptions | None = None) -> Iterator[Opened]:
    """The course folders at PATH (default: courses/), or of a git repository. A .zip of a course is
    unpacked, and a repository's folder fetched, into a temporary folder for the while; problems name
    the archive or the repository (URL@commit:path) instead of that folder."""
    if git and git.url:
        if path:
            raise click.UsageError("give PATH or --git, not both")
        with _fetched(git) as opened:
            yield opened
        return
    root = Path(path) if path else Path(current_app.config["COURSES_DIR"])
    if root.is_dir():
        yield Opened(course_folders(root), [], lambda problem: problem)
        return
    if root.suffix.lower() != ".zip" or not root.is_file():
        raise click.ClickException(f"{root}: neither a folder nor a .zip of a course")
    with tempfile.TemporaryDirectory(prefix="boiduong-course-") as tmp:
        folder, problems = unpack_file(root, Path(tmp))

        def shown(problem: Problem) -> Problem:
            return replace(problem, path=problem.path.replace(str(folder), str(root), 1))

        yield Opened([folder] if folder else [], problems, shown)


@contextmanager
def _fetched(git: GitOptions) -> Iterator[Opened]:
    with tempfile.TemporaryDirectory(prefix="boiduong-git-") as tmp:
        try:
            fetched = fetch(
                git.url or "",
                git.branch,
                git.path,
                Path(tmp),
                previous_commit=git.previous_commit,
                policy=GitPolicy.from_config(current_app.config),
            )
        except FetchError as error:
            raise click.ClickException(str(error.message)) from None  # made now, in English
        yield Opened([fetched.folder], [], fetched.shown, fetched)


def _echo_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


@click.group("courses")
def courses_cli() -> None:
    """Check and import Markdown courses."""


@courses_cli.command("check")
@click.argument("path", required=False, type=click.Path(exists=True))
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Read the law as of this day (YYYY-MM-DD; default: today): citing a document repealed by then "
    "is a problem.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on errors.")
@git_options
@with_appcontext
@in_english
def check(path: str | None, as_of, strict: bool, **git) -> None:
    """Check PATH (a course folder, a folder of courses, or a .zip of a course; default: courses/),
    or the course at the head of a branch of a git repository (--git URL).

    Errors make the command fail; warnings (lines marked 'warning:') are shown and fail only with
    --strict. Legal documents cited as [[VB number]] are checked against the shipped register
    (app/courses/legal_documents.yaml): no database is needed.
    """
    with _opened(path, _git(git)) as opened:
        fetched = opened.fetched
        if fetched:
            click.echo(f"checked {fetched.url} at commit {fetched.short} (branch {fetched.branch})")
            if fetched.rewritten:
                click.echo(fetched.history_message, err=True)
        legal = CitationCheck(read_register(), as_of.date() if as_of else clock.local_today())
        problems = opened.problems + _check_folders(opened.folders, legal, opened.shown)
    _report_check(problems, max(len(opened.folders), 1), strict)


def _git(options: dict) -> GitOptions:
    return GitOptions(options["git_url"], options["branch"], options["git_path"], options["previous_commit"])


def _check_folders(folders: list[Path], legal: CitationCheck, shown) -> list[Problem]:
    """Read and check each folder, printing each course's estimated workload; the problems found."""
    problems: list[Problem] = []
    codes: dict[str, Path] = {}
    for folder in folders:
        source, found = read_course(folder, current_app.config["VIDEO_HOSTS"], legal)
        problems.extend(shown(problem) for problem in found)
        if source is not None:
            if source.code in codes:
                problems.append(
                    Problem(
                        str(folder / COURSE_FILE),
                        1,
                        f"code {source.code} is also used by {codes[source.code]}",
                    )
                )
            codes[source.code] = folder
            found_time = estimate(source.intro, source.lessons)
            click.echo(estimate_line(source.code, folder, source.hours, found_time))
    return problems


def _report_check(problems: list[Problem], count: int, strict: bool) -> None:
    """Print the problems and a summary line; exit 1 on an error (or, with --strict, a warning)."""
    _echo_problems(problems)
    errors = sum(1 for problem in problems if problem.is_error)
    warnings = len(problems) - errors
    if not problems:
        click.echo(f"{count} course folder(s) checked, no problems")
        return
    summary = f"{errors} error(s) and {warnings} warning(s) in {count} course folder(s)"
    if errors or strict:
        click.echo(summary + (" (--strict: warnings fail too)" if strict and not errors else ""), err=True)
        raise SystemExit(1)
    click.echo(f"{summary}: checked, the warnings do not stop an import", err=True)


@courses_cli.command("import")
@click.argument("path", required=False, type=click.Path(exists=True))
@git_options
@with_appcontext
@in_english
def import_(path: str | None, **git) -> None:
    """Import PATH (a course folder, a folder of courses, or a .zip of a course; default: courses/),
    or the course at the head of a branch of a git repository (--git URL).

    Each course is imported whole or not at all; a course with problems does not stop the others.
    """
    urls = site_urls()
    outcomes: Counter[str] = Counter()
    failed: list[str] = []
    started = time.perf_counter()
    with _opened(path, _git(git)) as opened:
        folders, shown = opened.folders, opened.shown
        _refuse_import(path, opened)
        for folder in folders:
            outcome = _import_one(folder, urls)
            outcomes[outcome.status] += 1
            _echo_problems([shown(problem) for problem in outcome.problems])  # errors, or warnings
            if outcome.status == "failed":
                failed.append(_named(path, folder, opened.fetched))
                click.echo(f"{failed[-1]}: not imported ({len(outcome.problems)} problem(s))", err=True)
                continue
            name = _named(None, folder, opened.fetched)
            click.echo(f"{name}: {outcome.code} version {outcome.version}: {outcome.status}")
    counted = ", ".join(
        f"{outcomes[status]} {status}"
        for status in ("created", "updated", "reviewed", "unchanged", "failed")
        if outcomes[status]
    )
    elapsed = time.perf_counter() - started
    click.echo(f"{len(folders)} course folder(s) in {elapsed:.2f} s: {counted or 'nothing to do'}")
    if failed:
        click.echo("not imported: " + ", ".join(failed), err=True)
        raise SystemExit(1)


def _refuse_import(path: str | None, opened: Opened) -> None:
    """Stop before importing anything when the archive has problems or the branch was rewritten;
    print the commit of a fetched course."""
    fetched = opened.fetched
    if fetched and fetched.rewritten:
        click.echo(fetched.history_message, err=True)
        click.echo(f"{fetched.label}: not imported", err=True)
        raise SystemExit(1)
    if opened.problems:
        _echo_problems(opened.problems)
        click.echo(f"{path}: not imported ({len(opened.problems)} problem(s))", err=True)
        raise SystemExit(1)
    if fetched:
        # Editions do not store the commit yet: it is printed, to be given as --previous-commit later.
        click.echo(f"fetched {fetched.url} at commit {fetched.commit} (branch {fetched.branch})")


def _named(path: str | None, folder: Path, fetched: FetchResult | None) -> str:
    """The course as the trainer named it: the repository, the archive, or the folder."""
    if fetched:
        return f"{fetched.label}:{fetched.path or '.'}"
    return path if path and not Path(path).is_dir() else str(folder)


def _import_one(folder: Path, urls: CourseUrls) -> ImportOutcome:
    """Import one course in its own transaction: its commit or its rollback touches nothing of the
    others."""
    try:
        outcome = import_course(db.session, folder, urls=urls, video_hosts=current_app.config["VIDEO_HOSTS"])
        if outcome.status != "failed":
            db.session.commit()
            return outcome
    except Exception as exc:  # noqa: BLE001 (a database or file error in one course must not stop the rest)
        outcome = ImportOutcome(
            folder, "failed", problems=[Problem(str(folder), 1, f"{type(exc).__name__}: {exc}")]
        )
    db.session.rollback()
    return outcome


def _next_number(folder: Path) -> int:
    numbers = [int(m[1]) for p in folder.glob("*.md") if (m := re.match(r"^(\d{1,4})-", p.name))]
    return max(numbers, default=0) + 1


@courses_cli.command("import-gift")
@click.argument("gift_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--course",
    "course_path",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="The course folder that receives the new quiz file.",
)
@click.option("--title", default="", help="Quiz title (default: from the file name).")
@click.option("--kind", type=click.Choice(["graded", "practice"]), default="graded", show_default=True)
@click.option(
    "--encoding",
    default=None,
    metavar="NAME",
    help="Read the file in this encoding (e.g. cp1258, latin-1) instead of UTF-8.",
)
@with_appcontext
@in_english
def import_gift(gift_file: str, course_path: str, title: str, kind: str, encoding: str | None) -> None:
    """Convert a Moodle GIFT question bank into a quiz file in a course folder.

    Questions that cannot be converted are listed by GIFT line (and left out); the command then exits 1.
    A quiz the course checker would refuse is not written: its problems are listed by GIFT line.
    """
    source = Path(gift_file)
    folder = Path(course_path)
    title = title or source.stem.replace("-", " ").replace("_", " ").strip().capitalize()
    text = read_gift(source, encoding)
    # Options shuffled: the assessment rules of `courses check` ask it of every quiz with choices.
    video_hosts = current_app.config["VIDEO_HOSTS"]
    conversion = convert_gift(
        text,
        title=title,
        settings={"kind": kind, "shuffle_options": True},
        render=partial(render_markdown, video_hosts=video_hosts),
        video_hosts=video_hosts,
    )
    target = folder / f"{_next_number(folder):02d}-{heading_slug(title)}.md"
    target.write_text(conversion.markdown, encoding="utf-8")
    for problem in conversion.problems:
        click.echo(f"{source}:{problem.line}: {problem.message}", err=True)
    _, found = read_course(folder, video_hosts)
    ours = [p for p in found if Path(p.path).resolve() == target.resolve()]
    _echo_problems([p for p in found if p not in ours])
    for problem in ours:
        kind_of = "" if problem.is_error else f"{problem.severity}: "
        click.echo(f"{source}:{conversion.gift_line(problem.line)}: {kind_of}{problem.message}", err=True)
    if any(problem.is_error for problem in ours):
        target.unlink()
        click.echo(str(_l("%(file)s not written: the course checker refuses it", file=target)), err=True)
        raise SystemExit(1)
    for line in conversion.summary:
        click.echo(f"{source}: {line}")
    click.echo(f"wrote {target} ({conversion.markdown.count(chr(10) + '## ')} questions)")
    if conversion.problems or any(problem.is_error for problem in found):
        raise SystemExit(1)


def read_gift(path: Path, encoding: str | None) -> str:
    """The text of a GIFT file: UTF-8 (with or without BOM), or the encoding asked for. A file that
    is not UTF-8 is refused with the line and byte of its first bad byte."""
    data = path.read_bytes()
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise click.ClickException(str(_l("unknown encoding '%(name)s'", name=encoding))) from None
        except UnicodeDecodeError as error:
            raise click.ClickException(_bad_byte(path, data, error, encoding)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(_bad_byte(path, data, error, "UTF-8")) from None


def _bad_byte(path: Path, data: bytes, error: UnicodeDecodeError, encoding: str) -> str:
    offset = error.start + (3 if data.startswith(b"\xef\xbb\xbf") and encoding == "UTF-8" else 0)
    line = data[:offset].count(b"\n") + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return str(
        _l(
            "%(file)s:%(line)s: byte %(offset)s (column %(column)s of the line, 0x%(byte)s) is not "
            "%(encoding)s; save the file as UTF-8, or name its encoding with --encoding "
            "(e.g. --encoding cp1258 or --encoding latin-1)",
            file=path,
            line=line,
            offset=offset + 1,
            column=column,
            byte=f"{data[offset]:02x}",
            encoding=encoding,
        )
    )


@courses_cli.command("export-gift")
@click.argument("quiz_file", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of printing.")
@with_appcontext
@in_english
def export_gift(quiz_file: str, output: str | None) -> None:
    """Write the quiz in QUIZ_FILE (a file of a course folder) as Moodle GIFT.

    Questions GIFT cannot express are listed by line (and left out); the command then exits 1.
    """
    path = Path(quiz_file).resolve()
    course, problems = read_course(path.parent, current_app.config["VIDEO_HOSTS"])
    if course is None:
        _echo_problems(problems)
        raise SystemExit(1)
    lesson = next((lesson for lesson in course.lessons if lesson.file.resolve() == path), None)
    if lesson is None or lesson.quiz is None:
        raise click.ClickException(f"{quiz_file} is not a quiz file (front matter 'type: quiz')")
    gift, problems = quiz_to_gift(lesson.quiz)
    if output:
        Path(output).write_text(gift, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(gift, nl=False)
    for problem in problems:
        click.echo(f"{quiz_file}:{problem.line}: {problem.message}", err=True)
    if problems:
        raise SystemExit(1)
