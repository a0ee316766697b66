"""Port admin and link state from IF-MIB, the vendor-neutral way to see a cable.

Names are mapped to ifIndex by walking ifDescr (and ifName where ifDescr differs),
because ifIndex numbering is the one thing every vendor does differently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from provision.drivers.snmp import SnmpSession, SnmpTarget, run
from provision.errors import DeviceError

IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_ADMIN = "1.3.6.1.2.1.2.2.1.7"   # up(1) down(2) testing(3)
IF_OPER = "1.3.6.1.2.1.2.2.1.8"    # up(1) down(2) ...
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_IN_ERRORS = "1.3.6.1.2.1.2.2.1.14"
IF_OUT_ERRORS = "1.3.6.1.2.1.2.2.1.20"
IF_HC_IN = "1.3.6.1.2.1.31.1.1.1.6"
IF_HC_OUT = "1.3.6.1.2.1.31.1.1.1.10"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"


@dataclass(frozen=True)
class LinkState:
    admin_up: bool
    oper_up: bool


@dataclass(frozen=True)
class Counters:
    """One port's counters at one moment; the octets are Counter64 and wrap at 2**64."""

    if_index: int
    in_octets: int
    out_octets: int
    in_errors: int
    out_errors: int
    oper_up: bool


async def _index(snmp: SnmpSession, interfaces: Sequence[str]) -> dict[str, str]:
    """Interface name → ifIndex, by ifDescr and, where a vendor names ports differently there, ifName."""
    index = {str(v): oid.rsplit(".", 1)[1] for oid, v in (await snmp.walk_async(IF_DESCR, "walking ifDescr")).items()}
    if any(i not in index for i in interfaces):
        index |= {str(v): oid.rsplit(".", 1)[1]
                  for oid, v in (await snmp.walk_async(IF_NAME, "walking ifName")).items()}
    missing = [i for i in interfaces if i not in index]
    if missing:
        raise DeviceError(snmp.target.name, f"IF-MIB has no interface {missing[0]}: check the inventory's port names")
    return index


async def counters_async(target: SnmpTarget, ports: dict[str, int | None]) -> tuple[int, dict[str, Counters]]:
    """sysUpTime and each port's counters in as few GETs as fit (40 varbinds each).

    `ports` maps interface → the ifIndex seen last time (None: not yet known). The GET
    asks ifDescr too, so an index that moved (a stack member added, a reload) is noticed
    and the interfaces are looked up again instead of reading another port's counters.
    """
    columns = (IF_DESCR, IF_HC_IN, IF_HC_OUT, IF_IN_ERRORS, IF_OUT_ERRORS, IF_OPER)
    with SnmpSession(target) as snmp:
        index = {i: str(n) for i, n in ports.items() if n is not None}
        if len(index) < len(ports):
            index = await _index(snmp, list(ports))
        for attempt in (1, 2):
            got = await snmp.get_async([SYS_UPTIME, *(f"{c}.{index[i]}" for i in ports for c in columns)],
                                       "reading traffic counters")
            if all(str(got[f"{IF_DESCR}.{index[i]}"]) == i for i in ports) or attempt == 2:
                break
            index = await _index(snmp, list(ports))
    out = {}
    for i in ports:
        n = index[i]
        if str(got[f"{IF_DESCR}.{n}"]) != i:
            raise DeviceError(target.name, f"IF-MIB index {n} is no longer {i}: the interfaces moved during the poll")
        out[i] = Counters(int(n), int(got[f"{IF_HC_IN}.{n}"]), int(got[f"{IF_HC_OUT}.{n}"]),
                          int(got[f"{IF_IN_ERRORS}.{n}"]), int(got[f"{IF_OUT_ERRORS}.{n}"]), int(got[f"{IF_OPER}.{n}"]) == 1)
    return int(got[SYS_UPTIME]), out


def link_states(target: SnmpTarget, interfaces: Sequence[str]) -> dict[str, LinkState]:
    with SnmpSession(target) as snmp:
        index = run(_index(snmp, interfaces))
        got = snmp.get([f"{base}.{index[i]}" for i in interfaces for base in (IF_ADMIN, IF_OPER)], "reading link state")
    return {i: LinkState(int(got[f"{IF_ADMIN}.{index[i]}"]) == 1, int(got[f"{IF_OPER}.{index[i]}"]) == 1)
            for i in interfaces}
