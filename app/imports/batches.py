"""Uploaded import files (ImportBatch): the bytes are kept only while the upload may be applied.

A checked upload waits in the database for its admin to apply it. One that is not applied within a
day has its bytes dropped; the row stays (file name, SHA-256, who, when) for the record, so the
upload can be told apart from any later one without keeping personal data nobody will use.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.orm import Session

from app.models import ImportBatch

# Long enough to check a file in the afternoon and apply it the next morning; an upload holds up
# to 16 MiB of personal data that nobody needs once it is clear it will not be applied.
UNAPPLIED_KEPT = timedelta(hours=24)


def is_expired(batch: ImportBatch, now: datetime) -> bool:
    """Whether an unapplied upload can no longer be applied (too old, or its bytes dropped)."""
    return batch.applied_at is None and (not batch.data or batch.created_at < now - UNAPPLIED_KEPT)


def drop_unapplied(session: Session, now: datetime) -> int:
    """Drop the bytes of the uploads not applied within UNAPPLIED_KEPT of `now`, keeping their rows.
    Flushes; returns how many were dropped."""
    result = session.execute(
        update(ImportBatch)
        .where(
            ImportBatch.applied_at.is_(None),
            ImportBatch.created_at < now - UNAPPLIED_KEPT,
            func.length(ImportBatch.data) > 0,
        )
        .values(data=b"")
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return result.rowcount
