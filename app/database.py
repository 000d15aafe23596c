"""Engine set-up that both databases need."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import ColumnElement, event, func
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


def init_app(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)


def add_days(session: Session, day: ColumnElement, days: int) -> ColumnElement:
    """`day` + `days` as a date, in SQL, on both databases (SQLite stores dates as ISO text)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(day, f"{days:+d} days")
    return day + days
