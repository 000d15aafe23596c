"""Benchmark: a trainer publishes the shipped courses from the browser's services: upload (safe
unpacking, the whole check, a draft with its source files), publish, the editions list with what
changed, and download.

    .venv/bin/python bench/publish_course.py [--rounds 3]

Builds a fresh database (SQLite in a temporary folder, or BENCH_DATABASE_URL, which is emptied).
Each round uploads every shipped course (courses/*) as a .zip and publishes it; later rounds
change one lesson so that each upload is a new edition. Prints the median and slowest time of
each step per course, and the size of the archives.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import time
import zipfile
from pathlib import Path

from common import ROOT, fresh_app


def _zip(folder: Path, change: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                if change and path.name == "course.md":
                    data = re.sub(rb"\nversion: *[^\n]*", f"\nversion: '{change}'".encode(), data, count=1)
                if change and path.name.startswith("01-"):
                    data += f"\n\nCập nhật lần {change}.\n".encode()
                zf.writestr(f"{folder.name}/{path.relative_to(folder).as_posix()}", data)
    return buffer.getvalue()


def _timed(times: dict, step: str, call, *args):
    started = time.perf_counter()
    result = call(*args)
    times.setdefault(step, []).append((time.perf_counter() - started) * 1000)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    app, _tmp, url = fresh_app()

    from app.courses.diff import diffs_for
    from app.courses.importer import urls_of
    from app.editions import service
    from app.extensions import db
    from app.models import User

    folders = sorted(p for p in (ROOT / "courses").iterdir() if (p / "course.md").is_file())
    times: dict[str, list[float]] = {}
    sizes = []
    with app.app_context(), app.test_request_context():
        trainer = User(email="gv@bench.vn", full_name="Giảng viên", role="trainer", password_hash="x")
        db.session.add(trainer)
        db.session.commit()
        site = service.Site(urls_of(app), tuple(app.config["VIDEO_HOSTS"]))
        for round_no in range(args.rounds):
            for folder in folders:
                data = _zip(folder, f"bench.{round_no}" if round_no else "")
                sizes.append(len(data))
                checked = _timed(
                    times,
                    "upload + check + draft",
                    service.upload,
                    *(db.session, trainer, data, f"{folder.name}.zip", site),
                )
                assert checked.status == "drafted", (
                    folder.name,
                    [str(p.message) for p in checked.errors][:3],
                )
                _timed(
                    times,
                    "publish",
                    service.publish,
                    *(db.session, trainer, checked.code, checked.number),
                )
                db.session.commit()
        for folder in folders:
            course = service.course_or_404(db.session, _code(folder))
            _timed(times, "editions list", service.editions, db.session, trainer, course)
            _timed(times, "what changed (all editions)", diffs_for, db.session, course.id)
            _timed(times, "download .zip", service.download, db.session, trainer, course.code, 1)
    print(f"database: {url.split(':', 1)[0]}; {len(folders)} courses × {args.rounds} rounds")
    print(f"archives: median {statistics.median(sizes) / 1024:.0f} KB, largest {max(sizes) / 1024:.0f} KB")
    for step, values in times.items():
        print(
            f"{step:32s} median {statistics.median(values):7.1f} ms   "
            f"slowest {max(values):7.1f} ms   (n={len(values)})"
        )


def _code(folder: Path) -> str:
    for line in (folder / "course.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("code:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit(f"{folder}: no code")


if __name__ == "__main__":
    main()
