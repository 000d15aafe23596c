"""`flask demo seed --cadres N`: a deterministic, Hanoi-sized city for benchmarks and demos.

Units (16 departments with divisions, 126 wards and communes with their offices), cadres with
Vietnamese names, positions and ranks, accounts, enrolments in the imported courses, lesson progress,
graded quiz attempts and completions spread over three years, training records and a programme
assignment. Rows are written with bulk inserts in batches; every run with the same seed builds the
same city.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Row, func, insert, select, text
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from app import clock
from app.models import (
    CURRENT_VERSION,
    Assignment,
    AssignmentCourse,
    AssignmentMember,
    Cadre,
    Course,
    CourseCompletion,
    CourseVersion,
    Enrolment,
    Lesson,
    LessonCompletion,
    Quiz,
    QuizAttempt,
    TrainingRecord,
    Unit,
    User,
)
from app.models.user import password_hash_method
from app.org.units import create_unit
from app.profiles.records import internal_training
from app.stats import rollups
from app.text import fold

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đào",
    "Đinh",
    "Trịnh",
    "Mai",
]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Tuấn", "Mạnh", "Công", "Xuân"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Minh", "Phương", "Kim", "Hồng", "Thuỳ", "Bích"]
GIVEN_M = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Hải",
    "Hiếu",
    "Hùng",
    "Huy",
    "Khánh",
    "Long",
    "Minh",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
]
GIVEN_F = [
    "Anh",
    "Chi",
    "Giang",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Ngân",
    "Nhung",
    "Phương",
    "Quỳnh",
    "Thảo",
    "Trang",
    "Vân",
    "Yến",
    "Dung",
]
DEPARTMENTS = [
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Tư pháp",
    "Sở Công Thương",
    "Sở Xây dựng",
    "Sở Nông nghiệp và Môi trường",
    "Sở Khoa học và Công nghệ",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Văn hoá và Thể thao",
    "Sở Du lịch",
    "Sở Quy hoạch - Kiến trúc",
    "Sở Dân tộc và Tôn giáo",
    "Văn phòng UBND Thành phố",
    "Thanh tra Thành phố",
    "Sở Ngoại vụ",
]
DIVISIONS = [
    "Văn phòng",
    "Phòng Tổ chức cán bộ",
    "Phòng Kế hoạch - Tài chính",
    "Phòng Pháp chế",
    "Phòng Chuyển đổi số",
    "Phòng Nghiệp vụ 1",
    "Phòng Nghiệp vụ 2",
    "Phòng Thanh tra",
]
WARD_OFFICES = [
    "Văn phòng HĐND và UBND",
    "Phòng Kinh tế, Hạ tầng và Đô thị",
    "Phòng Văn hoá - Xã hội",
    "Trung tâm Phục vụ hành chính công",
]
PLACES = ["ward"] * 51 + ["commune"] * 75  # numbered in one run: wards 1 to 51, communes 52 to 126
PLACE_NAMES = {"ward": ("P", "Phường"), "commune": ("X", "Xã")}  # code letter, name
FEMALE = 0.52  # the share of women among the cadres
STAFF_TYPES = ("civil_servant", "civil_servant", "public_employee", "cadre")  # drawn evenly
TITLES = (None,) * 12 + ("division-deputy", "division-head")  # drawn evenly: one in seven leads
RANKS = ("Chuyên viên", "Chuyên viên chính", "Cán sự")
SKIPPED = 0.2  # courses a cadre is not in: with the nine shipped courses, about a million enrolments
FINISHED = 0.6  # the share of enrolments with every lesson done
PERCENTS = (40, 50, 60, 70, 80, 90, 100)  # a graded attempt's score, drawn evenly
BATCH = 20_000


@dataclass(frozen=True)
class _Offering:
    """A course as cadres are enrolled in it: its current version, lesson slugs in order, graded quiz."""

    course: Course
    version: CourseVersion
    lessons: list[str]
    quiz: Quiz | None


@dataclass
class _History:
    """Learning history waiting for its bulk insert, the next ids it gives, and what it has counted."""

    enrolment_id: int
    completion_id: int
    enrolments: list[dict] = field(default_factory=list)
    progress: list[dict] = field(default_factory=list)
    attempts: list[dict] = field(default_factory=list)
    completions: list[dict] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"enrolments": 0, "lesson_completions": 0, "attempts": 0, "completions": 0}
    )

    def write(self, session: Session) -> None:
        """Insert the waiting rows (foreign keys first) and start afresh."""
        for model, rows in (
            (Enrolment, self.enrolments),
            (LessonCompletion, self.progress),
            (QuizAttempt, self.attempts),
            (CourseCompletion, self.completions),
            (TrainingRecord, self.records),
        ):
            _insert(session, model, rows)
            rows.clear()


def _insert(session: Session, model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start : start + BATCH])


def seed_city(session: Session, cadres: int, seed: int = 2026, echo: Callable[[str], None] = print) -> dict:
    """Build the city and return what was counted (enrolments, lesson completions, attempts,
    completions). Raises RuntimeError when the city exists already or no course is imported."""
    if session.scalar(select(Unit.id).where(Unit.code == "HN-SEED")) is not None:
        raise RuntimeError("the seed city exists already")
    rng = random.Random(seed)
    today = clock.local_today()
    offerings = _offerings(session)
    city, leaves = _units(session)
    echo(f"  units: {1 + len(DEPARTMENTS) + len(PLACES) + len(leaves)}")
    now = clock.now()
    people = _cadres_and_accounts(session, rng, cadres, leaves, now)
    echo(f"  cadres and accounts: {cadres}")
    counts = _learning_history(session, rng, people, offerings, today - timedelta(days=3 * 365), now)
    _programme(session, city, offerings, people, today - timedelta(days=30), now)
    _move_sequences_on(session)
    rollups.rebuild(session)
    session.execute(text("ANALYZE"))  # planner statistics for the freshly loaded tables
    for key, value in counts.items():
        echo(f"  {key}: {value}")
    return counts


def _offerings(session: Session) -> list[_Offering]:
    """Every imported course at its current version, by code. Raises RuntimeError when there is none."""
    courses = session.execute(
        select(Course, CourseVersion)
        .join(
            CourseVersion,
            CURRENT_VERSION,
        )
        .order_by(Course.code)
    ).all()
    if not courses:
        raise RuntimeError("import the courses first")
    return [_offering(session, course, version) for course, version in courses]


def _offering(session: Session, course: Course, version: CourseVersion) -> _Offering:
    """A course with its version's lessons and graded quiz."""
    lessons = session.scalars(
        select(Lesson.slug).where(Lesson.course_version_id == version.id).order_by(Lesson.position)
    ).all()
    quiz = session.scalars(select(Quiz).where(Quiz.course_version_id == version.id, Quiz.kind == "graded"))
    return _Offering(course, version, list(lessons), quiz.first())


