"""The demo logins of a developer's machine (never for production: it refuses to start while any
account of the demo domain exists)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Role, User
from app.trainers.service import own_unowned_courses

# Also listed in README.md. They are for local demonstration only; production refuses to start
# while any account of this domain exists.
DEMO_DOMAIN = "@demo.boiduong.vn"
DEMO_ACCOUNTS = (
    ("hocvien@demo.boiduong.vn", "hocvien-demo", Role.LEARNER, "Nguyễn Thị Lan"),
    ("giangvien@demo.boiduong.vn", "giangvien-demo", Role.TRAINER, "Trần Văn Minh"),
    ("quantri@demo.boiduong.vn", "quantri-demo", Role.ADMIN, "Lê Hoàng Nam"),
)


def own_demo_courses(session: Session) -> list[str]:
    """Make the demo trainer the owner of the courses without a trainer (the shipped ones, imported
    before the demo accounts), so that the trainer's teaching pages show them."""
    trainer = session.scalar(select(User).where(User.email == DEMO_ACCOUNTS[1][0]))
    return own_unowned_courses(session, trainer) if trainer is not None else []
