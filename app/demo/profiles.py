"""Demo units and cadre profiles for a developer's machine (`flask demo profiles`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from app.auth import totp
from app.auth.service import create_user
from app.learning import service as learning
from app.models import (
    AnnualRating,
    Cadre,
    PlanningEntry,
    PositionRecord,
    QualificationRecord,
    Question,
    Unit,
    User,
)
from app.org.units import create_unit, merge_unit
from app.policy import SYSTEM
from app.profiles import records, requirements
from app.quizzes import service as quizzes
from app.quizzes.forms import field_name, read_replies
from app.text import fold

# The demo admins' second-step secrets, public in README.md like their passwords (development only):
# add them to any authenticator app by hand ("enter a setup key", time-based).
DEMO_TOTP_SECRETS = {
    "quantri@demo.boiduong.vn": "BOIDUONGDEMOQUANTRITHANHPHOHANOI",
    "quantri.phuong@demo.boiduong.vn": "BOIDUONGDEMOQUANTRIPHUONGBADINH",
}

UNITS = [  # code, name, type, parent
    ("HN", "Thành phố Hà Nội", "city", None),
    ("SO-NV", "Sở Nội vụ", "department", "HN"),
    ("SO-NV-TCCB", "Phòng Tổ chức cán bộ", "division", "SO-NV"),
    ("SO-NV-CCVC", "Phòng Công chức, viên chức", "division", "SO-NV"),
    ("SO-KHCN", "Sở Khoa học và Công nghệ", "department", "HN"),
    ("SO-KHCN-CDS", "Phòng Chuyển đổi số", "division", "SO-KHCN"),
    ("P-BA-DINH", "Phường Ba Đình", "ward", "HN"),
    ("P-BA-DINH-VP", "Văn phòng HĐND và UBND phường Ba Đình", "office", "P-BA-DINH"),
    ("P-HOAN-KIEM", "Phường Hoàn Kiếm", "ward", "HN"),
]
OTHERS = [  # name, gender, born, unit, title, job position
    ("Lê Minh Tuấn", "male", date(1979, 2, 14), "SO-NV-CCVC", "division-head", ""),
    ("Đỗ Thu Trang", "female", date(1990, 9, 3), "SO-NV-CCVC", None, "Chuyên viên quản lý công chức"),
    ("Vũ Đức Anh", "male", date(1987, 11, 21), "SO-KHCN-CDS", "division-deputy", ""),
    ("Hoàng Thị Mai", "female", date(1992, 4, 30), "SO-KHCN-CDS", None, "Chuyên viên chuyển đổi số"),
    ("Bùi Quang Huy", "male", date(1983, 7, 8), "P-BA-DINH-VP", "ward-vice-chair", ""),
    ("Ngô Thanh Hương", "female", date(1995, 1, 17), "P-BA-DINH-VP", None, "Công chức văn phòng - thống kê"),
    ("Đặng Văn Long", "male", date(1976, 12, 2), "P-HOAN-KIEM", "ward-chair", ""),
    ("Trịnh Ngọc Ánh", "female", date(1989, 6, 25), "P-HOAN-KIEM", None, "Công chức tư pháp - hộ tịch"),
]


@dataclass(frozen=True)
class _PlannedDeputy:
    """A deputy head of Phòng Tổ chức cán bộ planned for head: the two cadres who show eligibility."""

    code: str
    name: str
    gender: str
    born: date
    rank: str
    qualifications: tuple[tuple[str, str], ...]  # scale, level
    decision_no: str  # of the appointment as deputy
    since: date


# Meets the division-head requirements: planned, qualified, long enough in post, courses done.
READY = _PlannedDeputy(
    code="HN-000002",
    name="Phạm Quốc Hùng",
    gender="male",
    born=date(1982, 3, 9),
    rank="Chuyên viên chính",
    qualifications=(
        ("political-theory", "advanced"),
        ("state-management", "principal"),
        ("leadership", "division"),
    ),
    decision_no="125/QĐ-SNV",
    since=date(2021, 3, 1),
)
READY_COURSES = ("CDS-LD", "QLCQDT")
# The demo learner: planned for division head, but lacks courses and the state-management level.
LAN = _PlannedDeputy(
    code="HN-000001",
    name="Nguyễn Thị Lan",
    gender="female",
    born=date(1986, 5, 12),
    rank="Chuyên viên",
    qualifications=(("political-theory", "intermediate"), ("state-management", "specialist")),
    decision_no="310/QĐ-SNV",
    since=date(2022, 9, 1),
)
LAN_RATINGS = ((2023, "good"), (2024, "excellent"), (2025, "good"))
LAN_TRAINING = records.ExternalTraining(
    programme="Bồi dưỡng kỹ năng số cơ bản",
    issuer="Trường Đào tạo, bồi dưỡng cán bộ Hà Nội",
    completed_on=date(2025, 10, 15),
    hours=8,
    certificate_no="KNS-2025-0412",
    category="digital-transformation",
)


def _cadre(
    session: Session,
    code: str,
    name: str,
    gender: str,
    born: date,
    unit: Unit,
    title: str | None,
    job: str = "",
    user: User | None = None,
    rank: str = "Chuyên viên",
) -> Cadre:
    cadre = Cadre(
        employee_code=code,
        full_name=name,
        search_name=fold(name),
        date_of_birth=born,
        gender=gender,
        staff_type="civil_servant",
        unit_id=unit.id,
        job_position=job,
        title_code=title,
        rank=rank,
        professional_qualification="Cử nhân",
        user_id=user.id if user else None,
    )
    session.add(cadre)
    session.flush()
    return cadre


def _qualify(session: Session, cadre: Cadre, *levels: tuple[str, str]) -> None:
    for scale, level in levels:
        session.add(
            QualificationRecord(
                cadre_id=cadre.id,
                scale_code=scale,
                level_code=level,
                issuer="Học viện Chính trị quốc gia Hồ Chí Minh"
                if scale == "political-theory"
                else "Trường Đào tạo, bồi dưỡng cán bộ Hà Nội",
                number=f"{scale[:3].upper()}-{cadre.id:05d}",
                issued_on=date(2020, 6, 1),
            )
        )


def load_demo_profiles(session: Session, learner: User, admin: User) -> list[str]:
    """Units, cadres, a unit admin, and two cadres to show eligibility: one who has finished the
    demo courses and meets the division-head requirements, and the demo learner, who does not yet.
    Returns notes for the person running it (none when the demo units exist already)."""
    if session.scalar(select(Unit.id).where(Unit.code == "HN")) is not None:
        return []
    requirements.load_defaults(session)
    units = _units(session)
    admin.can_override = True
    notes = [_unit_admin(session, units), _ready_cadre(session, units, admin)]
    _demo_learner(session, units, learner, admin)
    _other_cadres(session, units)
    session.flush()
    return notes


def _units(session: Session) -> dict[str, Unit]:
    """The demo units by code, and the district that was merged into Phường Ba Đình."""
    units: dict[str, Unit] = {}
    for code, name, kind, parent in UNITS:
        units[code] = create_unit(
            session,
            None,
            code=code,
            name=name,
            type=kind,
            parent=units.get(parent) if parent else None,
            valid_from=date(2025, 7, 1),
        )
    old = create_unit(
        session,
        None,
        code="Q-BA-DINH",
        name="Quận Ba Đình (đến 30/6/2025)",
        type="district",
        parent=units["HN"],
        valid_from=date(1961, 1, 1),
    )
    merge_unit(session, None, old, units["P-BA-DINH"], date(2025, 7, 1), "Nghị quyết của UBTVQH năm 2025")
    return units


def _unit_admin(session: Session, units: dict[str, Unit]) -> str:
    """An admin of Phường Ba Đình alone, with the second step set up. Returns the note about them."""
    unit_admin = create_user(
        session,
        SYSTEM,
        "quantri.phuong@demo.boiduong.vn",
        "quantri-phuong-demo",
        "admin",
        "Phan Thị Hạnh",
        unit=units["P-BA-DINH"],
    )
    totp.enable(session, unit_admin, DEMO_TOTP_SECRETS[unit_admin.email])
    return (
        "unit admin quantri.phuong@demo.boiduong.vn / quantri-phuong-demo (Phường Ba Đình only), "
        f"second step (TOTP setup key): {DEMO_TOTP_SECRETS[unit_admin.email]}"
    )


def _ready_cadre(session: Session, units: dict[str, Unit], admin: User) -> str:
    """The cadre who meets the division-head requirements, with an account and the demo courses
    taken for real. Returns the note about them."""
    unit = units["SO-NV-TCCB"]
    user = create_user(
        session, SYSTEM, "canbo@demo.boiduong.vn", "canbo-demo", "learner", READY.name, unit=unit
    )
    _planned_deputy(session, READY, unit, user, admin)
    session.flush()
    for code in READY_COURSES:
        _complete_course(session, user, code)
    return "cadre canbo@demo.boiduong.vn / canbo-demo (finished the demo courses)"


def _demo_learner(session: Session, units: dict[str, Unit], learner: User, admin: User) -> None:
    """The demo learner's profile: planned, rated, with one external training, but not yet eligible."""
    lan = _planned_deputy(session, LAN, units["SO-NV-TCCB"], learner, admin)
    for year, rating in LAN_RATINGS:
        session.add(AnnualRating(cadre_id=lan.id, year=year, rating=rating))
    records.add_external(session, admin, lan, LAN_TRAINING)


