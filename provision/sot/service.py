"""Use cases against the source of truth: import a site, deliver the outbox, show its status and the drift.

The import builds the inventory from Nautobot and then goes the way every inventory goes:
validated by `load_inventory`, written as YAML for review (`--out`) or synced into the store
by `colo init`'s own code. The outbox is delivered in order, a batch of entries at a time;
a batch that fails stays pending with its error for the next `colo sot sync`.
"""

from __future__ import annotations

import difflib
import json
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from provision.errors import BadInput, ColoError, OperationFailed, Refused
from provision.inventory.load import InventoryError, load_inventory
from provision.secrets import resolve
from provision.services.context import Context, load_site
from provision.sot import mapping
from provision.sot.base import SourceOfTruth
from provision.sot.outbox import snapshot
from provision.store.schema import Contract, SiteRow, SotOutbox, SotSettings

KINDS = ("nautobot",)
FILES = {"site.yaml": ("site",), "rooms.yaml": ("rooms",), "power.yaml": ("pdus",), "network.yaml": ("switches", "pools")}


def connect(kind: str, url: str, token_secret: str) -> SourceOfTruth:
    """The adapter for `kind`, its token read from the secret named `token_secret` (its password field)."""
    if kind not in KINDS:
        raise BadInput(f"source of truth {kind!r} is not supported: use one of {', '.join(KINDS)}")
    if not url.startswith(("http://", "https://")) or len(url) > 300:
        raise BadInput(f"--url {url[:80]!r} is not an http(s) URL: give e.g. https://nautobot.example.net")
    token = resolve(token_secret).require("password").password
    assert token is not None
    from provision.sot.nautobot import Nautobot  # pynautobot and requests: only these commands pay for them

    return Nautobot(url, token.reveal(), token_secret)


