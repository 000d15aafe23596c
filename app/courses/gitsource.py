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
import ipaddress
import os
import re
import shutil
import signal
import socket
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
    megabytes,
    too_big_file,
)
from app.courses.source import COURSE_FILE, Problem, real_path_inside
from app.messages import Message, _l

DEFAULT_SOURCES = tuple(DEFAULT_GIT_SOURCES.split(","))
DEFAULT_TIMEOUT_SECONDS = 120
_KIND_NAMES = {
    "https": _l("an https:// address"),
    "http": _l("an http:// address"),
    "git": _l("a git:// address"),
    "path": _l("a path on the server"),
}
_PROTOCOL = {"https": "https", "http": "http", "git": "git", "path": "file"}
_COMMIT = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_MAX_URL = 2000
_MAX_BRANCH = 200
_WATCH_EVERY = 0.2  # seconds between two measures of what git has written


class FetchError(Exception):
    """The course could not be fetched. `reason`: refused, unreachable, login, no-branch, timeout,
    too-large, no-course. `message` (and `str()` of the error) renders in the locale active then."""

    def __init__(self, reason: str, message: Message, label: str) -> None:
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
    # Hosts inside the server's own network (loopback, private, link-local addresses) are refused
    # unless named in `hosts` or allowed here: a trainer must not make the server probe it.
    private: bool = False

    @classmethod
    def from_config(cls, config: Mapping) -> GitPolicy:
        return cls(
            sources=tuple(config.get("GIT_SOURCES", DEFAULT_SOURCES)),
            hosts=tuple(config.get("GIT_HOSTS", ())),
            timeout=float(config.get("GIT_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)),
            private=bool(config.get("GIT_PRIVATE_HOSTS", False)),
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
    def history_message(self) -> Message | None:
        """What to tell the trainer when the branch's history was rewritten, else None."""
        if not self.rewritten:
            return None
        return _l(
            "%(url)s: branch '%(branch)s' is now at %(commit)s, which does not descend from "
            "%(previous)s, the commit fetched last: its history was rewritten "
            "(a forced push). Nothing was changed; check the branch, or fetch it anew on purpose.",
            url=self.url,
            branch=self.branch,
            commit=self.short,
            previous=(self.previous_commit or "")[:7],
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


def _url_refusal(url: str, policy: GitPolicy) -> Message | None:
    """Why the address is refused, naming it (its first 200 characters, quoted), or None."""
    shown = repr(url[:200])
    if not url or len(url) > _MAX_URL or url.startswith("-"):
        return _l("%(url)s is not the address of a repository", url=shown)
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        return _l("%(url)s has a space or a control character in it", url=shown)
    kind = source_kind(url)
    if kind is None:
        return _l(
            "%(url)s is not an address this site fetches: use https://, git:// or a path on the server",
            url=shown,
        )
    if kind not in policy.sources:
        return _l("%(url)s is %(kind)s, which this site does not fetch", url=shown, kind=_KIND_NAMES[kind])
    if kind == "path":
        if ".." in PurePosixPath(url).parts:
            return _l("%(url)s has '..' in it: give the repository's own path", url=shown)
        return None
    parts = urlsplit(url)
    if "@" in parts.netloc:
        return _l(
            "%(url)s has a user name or password in it: only public repositories are fetched, without one",
            url=shown,
        )
    if not parts.hostname:
        return _l("%(url)s has no host", url=shown)
    if policy.hosts and parts.hostname.lower() not in policy.hosts:
        return _l(
            "%(url)s is on %(host)s, which is not one of the hosts this site fetches from",
            url=shown,
            host=parts.hostname,
        )
    if not policy.private and parts.hostname.lower() not in policy.hosts and _inside(parts.hostname):
        return _l(
            "%(url)s is on %(host)s, inside the server's own network: this site fetches only public "
            "repositories",
            url=shown,
            host=parts.hostname,
        )
    return None


def _inside(host: str) -> bool:
    """The host is, or resolves to, an address of the server's own network: loopback, private,
    link-local, unspecified or reserved. A name that does not resolve is left to git to report."""
    try:
        addresses = {ipaddress.ip_address(host.strip("[]"))}
    except ValueError:
        try:
            found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return False
        addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in found}
    return any(not address.is_global or address.is_multicast for address in addresses)


def _branch_refusal(branch: str) -> Message | None:
    if not branch or len(branch) > _MAX_BRANCH or branch.startswith("-"):
        return _l("'%(branch)s' is not a branch name", branch=branch)
    completed = subprocess.run(  # noqa: S603 (a list of arguments, no shell)
        [_git(), "check-ref-format", f"refs/heads/{branch}"], capture_output=True, env=_environment(None)
    )
    return None if completed.returncode == 0 else _l("'%(branch)s' is not a valid branch name", branch=branch)


def _path_refusal(path: str) -> Message | None:
    """Why a folder of the repository is refused ('/' at its start means the repository's top)."""
    if "\\" in path or any(ord(ch) < 32 for ch in path):
        return _l("the path '%(path)s' has a '\\' or a control character in it", path=path)
    if ".." in PurePosixPath(path).parts:
        return _l("the path '%(path)s' has '..' in it, which would leave the repository", path=path)
    return None


def refusal(url: str, branch: str, path: str = "", policy: GitPolicy | None = None) -> Message | None:
    """Why this address, branch and folder are not fetched, or None. Nothing is run but git's own
    check of the branch name (so a form can say it before anything is fetched). The reason is a
    Message: `str()` renders it in the locale active then."""
    return _url_refusal(url, policy or GitPolicy()) or _branch_refusal(branch) or _path_refusal(path)


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
                message = _l("%(url)s: the repository took too long to fetch", url=self.url)
                raise FetchError("timeout", message, self.url)
            if cap is not None and _size(self.into) > cap:
                self._kill(process)
                message = _l(
                    "%(url)s: the repository is over %(most)s MB to download",
                    url=self.url,
                    most=megabytes(cap),
                )
                raise FetchError("too-large", message, self.url)

    @staticmethod
    def _kill(process: subprocess.Popen) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _unreachable(url: str, output: str) -> FetchError:
    """The error for a repository git could not read, with git's own words (its last 'fatal:' line)."""
    if "terminal prompts disabled" in output or "Authentication failed" in output:
        message = _l(
            "%(url)s: the repository asks for a login: only public repositories are fetched", url=url
        )
        return FetchError("login", message, url)
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    fatal = [line.removeprefix("fatal: ") for line in lines if line.startswith("fatal:")]
    said = (fatal or lines or ["no answer"])[-1]
    return FetchError(
        "unreachable", _l("%(url)s: the repository cannot be reached (%(said)s)", url=url, said=said), url
    )


def _no_branch(url: str, branch: str) -> FetchError:
    return FetchError(
        "no-branch", _l("%(url)s: the repository has no branch '%(branch)s'", url=url, branch=branch), url
    )


def _branch_head(run: _Runner, url: str, branch: str) -> str:
    status, output = run("ls-remote", "--heads", "--", url, f"refs/heads/{branch}", cap=MAX_ZIP_BYTES)
    if status != 0:
        raise _unreachable(url, output)
    for line in output.splitlines():
        sha, _, ref = line.partition("\t")
        if ref == f"refs/heads/{branch}" and _COMMIT.match(sha):
            return sha
    raise _no_branch(url, branch)


def _clone(run: _Runner, url: str, branch: str, repo: Path) -> str:
    """Clone the branch's head alone (depth 1, no files yet); its commit."""
    local = ["--no-local"] if run.kind == "path" else []  # through git's transport, so depth holds
    args = ["clone", "--quiet", "--no-checkout", "--single-branch", "--no-tags", "--depth", "1", *local]
    status, output = run(*args, "--branch", branch, "--", url, str(repo), cap=MAX_ZIP_BYTES)
    if status != 0:
        if "not found in upstream" in output:
            raise _no_branch(url, branch)
        raise _unreachable(url, output.replace(str(repo), "…"))
    status, output = run("rev-parse", "--verify", "HEAD^{commit}", cwd=repo)
    return output.strip()


def _measure(run: _Runner, repo: Path, path: str, label: str) -> None:
    """Refuse a course folder over the limits of a .zip, from git's listing, before it is written."""
    status, output = run("ls-tree", "-r", "-l", "-z", "HEAD", "--", path or ".", cwd=repo)
    entries = [entry for entry in output.split("\0") if entry] if status == 0 else []
    if not entries:
        raise FetchError(
            "no-course",
            _l("%(label)s: no folder '%(path)s' in the repository", label=label, path=path),
            label,
        )
    if len(entries) > MAX_ENTRIES:
        message = _l(
            "%(label)s: the folder has %(count)s files; at most %(most)s",
            label=label,
            count=f"{len(entries):,}",
            most=f"{MAX_ENTRIES:,}",
        )
        raise FetchError("too-large", message, label)
    total = 0
    for entry in entries:
        meta, _, name = entry.partition("\t")
        size = meta.split()[-1]
        total += int(size) if size.isdigit() else 0
        if size.isdigit() and int(size) > MAX_ENTRY_BYTES:
            message = _l("%(where)s: %(why)s", where=f"{label}:{name}", why=too_big_file(name, int(size)))
            raise FetchError("too-large", message, label)
    if total > MAX_UNPACKED_BYTES:
        message = _l(
            "%(label)s: the folder is %(size)s MB; at most %(most)s MB",
            label=label,
            size=megabytes(total),
            most=megabytes(MAX_UNPACKED_BYTES),
        )
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
            raise FetchError(
                "no-course", _l("%(where)s: the folder cannot be checked out", where=where), label
            )
        folder = real_path_inside(top, repo / path)
        if folder is None:
            message = _l("%(where)s: the path is a link that leaves the repository", where=where)
            raise FetchError("refused", message, label)
        if folder == top / path or folder == top:
            break
        path = folder.relative_to(top).as_posix()  # a link to another folder of the repository
    if not (folder / COURSE_FILE).is_file():
        raise FetchError(
            "no-course", _l("%(where)s: no %(file)s in this folder", where=where, file=COURSE_FILE), label
        )
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
        raise _unreachable(run.url, output)
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
        why = _l("'%(commit)s' is not a full commit id", commit=previous_commit)
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