def _planned_deputy(session: Session, deputy: _PlannedDeputy, unit: Unit, user: User, admin: User) -> Cadre:
    """A deputy's profile: qualifications, the appointment as deputy, and planning for head."""
    cadre = _cadre(
        session,
        deputy.code,
        deputy.name,
        deputy.gender,
        deputy.born,
        unit,
        "division-deputy",
        user=user,
        rank=deputy.rank,
    )
    _qualify(session, cadre, *deputy.qualifications)
    session.add(
        PositionRecord(
            cadre_id=cadre.id,
            title_code="division-deputy",
            unit_id=unit.id,
            kind="appointment",
            decision_no=deputy.decision_no,
            start_date=deputy.since,
        )
    )
    session.add(
        PlanningEntry(
            cadre_id=cadre.id,
            title_code="division-head",
            unit_id=unit.id,
            term="2025-2030",
            valid_from=date(2025, 1, 1),
            decision_no="45/QĐ-SNV",
            recorded_by_id=admin.id,
        )
    )
    return cadre


def _other_cadres(session: Session, units: dict[str, Unit]) -> None:
    """The other cadres, without accounts; the leaders among them in post since 2020, the leadership
    programme done within their first year."""
    for n, (name, gender, born, unit_code, title, job) in enumerate(OTHERS, start=3):
        cadre = _cadre(session, f"HN-{n:06d}", name, gender, born, units[unit_code], title, job)
        _qualify(
            session,
            cadre,
            ("political-theory", "intermediate" if title else "elementary"),
            ("state-management", "principal" if title == "division-head" else "specialist"),
        )
        if title:
            _qualify(session, cadre, ("leadership", "division"))
            session.add(
                PositionRecord(
                    cadre_id=cadre.id,
                    title_code=title,
                    unit_id=units[unit_code].id,
                    kind="appointment",
                    decision_no=f"{n}/QĐ",
                    start_date=date(2020, 1, 1),
                )
            )


