"""A valid row of every kind, made the way the app makes it (through its services, so counters and
the audit log stay true), committed, and returned by id.

conftest.py hands each test a `Factory` bound to its app (`make`) and its methods as the
`make_user`, `make_unit`, `make_cadre`... fixtures. Call them outside an open session: each one
commits in its own app context.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pyotp
from sqlalchemy import func, select

from app.assignments import service as assignments
from app.auth import totp
from app.auth.service import create_user
from app.clock import local_today
from app.courses.cli import site_urls
from app.courses.importer import import_course
from app.extensions import db
from app.learning import service as learning
from app.models import Cadre, ImportBatch, PositionRecord, Scale, Unit, User
from app.org import audit
from app.org.units import create_unit
from app.policy import SYSTEM
from app.profiles import decisions, facts, records, requirements
from app.profiles.reference import load_reference
from app.quizzes import service as quizzes
from app.text import fold
from app.trainers import service as trainers
from tests.helpers import PASSWORD, write_course
from tests.quiz_fixtures import write_quiz_course


class Factory:
    def __init__(self, app, courses_root: Path):
        self.app = app
        self.courses_root = courses_root

    # --- people and units ---------------------------------------------------------------------

    def user(
        self,
        email: str = "learner@example.vn",
        role: str = "learner",
        password: str = PASSWORD,
        full_name: str = "Nguyễn Văn An",
        *,
        unit: str | None = None,
        can_override: bool = False,
        second_factor: bool | None = None,
    ) -> int:
        """An account as the command line creates it; admins come with the second factor set up
        (`second_factor=False` leaves it off)."""
        with self.app.app_context():
            unit_row = _unit(unit) if unit else None
            user = create_user(
                db.session, SYSTEM, email, password, role, full_name, unit=unit_row, can_override=can_override
            )
            if second_factor if second_factor is not None else role == "admin":
                totp.enable(db.session, user, pyotp.random_base32())
            db.session.commit()
            return user.id

    def unit(self, code: str = "P-THU", name: str = "", type: str = "ward", parent: str | None = None) -> int:
        """A unit under the unit with code `parent` (None: a root)."""
        with self.app.app_context():
            unit = create_unit(
                db.session,
                None,
                code=code,
                name=name or f"Đơn vị {code}",
                type=type,
                parent=_unit(parent) if parent else None,
            )
            db.session.commit()
            return unit.id

    def cadre(
        self,
        code: str = "HN-900001",
        full_name: str = "Nguyễn Thị Đích",
        *,
        unit: str = "P-THU",
        user: int | None = None,
        title_code: str | None = "division-deputy",
        date_of_birth: date = date(1985, 5, 5),
        gender: str = "female",
        staff_type: str = "civil_servant",
        job_position: str = "Chuyên viên",
        rank: str = "Chuyên viên",
        professional_qualification: str = "Cử nhân",
    ) -> int:
        """A profile in the unit with code `unit` (made, as a ward, if there is none), linked to the
        account `user` if given."""
        if not self._exists(Unit.code == unit):
            self.unit(unit)
        with self.app.app_context():
            cadre = Cadre(
                employee_code=code,
                full_name=full_name,
                search_name=fold(full_name),
                date_of_birth=date_of_birth,
                gender=gender,
                staff_type=staff_type,
                unit_id=_unit(unit).id,
                job_position=job_position,
                title_code=title_code,
                rank=rank,
                professional_qualification=professional_qualification,
                user_id=user,
            )
            db.session.add(cadre)
            db.session.commit()
            return cadre.id

    def admin(self) -> int:
        """A city-wide admin who may override (made once), to act where an account must."""
        email = "factory.admin@example.vn"
        with self.app.app_context():
            found = db.session.scalar(select(User.id).where(User.email == email))
        return found or self.user(email, "admin", full_name="Quản Trị Viên", can_override=True)

    # --- courses and learning ------------------------------------------------------------------

    def import_folder(self, path: Path):
        """Import a course folder as `flask courses import` does; returns the outcome."""
        with self.app.app_context(), self.app.test_request_context():
            outcome = import_course(
                db.session, path, urls=site_urls(), video_hosts=self.app.config["VIDEO_HOSTS"]
            )
            if outcome.status == "failed":
                db.session.rollback()
            else:
                db.session.commit()
            return outcome

    def course(self, folder: str = "khoa-hoc", **fields) -> int:
        """A new course (Course, CourseVersion, Lessons) written as a folder (see `write_course`)
        and imported."""
        return self._imported(write_course(self.courses_root, folder, **fields))

    def quiz_course(self, **settings) -> int:
        """Course KT-01: a lesson and a quiz with every question type (tests/quiz_fixtures.py)."""
        return self._imported(write_quiz_course(self.courses_root, **settings))

    def _imported(self, path: Path) -> int:
        outcome = self.import_folder(path)
        assert outcome.status == "created", outcome.problems
        with self.app.app_context():
            return learning.get_course(db.session, outcome.code)[0].id

    def enrolment(self, user: int, code: str = "KH-01") -> int:
        with self.app.app_context():
            course, _version = learning.get_course(db.session, code)
            enrolment = learning.enrol(db.session, db.session.get(User, user), course)
            db.session.commit()
            return enrolment.id

    def attempt(self, user: int, code: str = "KT-01", slug: str = "kiem-tra", seed: int | None = None) -> int:
        """An open attempt at the quiz of lesson `slug` (the learner is enrolled first)."""
        self.enrolment(user, code)
        with self.app.app_context():
            course, version = learning.get_course(db.session, code)
            lesson = learning.find_lesson(learning.lessons_of(db.session, version), slug)
            quiz = quizzes.quiz_of_lesson(db.session, lesson)
            attempt = quizzes.start_attempt(db.session, db.session.get(User, user), course, quiz, seed=seed)
            db.session.commit()
            return attempt.id

    # --- a cadre's records ---------------------------------------------------------------------

    def training(
        self,
        cadre: int,
        programme: str = "Kỹ năng số",
        *,
        issuer: str = "Trường",
        completed_on: date = date(2025, 3, 1),
        hours: int = 8,
        category: str | None = None,
    ) -> int:
        """An external training record (the hours counters follow)."""
        data = records.ExternalTraining(programme, issuer, completed_on, hours, category=category)
        return self._record(lambda session, row: records.add_external(session, SYSTEM, row, data), cadre)

    def qualification(
        self,
        cadre: int,
        scale: str = "political-theory",
        level: str = "intermediate",
        *,
        issued_on: date | None = None,
        number: str = "",
    ) -> int:
        self.reference()
        data = records.QualificationInput(scale=scale, level=level, issued_on=issued_on, number=number)
        return self._record(lambda session, row: records.add_qualification(session, SYSTEM, row, data), cadre)

    def discipline(
        self,
        cadre: int,
        level: str = "reprimand",
        *,
        decided_on: date = date(2024, 5, 1),
        decision_no: str = "7/QĐ-KL",
        reason: str = "",
    ) -> int:
        return self._record(
            lambda session, row: records.add_discipline(
                session,
                SYSTEM,
                row,
                level=level,
                decided_on=decided_on,
                decision_no=decision_no,
                reason=reason,
            ),
            cadre,
        )

    def position(
        self,
        cadre: int,
        title_code: str = "division-deputy",
        *,
        unit: str | None = None,
        start_date: date = date(2021, 3, 1),
        end_date: date | None = None,
        kind: str = "appointment",
        decision_no: str = "",
    ) -> int:
        """A past or current post in the position history (the cadre's unit by default)."""
        with self.app.app_context():
            row = db.session.get(Cadre, cadre)
            position = PositionRecord(
                cadre_id=cadre,
                title_code=title_code,
                unit_id=_unit(unit).id if unit else row.unit_id,
                kind=kind,
                decision_no=decision_no,
                start_date=start_date,
                end_date=end_date,
            )
            db.session.add(position)
            db.session.commit()
            return position.id

    def planning(
        self,
        cadre: int,
        title_code: str = "division-head",
        *,
        unit: str = "P-THU",
        term: str = "2025-2030",
        valid_from: date = date(2025, 1, 1),
        valid_to: date | None = date(2030, 12, 31),
        decision_no: str = "1/QĐ-QH",
        limit_override: str = "",
    ) -> int:
        """A planning entry for the post `title_code` in the unit with code `unit`."""
        self.reference()
        return self._record(
            lambda session, row: records.add_planning(
                session,
                SYSTEM,
                row,
                title_code=title_code,
                unit=_unit(unit),
                term=term,
                valid_from=valid_from,
                valid_to=valid_to,
                decision_no=decision_no,
                limit_override=limit_override,
            ),
            cadre,
        )

    def _record(self, add, cadre: int) -> int:
        with self.app.app_context():
            record = add(db.session, db.session.get(Cadre, cadre))
            db.session.commit()
            return record.id

    # --- requirements and decisions ------------------------------------------------------------

    def requirement_set(
        self,
        title_code: str = "division-head",
        rules: tuple[dict, ...] = (
            {
                "key": "political-theory",
                "kind": "qualification",
                "params": {"scale": "political-theory", "level": "intermediate"},
            },
        ),
        *,
        effective_from: date = date(2025, 7, 1),
        legal_basis: str = "Nghị định 29/2024/NĐ-CP",
    ) -> int:
        """The title's next requirement set (RequirementSet and its RequirementRules)."""
        self.reference()
        data = requirements.SetInput(
            title_code=title_code,
            effective_from=effective_from,
            legal_basis=legal_basis,
            note="",
            is_example=False,
            rules=tuple(facts.Rule(**rule) for rule in rules),
        )
        with self.app.app_context():
            row = requirements.save_set(db.session, SYSTEM, data)
            db.session.commit()
            return row.id

    def decision(
        self,
        cadre: int,
        title_code: str = "division-head",
        *,
        unit: str | None = None,
        effective_on: date | None = None,
        decision_no: str = "1/QĐ",
        kind: str = "appointment",
        actor: int | None = None,
    ) -> int:
        """An appointment decision proposed (by default by a city admin who may override, today, to
        the cadre's unit): approved or blocked as the requirements say."""
        self.reference()
        actor = actor or self.admin()
        with self.app.app_context():
            row = db.session.get(Cadre, cadre)
            decision = decisions.propose(
                db.session,
                db.session.get(User, actor),
                row,
                title_code=title_code,
                unit=_unit(unit) if unit else row.unit,
                effective_on=effective_on or local_today(),
                decision_no=decision_no,
                kind=kind,
            )
            db.session.commit()
            return decision.id

    # --- administration ------------------------------------------------------------------------

    def import_batch(
        self, filename: str = "can-bo.csv", data: bytes = b"employee_code\n", *, created_by: int | None = None
    ) -> int:
        """An uploaded file waiting to be applied."""
        created_by = created_by or self.admin()
        with self.app.app_context():
            batch = ImportBatch(
                filename=filename,
                data=data,
                sha256=hashlib.sha256(data).hexdigest(),
                created_by_id=created_by,
            )
            db.session.add(batch)
            db.session.commit()
            return batch.id

    def audit_entry(
        self,
        action: str = "view_profile",
        target_type: str = "cadre",
        target_id: int | None = None,
        *,
        actor: int | None = None,
        unit: str | None = None,
        **detail,
    ) -> int:
        """An entry appended to the audit chain."""
        with self.app.app_context():
            entry = audit.record(
                db.session,
                db.session.get(User, actor) if actor else None,
                action,
                target_type,
                target_id,
                unit_id=_unit(unit).id if unit else None,
                **detail,
            )
            db.session.commit()
            return entry.id

    def assignment(
        self,
        name: str = "Bồi dưỡng bắt buộc",
        courses: tuple[str, ...] = ("KH-01",),
        *,
        target_kind: str = "unit",
        unit: str = "P-THU",
        title_code: str = "",
        employee_codes: tuple[str, ...] = (),
        due_on: date = date(2030, 12, 31),
        follows_movers: bool = False,
        actor: int | None = None,
    ) -> int:
        """Courses assigned to a target, resolved into members now."""
        actor = actor or self.admin()
        data = assignments.AssignmentInput(
            name=name,
            course_codes=courses,
            target_kind=target_kind,
            due_on=due_on,
            unit_code=unit if target_kind == "unit" else "",
            title_code=title_code,
            employee_codes=employee_codes,
            follows_movers=follows_movers,
        )
        with self.app.app_context():
            assignment = assignments.create_assignment(db.session, db.session.get(User, actor), data, None)
            db.session.commit()
            return assignment.id

    def course_trainer(
        self, user: int | str, code: str = "KH-01", role: str = "owner", *, issuer: str = ""
    ) -> int:
        """Make the trainer (an id, or an e-mail) an owner or editor of the course, as a city admin
        does on the course's trainers page (`issuer`: also make that unit the issuing unit)."""
        with self.app.app_context():
            account = db.session.get(User, user) if isinstance(user, int) else _user(user)
            course, _version = learning.get_course(db.session, code)
            row = trainers.add_trainer(db.session, SYSTEM, course, account.email, role)
            if issuer:
                trainers.set_issuing_unit(db.session, SYSTEM, course, _unit(issuer))
            db.session.commit()
            return row.id

    def course_issuer(self, code: str, unit: str) -> None:
        """Make the unit the course's issuing unit, as a city admin does."""
        with self.app.app_context():
            course, _version = learning.get_course(db.session, code)
            trainers.set_issuing_unit(db.session, SYSTEM, course, _unit(unit))
            db.session.commit()

    # --- lookups -------------------------------------------------------------------------------

    def _exists(self, condition) -> bool:
        with self.app.app_context():
            return bool(db.session.scalar(select(func.count()).where(condition)))

    def reference(self) -> None:
        """The scales, levels and titles (app/profiles/reference.yaml), loaded once."""
        with self.app.app_context():
            if db.session.scalar(select(func.count(Scale.id))) == 0:
                load_reference(db.session)
                db.session.commit()


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None, f"no account {email}"
    return user


def _unit(code: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    assert unit is not None, f"no unit {code}"
    return unit
