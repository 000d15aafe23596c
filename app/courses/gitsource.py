"""A course folder fetched from a git repository at a branch's head, safely, with its commit.

Trainers keep a course in a repository of their own; the platform brings the folder at the head of
one branch and checks it like a folder or a .zip (`flask courses check --git URL`; later the
publishing pages, which record `FetchResult.commit` in the edition). The real `git` program does the
work, with arguments as a list (never a shell), no prompt for a password, no credential helper, no
configuration of the server's user, only the one protocol the address needs, a deadline, and a cap on
what it may download and check out (the limits of a .zip: app/courses/bundle.py).

Addresses allowed (GIT_SOURCES in app/config.py): https://, git://, and, when named in the setting,
http:// and an absolute path on the server. Never `ext::` or another transport helper, never an
address or a branch that git could read as an option, never a user name or password in the address.

Every failure is a `FetchError` whose `reason` says which (for translated messages in the pages) and
whose message names the repository, never the temporary folder. A branch whose new head does not
descend from the commit last fetched (a push that rewrote history) is fetched, but reported in
`FetchResult.rewritten`, so that the caller changes nothing learners see.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from app.config import DEFAULT_GIT_SOURCES
from app.courses.bundle import (
    MAX_ENTRIES,
    MAX_ENTRY_BYTES,
    MAX_UNPACKED_BYTES,
    MAX_ZIP_BYTES,
    file_limit,
    megabytes,
)
from app.courses.source import COURSE_FILE, Problem, real_path_inside

DEFAULT_SOURCES = tuple(DEFAULT_GIT_SOURCES.split(","))
DEFAULT_TIMEOUT_SECONDS = 120
_KIND_NAMES = {
    "https": "an https:// address",
    "http": "an http:// address",
    "git": "a git:// address",
    "path": "a path on the server",
}
_PROTOCOL = {"https": "https", "http": "http", "git": "git", "path": "file"}
_COMMIT = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_MAX_URL = 2000
_MAX_BRANCH = 200
_WATCH_EVERY = 0.2  # seconds between two measures of what git has written


class FetchError(Exception):
    """The course could not be fetched. `reason`: refused, unreachable, login, no-branch, timeout,
    too-large, no-course."""

    def __init__(self, reason: str, message: str, label: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.label = label

    @property
    def problem(self) -> Problem:
        """The failure as a problem of the repository, shown like a course's problems."""
        return Problem(self.label, 1, self.message)


