"""Real git servers on 127.0.0.1 for the tests that fetch courses from a repository: `git daemon`
and `git http-backend` behind a small WSGI server, over bare repositories made on the spot."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.courses.gitsource import GitPolicy
from tests.helpers import write_course

EVERY_SOURCE = GitPolicy(sources=("https", "http", "git", "path"), timeout=30, private=True)  # 127.0.0.1
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Giảng viên",
    "GIT_AUTHOR_EMAIL": "gv@example.vn",
    "GIT_COMMITTER_NAME": "Giảng viên",
    "GIT_COMMITTER_EMAIL": "gv@example.vn",
}


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class Repositories:
    """Bare repositories under one folder, each pushed to from a working copy."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def create(self, name: str, build) -> tuple[Path, str]:
        """A repository `name`.git whose branch main holds what `build(work)` wrote; its head."""
        bare = self.root / f"{name}.git"
        git("init", "--quiet", "--bare", "-b", "main", str(bare), cwd=self.root)
        git("config", "uploadpack.allowFilter", "true", cwd=bare)
        work = self.root / "work" / name
        git("clone", "--quiet", str(bare), str(work), cwd=self.root)
        return bare, self.commit(work, build)

    def commit(self, work: Path, build, *, branch: str = "main", amend: bool = False) -> str:
        build(work)
        git("add", "-A", cwd=work)
        git("commit", "--quiet", *(["--amend"] if amend else []), "-m", "Sửa khoá học", cwd=work)
        git("push", "--quiet", *(["--force"] if amend else []), "origin", f"HEAD:{branch}", cwd=work)
        return git("rev-parse", "HEAD", cwd=work)


@pytest.fixture(scope="module")
def repos(tmp_path_factory) -> Repositories:
    return Repositories(tmp_path_factory.mktemp("repos"))


@pytest.fixture(scope="module")
def daemon(repos) -> str:
    """`git daemon` serving the repositories at git://127.0.0.1:PORT/."""
    port = free_port()
    process = subprocess.Popen(
        [
            *("git", "daemon", "--export-all", "--reuseaddr", "--informative-errors"),
            *(f"--base-path={repos.root}", "--listen=127.0.0.1", f"--port={port}", str(repos.root)),
        ],
        env=GIT_ENV,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        yield f"git://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait()


def http_backend(root: Path):
    """A WSGI application running `git http-backend` (git's smart HTTP server) as CGI."""

    def application(environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/noi-bo/"):  # a private repository
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="git"')])
            return [b""]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        chunked = environ.get("wsgi.input_terminated")  # a chunked body, read to its end
        body = (
            environ["wsgi.input"].read(length) if length else environ["wsgi.input"].read() if chunked else b""
        )
        cgi = {
            "PATH": os.environ["PATH"],
            "GIT_PROJECT_ROOT": str(root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "REQUEST_METHOD": environ["REQUEST_METHOD"],
            "PATH_INFO": environ.get("PATH_INFO", ""),
            "QUERY_STRING": environ.get("QUERY_STRING", ""),
            "CONTENT_TYPE": environ.get("CONTENT_TYPE", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_PROTOCOL": environ.get("HTTP_GIT_PROTOCOL", ""),
            "HTTP_CONTENT_ENCODING": environ.get("HTTP_CONTENT_ENCODING", ""),
        }
        done = subprocess.run(["git", "http-backend"], input=body, env=cgi, capture_output=True, check=False)
        head, _, content = done.stdout.partition(b"\r\n\r\n")
        headers = [
            tuple(line.split(": ", 1)) for line in head.decode("latin-1").split("\r\n") if ": " in line
        ]
        status = dict(headers).pop("Status", "200 OK")
        start_response(status, [(k, v) for k, v in headers if k != "Status"])
        return [content]

    return application


@pytest.fixture(scope="module")
def http(repos) -> str:
    """git http-backend behind a WSGI server at http://127.0.0.1:PORT/."""
    server = make_server("127.0.0.1", 0, http_backend(repos.root), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join()


def course_at(folder: str = "khoa-hoc", **kwargs):
    def build(work: Path) -> None:
        write_course(work, folder, **kwargs)

    return build
