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
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from app.models import (
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
from app.profiles.records import internal_training
from app.profiles.units import create_unit
from app.reports import rollups
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
BATCH = 20_000


def _insert(session: Session, model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start : start + BATCH])


def seed_city(session: Session, cadres: int, seed: int = 2026, echo: Callable[[str], None] = print) -> dict:
    """Build the city. Requires imported courses; refuses to run twice."""
    if session.scalar(select(Unit.id).where(Unit.code == "HN-SEED")) is not None:
        raise RuntimeError("the seed city exists already")
    rng = random.Random(seed)
    today = date.today()
    start_day = today - timedelta(days=3 * 365)
    courses = session.execute(
        select(Course, CourseVersion)
        .join(
            CourseVersion,
            (CourseVersion.course_id == Course.id) & (CourseVersion.number == Course.current_version_number),
        )
        .order_by(Course.code)
    ).all()
    if not courses:
        raise RuntimeError("import the courses first")

    city = create_unit(
        session,
        None,
        code="HN-SEED",
        name="Thành phố Hà Nội (dữ liệu mô phỏng)",
        type="city",
        valid_from=date(2025, 7, 1),
    )
    leaves: list[Unit] = []
    for i, name in enumerate(DEPARTMENTS, start=1):
        top = create_unit(session, None, code=f"S{i:02d}", name=name, type="department", parent=city)
        leaves += [
            create_unit(session, None, code=f"S{i:02d}-{j:02d}", name=d, type="division", parent=top)
            for j, d in enumerate(DIVISIONS, start=1)
        ]
    for i in range(1, 127):
        kind = "ward" if i <= 51 else "commune"
        top = create_unit(
            session,
            None,
            code=f"{'P' if kind == 'ward' else 'X'}{i:03d}",
            name=f"{'Phường' if kind == 'ward' else 'Xã'} số {i}",
            type=kind,
            parent=city,
        )
        leaves += [
            create_unit(
                session,
                None,
                code=f"{top.code}-{j}",
                name=f"{o} {top.name.lower()}",
                type="office",
                parent=top,
            )
            for j, o in enumerate(WARD_OFFICES, start=1)
        ]
    echo(f"  units: {len(leaves) + 143}")

    now = datetime.now(UTC)
    # one hash for every seeded account
    password = generate_password_hash("seed-password", method=password_hash_method())
    base_user = (session.scalar(select(func.max(User.id))) or 0) + 1
    users, people = [], []
    for n in range(cadres):
        female = rng.random() < 0.52
        name = " ".join(
            (
                rng.choice(FAMILY),
                rng.choice(MIDDLE_F if female else MIDDLE_M),
                rng.choice(GIVEN_F if female else GIVEN_M),
            )
        )
        users.append(
            {
                "id": base_user + n,
                "email": f"cb{n:06d}@seed.boiduong.vn",
                "full_name": name,
                "password_hash": password,
                "role": "learner",
                "is_active_account": True,
                "created_at": now,
                "can_override": False,
            }
        )
        people.append(
            {
                "employee_code": f"HN{n:07d}",
                "full_name": name,
                "search_name": fold(name),
                "date_of_birth": date(1965, 1, 1) + timedelta(days=rng.randrange(35 * 365)),
                "gender": "female" if female else "male",
                "staff_type": rng.choice(("civil_servant", "civil_servant", "public_employee", "cadre")),
                "unit_id": rng.choice(leaves).id,
                "job_position": "Chuyên viên",
                "title_code": rng.choice((None,) * 12 + ("division-deputy", "division-head")),
                "rank": rng.choice(("Chuyên viên", "Chuyên viên chính", "Cán sự")),
                "professional_qualification": "Cử nhân",
                "user_id": base_user + n,
                "created_at": now,
            }
        )
    _insert(session, User, users)
    _insert(session, Cadre, people)
    echo(f"  cadres and accounts: {cadres}")
    cadre_rows = session.execute(
        select(Cadre.id, Cadre.user_id, Cadre.unit_id).where(
            Cadre.employee_code.like("HN%"), Cadre.user_id >= base_user
        )
    ).all()

    lessons = {
        v.id: list(
            session.execute(
                select(Lesson.slug, Lesson.kind)
                .where(Lesson.course_version_id == v.id)
                .order_by(Lesson.position)
            ).all()
        )
        for _c, v in courses
    }
    graded = {
        v.id: session.scalars(
            select(Quiz).where(Quiz.course_version_id == v.id, Quiz.kind == "graded")
        ).first()
        for _c, v in courses
    }
    enrolment_id = (session.scalar(select(func.max(Enrolment.id))) or 0) + 1
    completion_id = (session.scalar(select(func.max(CourseCompletion.id))) or 0) + 1
    enrolments, progress, attempts, completions, records = [], [], [], [], []
    counts = {"enrolments": 0, "lesson_completions": 0, "attempts": 0, "completions": 0}

    def flush() -> None:
        for model, rows in (
            (Enrolment, enrolments),
            (LessonCompletion, progress),
            (QuizAttempt, attempts),
            (CourseCompletion, completions),
            (TrainingRecord, records),
        ):
            _insert(session, model, rows)
            rows.clear()

    for cadre_id, user_id, unit_id in cadre_rows:
        for course, version in courses:
            if rng.random() < 0.2:  # with the nine shipped courses, about a million enrolments
                continue
            enrolled = datetime.combine(
                start_day + timedelta(days=rng.randrange(3 * 365 - 30)), datetime.min.time(), UTC
            ) + timedelta(hours=rng.randrange(1, 23))
            items = lessons[version.id]
            done = len(items) if rng.random() < 0.6 else rng.randrange(len(items))
            enrolments.append(
                {
                    "id": enrolment_id,
                    "user_id": user_id,
                    "course_id": course.id,
                    "enrolled_at": enrolled,
                    "last_lesson_slug": items[min(done, len(items) - 1)][0],
                    "last_accessed_at": enrolled,
                }
            )
            moment = enrolled
            passed_all = True
            for slug, _kind in items[:done]:
                moment += timedelta(days=rng.randrange(1, 6))
                progress.append(
                    {
                        "enrolment_id": enrolment_id,
                        "lesson_slug": slug,
                        "course_version_id": version.id,
                        "completed_at": min(moment, now),
                    }
                )
            quiz = graded[version.id]
            percent = None
            if quiz is not None and done == len(items):
                percent = float(rng.choice((40, 50, 60, 70, 80, 90, 100)))
                passed_all = percent >= quiz.pass_mark
                attempts.append(
                    {
                        "user_id": user_id,
                        "course_id": course.id,
                        "quiz_id": quiz.id,
                        "quiz_slug": quiz.slug,
                        "number": 1,
                        "is_graded": True,
                        "seed": rng.randrange(2**31),
                        "draw": [],
                        "content_hash": quiz.content_hash,
                        "status": "submitted",
                        "started_at": min(moment, now),
                        "submitted_at": min(moment, now),
                        "score": percent / 10,
                        "max_score": 10.0,
                        "percent": percent,
                        "passed": passed_all,
                    }
                )
                counts["attempts"] += 1
            if done == len(items) and passed_all:
                finished = min(moment, now)
                completions.append(
                    {
                        "id": completion_id,
                        "user_id": user_id,
                        "course_id": course.id,
                        "course_version_id": version.id,
                        "completed_at": finished,
                        "hours_credited": version.hours,
                        "score": percent,
                    }
                )
                records.append(
                    {
                        **internal_training(
                            cadre_id=cadre_id,
                            unit_id=unit_id,
                            course_code=course.code,
                            version=version,
                            completion_id=completion_id,
                            completed_at=finished,
                            hours=version.hours,
                            score=percent,
                        ),
                        "evidence": "",
                        "is_revoked": False,
                        "reason": "",
                        "recorded_at": finished,
                    }
                )
                completion_id += 1
                counts["completions"] += 1
            enrolment_id += 1
            counts["enrolments"] += 1
            counts["lesson_completions"] += done
        if len(progress) > 4 * BATCH:
            flush()
    flush()
    programme = Assignment(
        name="Chương trình bồi dưỡng chuyển đổi số 2026",
        target_kind="unit",
        unit_id=city.id,
        due_on=today - timedelta(days=30),
        follows_movers=False,
    )
    session.add(programme)
    session.flush()
    digital = [c for c, v in courses if v.category == "digital-transformation"] or [
        c for c, _v in courses[:2]
    ]
    for course in digital:
        session.add(AssignmentCourse(assignment_id=programme.id, course_id=course.id))
    _insert(
        session,
        AssignmentMember,
        [{"assignment_id": programme.id, "cadre_id": cid, "added_at": now} for cid, _u, _unit in cadre_rows],
    )
    session.flush()
    if session.get_bind().dialect.name == "postgresql":  # rows were given ids: move the sequences on
        for table in ("users", "enrolments", "course_completions"):
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    rollups.rebuild(session)
    session.execute(text("ANALYZE"))  # planner statistics for the freshly loaded tables
    for key, value in counts.items():
        echo(f"  {key}: {value}")
    return counts
