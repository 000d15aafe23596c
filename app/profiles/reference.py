"""Loading the reference scales and titles (app/profiles/reference.yaml), idempotently."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Scale, ScaleLevel, Title

REFERENCE_FILE = Path(__file__).with_name("reference.yaml")


def load_reference(session: Session, path: Path = REFERENCE_FILE) -> None:
    """Add the scales, levels and titles that are not there yet; existing rows are left alone."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    scales = {s.code: s for s in session.scalars(select(Scale))}
    for item in data["scales"]:
        scale = scales.get(item["code"])
        if scale is None:
            scale = Scale(code=item["code"], name=item["name"])
            session.add(scale)
            session.flush()
        have = {level.code for level in scale.levels}
        for rank, (code, name) in enumerate(item["levels"], start=1):
            if code not in have:
                session.add(ScaleLevel(scale_id=scale.id, code=code, name=name, rank=rank))
    titles = set(session.scalars(select(Title.code)))
    for code, name, rank in data["titles"]:
        if code not in titles:
            session.add(Title(code=code, name=name, rank=rank))
    session.flush()
    session.expire_all()
