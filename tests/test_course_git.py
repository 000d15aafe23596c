"""A course fetched from a git repository at a branch's head: served by a real git server on
127.0.0.1 (git daemon, and git http-backend behind a small WSGI server), never a mock."""

from __future__ import annotations

import re
import shutil
import socket
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.config import ConfigError, load_config
from app.courses import gitsource
from app.courses.gitsource import FetchError, GitPolicy, fetch, refusal
from app.extensions import db
from app.models import Course
from tests.git_servers import EVERY_SOURCE, course_at, free_port
from tests.helpers import write_course


@pytest.fixture(scope="module")
def course_repo(repos) -> tuple[str, str]:
    """A repository with a course at its top; its name and head."""
    _, head = repos.create("khoa-hoc", course_at(""))
    return "khoa-hoc.git", head


def test_a_course_is_fetched_at_the_branch_head_with_its_commit(daemon, course_repo, tmp_path):
    name, head = course_repo
    result = fetch(f"{daemon}/{name}", "main", "", tmp_path, policy=EVERY_SOURCE)
    assert result.commit == head and result.label == f"{daemon}/{name}@{head[:7]}"
    assert (result.folder / "course.md").read_text(encoding="utf-8").startswith("---\ncode: KH-01")
    assert not result.rewritten and result.history_message is None


def test_a_course_is_fetched_over_http_and_from_a_path_on_the_server(http, repos, course_repo, tmp_path):
    name, head = course_repo
    over_http = fetch(f"{http}/{name}", "main", "", tmp_path / "http", policy=EVERY_SOURCE)
    on_server = fetch(str(repos.root / name), "main", "", tmp_path / "path", policy=EVERY_SOURCE)
    assert over_http.commit == on_server.commit == head
    assert (on_server.folder / "course.md").is_file()


def test_a_course_in_a_subfolder_is_fetched_alone(daemon, repos, tmp_path):
    def build(work: Path) -> None:
        write_course(work / "khoa", "an-toan", code="AT-01")
        (work / "README.md").write_text("# Kho khoá học\n", encoding="utf-8")

    _, head = repos.create("kho", build)
    result = fetch(f"{daemon}/kho.git", "main", "/khoa/an-toan/", tmp_path, policy=EVERY_SOURCE)
    assert result.path == "khoa/an-toan" and result.commit == head
    assert (result.folder / "course.md").is_file()
    assert not (tmp_path / "repo" / "README.md").exists()  # only the course's folder is checked out


