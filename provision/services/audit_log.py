"""Reading and checking the audit log (`colo audit list`, `colo audit verify`).

The hash chain proves each record follows the one before it, but a log whose newest
records were deleted is still a valid chain. So `verify` can anchor the head it checked
outside the store — in a file of the operator's, and optionally in syslog — and on the
next run require that record to be there still, with the same hash. Someone who can
rewrite the store must then also rewrite the anchor, kept elsewhere under other rights.

The anchor file is JSON: a history of anchored heads, each sealed with a SHA-256 over
the one before it, so a hand-edited file is told apart from a truncated store.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from logging.handlers import SysLogHandler
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from provision.errors import BadInput, NotFound, OperationFailed
from provision.services.context import Context, SiteInfo, load_site
from provision.services.contracts import get_contract, iso
from provision.services.site_scope import own
from provision.store import audit
from provision.store.schema import AuditRecord, Contract

ANCHOR_FORMAT = "colo-audit-anchor/1"
SYSLOG_SOCKET = "/dev/log"
NO_ANCHOR = ("without an anchor (--anchor FILE or COLO_AUDIT_ANCHOR) removal of the newest records "
             "cannot be detected")
HEX64 = re.compile(r"[0-9a-f]{64}")


def export(ctx: Context, contract_id: str | None = None) -> list[dict[str, Any]]:
    """This site's records: those of its contracts and those about no contract (the chain itself is the store's;
    `verify` checks it whole); `contract_id`'s only, when given."""
    with ctx.store.session() as s:
        site = load_site(s)
        query = select(AuditRecord).order_by(AuditRecord.id)
        if contract_id is not None:
            query = query.where(AuditRecord.contract_id == get_contract(s, contract_id).id)
        else:
            elsewhere = select(Contract.id).where(Contract.site_id != site.id)
            query = query.where(or_(AuditRecord.contract_id.is_(None), AuditRecord.contract_id.not_in(elsewhere)))
        return [_view(r, site) for r in s.scalars(query)]


def _view(r: AuditRecord, site: SiteInfo) -> dict[str, Any]:
    return {"id": r.id, "at": iso(r.at, site), "recorded_at": iso(r.recorded_at, site), "actor": r.actor,
            "action": r.action, "contract": r.contract_id, "detail": r.detail, "authorization": r.authorization,
            "hash": r.hash}


@dataclass(frozen=True)
class Anchor:
    """One anchored head: which record, its hash, when, for which store; sealed to the previous entry."""

    record: int
    hash: str
    record_at: str
    anchored_at: str
    store: str
    seal: str

    def when(self, site: SiteInfo) -> str:
        return f"{datetime.fromisoformat(self.anchored_at).astimezone(site.tz):%Y-%m-%d %H:%M}"


def verify(ctx: Context, anchor_file: str | None = None, syslog: bool = False) -> dict[str, Any]:
    """Recompute the chain, check the anchored head, then anchor the head just verified.

    Every input is checked before the store is read, and the anchor is written only after
    the log checked out: bad input and a damaged log leave the anchor file as it was.
    """
    if syslog and not os.path.exists(SYSLOG_SOCKET):
        raise BadInput(f"--syslog: {SYSLOG_SOCKET} does not exist (no syslog daemon on this host): "
                       f"start one (e.g. rsyslog) or leave out --syslog")
    path = _anchor_path(anchor_file) if anchor_file else None
    history = _read_anchors(path) if path else []
    with ctx.store.session() as s:
        site = load_site(s)
        chain = audit.verify(s)
        if chain.problem is not None:
            raise OperationFailed(f"audit log NOT intact: {chain.problem}; "
                                  f"{chain.records - 1} record(s) before it check out")
        if path is not None and history:
            _check_anchor(s, history[-1], chain.head, site, path, ctx.store.safe_url)
        now = ctx.now(site)
    head = chain.head
    result: dict[str, Any] = {
        "records": chain.records, "intact": True,
        "head": None if head is None else {"id": head.id, "hash": head.hash, "at": iso(head.at, site)},
        "anchor": None, "syslog": False}
    if path is None:
        result["note"] = NO_ANCHOR
    else:
        result["anchor"] = _anchor(path, history, head, site, now, ctx.store.safe_url)
    if syslog and head is not None:
        _log_head(head, chain.records, ctx.store.safe_url)
        result["syslog"] = True
    return result


def _check_anchor(s: Session, anchor: Anchor, head: audit.Head | None, site: SiteInfo, path: Path,
                  store: str) -> None:
    """The anchored record must still exist with its hash; the intact chain then reaches it."""
    what = f"audit record {anchor.record} (anchored {anchor.when(site)})"
    record = s.get(AuditRecord, anchor.record)
    if record is None and (head is None or head.id < anchor.record):
        raise OperationFailed(f"{what} is missing: the newest records were removed")
    if record is None:
        raise OperationFailed(f"{what} is missing: records were removed and the log continued without them")
    if record.hash != anchor.hash:
        elsewhere = f" (or {path} anchors another store: {anchor.store})" if anchor.store != store else ""
        raise OperationFailed(f"{what} is not the record that was anchored: records from it on were removed "
                              f"and the log continued, or it was rewritten{elsewhere}")


