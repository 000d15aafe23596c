"""The unit tree's one subtree rule, in SQL and in Python.

A unit's `path` is the chain of ids from the root ("/1/4/9/"), so "in the subtree at P" is "path
starts with P": in SQL an index range scan on the path (`subtree`), in Python a prefix test
(`is_within`). Every scope check in the app goes through these.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, select

from app.models import Unit


def subtree(path_column, path: str) -> ColumnElement[bool]:
    """Rows whose unit path lies in the subtree at `path` (an index range scan on both databases)."""
    return and_(path_column >= path, path_column < path + "~")  # "~" sorts after digits and "/"


def units_under(path: str) -> Select:
    """The ids of the units in the subtree at `path`, the root included."""
    return select(Unit.id).where(subtree(Unit.path, path))


def in_subtree(unit_id_column, path: str) -> ColumnElement[bool]:
    """Rows whose unit (`unit_id_column`) lies in the subtree at `path`."""
    return unit_id_column.in_(units_under(path))


def is_within(path: str | None, root_path: str) -> bool:
    """Whether the unit at `path` lies in the subtree at `root_path` (the Python twin of `subtree`)."""
    return path is not None and path.startswith(root_path)