def _units(session: Session) -> tuple[Unit, list[Unit]]:
    """The city, its departments with their divisions and its wards and communes with their
    offices. Returns the city and the units cadres work in (divisions and offices)."""
    city = create_unit(
        session,
        None,
        code="HN-SEED",
        name="Thành phố Hà Nội (dữ liệu mô phỏng)",
        type="city",
        valid_from=date(2025, 7, 1),
    )
    leaves: list[Unit] = []
    for number, name in enumerate(DEPARTMENTS, start=1):
        leaves += _department(session, city, number, name)
    for number, kind in enumerate(PLACES, start=1):
        leaves += _ward_or_commune(session, city, number, kind)
    return city, leaves


def _department(session: Session, city: Unit, number: int, name: str) -> list[Unit]:
    """A department under the city; returns its divisions."""
    top = create_unit(session, None, code=f"S{number:02d}", name=name, type="department", parent=city)
    return [
        create_unit(session, None, code=f"{top.code}-{j:02d}", name=division, type="division", parent=top)
        for j, division in enumerate(DIVISIONS, start=1)
    ]


def _ward_or_commune(session: Session, city: Unit, number: int, kind: str) -> list[Unit]:
    """A ward or commune under the city; returns its offices."""
    letter, word = PLACE_NAMES[kind]
    top = create_unit(
        session, None, code=f"{letter}{number:03d}", name=f"{word} số {number}", type=kind, parent=city
    )
    return [
        create_unit(
            session,
            None,
            code=f"{top.code}-{j}",
            name=f"{office} {top.name.lower()}",
            type="office",
            parent=top,
        )
        for j, office in enumerate(WARD_OFFICES, start=1)
    ]