@dataclass(frozen=True)
class GitPolicy:
    """Which addresses may be fetched, and how long a fetch may take."""

    sources: tuple[str, ...] = DEFAULT_SOURCES
    hosts: tuple[str, ...] = ()  # empty: any host
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    @classmethod
    def from_config(cls, config: Mapping) -> GitPolicy:
        return cls(
            sources=tuple(config.get("GIT_SOURCES", DEFAULT_SOURCES)),
            hosts=tuple(config.get("GIT_HOSTS", ())),
            timeout=float(config.get("GIT_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)),
        )


@dataclass(frozen=True)
class FetchResult:
    """A course folder at a commit of a branch."""

    url: str
    branch: str
    path: str  # the course's folder in the repository ('' = its top)
    folder: Path  # where it is now, inside the folder given to `fetch`
    commit: str  # the full SHA of the branch's head
    previous_commit: str | None = None
    rewritten: bool = False  # previous_commit is not an ancestor of commit

    @property
    def short(self) -> str:
        return self.commit[:7]

    @property
    def label(self) -> str:
        """The repository at this commit, as problems name it: URL@abc1234."""
        return f"{self.url}@{self.short}"

    @property
    def history_message(self) -> str | None:
        """What to tell the trainer when the branch's history was rewritten, else None."""
        if not self.rewritten:
            return None
        return (
            f"{self.url}: branch '{self.branch}' is now at {self.short}, which does not descend from "
            f"{(self.previous_commit or '')[:7]}, the commit fetched last: its history was rewritten "
            "(a forced push). Nothing was changed; check the branch, or fetch it anew on purpose."
        )

    def shown(self, problem: Problem) -> Problem:
        """The problem with its file named in the repository (URL@abc1234:path/file.md), never the
        temporary folder."""
        folder = str(self.folder)
        if problem.path == folder:
            return replace(problem, path=f"{self.label}:{self.path or '.'}")
        if problem.path.startswith(folder + os.sep):
            rest = problem.path[len(folder) + 1 :]
            return replace(
                problem, path=f"{self.label}:{self.path}/{rest}" if self.path else f"{self.label}:{rest}"
            )
        return problem


def source_kind(url: str) -> str | None:
    """'https', 'http', 'git' or 'path' (a folder on the server), or None for anything else."""
    if url.startswith("/"):
        return "path"
    match = re.match(r"^(https|http|git)://", url)
    return match[1] if match else None


def _url_refusal(url: str, policy: GitPolicy) -> str | None:
    if not url or len(url) > _MAX_URL or url.startswith("-"):
        return "is not the address of a repository"
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        return "has a space or a control character in it"
    kind = source_kind(url)
    if kind is None:
        return "is not an address this site fetches: use https://, git:// or a path on the server"
    if kind not in policy.sources:
        return f"is {_KIND_NAMES[kind]}, which this site does not fetch"
    if kind == "path":
        return "has '..' in it: give the repository's own path" if ".." in PurePosixPath(url).parts else None
    parts = urlsplit(url)
    if "@" in parts.netloc:
        return "has a user name or password in it: only public repositories are fetched, without one"
    if not parts.hostname:
        return "has no host"
    if policy.hosts and parts.hostname.lower() not in policy.hosts:
        return f"is on {parts.hostname}, which is not one of the hosts this site fetches from"
    return None


def _branch_refusal(branch: str) -> str | None:
    if not branch or len(branch) > _MAX_BRANCH or branch.startswith("-"):
        return f"'{branch}' is not a branch name"
    completed = subprocess.run(  # noqa: S603 (a list of arguments, no shell)
        [_git(), "check-ref-format", f"refs/heads/{branch}"], capture_output=True, env=_environment(None)
    )
    return None if completed.returncode == 0 else f"'{branch}' is not a valid branch name"


def _path_refusal(path: str) -> str | None:
    """Why a folder of the repository is refused ('/' at its start means the repository's top)."""
    if "\\" in path or any(ord(ch) < 32 for ch in path):
        return f"the path '{path}' has a '\\' or a control character in it"
    if ".." in PurePosixPath(path).parts:
        return f"the path '{path}' has '..' in it, which would leave the repository"
    return None


def refusal(url: str, branch: str, path: str = "", policy: GitPolicy | None = None) -> str | None:
    """Why this address, branch and folder are not fetched, or None. Nothing is run but git's own
    check of the branch name (so a form can say it before anything is fetched)."""
    why = _url_refusal(url, policy or GitPolicy())
    if why:
        return f"{url[:200]!r} {why}"
    return _branch_refusal(branch) or _path_refusal(path)


def normal_path(path: str) -> str:
    """The folder as written in the repository: '' for its top, no leading './' or trailing '/'."""
    parts = [part for part in PurePosixPath(path.strip("/") or ".").parts if part != "."]
    return "/".join(parts)


def _git() -> str:
    found = shutil.which("git")
    if not found:
        raise RuntimeError("the git program is not installed on the server")
    return found


def _environment(home: Path | None) -> dict[str, str]:
    """Git's environment: no configuration but ours, no prompt, no password program."""
    keep = ("PATH", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        HOME=str(home or tempfile.gettempdir()),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_TERMINAL_PROMPT="0",
        GIT_ASKPASS="",
        SSH_ASKPASS="",
        GIT_LITERAL_PATHSPECS="1",
        LC_ALL="C",
    )
    return env


def _size(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


@dataclass
class _Runner:
    """Runs git for one fetch: one protocol allowed, one deadline, one cap on the bytes written."""

    url: str
    kind: str
    into: Path
    deadline: float

    def options(self) -> list[str]:
        protocol = _PROTOCOL[self.kind]
        return [
            *("-c", "protocol.allow=never", "-c", f"protocol.{protocol}.allow=always"),
            *("-c", "credential.helper=", "-c", "core.askPass=", "-c", "http.followRedirects=false"),
            *("-c", "core.hooksPath=" + os.devnull, "-c", "core.fsmonitor=false"),
        ]

    def __call__(self, *args: str, cwd: Path | None = None, cap: int | None = None) -> tuple[int, str]:
        """Run `git ARGS`; its exit status and output (both streams). Killed, with a FetchError, at
        the deadline or when what is under `into` grows over `cap` bytes."""
        with tempfile.TemporaryFile() as output:
            process = subprocess.Popen(  # noqa: S603 (a list of arguments, no shell)
                [_git(), *self.options(), *args],
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                env=_environment(self.into),
                start_new_session=True,  # its helpers (git-remote-http, index-pack) die with it
            )
            self._watch(process, cap)
            output.seek(0)
            return process.returncode, output.read().decode("utf-8", errors="replace")

    def _watch(self, process: subprocess.Popen, cap: int | None) -> None:
        running = True
        while running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=_WATCH_EVERY)
            running = process.returncode is None
            if running and time.monotonic() > self.deadline:
                self._kill(process)
                raise FetchError("timeout", f"{self.url}: the repository took too long to fetch", self.url)
            if cap is not None and _size(self.into) > cap:
                self._kill(process)
                message = f"{self.url}: the repository is over {megabytes(cap)} MB to download"
                raise FetchError("too-large", message, self.url)

    @staticmethod
    def _kill(process: subprocess.Popen) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _why_unreachable(output: str) -> tuple[str, str]:
    """The reason and git's own words (its last 'fatal:' line) for a repository it could not read."""
    if "terminal prompts disabled" in output or "Authentication failed" in output:
        return "login", "the repository asks for a login: only public repositories are fetched"
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    fatal = [line.removeprefix("fatal: ") for line in lines if line.startswith("fatal:")]
    said = (fatal or lines or ["no answer"])[-1]
    return "unreachable", f"the repository cannot be reached ({said})"


def _branch_head(run: _Runner, url: str, branch: str) -> str:
    status, output = run("ls-remote", "--heads", "--", url, f"refs/heads/{branch}", cap=MAX_ZIP_BYTES)
    if status != 0:
        reason, message = _why_unreachable(output)
        raise FetchError(reason, f"{url}: {message}", url)
    for line in output.splitlines():
        sha, _, ref = line.partition("\t")
        if ref == f"refs/heads/{branch}" and _COMMIT.match(sha):
            return sha
    raise FetchError("no-branch", f"{url}: the repository has no branch '{branch}'", url)


def _clone(run: _Runner, url: str, branch: str, repo: Path) -> str:
    """Clone the branch's head alone (depth 1, no files yet); its commit."""
    local = ["--no-local"] if run.kind == "path" else []  # through git's transport, so depth holds
    args = ["clone", "--quiet", "--no-checkout", "--single-branch", "--no-tags", "--depth", "1", *local]
    status, output = run(*args, "--branch", branch, "--", url, str(repo), cap=MAX_ZIP_BYTES)
    if status != 0:
        if "not found in upstream" in output:
            raise FetchError("no-branch", f"{url}: the repository has no branch '{branch}'", url)
        reason, message = _why_unreachable(output.replace(str(repo), "…"))
        raise FetchError(reason, f"{url}: {message}", url)
    status, output = run("rev-parse", "--verify", "HEAD^{commit}", cwd=repo)
    return output.strip()


def _measure(run: _Runner, repo: Path, path: str, label: str) -> None:
    """Refuse a course folder over the limits of a .zip, from git's listing, before it is written."""
    status, output = run("ls-tree", "-r", "-l", "-z", "HEAD", "--", path or ".", cwd=repo)
    entries = [entry for entry in output.split("\0") if entry] if status == 0 else []
    if not entries:
        raise FetchError("no-course", f"{label}: no folder '{path}' in the repository", label)
    if len(entries) > MAX_ENTRIES:
        message = f"{label}: the folder has {len(entries):,} files; at most {MAX_ENTRIES:,}"
        raise FetchError("too-large", message, label)
    total = 0
    for entry in entries:
        meta, _, name = entry.partition("\t")
        size = meta.split()[-1]
        total += int(size) if size.isdigit() else 0
        if size.isdigit() and int(size) > MAX_ENTRY_BYTES:
            message = f"'{name}' is {megabytes(int(size))} MB; {file_limit()}"
            raise FetchError("too-large", f"{label}:{name}: {message}", label)
    if total > MAX_UNPACKED_BYTES:
        message = f"{label}: the folder is {megabytes(total)} MB; at most {megabytes(MAX_UNPACKED_BYTES)} MB"
        raise FetchError("too-large", message, label)


def _check_out(run: _Runner, repo: Path, path: str, label: str) -> Path:
    """Write out the folder alone (measured first), and the folder a link there points to (once);
    refused when it leaves the repository through a link or has no course.md."""
    where = f"{label}:{path}" if path else f"{label}:."
    top = repo.resolve()
    for _ in range(2):
        _measure(run, repo, path, label)
        status, _ = run("checkout", "--quiet", "HEAD", "--", path or ".", cwd=repo)
        if status != 0:
            raise FetchError("no-course", f"{where}: the folder cannot be checked out", label)
        folder = real_path_inside(top, repo / path)
        if folder is None:
            raise FetchError("refused", f"{where}: the path is a link that leaves the repository", label)
        if folder == top / path or folder == top:
            break
        path = folder.relative_to(top).as_posix()  # a link to another folder of the repository
    if not (folder / COURSE_FILE).is_file():
        raise FetchError("no-course", f"{where}: no {COURSE_FILE} in this folder", label)
    return folder


def _rewritten(run: _Runner, repo: Path, previous: str, commit: str) -> bool:
    """Whether `previous` is not an ancestor of the head: the history of the branch is fetched
    (commits only, where the server allows) and searched for it."""
    if previous == commit:
        return False
    status, output = run(
        "fetch",
        "--quiet",
        "--no-tags",
        "--filter=tree:0",
        "--unshallow",
        "origin",
        commit,
        cwd=repo,
        cap=MAX_ZIP_BYTES,
    )
    if status != 0:
        reason, message = _why_unreachable(output)
        raise FetchError(reason, f"{run.url}: {message}", run.url)
    status, output = run("rev-list", "HEAD", cwd=repo)
    return previous not in output.split()


def fetch(
    url: str,
    branch: str,
    path: str,
    into: Path,
    *,
    previous_commit: str | None = None,
    policy: GitPolicy | None = None,
) -> FetchResult:
    """Fetch the course folder `path` ('' = the repository's top) of `branch`'s head into `into` (an
    empty folder, removed by the caller). Raises FetchError, naming the repository, on any failure."""
    policy = policy or GitPolicy()
    path = normal_path(path)
    why = refusal(url, branch, path, policy)
    if not why and previous_commit is not None and not _COMMIT.match(previous_commit):
        why = f"'{previous_commit}' is not a full commit id"
    if why:
        raise FetchError("refused", why, url[:200])
    into.mkdir(parents=True, exist_ok=True)
    run = _Runner(url, source_kind(url) or "", into, time.monotonic() + policy.timeout)
    _branch_head(run, url, branch)
    repo = into / "repo"
    commit = _clone(run, url, branch, repo)
    label = f"{url}@{commit[:7]}"
    folder = _check_out(run, repo, path, label)
    rewritten = previous_commit is not None and _rewritten(run, repo, previous_commit, commit)
    return FetchResult(url, branch, path, folder, commit, previous_commit, rewritten)
