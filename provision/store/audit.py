"""The audit log: every contract event and device operation, chained by hash.

Records are appended by a flush hook, so no use case can change a contract without
leaving a line: each new contract event (signing, transitions, payments, notices,
server records, renewals, terminations) and each journaled device operation becomes
one record in the same transaction. Each record keeps the time it is dated (`at`, which
`--at` moves) and the real time it was written (`recorded_at`). A record's hash covers
its fields and the previous record's hash; `prev_hash` is unique, so two writers can
never both extend the same record, and editing or deleting any line breaks every hash
after it. Deleting the newest lines leaves a shorter but valid chain: only a head
remembered outside the store (an anchor, see services.audit_log) reveals that.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from provision.store.schema import AuditRecord, ContractEvent, Operation

GENESIS = "0" * 64
ENFORCEMENT_KINDS = {"stop_notice_issued", "stop_notice_delivered", "stop_notice_failed", "suspended", "resumed",
                     "ended", "decommissioned", "in_storage", "stored", "abandoned", "ending_soon"}


def digest(prev: str, at: datetime, actor: str, action: str, contract_id: str | None, detail: str,
           authorization: str | None, recorded_at: datetime | None = None) -> str:
    """`recorded_at` is covered when present; records written before it existed hash as they did."""
    fields: list[Any] = [prev, _utc(at), actor, action, contract_id, detail, authorization]
    if recorded_at is not None:
        fields.append(_utc(recorded_at))
    body = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _last_hash(s: Session) -> str:
    cached = s.info.get("audit_last")
    if cached is not None:
        return str(cached)
    with s.no_autoflush:
        if s.get_bind().dialect.name == "postgresql":
            # Writers queue here until the transaction ends, so each extends the newest record
            # (SQLite's BEGIN IMMEDIATE already serialises writers).
            s.execute(text("SELECT pg_advisory_xact_lock(7001)"))
        last = s.scalar(select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1))
    return last or GENESIS


def append(s: Session, at: datetime, actor: str, action: str, contract_id: str | None, detail: str,
           authorization: str | None = None) -> AuditRecord:
    """`at` is the time the change is dated (`--at` moves it); `recorded_at` is when it was really written."""
    prev = _last_hash(s)
    recorded_at = datetime.now(UTC)
    record = AuditRecord(at=at, recorded_at=recorded_at, actor=actor, action=action, contract_id=contract_id,
                         detail=detail, authorization=authorization, prev_hash=prev,
                         hash=digest(prev, at, actor, action, contract_id, detail, authorization, recorded_at))
    s.add(record)
    s.info["audit_last"] = record.hash
    return record


@event.listens_for(Session, "before_flush")
def _audit_new_rows(s: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(s.new):
        if isinstance(obj, ContractEvent):
            basis = "contract enforcement (§6)" if obj.kind in ENFORCEMENT_KINDS else None
            append(s, obj.at, obj.actor, f"contract.{obj.kind}", obj.contract_id, obj.detail or "", basis)
        elif isinstance(obj, Operation):
            append(s, obj.started_at, obj.actor, f"device.{obj.kind}.start", None,
                   f"owner {obj.owner}" + (f"; resumes #{obj.resumes}" if obj.resumes else ""))


@event.listens_for(Session, "after_rollback")
def _forget(s: Session) -> None:
    s.info.pop("audit_last", None)


@event.listens_for(Session, "after_commit")
def _forget_after_commit(s: Session) -> None:
    s.info.pop("audit_last", None)


@dataclass(frozen=True)
class Head:
    """The newest record of a checked chain: what an anchor outside the store remembers."""

    id: int
    hash: str
    at: datetime


@dataclass(frozen=True)
class ChainCheck:
    records: int
    problem: str | None   # the first broken link, or None
    head: Head | None     # the newest record checked (None for an empty log)


def verify(s: Session) -> ChainCheck:
    """Walk the chain from the genesis; stops at the first record that was altered or removed.

    The chain alone cannot notice its newest records being deleted (what is left is still a
    valid chain): that takes a head remembered outside the store (services.audit_log anchors).
    """
    prev, count, head = GENESIS, 0, None
    for r in s.scalars(select(AuditRecord).order_by(AuditRecord.id)):
        count += 1
        if r.prev_hash != prev:
            before = f"record {head.id}" if head else "the start of the log"
            return ChainCheck(count, f"record {r.id} does not follow {before} (a record was removed or reordered)",
                              head)
        if digest(prev, r.at, r.actor, r.action, r.contract_id, r.detail, r.authorization, r.recorded_at) != r.hash:
            return ChainCheck(count, f"record {r.id} ({r.action} at {r.at:%Y-%m-%d %H:%M}) was altered after "
                                     f"it was written", head)
        prev, head = r.hash, Head(r.id, r.hash, r.at)
    return ChainCheck(count, None, head)
