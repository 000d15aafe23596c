"""One vocabulary for the personnel files (app.vocabulary): what an export writes, the import reads
back as the same code, and an exported file imports back into the same records."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.imports.people import import_people
from app.imports.reader import header_key, read_table
from app.models import Cadre, Title, Unit
from app.models.org import UNIT_TYPES
from app.models.profile import GENDERS as GENDER_CODES
from app.models.profile import STAFF_TYPES
from app.policy import SYSTEM
from app.reports.exports import PROFILE_FIELDS, UNIT_FIELDS
from app.text import fold
from app.vocabulary import (
    CADRE_COLUMNS,
    GENDER_WORDS,
    GENDERS,
    STAFF,
    STAFF_WORDS,
    UNIT_COLUMNS,
    UNIT_TYPE_NAMES,
    UNIT_TYPE_WORDS,
    date_text,
    headings,
    parse_date,
)
from tests.helpers import CITY_ADMIN


def test_every_code_has_its_words():
    assert set(GENDER_WORDS) == set(GENDER_CODES)
    assert set(STAFF_WORDS) == set(STAFF_TYPES)
    assert set(UNIT_TYPE_NAMES) == set(UNIT_TYPES)


def test_what_an_export_writes_the_import_reads_as_the_same_code():
    for code, word in GENDER_WORDS.items():
        assert GENDERS[fold(word)] == code
    for code, word in STAFF_WORDS.items():
        assert STAFF[fold(word)] == code
    for fields, columns in ((PROFILE_FIELDS, CADRE_COLUMNS), (UNIT_FIELDS, UNIT_COLUMNS)):
        for field, heading in zip(fields, headings(columns, fields), strict=True):
            assert header_key(heading) in columns[field]
    for day in (date(1980, 3, 4), date(1999, 12, 31), date(2001, 1, 13)):
        assert parse_date(date_text(day)) == day
    assert date_text(date(1980, 3, 4)) == "04/03/1980"  # day first, as offices write it


@pytest.mark.parametrize(
    ("text", "code"),
    [("NAM", "male"), ("nữ", "female"), ("Nu", "female"), ("f", "female"), ("Công chức", "civil_servant")],
)
def test_the_import_reads_the_spellings_offices_use(text, code):
    assert {**GENDERS, **STAFF}[fold(text)] == code


@pytest.mark.parametrize(("text", "code"), [("Thị xã", "district"), ("Sở", "department"), ("Phường", "ward")])
def test_unit_types_in_words(text, code):
    assert UNIT_TYPE_WORDS[fold(text)] == code


def _cadres():
    return list(
        db.session.execute(
            select(
                Cadre.employee_code,
                Cadre.full_name,
                Cadre.search_name,
                Cadre.date_of_birth,
                Cadre.gender,
                Cadre.staff_type,
                Cadre.unit_id,
                Cadre.job_position,
                Cadre.title_code,
                Cadre.rank,
                Cadre.professional_qualification,
            ).order_by(Cadre.employee_code)
        )
    )


def _units():
    stmt = select(Unit.code, Unit.name, Unit.type, Unit.parent_id).order_by(Unit.code)
    return list(db.session.execute(stmt))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_into_the_same_records(world, app, auth, client, fmt):
    """Every word of the vocabulary is in the data (both genders, the three staff types, every unit
    type, a day that could be read as a month); the records are then changed in every field the
    files carry, and importing the exports brings each one back."""
    with app.app_context():
        cadres = list(db.session.scalars(select(Cadre).order_by(Cadre.employee_code)))
        for i, cadre in enumerate(cadres):
            cadre.gender = sorted(GENDER_WORDS)[i % 2]
            cadre.staff_type = sorted(STAFF_WORDS)[i % 3]
        cadres[0].date_of_birth = date(1980, 3, 4)
        for i, unit in enumerate(db.session.scalars(select(Unit).order_by(Unit.path))):
            unit.type = UNIT_TYPES[i % len(UNIT_TYPES)]
        db.session.commit()
        cadres_before, units_before = _cadres(), _units()
    auth.login(*CITY_ADMIN)
    units_file = client.get(f"/review/export.{fmt}?what=units-tree").data
    profiles_file = client.get(f"/review/export.{fmt}?what=profiles").data
    with app.app_context():
        root = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
        other_title = db.session.scalar(select(Title.code).order_by(Title.rank))
        db.session.execute(update(Unit).values(name="X", type="other"))
        for cadre in db.session.scalars(select(Cadre)):
            cadre.full_name, cadre.search_name = "X", "x"
            cadre.date_of_birth += timedelta(days=1)
            cadre.gender = "female" if cadre.gender == "male" else "male"
            cadre.staff_type = "cadre" if cadre.staff_type != "cadre" else "public_employee"
            cadre.unit_id = root.id
            cadre.job_position = cadre.rank = cadre.professional_qualification = "X"
            cadre.title_code = other_title if cadre.title_code != other_title else None
        db.session.commit()
        assert _cadres() != cadres_before and _units() != units_before
        for name, data in ((f"units.{fmt}", units_file), (f"profiles.{fmt}", profiles_file)):
            report = import_people(db.session, SYSTEM, read_table(name, data), dry_run=False)
            assert report.ok, report.problems
            assert report.updated == report.rows and report.created == 0
        db.session.commit()
        assert _cadres() == cadres_before
        assert _units() == units_before