def _complete_course(session: Session, user: User, code: str) -> None:
    """Take a course for real: every lesson marked done and the quizzes answered correctly."""
    course, version = learning.get_course(session, code)
    learning.enrol(session, user, course)
    for lesson in learning.lessons_of(session, version):
        if lesson.kind == "page":
            learning.mark_lesson_complete(session, user, course, version, lesson)
            continue
        quiz = quizzes.quiz_of_lesson(session, lesson)
        attempt = quizzes.start_attempt(session, user, course, quiz, seed=1)
        form = MultiDict()
        for _entry, question in quizzes.attempt_questions(session, attempt):
            _answer_correctly(form, question)
        quizzes.save_answers(session, attempt, read_replies(session, attempt, form))
        quizzes.submit_attempt(session, attempt, user)


def _answer_correctly(form: MultiDict, question: Question) -> None:
    """Add the question's right answer to the attempt's form, as the quiz page would post it."""
    form.add("qids", question.qid)
    field, data = field_name(question.qid), question.data
    if question.type in ("single", "truefalse"):
        form.add(field, next(o["id"] for o in data["options"] if o["correct"]))
    elif question.type == "multiple":
        for o in data["options"]:
            if o["correct"]:
                form.add(field, o["id"])
    elif question.type in ("short", "numeric"):
        form.add(field, data["answers"][0]["text"].split(" +- ")[0].split("..")[0])
    elif question.type == "matching":
        for pair in data["pairs"]:
            form.add(f"{field}-{pair['id']}", pair["right_id"])
    elif question.type == "ordering":
        for i, item in enumerate(data["items"], start=1):
            form.add(f"{field}-{item['id']}", str(i))