def _cadres_and_accounts(
    session: Session, rng: random.Random, cadres: int, leaves: list[Unit], now: datetime
) -> list[Row]:
    """`cadres` cadres, each with a learner account, in units drawn from `leaves`. Returns each
    cadre's (id, user_id, unit_id)."""
    password = generate_password_hash("seed-password", method=password_hash_method())  # one for every account
    first_user = (session.scalar(select(func.max(User.id))) or 0) + 1
    users, people = [], []
    for n in range(cadres):
        user, cadre = _account_and_cadre(rng, n, first_user + n, leaves, password, now)
        users.append(user)
        people.append(cadre)
    _insert(session, User, users)
    _insert(session, Cadre, people)
    return session.execute(
        select(Cadre.id, Cadre.user_id, Cadre.unit_id)
        .where(Cadre.employee_code.like("HN%"), Cadre.user_id >= first_user)
        .order_by(Cadre.user_id)  # the draws that follow go to cadres in this order
    ).all()


def _account_and_cadre(
    rng: random.Random, n: int, user_id: int, leaves: list[Unit], password: str, now: datetime
) -> tuple[dict, dict]:
    """The nth seeded cadre and their account, as rows (the draws in a fixed order: the seed's)."""
    female = rng.random() < FEMALE
    name = " ".join(
        (
            rng.choice(FAMILY),
            rng.choice(MIDDLE_F if female else MIDDLE_M),
            rng.choice(GIVEN_F if female else GIVEN_M),
        )
    )
    user = {
        "id": user_id,
        "email": f"cb{n:06d}@seed.boiduong.vn",
        "full_name": name,
        "password_hash": password,
        "role": "learner",
        "is_active_account": True,
        "created_at": now,
        "can_override": False,
    }
    cadre = {
        "employee_code": f"HN{n:07d}",
        "full_name": name,
        "search_name": fold(name),
        "date_of_birth": date(1965, 1, 1) + timedelta(days=rng.randrange(35 * 365)),
        "gender": "female" if female else "male",
        "staff_type": rng.choice(STAFF_TYPES),
        "unit_id": rng.choice(leaves).id,
        "job_position": "Chuyên viên",
        "title_code": rng.choice(TITLES),
        "rank": rng.choice(RANKS),
        "professional_qualification": "Cử nhân",
        "user_id": user_id,
        "created_at": now,
    }
    return user, cadre


def _learning_history(
    session: Session,
    rng: random.Random,
    people: list[Row],
    offerings: list[_Offering],
    start_day: date,
    now: datetime,
) -> dict[str, int]:
    """Each cadre enrolled in most courses since `start_day`, written in batches. Returns the counts."""
    history = _History(
        enrolment_id=(session.scalar(select(func.max(Enrolment.id))) or 0) + 1,
        completion_id=(session.scalar(select(func.max(CourseCompletion.id))) or 0) + 1,
    )
    for person in people:
        for offering in offerings:
            if rng.random() < SKIPPED:
                continue
            _enrolment(rng, history, person, offering, start_day, now)
        if len(history.progress) > 4 * BATCH:
            history.write(session)
    history.write(session)
    return history.counts


def _enrolment(
    rng: random.Random, history: _History, person: Row, offering: _Offering, start_day: date, now: datetime
) -> None:
    """One enrolment: some lessons or all of them done, and once all are, the course finished."""
    enrolled = datetime.combine(
        start_day + timedelta(days=rng.randrange(3 * 365 - 30)), datetime.min.time(), UTC
    ) + timedelta(hours=rng.randrange(1, 23))
    lessons = offering.lessons
    done = len(lessons) if rng.random() < FINISHED else rng.randrange(len(lessons))
    history.enrolments.append(
        {
            "id": history.enrolment_id,
            "user_id": person.user_id,
            "course_id": offering.course.id,
            "enrolled_at": enrolled,
            "last_lesson_slug": lessons[min(done, len(lessons) - 1)],
            "last_accessed_at": enrolled,
        }
    )
    last_done = _lessons_done(rng, history, offering.version.id, lessons[:done], enrolled, now)
    if done == len(lessons):
        _finish(rng, history, person, offering, min(last_done, now))
    history.enrolment_id += 1
    history.counts["enrolments"] += 1
    history.counts["lesson_completions"] += done


