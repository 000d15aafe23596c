"""Backing up and restoring a SQLite database (`flask db backup FILE`, `flask db restore FILE`).

A backup is taken with SQLite's online backup API (`sqlite3.Connection.backup`) in one step: a
consistent copy of the database as it was at one moment, taken while the site goes on serving
(in WAL mode readers never block writers, nor writers them). It is written beside its final name
and renamed when complete, so a backup cut short never looks like a good one.

A restore copies a backup into a database that holds no data yet (a new file, or one only
migrated): it never overwrites records. PostgreSQL is backed up with pg_dump and restored with
pg_restore (README "Backups"); both commands here refuse it and say so.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine

from app.models import AuditHead, Base

PG_DUMP_HINT = (
    "the database is PostgreSQL: back it up with `pg_dump -Fc --no-owner -f FILE -d DBNAME` and "
    "restore it with `pg_restore --no-owner --exit-on-error -d NEW_EMPTY_DB FILE` "
    '(README, "Backups")'
)
BUSY_TIMEOUT = 30  # seconds a backup or restore waits for a writer's lock


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why, for the operator."""


@dataclass(frozen=True)
class Copied:
    path: Path
    size: int
    revision: str


def sqlite_file(engine: Engine) -> Path:
    """The file of the app's SQLite database (BackupError for PostgreSQL or an in-memory one)."""
    url = engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupError(PG_DUMP_HINT)
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError(f"the database {url.database or ':memory:'!r} is not a file")
    return Path(url.database)


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT)


def _revision(connection: sqlite3.Connection, what: str) -> str:
    """The migration the database is at; BackupError unless it is a sound Boiduong database."""
    try:
        (check,) = connection.execute("PRAGMA quick_check").fetchone()
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{what} is not a Boiduong SQLite database ({error})") from None
    if check != "ok":
        raise BackupError(f"{what} is damaged: {check}")
    if not rows:
        raise BackupError(f"{what} has no migration revision (alembic_version is empty)")
    return ",".join(sorted(row[0] for row in rows))


def backup(engine: Engine, target: Path) -> Copied:
    """Copy the live database to `target` (a new file), then check the copy."""
    source_path = sqlite_file(engine)
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(_connect(source_path, read_only=True)) as source, closing(_connect(partial)) as copy:
            source.backup(copy)  # every page in one step: one consistent moment
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            revision = _revision(copy, "the copy")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Copied(target, target.stat().st_size, revision)


def holds_data(engine: Engine) -> list[str]:
    """The app's tables that hold rows (the chain's head only once it has entries): a database
    that a migration alone made is empty."""
    existing = set(inspect(engine).get_table_names())
    found = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name not in existing:
                continue
            query = select(func.count()).select_from(table)
            if table.name == AuditHead.__tablename__:
                query = query.where(AuditHead.seq > 0)
            if connection.execute(query).scalar():
                found.append(table.name)
    return found


def restore(engine: Engine, source: Path) -> Copied:
    """Copy the backup `source` into the app's database, which must hold no data yet."""
    target_path = sqlite_file(engine)
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    with closing(_connect(source, read_only=True)) as backup_file:
        revision = _revision(backup_file, str(source))
    full = holds_data(engine)
    if full:
        raise BackupError(
            f"the database {target_path} holds data (in {', '.join(full[:5])}"
            f"{', …' if len(full) > 5 else ''}): restore only into a new, empty database "
            "(point DATABASE_URL at a new file)"
        )
    engine.dispose()  # no pooled connection of ours stays open on the file being replaced
    with closing(_connect(source, read_only=True)) as backup_file, closing(_connect(target_path)) as target:
        backup_file.backup(target)
        _revision(target, "the restored database")
    return Copied(target_path, target_path.stat().st_size, revision)
