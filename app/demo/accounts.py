"""The demo logins of a developer's machine (never for production: it refuses to start while any
account of the demo domain exists)."""

from __future__ import annotations

from app.models import Role

# Also listed in README.md. They are for local demonstration only; production refuses to start
# while any account of this domain exists.
DEMO_DOMAIN = "@demo.boiduong.vn"
DEMO_ACCOUNTS = (
    ("hocvien@demo.boiduong.vn", "hocvien-demo", Role.LEARNER, "Nguyễn Thị Lan"),
    ("giangvien@demo.boiduong.vn", "giangvien-demo", Role.TRAINER, "Trần Văn Minh"),
    ("quantri@demo.boiduong.vn", "quantri-demo", Role.ADMIN, "Lê Hoàng Nam"),
)