def _lessons_done(
    rng: random.Random, history: _History, version_id: int, slugs: list[str], moment: datetime, now: datetime
) -> datetime:
    """The lessons of the current enrolment done one to five days apart (none after `now`). Returns
    when the last one would have been done."""
    progress, enrolment_id = history.progress, history.enrolment_id
    for slug in slugs:
        moment += timedelta(days=rng.randrange(1, 6))
        progress.append(
            {
                "enrolment_id": enrolment_id,
                "lesson_slug": slug,
                "course_version_id": version_id,
                "completed_at": min(moment, now),
            }
        )
    return moment


def _finish(rng: random.Random, history: _History, person: Row, offering: _Offering, at: datetime) -> None:
    """Every lesson done at `at`: one graded attempt where the course has a graded quiz, and the
    course completed unless the attempt failed."""
    percent, passed = None, True
    quiz = offering.quiz
    if quiz is not None:
        percent = float(rng.choice(PERCENTS))
        passed = percent >= quiz.pass_mark
        history.attempts.append(
            {
                "user_id": person.user_id,
                "course_id": offering.course.id,
                "quiz_id": quiz.id,
                "quiz_slug": quiz.slug,
                "number": 1,
                "is_graded": True,
                "seed": rng.randrange(2**31),
                "draw": [],
                "content_hash": quiz.content_hash,
                "status": "submitted",
                "started_at": at,
                "submitted_at": at,
                "score": percent / 10,
                "max_score": 10.0,
                "percent": percent,
                "passed": passed,
            }
        )
        history.counts["attempts"] += 1
    if passed:
        _complete(history, person, offering, at, percent)


def _complete(
    history: _History, person: Row, offering: _Offering, at: datetime, percent: float | None
) -> None:
    """The course completion and the training record it gives the cadre's profile."""
    version = offering.version
    history.completions.append(
        {
            "id": history.completion_id,
            "user_id": person.user_id,
            "course_id": offering.course.id,
            "course_version_id": version.id,
            "completed_at": at,
            "hours_credited": version.hours,
            "score": percent,
        }
    )
    history.records.append(
        {
            **internal_training(
                cadre_id=person.id,
                unit_id=person.unit_id,
                course_code=offering.course.code,
                version=version,
                completion_id=history.completion_id,
                completed_at=at,
                hours=version.hours,
                score=percent,
            ),
            "evidence": "",
            "is_revoked": False,
            "reason": "",
            "recorded_at": at,
        }
    )
    history.completion_id += 1
    history.counts["completions"] += 1


def _programme(
    session: Session, city: Unit, offerings: list[_Offering], people: list[Row], due_on: date, now: datetime
) -> None:
    """The digital-transformation programme, assigned to the whole city (its courses in that
    category, else the first two), every seeded cadre a member."""
    programme = Assignment(
        name="Chương trình bồi dưỡng chuyển đổi số 2026",
        target_kind="unit",
        unit_id=city.id,
        due_on=due_on,
        follows_movers=False,
    )
    session.add(programme)
    session.flush()
    digital = [o.course for o in offerings if o.version.category == "digital-transformation"] or [
        o.course for o in offerings[:2]
    ]
    for course in digital:
        session.add(AssignmentCourse(assignment_id=programme.id, course_id=course.id))
    _insert(
        session,
        AssignmentMember,
        [{"assignment_id": programme.id, "cadre_id": person.id, "added_at": now} for person in people],
    )
    session.flush()


def _move_sequences_on(session: Session) -> None:
    """PostgreSQL: rows were given ids, so move the id sequences past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("users", "enrolments", "course_completions"):
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        )
