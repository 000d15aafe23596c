"""The audit log: who viewed or changed what, and when."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import AuditEntry, User


def record(
    session: Session, actor: User | None, action: str, target_type: str, target_id: int | None, **detail
) -> None:
    """Append an audit entry (flushed with the rest of the request's work)."""
    session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail={k: str(v) for k, v in detail.items()},
        )
    )