def _write_files(inventory: dict[str, Any], target: Path, header: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name, keys in FILES.items():
        body = yaml.safe_dump({k: inventory[k] for k in keys}, sort_keys=False, allow_unicode=True, width=120)
        (target / name).write_text(f"# {header}\n{body}", encoding="utf-8")


def _changes(old: Path, new: Path) -> list[str]:
    """Re-import: the lines that changed, file by file, as a unified diff without its context lines."""
    out = []
    for name in FILES:
        if not (old / name).exists():
            out.append(f"{name}: new")
            continue
        before = (old / name).read_text(encoding="utf-8").splitlines()
        after = (new / name).read_text(encoding="utf-8").splitlines()
        out += [f"{name}: {line}" for line in difflib.unified_diff(before[1:], after[1:], lineterm="", n=0)
                if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return out


def import_site(db: str | None, kind: str, url: str, token_secret: str, location: str,
                out: str | None = None) -> dict[str, Any]:
    """Build the inventory from the source of truth; write it to `out`, or sync it into the store and
    remember where it came from (which turns write-back on for the site). Bad input writes nothing."""
    adapter = connect(kind, url, token_secret)
    facts = adapter.site(location)
    inventory, problems = mapping.inventory_of(facts)
    if problems:
        raise InventoryError([f"{kind} {url} location {location}: {p}" for p in problems])
    with tempfile.TemporaryDirectory(prefix="colo-import-") as tmp:
        staged = Path(tmp) / "inventory"
        _write_files(inventory, staged, f"imported from {kind} {url} location {location}: edit there, then re-import")
        try:
            load_inventory(staged)
        except InventoryError as e:
            raise InventoryError([f"{kind} {url} location {location}: {p.replace(str(staged) + '/', '')}"
                                  for p in e.problems]) from None
        summary = {"source": kind, "url": url, "location": location, "site": facts.location,
                   "racks": len(facts.racks), "switches": len(inventory["switches"]), "pdus": len(inventory["pdus"]),
                   "pools": len(inventory["pools"])}
        if out is not None:
            target = Path(out)
            changes = _changes(target, staged)
            target.mkdir(parents=True, exist_ok=True)
            for name in FILES:
                shutil.copyfile(staged / name, target / name)
            return summary | {"out": str(target), "changes": changes}
        from provision.services.site import setup

        _refuse_namesake(db, facts.location, kind, url, location)
        report = setup.init(db, str(staged))
    _remember(db, report["site"], kind, url, token_secret, location)
    return summary | {"store": report}


def _refuse_namesake(db: str | None, site: str, kind: str, url: str, location: str) -> None:
    """A store site of that name imported from elsewhere is another datacenter: refused, never merged."""
    from provision.store.engine import SCHEMA_HEAD, open_store

    store = open_store(db, create=True)
    if store.schema_version() != SCHEMA_HEAD:  # an older store has no source of truth recorded yet
        return
    with store.session() as s:
        row = s.scalar(select(SotSettings).join(SiteRow, SiteRow.id == SotSettings.site_id).where(SiteRow.name == site))
    if row is not None and (row.url, row.location) != (url, location):
        raise Refused(f"site {site} in this store was imported from {row.url} location {row.location}: a second "
                      f"site of the same name needs another name in {kind}; nothing changed")


def _remember(db: str | None, site: str, kind: str, url: str, token_secret: str, location: str) -> None:
    from provision.store.engine import open_store

    with open_store(db).session() as s:
        site_id = s.scalar(select(SiteRow.id).where(SiteRow.name == site))
        row = s.get(SotSettings, site_id) or SotSettings(site_id=site_id)
        row.kind, row.url, row.token_secret, row.location = kind, url, token_secret, location
        s.add(row)


def _settings(s: Session) -> SotSettings:
    site = load_site(s)
    row = s.get(SotSettings, site.id)
    if row is None:
        raise BadInput(f"site {site.name} has no source of truth: import it with `colo inventory import nautobot "
                       f"--url URL --token-secret NAME --location NAME`")
    return row


def sync(ctx: Context, batch: int = 100, limit: int | None = None) -> dict[str, Any]:
    """Deliver pending entries in order, `batch` entries per round of requests; stop at the first failure,
    which stays pending (attempts and error recorded) for the next run."""
    with ctx.store.session() as s:
        settings = _settings(s)
        kind, url, secret, site_id = settings.kind, settings.url, settings.token_secret, settings.site_id
        pending = [(e.id, e.payload) for e in s.scalars(select(SotOutbox).where(
            SotOutbox.site_id == site_id, SotOutbox.done_at.is_(None)).order_by(SotOutbox.id).limit(limit))]
    adapter = connect(kind, url, secret)
    delivered, requests = 0, 0
    for start in range(0, len(pending), max(batch, 1)):
        group = pending[start:start + max(batch, 1)]
        intents = mapping.latest([it for _, payload in group for it in mapping.intents_of(json.loads(payload))])
        ids = [i for i, _ in group]
        try:
            report = adapter.write(intents, batch=max(batch, 1))
        except ColoError as e:
            _attempted(ctx, ids, str(e))
            raise OperationFailed(f"{e}; {len(pending) - delivered} write-back(s) left for the retry "
                                  f"(`colo sot sync`)") from None
        requests += report.requests
        _attempted(ctx, ids, None)
        delivered += len(group)
    return {"url": url, "delivered": delivered, "pending": len(pending) - delivered, "requests": requests}


def _attempted(ctx: Context, ids: list[int], error: str | None) -> None:
    now = datetime.now(UTC)
    with ctx.store.session() as s:
        values: dict[str, Any] = {"attempts": SotOutbox.attempts + 1, "last_attempt_at": now,
                                  "last_error": None if error is None else error[:600]}
        if error is None:
            values["done_at"] = now
        s.execute(update(SotOutbox).where(SotOutbox.id.in_(ids)).values(**values))


def status(ctx: Context) -> dict[str, Any]:
    with ctx.store.session() as s:
        settings = _settings(s)
        pending = SotOutbox.site_id == settings.site_id, SotOutbox.done_at.is_(None)
        count = s.scalar(select(func.count()).select_from(SotOutbox).where(*pending)) or 0
        done = s.scalar(select(func.count()).select_from(SotOutbox).where(
            SotOutbox.site_id == settings.site_id, SotOutbox.done_at.is_not(None))) or 0
        oldest = s.scalar(select(SotOutbox).where(*pending).order_by(SotOutbox.id).limit(1))
        return {"source": settings.kind, "url": settings.url, "location": settings.location,
                "token_secret": settings.token_secret, "pending": count, "delivered": done,
                "oldest_pending": None if oldest is None else {
                    "id": oldest.id, "contract": oldest.contract_id, "reason": oldest.reason,
                    "created_at": oldest.created_at.isoformat(timespec="seconds"), "attempts": oldest.attempts,
                    "last_error": oldest.last_error}}


def drift(ctx: Context) -> dict[str, Any]:
    """Every object colo holds for the site's contracts, compared with the source of truth's copy."""
    with ctx.store.session() as s:
        settings = _settings(s)
        kind, url, secret = settings.kind, settings.url, settings.token_secret
        contracts = s.scalars(select(Contract).where(Contract.site_id == settings.site_id,
                                                     Contract.state.in_(mapping.HOLDING)).order_by(Contract.id))
        intents = mapping.latest([it for c in contracts for it in mapping.intents_of(snapshot(s, c))])
        pending = s.scalar(select(func.count()).select_from(SotOutbox).where(
            SotOutbox.site_id == settings.site_id, SotOutbox.done_at.is_(None))) or 0
    current = connect(kind, url, secret).read(intents)
    lines = mapping.drift(intents, current)
    return {"url": url, "objects": len(intents), "differences": lines, "pending": pending}