def failure(url: str, branch: str = "main", path: str = "", into: Path | None = None, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as raised:
        fetch(url, branch, path, into, policy=kwargs.pop("policy", EVERY_SOURCE), **kwargs)
    return raised.value


def test_a_missing_branch_says_so(daemon, course_repo, tmp_path):
    error = failure(f"{daemon}/{course_repo[0]}", "ban-nhap", into=tmp_path)
    assert error.reason == "no-branch"
    assert error.message == f"{daemon}/{course_repo[0]}: the repository has no branch 'ban-nhap'"


def test_an_unreachable_server_or_repository_says_so(daemon, tmp_path):
    closed = f"git://127.0.0.1:{free_port()}/khoa-hoc.git"
    error = failure(closed, into=tmp_path / "a")
    assert error.reason == "unreachable" and error.message.startswith(
        f"{closed}: the repository cannot be reached"
    )
    error = failure(f"{daemon}/khong-co.git", into=tmp_path / "b")
    assert error.reason == "unreachable"
    assert str(tmp_path) not in error.message


def test_a_repository_asking_for_a_login_is_refused_without_a_prompt(http, tmp_path):
    error = failure(f"{http}/noi-bo/khoa-hoc.git", into=tmp_path)
    assert (error.reason, error.message) == (
        "login",
        f"{http}/noi-bo/khoa-hoc.git: the repository asks for a login: only public repositories are fetched",
    )


def test_a_folder_without_course_md_says_where_it_looked(daemon, repos, tmp_path):
    def build(work: Path) -> None:
        (work / "tai-lieu").mkdir()
        (work / "tai-lieu" / "ghi-chu.md").write_text("# Ghi chú\n", encoding="utf-8")

    _, head = repos.create("tai-lieu", build)
    url = f"{daemon}/tai-lieu.git"
    error = failure(url, path="tai-lieu", into=tmp_path / "a")
    assert (error.reason, error.message) == (
        "no-course",
        f"{url}@{head[:7]}:tai-lieu: no course.md in this folder",
    )
    error = failure(url, path="khong-co", into=tmp_path / "b")
    assert error.message == f"{url}@{head[:7]}: no folder 'khong-co' in the repository"


def test_a_path_leaving_the_repository_is_refused(daemon, repos, tmp_path):
    error = failure(f"{daemon}/khoa-hoc.git", path="../khoa-hoc", into=tmp_path / "a")
    assert error.reason == "refused" and "'..'" in error.message

    def build(work: Path) -> None:
        write_course(work, "that")
        (work / "ngoai").symlink_to("/etc")
        (work / "trong").symlink_to("that")

    _, head = repos.create("lien-ket", build)
    url = f"{daemon}/lien-ket.git"
    error = failure(url, path="ngoai", into=tmp_path / "b")
    assert (error.reason, error.message) == (
        "refused",
        f"{url}@{head[:7]}:ngoai: the path is a link that leaves the repository",
    )
    inside = fetch(url, "main", "trong", tmp_path / "c", policy=EVERY_SOURCE)  # a link within: followed
    assert (
        inside.folder == (tmp_path / "c" / "repo" / "that").resolve()
        and (inside.folder / "course.md").is_file()
    )


@pytest.mark.parametrize(
    ("url", "branch", "path", "why"),
    [
        ("ext::sh%20-c%20touch%20pwned", "main", "", "is not an address this site fetches"),
        ("file:///srv/git/khoa.git", "main", "", "is not an address this site fetches"),
        ("--upload-pack=touch /tmp/pwned", "main", "", "is not the address of a repository"),
        ("-uhost/x", "main", "", "is not the address of a repository"),
        ("https://gv:matkhau@git.example.vn/khoa.git", "main", "", "has a user name or password"),
        ("git.example.vn:khoa.git", "main", "", "is not an address this site fetches"),
        ("/srv/git/../../home/gv/.ssh", "main", "", "has '..' in it"),
        ("https://git.example.vn/khoa.git", "--upload-pack=touch", "", "is not a branch name"),
        ("https://git.example.vn/khoa.git", "main..x", "", "is not a valid branch name"),
        ("https://git.example.vn/khoa.git", "a b", "", "is not a valid branch name"),
        ("https://git.example.vn/khoa.git", "main", "a/../../etc", "has '..' in it"),
    ],
)
def test_tricks_are_refused_before_git_runs(url, branch, path, why, tmp_path):
    error = failure(url, branch, path, into=tmp_path)
    assert error.reason == "refused" and why in error.message
    assert not any(tmp_path.iterdir())  # nothing was fetched


def test_addresses_the_site_does_not_fetch_are_refused():
    https_only = GitPolicy(sources=("https",), hosts=("git.hanoi.gov.vn",))
    assert refusal("https://git.hanoi.gov.vn/khoa.git", "main", "", https_only) is None
    assert "not one of the hosts" in refusal("https://example.com/khoa.git", "main", "", https_only)
    assert "which this site does not fetch" in refusal(
        "http://git.hanoi.gov.vn/khoa.git", "main", "", https_only
    )
    assert "a path on the server, which this site does not fetch" in refusal(
        "/srv/git/khoa.git", "main", "", https_only
    )


def test_the_site_fetches_https_and_git_unless_configured_otherwise(tmp_path):
    environ = {"BOIDUONG_ENV": "test", "SECRET_KEY": "k" * 32}
    config = load_config(str(tmp_path), environ)
    assert GitPolicy.from_config(config) == GitPolicy(sources=("https", "git"), hosts=(), timeout=120)
    config = load_config(
        str(tmp_path), {**environ, "GIT_SOURCES": "https, path", "GIT_HOSTS": "Git.Hanoi.gov.vn"}
    )
    assert GitPolicy.from_config(config).sources == ("https", "path")
    assert GitPolicy.from_config(config).hosts == ("git.hanoi.gov.vn",)
    with pytest.raises(ConfigError, match="GIT_SOURCES may name only https, http, git, path, not ssh"):
        load_config(str(tmp_path), {**environ, "GIT_SOURCES": "https,ssh"})


def test_a_rewritten_history_is_detected_against_the_previous_commit(daemon, repos, tmp_path):
    _, first = repos.create("viet-lai", course_at(""))
    work = repos.root / "work" / "viet-lai"
    url = f"{daemon}/viet-lai.git"
    second = repos.commit(work, course_at("", version="1.1"))
    moved_on = fetch(url, "main", "", tmp_path / "a", previous_commit=first, policy=EVERY_SOURCE)
    assert moved_on.commit == second and not moved_on.rewritten
    third = repos.commit(work, course_at("", version="1.2"), amend=True)  # a forced push replaces `second`
    rewritten = fetch(url, "main", "", tmp_path / "b", previous_commit=second, policy=EVERY_SOURCE)
    assert rewritten.commit == third and rewritten.rewritten
    assert rewritten.history_message == (
        f"{url}: branch 'main' is now at {third[:7]}, which does not descend from {second[:7]}, the "
        "commit fetched last: its history was rewritten (a forced push). Nothing was changed; check the "
        "branch, or fetch it anew on purpose."
    )
    assert not fetch(url, "main", "", tmp_path / "c", previous_commit=third, policy=EVERY_SOURCE).rewritten


def test_a_folder_over_the_limits_of_a_zip_is_refused_before_it_is_written(
    daemon, repos, tmp_path, monkeypatch
):
    def build(work: Path) -> None:
        write_course(work, "")
        (work / "video.bin").write_bytes(b"\0" * 3000)

    _, head = repos.create("lon", build)
    url = f"{daemon}/lon.git"
    monkeypatch.setattr(gitsource, "MAX_ENTRY_BYTES", 2000)
    error = failure(url, into=tmp_path / "a")
    assert error.reason == "too-large" and error.message.startswith(
        f"{url}@{head[:7]}:video.bin: 'video.bin' is"
    )
    assert not (tmp_path / "a" / "repo" / "course.md").exists()
    monkeypatch.setattr(gitsource, "MAX_ENTRIES", 2)
    assert re.search(
        r"@[0-9a-f]{7}: the folder has \d files; at most 2$", failure(url, into=tmp_path / "b").message
    )
    monkeypatch.setattr(gitsource, "MAX_ZIP_BYTES", 10)
    assert failure(url, into=tmp_path / "c").reason == "too-large"


def test_a_server_that_never_answers_times_out(tmp_path):
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"git://127.0.0.1:{silent.getsockname()[1]}/khoa-hoc.git"
        started = time.monotonic()
        error = failure(url, into=tmp_path, policy=GitPolicy(sources=("git",), timeout=1, private=True))
    assert (error.reason, error.message) == ("timeout", f"{url}: the repository took too long to fetch")
    assert time.monotonic() - started < 5


@pytest.fixture
def git_app(app):
    app.config["GIT_SOURCES"] = ("https", "http", "git", "path")
    app.config["GIT_PRIVATE_HOSTS"] = True  # the test servers listen on 127.0.0.1
    return app


def test_cli_checks_a_course_from_git_naming_problems_after_the_repository(git_app, daemon, repos):
    def build(work: Path) -> None:
        course = write_course(work / "khoa", "so", category="nope")
        (course / "02-du-lieu.md").write_text("# Dữ liệu\n\n![Hình](khong-co.png)\n", encoding="utf-8")

    _, head = repos.create("co-loi", build)
    url = f"{daemon}/co-loi.git"
    result = git_app.test_cli_runner().invoke(
        args=["courses", "check", "--git", url, "--branch", "main", "--path", "khoa/so"]
    )
    assert result.exit_code == 1
    assert f"checked {url} at commit {head[:7]} (branch main)" in result.output
    assert f"{url}@{head[:7]}:khoa/so/course.md:5: category 'nope' is not one of" in result.output
    assert f"{url}@{head[:7]}:khoa/so/02-du-lieu.md:3: image 'khong-co.png' does not exist" in result.output
    assert "boiduong-git-" not in result.output and "/repo/" not in result.output


def test_cli_reports_a_fetch_failure_and_a_rewritten_history(git_app, daemon, repos, course_repo):
    runner = git_app.test_cli_runner()
    url = f"{daemon}/{course_repo[0]}"
    result = runner.invoke(args=["courses", "check", "--git", url, "--branch", "nhap"])
    assert result.exit_code == 1 and f"{url}: the repository has no branch 'nhap'" in result.output
    _, first = repos.create("ep-day", course_at(""))
    work = repos.root / "work" / "ep-day"
    second = repos.commit(work, course_at("", version="2.0"), amend=True)
    args = ["courses", "import", "--git", f"{daemon}/ep-day.git", "--previous-commit", first]
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert f"does not descend from {first[:7]}" in result.output and "not imported" in result.output
    with git_app.app_context():
        assert db.session.scalar(select(func.count(Course.id))) == 0
    assert second[:7] in result.output


def test_cli_imports_a_course_from_git_and_prints_its_commit(git_app, daemon, course_repo):
    name, head = course_repo
    result = git_app.test_cli_runner().invoke(args=["courses", "import", "--git", f"{daemon}/{name}"])
    assert result.exit_code == 0, result.output
    assert f"fetched {daemon}/{name} at commit {head} (branch main)" in result.output
    assert f"{daemon}/{name}@{head[:7]}:.: KH-01 version 1.0: created" in result.output
    with git_app.app_context():
        assert list(db.session.scalars(select(Course.code))) == ["KH-01"]


def test_cli_refuses_an_address_the_site_does_not_fetch(app, repos, course_repo):
    result = app.test_cli_runner().invoke(
        args=["courses", "check", "--git", str(repos.root / course_repo[0])]
    )
    assert result.exit_code == 1 and "which this site does not fetch" in result.output


def test_git_is_installed():
    assert shutil.which("git"), "the git program is needed to fetch courses from repositories"


@pytest.mark.parametrize(
    "url",
    [
        "git://127.0.0.1/khoa-hoc.git",
        "https://localhost/khoa-hoc.git",
        "https://10.1.2.3/khoa-hoc.git",
        "https://192.168.1.10/khoa-hoc.git",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/khoa-hoc.git",
    ],
)
def test_a_host_inside_the_servers_network_is_refused_unless_allowed(url):
    everywhere = GitPolicy(sources=("https", "git"))
    why = refusal(url, "main", "", everywhere)
    assert why is not None and "inside the server's own network" in why
    assert refusal(url, "main", "", GitPolicy(sources=("https", "git"), private=True)) is None
    host = url.split("/")[2].strip("[]")
    assert refusal(url, "main", "", GitPolicy(sources=("https", "git"), hosts=(host,))) is None


def test_a_public_address_and_an_unknown_name_are_left_to_git():
    policy = GitPolicy(sources=("https",))
    assert refusal("https://93.184.216.34/khoa-hoc.git", "main", "", policy) is None
    assert refusal("https://khong-co-ten-nay.invalid/khoa-hoc.git", "main", "", policy) is None
