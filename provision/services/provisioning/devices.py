"""Turning store rows into drivers: where each device is, and its secret from the environment.

Secrets are resolved here, at the moment a session opens, so a plan file or a journal
row never holds more than the secret's name. Every use case finds its devices through
`switches` and `pdus`, so a what-if run is refused here, before any connection.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from provision.drivers.switch import SwitchAccess, SwitchDriver, switch_driver
from provision.errors import BadInput
from provision.secrets import resolve
from provision.services.context import refuse_in_what_if
from provision.store.schema import Pdu, Switch


@dataclass(frozen=True)
class SwitchInfo:
    name: str
    platform: str
    host: str
    port: int
    credentials: str
    snmp_port: int | None
    snmp_credentials: str | None

    def driver(self) -> SwitchDriver:
        """This switch's session for the running use case (see `sessions`)."""
        return _POOL.get(self)

    def snmp(self):  # type: ignore[no-untyped-def]
        """The IF-MIB target; a switch without `snmp:` in the inventory cannot have its link verified."""
        from provision.drivers.snmp import SnmpTarget

        if self.snmp_port is None or self.snmp_credentials is None:
            raise BadInput(f"switch {self.name} has no `snmp:` in the inventory, so its link state cannot be read: "
                           f"add snmp: {{port: 161, credentials: NAME}} and run `colo init` again")
        community = resolve(self.snmp_credentials).require("community").community
        assert community is not None
        return SnmpTarget(self.name, self.host, self.snmp_port, community)


@dataclass(frozen=True)
class PduInfo:
    name: str
    platform: str
    host: str
    port: int
    credentials: str

    def driver(self):  # type: ignore[no-untyped-def]
        from provision.drivers.pdu import pdu_driver
        from provision.drivers.snmp import SnmpTarget

        community = resolve(self.credentials).require("community").community
        assert community is not None
        return pdu_driver(self.platform, SnmpTarget(self.name, self.host, self.port, community))


def switches(s: Session, names: Sequence[str]) -> dict[str, SwitchInfo]:
    refuse_in_what_if(s, "switch(es) " + (", ".join(names) or "of the site"))
    rows = s.scalars(select(Switch).where(Switch.name.in_(names)))
    return {r.name: SwitchInfo(r.name, r.platform, r.host, r.port, r.credentials, r.snmp_port, r.snmp_credentials)
            for r in rows}


def pdus(s: Session, names: Sequence[str]) -> dict[str, PduInfo]:
    refuse_in_what_if(s, "PDU(s) " + (", ".join(names) or "of the site"))
    return {r.name: PduInfo(r.name, r.platform, r.host, r.port, r.credentials)
            for r in s.scalars(select(Pdu).where(Pdu.name.in_(names)))}


class _Pool:
    """Open switch sessions by switch name, shared by the steps of one use case.

    The plan's read, the push, the read-back and the save then cost one SSH login per
    switch instead of four. Each switch is only ever worked by one thread at a time.
    """

    def __init__(self) -> None:
        self._drivers: dict[str, tuple[SwitchInfo, SwitchDriver]] = {}
        self._lock = threading.Lock()

    def get(self, info: SwitchInfo) -> SwitchDriver:
        with self._lock:
            held = self._drivers.get(info.name)
            if held is None or held[0] != info:
                driver = switch_driver(info.platform, SwitchAccess(info.name, info.host, info.port,
                                                                   resolve(info.credentials)))
                self._drivers[info.name] = (info, driver)
                return driver
            return held[1]

    def close_all(self) -> None:
        """Log out of every switch at once: netmiko's graceful exit takes about a second per session, which one
        after another was the largest part of a two-switch batch."""
        with self._lock:
            drivers, self._drivers = self._drivers, {}
        with ThreadPoolExecutor(max_workers=max(1, min(8, len(drivers))), thread_name_prefix="colo-logout") as pool:
            list(pool.map(lambda held: held[1].close(), drivers.values()))


_POOL = _Pool()


@contextmanager
def sessions() -> Iterator[None]:
    """Scope of shared switch sessions: everything inside reuses them; they close at the end."""
    try:
        yield
    finally:
        _POOL.close_all()
