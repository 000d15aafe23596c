"""`flask courses check|import`: the trainers' commands."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.courses.importer import CourseUrls, import_course
from app.courses.source import COURSE_FILE, Problem, course_folders, read_course
from app.extensions import db


def site_urls() -> CourseUrls:
    """Addresses of lessons and images as the running site serves them."""
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/"
    )
    return CourseUrls(
        lesson=lambda code, slug: adapter.build("learning.lesson", {"code": code, "slug": slug}),
        media=lambda sha: adapter.build("learning.media", {"sha256": sha}),
    )


def _folders(path: str | None) -> list[Path]:
    root = Path(path) if path else Path(current_app.config["COURSES_DIR"])
    if not root.is_dir():
        raise click.ClickException(f"{root}: not a folder")
    return course_folders(root)


def _echo_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


@click.group("courses")
def courses_cli() -> None:
    """Check and import Markdown courses."""


@courses_cli.command("check")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False))
@with_appcontext
def check(path: str | None) -> None:
    """Check PATH (a course folder, or a folder of courses; default: courses/)."""
    folders = _folders(path)
    problems: list[Problem] = []
    codes: dict[str, Path] = {}
    for folder in folders:
        source, found = read_course(folder, current_app.config["VIDEO_HOSTS"])
        problems.extend(found)
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
    _echo_problems(problems)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {len(folders)} course folder(s)", err=True)
        raise SystemExit(1)
    click.echo(f"{len(folders)} course folder(s) checked, no problems")


@courses_cli.command("import")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False))
@with_appcontext
def import_(path: str | None) -> None:
    """Import PATH (a course folder, or a folder of courses; default: courses/).

    Each course is imported whole or not at all; a course with problems does not stop the others.
    """
    urls = site_urls()
    failed = 0
    started = time.perf_counter()
    for folder in _folders(path):
        outcome = import_course(db.session, folder, urls=urls, video_hosts=current_app.config["VIDEO_HOSTS"])
        if outcome.status == "failed":
            db.session.rollback()
            failed += 1
            _echo_problems(outcome.problems)
            click.echo(f"{folder}: not imported ({len(outcome.problems)} problem(s))", err=True)
            continue
        db.session.commit()
        click.echo(f"{folder}: {outcome.code} version {outcome.version}: {outcome.status}")
    click.echo(f"done in {time.perf_counter() - started:.2f} s")
    if failed:
        raise SystemExit(1)
