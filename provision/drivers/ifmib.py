"""Port admin and link state from IF-MIB, the vendor-neutral way to see a cable.

Names are mapped to ifIndex by walking ifDescr (and ifName where ifDescr differs),
because ifIndex numbering is the one thing every vendor does differently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from provision.drivers.snmp import SnmpSession, SnmpTarget
from provision.errors import DeviceError

IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_ADMIN = "1.3.6.1.2.1.2.2.1.7"   # up(1) down(2) testing(3)
IF_OPER = "1.3.6.1.2.1.2.2.1.8"    # up(1) down(2) ...
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"


@dataclass(frozen=True)
class LinkState:
    admin_up: bool
    oper_up: bool


def link_states(target: SnmpTarget, interfaces: Sequence[str]) -> dict[str, LinkState]:
    with SnmpSession(target) as snmp:
        index = {str(v): oid.rsplit(".", 1)[1] for oid, v in snmp.walk(IF_DESCR, "walking ifDescr").items()}
        if any(i not in index for i in interfaces):
            index |= {str(v): oid.rsplit(".", 1)[1] for oid, v in snmp.walk(IF_NAME, "walking ifName").items()}
        missing = [i for i in interfaces if i not in index]
        if missing:
            raise DeviceError(target.name, f"IF-MIB has no interface {missing[0]}: check the inventory's port names")
        got = snmp.get([f"{base}.{index[i]}" for i in interfaces for base in (IF_ADMIN, IF_OPER)], "reading link state")
    return {i: LinkState(int(got[f"{IF_ADMIN}.{index[i]}"]) == 1, int(got[f"{IF_OPER}.{index[i]}"]) == 1)
            for i in interfaces}
