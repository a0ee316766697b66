"""One round owner per site: two real `colo monitor run` processes on one PostgreSQL store, the owner killed.

The standby must not record a round while the owner lives, and must take the rounds over
within the lease once the owner is SIGKILLed (no chance to say goodbye). The lease is
made short (--lease 3, --period 1) so the test takes seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from provision.api import Colo
from provision.errors import BadInput, Refused
from provision.store.engine import open_store
from tests.conftest import EXAMPLE
from tests.test_sites import second_site

COLO = str(Path(sys.executable).with_name("colo"))
LEASE_S, PERIOD_S = 3.0, 1.0


def _lease(db: str, site: str = "SH-WGQ-1") -> tuple[str, float] | None:
    """The lease's owner and seconds until it lapses (by the store's clock), or None."""
    with open_store(db).engine.connect() as conn:
        row = conn.execute(text("SELECT owner, extract(epoch FROM expires_at - now()) FROM monitor_leases "
                                "JOIN site ON site.id = monitor_leases.site_id WHERE site.name = :site"),
                           {"site": site}).first()
    return None if row is None else (row[0], float(row[1]))


def _rounds(db: str) -> int:
    with open_store(db).engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM monitor_rounds")).scalar() or 0)


def _until(what: Callable[[], object], seconds: float, why: str) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if got := what():
            return got
        time.sleep(0.1)
    pytest.fail(f"not within {seconds:g} s: {why}")


@pytest.fixture
def pg_site(pg_url: str) -> str:
    Colo(db=pg_url).init(str(EXAMPLE))
    return pg_url


@pytest.fixture
def monitors(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(db: str, *args: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"monitor-{len(started)}.log").open("wb")
        proc = subprocess.Popen([COLO, "--db", db, *args, "monitor", "run", "--period", str(PERIOD_S),
                                 "--lease", str(LEASE_S), "--json"],
                                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "COLO_LOG_LEVEL": "info"})
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.postgres
def test_a_standby_monitor_waits_then_takes_over_when_the_owner_is_killed(pg_site: str, monitors) -> None:  # type: ignore[no-untyped-def]
    owner = monitors(pg_site)
    _until(lambda: _rounds(pg_site) >= 1, 30, "the first monitor records a round")
    held = _lease(pg_site)
    assert held is not None and f":{owner.pid}:" in held[0]

    standby = monitors(pg_site)
    time.sleep(LEASE_S + 1)  # longer than a lease: the owner renews, the standby only waits
    held = _lease(pg_site)
    assert standby.poll() is None and held is not None and f":{owner.pid}:" in held[0]
    rounds_before = _rounds(pg_site)
    assert rounds_before >= 2  # the owner kept going

    owner.send_signal(signal.SIGKILL)
    owner.wait(10)
    killed = time.monotonic()
    _until(lambda: (lease := _lease(pg_site)) and f":{standby.pid}:" in lease[0], LEASE_S + 2 * PERIOD_S + 2,
           "the standby takes the lease once the owner's lapses")
    took = time.monotonic() - killed
    _until(lambda: _rounds(pg_site) > rounds_before, 2 * PERIOD_S + 5, "the standby records rounds")
    assert took <= LEASE_S + 2 * PERIOD_S + 2
    assert standby.poll() is None


@pytest.mark.postgres
def test_monitors_of_two_sites_each_hold_their_own_lease(pg_site: str, tmp_path: Path, monitors) -> None:  # type: ignore[no-untyped-def]
    Colo(db=pg_site).init(second_site(tmp_path))
    sh = monitors(pg_site, "--site", "SH-WGQ-1")
    nb = monitors(pg_site, "--site", "NB-1")
    _until(lambda: (a := _lease(pg_site, "SH-WGQ-1")) and (b := _lease(pg_site, "NB-1"))
           and f":{sh.pid}:" in a[0] and f":{nb.pid}:" in b[0], 30, "each site's monitor holds its own lease")

    def per_site() -> dict[str, int]:
        with open_store(pg_site).engine.connect() as conn:
            return dict(conn.execute(text("SELECT site.name, count(*) FROM monitor_rounds JOIN site "  # type: ignore[arg-type]
                                          "ON site.id = monitor_rounds.site_id GROUP BY site.name")).all())

    _until(lambda: set(per_site()) == {"SH-WGQ-1", "NB-1"}, 30, "both sites' rounds run at once, side by side")


def test_a_one_off_tick_is_refused_while_a_monitor_holds_the_site(site_db: str) -> None:
    from datetime import UTC, datetime, timedelta

    from provision.services.monitoring import lease

    store = open_store(site_db)
    with store.session() as s:
        assert lease.hold(s, 1, "other-host:42:abc", 600, datetime.now(UTC))
    with store.session() as s:  # a second owner cannot take a live lease, nor renew it as someone else
        assert not lease.hold(s, 1, "this-host:7:def", 600, datetime.now(UTC))
        assert lease.hold(s, 1, "this-host:7:def", 600, datetime.now(UTC) + timedelta(seconds=601))  # lapsed: taken
    api = Colo(db=site_db)
    with pytest.raises(Refused, match="monitor this-host:7:def runs site SH-WGQ-1's rounds"):
        api.monitor_tick(api.monitor_options())


def test_a_lease_not_longer_than_the_period_is_refused(site_db: str) -> None:
    api = Colo(db=site_db)
    with pytest.raises(BadInput, match="--lease 5: give more seconds than --period 10"):
        list(api.monitor_run(api.monitor_options(), 10, rounds=1, lease=5))
