"""The people import's stages made explicit: the plan refuses what the apply could not write (units
that are each other's parents, found by a dry run too), and reading the database costs the same
few statements however many rows the file has."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.imports.people import import_people
from app.imports.reader import read_table
from app.models import Cadre, Unit
from app.policy import SYSTEM
from tests.helpers import cadres_csv

UNITS_IN_A_LOOP = "code,name,type,parent_code\nNEW-A,Phòng A,division,NEW-B\nNEW-B,Phòng B,division,NEW-A\n"


def test_a_dry_run_reports_units_that_are_each_others_parents(world, app):
    with app.app_context():
        for dry_run in (True, False):
            table = read_table("units.csv", UNITS_IN_A_LOOP.encode())
            report = import_people(db.session, SYSTEM, table, dry_run=dry_run)
            assert [(p.row, p.column, p.value) for p in report.problems] == [(2, "code", "NEW-A")]
            assert str(report.problems[0].why) == "các đơn vị là đơn vị cấp trên của nhau"
            assert db.session.scalar(select(func.count()).where(Unit.code.like("NEW-%"))) == 0


def test_the_cadre_import_costs_the_same_statements_for_3_rows_as_for_60(
    world,
    app,
    count_queries,
):
    def statements(rows: int, dry_run: bool) -> int:
        with app.app_context():
            table = read_table("cb.csv", cadres_csv(rows))
            with count_queries() as counter:
                report = import_people(db.session, SYSTEM, table, dry_run=dry_run)
            assert report.ok and report.created == rows
            db.session.rollback()
            return counter.count

    assert statements(3, dry_run=True) == statements(60, dry_run=True)
    assert statements(3, dry_run=False) == statements(60, dry_run=False)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Cadre.employee_code.like("HN-8%"))) == 0
