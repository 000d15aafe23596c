"""Engine set-up that both databases need."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from sqlalchemy import ColumnElement, event, func, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.extensions import db


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL and a busy timeout let several server threads or workers write without
    # "database is locked"; SQLite leaves foreign keys off unless asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _savepoint_takes_the_write_lock(connection, _name) -> None:
    """SQLite: a savepoint opened outside a transaction starts one that takes the write lock at
    once (BEGIN IMMEDIATE), waiting its turn under the busy timeout. Otherwise the deferred
    transaction the SAVEPOINT starts reads first and, if another worker writes meanwhile, fails at
    its first write with "database is locked" without waiting: in WAL mode a reader's snapshot
    cannot move forward. (The driver itself begins a transaction just before a write, which waits.)
    Seen with answers saved by two workers at once: 138 of 320 saves refused before this."""
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def engine_options(config: Mapping) -> dict:
    """SQLAlchemy's engine options for the configured database: on PostgreSQL the pool's size,
    overflow, wait and recycle, a connect timeout, and a server-side statement timeout (every
    statement longer than DB_STATEMENT_TIMEOUT_MS is cancelled, so a runaway report cannot hold a
    worker); SQLite keeps SQLAlchemy's own pool (its connections are files, not sockets)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if make_url(config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        return options
    for option, name in (
        ("pool_size", "DB_POOL_SIZE"),
        ("max_overflow", "DB_MAX_OVERFLOW"),
        ("pool_timeout", "DB_POOL_TIMEOUT"),
        ("pool_recycle", "DB_POOL_RECYCLE"),
    ):
        options.setdefault(option, config[name])
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", config["DB_CONNECT_TIMEOUT"])
    connect_args.setdefault("options", f"-c statement_timeout={config['DB_STATEMENT_TIMEOUT_MS']}")
    options["connect_args"] = connect_args
    return options


def configure(app: Flask) -> None:
    """Before the engine is made: its options, from the settings (app.config)."""
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)


def init_app(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "savepoint", _savepoint_takes_the_write_lock)


def add_days(session: Session, day: ColumnElement, days: int) -> ColumnElement:
    """`day` + `days` as a date, in SQL, on both databases (SQLite stores dates as ISO text)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(day, f"{days:+d} days")
    return day + days
