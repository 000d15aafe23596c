"""The audit log: who viewed or changed what, and when, in a chain nobody can quietly change.

Every entry carries the hash of the entry before it and a hash of its own content over that, so
editing or removing an entry with SQL afterwards breaks the chain at that entry, and `verify`
names it. Appending takes the chain's head row first (an UPDATE), which makes concurrent
appenders wait for each other on PostgreSQL and SQLite alike, so the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import AuditEntry, AuditHead
from app.models.base import utcnow

GENESIS = "0" * 64
HEAD_ID = 1


@dataclass(frozen=True)
class Entry:
    """One entry to append (the actor as an id: None is the system or an anonymous visitor)."""

    actor_id: int | None
    action: str
    target_type: str
    target_id: int | None
    unit_id: int | None = None
    detail: dict | None = None


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    prev_hash: str,
    seq: int,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int | None,
    unit_id: int | None,
    detail: dict,
    at: datetime,
) -> str:
    """SHA-256 over the previous hash and every field of the entry, in one canonical JSON form."""
    body = json.dumps(
        [prev_hash, seq, actor_id, action, target_type, target_id, unit_id, detail, _stamp(at)],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _take(session: Session, count: int) -> tuple[int, str]:
    """Reserve `count` sequence numbers at the head: (the last one in use, its hash)."""
    take = (
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(seq=AuditHead.seq + count)
        .returning(AuditHead.seq, AuditHead.hash)
    )
    row = session.execute(take).first()
    if row is None:  # an empty database (the migration creates the head; emptied tables lack it)
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(AuditHead).values(id=HEAD_ID, seq=0, hash=GENESIS).on_conflict_do_nothing())
        row = session.execute(take).one()
    return row.seq - count, row.hash


def append(session: Session, entries: Iterable[Entry]) -> list[AuditEntry]:
    """Append entries to the chain in the caller's transaction (flushed, not committed)."""
    entries = list(entries)
    if not entries:
        return []
    last_seq, last_hash = _take(session, len(entries))
    now = utcnow()
    rows = []
    for entry in entries:
        last_seq += 1
        detail = {str(k): str(v) for k, v in (entry.detail or {}).items()}
        digest = entry_hash(
            last_hash,
            last_seq,
            entry.actor_id,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.unit_id,
            detail,
            now,
        )
        rows.append(
            AuditEntry(
                seq=last_seq,
                actor_id=entry.actor_id,
                action=entry.action,
                target_type=entry.target_type,
                target_id=entry.target_id,
                unit_id=entry.unit_id,
                detail=detail,
                at=now,
                prev_hash=last_hash,
                hash=digest,
            )
        )
        last_hash = digest
    session.add_all(rows)
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(hash=last_hash))
    return rows


def record(
    session: Session,
    actor,
    action: str,
    target_type: str,
    target_id: int | None,
    *,
    unit_id: int | None = None,
    **detail,
) -> AuditEntry:
    """Append one entry by `actor` (a user, the system, or None for an anonymous visitor).

    `unit_id` is the unit the entry is about; it decides which unit admins may read the entry.
    """
    actor_id = getattr(actor, "id", None) if actor is not None else None
    return append(session, [Entry(actor_id, action, target_type, target_id, unit_id, detail)])[0]


@dataclass(frozen=True)
class Verification:
    entries: int
    broken_at: int | None  # the sequence number of the first entry found changed or missing
    problem: str = ""
    last_hash: str = GENESIS

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(session: Session) -> Verification:
    """Walk the chain from the first entry and name the first one that was changed or removed."""
    rows = session.execute(
        select(
            AuditEntry.seq,
            AuditEntry.actor_id,
            AuditEntry.action,
            AuditEntry.target_type,
            AuditEntry.target_id,
            AuditEntry.unit_id,
            AuditEntry.detail,
            AuditEntry.at,
            AuditEntry.prev_hash,
            AuditEntry.hash,
        )
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=5000)
    )
    try:
        broken, count, last_hash = _walk(rows)
    finally:
        rows.close()  # a broken chain stops the walk early: release the server-side cursor
    if broken is not None:
        return broken
    head = session.get(AuditHead, HEAD_ID)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != count or head_hash != last_hash:
        if head_seq > count:
            return Verification(count, count + 1, f"entries {count + 1} to {head_seq} were removed")
        return Verification(count, head_seq or 1, "the chain's head does not match its last entry")
    return Verification(count, None, last_hash=last_hash)


def _walk(rows) -> tuple[Verification | None, int, str]:
    """(the first break or None, entries intact before it, the last intact hash)."""
    previous_hash, expected_seq, count = GENESIS, 1, 0
    for row in rows:
        if row.seq != expected_seq:
            return Verification(count, expected_seq, f"entry {expected_seq} is missing"), count, previous_hash
        if row.prev_hash != previous_hash:
            problem = (
                f"entry {row.seq} does not follow entry {row.seq - 1}: one of them was changed or replaced"
            )
            return Verification(count, row.seq, problem), count, previous_hash
        digest = entry_hash(
            row.prev_hash,
            row.seq,
            row.actor_id,
            row.action,
            row.target_type,
            row.target_id,
            row.unit_id,
            row.detail,
            row.at,
        )
        if digest != row.hash:
            return (
                Verification(count, row.seq, f"entry {row.seq} was changed after it was written"),
                count,
                previous_hash,
            )
        previous_hash, expected_seq, count = row.hash, expected_seq + 1, count + 1
    return None, count, previous_hash