def _anchor(path: Path, history: list[Anchor], head: audit.Head | None, site: SiteInfo, now: datetime,
            store: str) -> dict[str, Any]:
    """Append the verified head to the history unless it is the one already anchored."""
    checked = history[-1] if history else None
    recorded = head is not None and (checked is None or checked.record != head.id)
    if head is not None and recorded:
        _write_anchors(path, [*history, _seal(history, head, site, now, store)])
    return {"file": str(path), "recorded": recorded,
            "checked": None if checked is None else {"record": checked.record, "anchored_at": checked.anchored_at}}


def _anchor_path(text: str) -> Path:
    """Refuse, before anything is read, a path the anchor could not be written to afterwards."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise BadInput(f"--anchor {text}: is a directory: name a file in it, e.g. {path / 'colo-audit.anchor'}")
    if not path.parent.is_dir():
        raise BadInput(f"--anchor {text}: directory {path.parent} does not exist: create it or choose another path")
    if not os.access(path.parent, os.W_OK):
        raise BadInput(f"--anchor {text}: directory {path.parent} is not writable: choose a path you can write")
    return path


def _read_anchors(path: Path) -> list[Anchor]:
    """The anchor history, every seal checked; a missing file is an empty history."""
    if not path.exists():
        return []
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _tampered(path, f"cannot be read as an anchor file ({e})") from None
    if not isinstance(document, dict) or document.get("format") != ANCHOR_FORMAT \
            or not isinstance(document.get("anchors"), list):
        raise _tampered(path, f"is not a colo audit anchor file (format {ANCHOR_FORMAT})")
    history: list[Anchor] = []
    for number, raw in enumerate(document["anchors"], 1):
        entry = _entry(raw)
        if entry is None or entry.seal != _seal_of(history, entry):
            raise _tampered(path, f"entry {number} was edited (its seal does not match)")
        history.append(entry)
    return history


def _entry(raw: Any) -> Anchor | None:
    """An entry with exactly the expected fields and types, else None."""
    fields = Anchor.__dataclass_fields__
    if not isinstance(raw, dict) or set(raw) != set(fields):
        return None
    if type(raw["record"]) is not int or not all(isinstance(raw[k], str) for k in fields if k != "record"):
        return None
    if not (HEX64.fullmatch(raw["hash"]) and HEX64.fullmatch(raw["seal"])):
        return None
    try:
        datetime.fromisoformat(raw["anchored_at"])
    except ValueError:
        return None
    return Anchor(**raw)


def _tampered(path: Path, problem: str) -> BadInput:
    return BadInput(f"anchor file {path} {problem}: restore it from a backup, or move it aside to anchor "
                    f"afresh (records removed before the new anchor then go unnoticed)")


def _seal_of(history: list[Anchor], entry: Anchor) -> str:
    body = json.dumps([history[-1].seal if history else "", entry.record, entry.hash, entry.record_at,
                       entry.anchored_at, entry.store], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _seal(history: list[Anchor], head: audit.Head, site: SiteInfo, now: datetime, store: str) -> Anchor:
    unsealed = Anchor(head.id, head.hash, iso(head.at, site) or "", now.isoformat(timespec="seconds"), store, "")
    return Anchor(**(asdict(unsealed) | {"seal": _seal_of(history, unsealed)}))


def _write_anchors(path: Path, history: list[Anchor]) -> None:
    """Write a 0600 temporary file beside the anchor and rename it over: readers see old or new, never half."""
    text = json.dumps({"format": ANCHOR_FORMAT, "anchors": [asdict(a) for a in history]}, indent=2,
                      ensure_ascii=False) + "\n"
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except OSError as e:
        Path(temporary).unlink(missing_ok=True)
        raise OperationFailed(f"anchor file {path} could not be written ({e}): the log was verified, "
                              f"its head not anchored") from None


def _log_head(head: audit.Head, records: int, store: str) -> None:
    """One syslog line per verify: a copy of the head that a remote log server can keep."""
    try:
        handler = SysLogHandler(address=SYSLOG_SOCKET)
    except OSError as e:
        raise OperationFailed(f"--syslog: {SYSLOG_SOCKET} refused the head ({e}): the log was verified, "
                              f"its head not logged; is the syslog daemon running?") from None
    handler.ident = "colo: "
    try:
        handler.emit(logging.makeLogRecord({
            "msg": f"audit head record {head.id} hash {head.hash} ({records} records, store {store})",
            "levelno": logging.INFO, "levelname": "INFO"}))
    finally:
        handler.close()


def entry(ctx: Context, record_id: int) -> dict[str, Any]:
    """One audit record with the hash it chains to (`prev_hash`), to check a link by hand."""
    with ctx.store.session() as s:
        site = load_site(s)
        r = s.get(AuditRecord, record_id)
        if r is None:
            raise NotFound(f"audit record {record_id} does not exist: see `colo audit list`")
        return _view(own(s, r, "audit record"), site) | {"prev_hash": r.prev_hash}
