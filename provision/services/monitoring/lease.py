"""Who runs a site's probe rounds: a lease row per site, so monitors on several machines never both do.

`colo monitor run --site X` may run on two machines against one PostgreSQL store: one
holds the site's lease and probes, the other stands by and takes over once the holder
stops renewing (crashed, killed, cut off). The lease is taken or renewed by one
conditional UPDATE — `… WHERE owner = me OR expires_at <= now` — which PostgreSQL
re-checks after a concurrent writer commits, so two monitors can never both win it. The
round re-checks it under the site lock before recording, so a monitor that stalled past
its lease records nothing. Times are the monitors' own clocks: keep them in sync (NTP)
to well within the lease.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from datetime import datetime, timedelta

from sqlalchemy import case, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from provision.errors import Refused
from provision.services.context import Context, SiteInfo, load_site
from provision.store.schema import MonitorLease

log = logging.getLogger(__name__)


def this_monitor() -> str:
    """host:pid:token — the token tells a restarted process with a recycled pid from the one that held the lease."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def hold(s: Session, site_id: int, owner: str, seconds: float, now: datetime) -> bool:
    """Take or renew `site_id`'s lease for `seconds` from `now`; False while another live monitor holds it."""
    until = now + timedelta(seconds=seconds)
    taken = s.execute(
        update(MonitorLease)
        .where(MonitorLease.site_id == site_id, or_(MonitorLease.owner == owner, MonitorLease.expires_at <= now))
        .values(owner=owner, expires_at=until,
                acquired_at=case((MonitorLease.owner == owner, MonitorLease.acquired_at), else_=now))
        .execution_options(synchronize_session=False)).rowcount
    if taken:
        return True
    if s.get(MonitorLease, site_id) is not None:
        return False
    try:  # the site's first monitor: the row does not exist yet, and two may insert it at once
        with s.begin_nested():
            s.add(MonitorLease(site_id=site_id, owner=owner, acquired_at=now, expires_at=until))
    except IntegrityError:
        return False
    return True


class LeaseLost(Refused):
    """This monitor's lease went to another while it was probing: it stands by again."""


def require(s: Session, site: SiteInfo, now: datetime, owner: str | None, seconds: float) -> None:
    """Refuse a round that is not this monitor's to run.

    A one-off `monitor tick` (no owner) runs only while no `monitor run` holds the site;
    a `monitor run` must hold the lease, which this renews.
    """
    if owner is not None:
        if not hold(s, site.id, owner, seconds, now):
            raise LeaseLost(f"monitor lease for site {site.name} was taken by {_holder(s, site.id)}: this monitor "
                          f"stalled past its lease; round not recorded")
        return
    row = s.get(MonitorLease, site.id)
    if row is not None and row.expires_at > now:
        raise Refused(f"monitor {row.owner} runs site {site.name}'s rounds (lease until "
                      f"{row.expires_at.astimezone(site.tz).isoformat(timespec='seconds')}): stop it, or leave "
                      f"the rounds to it")


def _holder(s: Session, site_id: int) -> str:
    row = s.get(MonitorLease, site_id, populate_existing=True)
    return row.owner if row is not None else "nobody"


def take(ctx: Context, owner: str, seconds: float) -> float | None:
    """Hold the site's lease for the next round: None when held, else seconds until the holder's lease lapses."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        before = _holder(s, site.id)
        if hold(s, site.id, owner, seconds, now):
            if before not in (owner, "nobody"):
                log.warning("took over site %s's rounds from %s", site.name, before,
                            extra={"event": "lease_taken", "site": site.name, "from": before})
            return None
        row = s.get(MonitorLease, site.id)
        assert row is not None
        return max(0.0, (row.expires_at - now).total_seconds())
