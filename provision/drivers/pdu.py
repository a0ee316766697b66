"""Switched rack PDUs over SNMP: outlet state, outlet switching with read-back, load.

One mechanism, two vocabularies. Sources (object → OID, encoding):

APC PowerNet-MIB, rPDU2 (Switched/Metered-by-outlet Rack PDU, AP8xxx):
- rPDU2OutletSwitchedStatusState  .1.3.6.1.4.1.318.1.1.26.9.2.3.1.5.N   off(1) on(2)
- rPDU2OutletSwitchedControlCommand .1.3.6.1.4.1.318.1.1.26.9.2.4.1.5.N immediateOn(1) immediateOff(2) reboot(3)
  (the older rPDUOutletStatusOutletState .12.3.5.1.1.4.N has them reversed: not used)
- rPDU2OutletMeteredStatusPower   .1.3.6.1.4.1.318.1.1.26.9.4.3.1.7.N   W (metered-by-outlet models)
- rPDU2DeviceStatusPower          .1.3.6.1.4.1.318.1.1.26.4.3.1.5.1     hundredths of kW
Raritan PDU2-MIB (PX2/PX3), pdu id 1:
- outletSwitchingState   .1.3.6.1.4.1.13742.6.4.1.2.1.3.1.N  on(7) off(8)
- switchingOperation     .1.3.6.1.4.1.13742.6.4.1.2.1.2.1.N  off(0) on(1) cycle(2)
- measurementsOutletSensorValue .1.3.6.1.4.1.13742.6.5.4.3.1.4.1.N.5   activePower(5), W
- measurementsInletSensorValue  .1.3.6.1.4.1.13742.6.5.2.3.1.4.1.1.5   inlet 1 activePower, W
Confirmed from public driver code (NUT, xCAT, netmiko-era PDU tools) and the issue
notes; the metered-outlet column numbers are as PowerNet-MIB 4.x lists them and are
exercised here only against the lab.

`poll_outlet_states` reads many PDUs at once for the monitor (issue 7).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import ClassVar

from pysnmp.proto.rfc1902 import Integer32

from provision.drivers.snmp import SnmpSession, SnmpTarget, run
from provision.errors import DeviceError


class PduDriver:
    platform: ClassVar[str]
    state_oid: ClassVar[str]     # + .N
    control_oid: ClassVar[str]   # + .N
    power_oid: ClassVar[str]     # + .N (+ suffix)
    power_suffix: ClassVar[str] = ""
    total_oid: ClassVar[str]
    total_scale: ClassVar[float] = 1.0  # device unit → W
    read_on: ClassVar[int]
    read_off: ClassVar[int]
    write_on: ClassVar[int]
    write_off: ClassVar[int]

    def __init__(self, target: SnmpTarget) -> None:
        self.target = target

    def _session(self) -> SnmpSession:
        return SnmpSession(self.target)

    def _decode(self, n: int, value: object) -> bool:
        try:
            raw = int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError):  # e.g. an OctetString where the MIB says INTEGER
            raise DeviceError(self.target.name, f"outlet {n} reports {value!r}, not an outlet state") from None
        if raw == self.read_on:
            return True
        if raw == self.read_off:
            return False
        raise DeviceError(self.target.name, f"outlet {n} reports state {raw}, neither on nor off (fault or cycling?)")

    async def _states(self, snmp: SnmpSession, outlets: Sequence[int], what: str) -> dict[int, bool]:
        got = await snmp.get_async([f"{self.state_oid}.{n}" for n in outlets], what)
        return {n: self._decode(n, got[f"{self.state_oid}.{n}"]) for n in outlets}

    def outlet_states(self, outlets: Sequence[int]) -> dict[int, bool]:
        with self._session() as snmp:
            return dict(run(self._states(snmp, outlets, "reading outlet states")))

    def set_outlets(self, wanted: Mapping[int, bool]) -> None:
        """Switch outlets, then read every one back: a PDU that accepts a SET may still not switch."""
        if not wanted:
            return
        with self._session() as snmp:
            snmp.set([(f"{self.control_oid}.{n}", Integer32(self.write_on if on else self.write_off))
                      for n, on in sorted(wanted.items())], "switching outlets")
            now = run(self._states(snmp, sorted(wanted), "reading outlets back"))
        wrong = [n for n, on in sorted(wanted.items()) if now[n] != on]
        if wrong:
            states = ", ".join(f"outlet {n} {'off' if wanted[n] else 'on'} (wanted {'on' if wanted[n] else 'off'})"
                               for n in wrong)
            raise DeviceError(self.target.name, f"did not switch: read back {states}")

    def outlet_power_w(self, outlets: Sequence[int]) -> dict[int, float]:
        with self._session() as snmp:
            got = snmp.get([f"{self.power_oid}.{n}{self.power_suffix}" for n in outlets], "reading outlet power")
        return {n: float(int(got[f"{self.power_oid}.{n}{self.power_suffix}"])) for n in outlets}

    def total_power_w(self) -> float:
        with self._session() as snmp:
            got = snmp.get([self.total_oid], "reading total power")
        return float(int(got[self.total_oid])) * self.total_scale


class ApcRpdu2(PduDriver):
    platform = "apc_rpdu2"
    state_oid = "1.3.6.1.4.1.318.1.1.26.9.2.3.1.5"
    control_oid = "1.3.6.1.4.1.318.1.1.26.9.2.4.1.5"
    power_oid = "1.3.6.1.4.1.318.1.1.26.9.4.3.1.7"
    total_oid = "1.3.6.1.4.1.318.1.1.26.4.3.1.5.1"
    total_scale = 10.0  # hundredths of kW
    read_on, read_off, write_on, write_off = 2, 1, 1, 2


class RaritanPx2(PduDriver):
    platform = "raritan_px2"
    state_oid = "1.3.6.1.4.1.13742.6.4.1.2.1.3.1"
    control_oid = "1.3.6.1.4.1.13742.6.4.1.2.1.2.1"
    power_oid = "1.3.6.1.4.1.13742.6.5.4.3.1.4.1"
    power_suffix = ".5"
    total_oid = "1.3.6.1.4.1.13742.6.5.2.3.1.4.1.1.5"
    read_on, read_off, write_on, write_off = 7, 8, 1, 0


PLATFORMS: dict[str, type[PduDriver]] = {d.platform: d for d in (ApcRpdu2, RaritanPx2)}


def pdu_driver(platform: str, target: SnmpTarget) -> PduDriver:
    try:
        return PLATFORMS[platform](target)
    except KeyError:
        raise ValueError(f"no PDU driver for platform {platform!r}; known: {', '.join(PLATFORMS)}") from None


# PDUs asked at a time. With all 200 of the benchmark at once, answers queued past the
# targets' 1 s timeout (retransmissions piling on) and some were lost from the dispatcher's
# one UDP socket; 8-32 at a time gave the shortest polls (bench/pdu_poll.py).
POLL_IN_FLIGHT = 32


def poll_outlet_states(requests: Sequence[tuple[PduDriver, Sequence[int]]],
                       timeout: float | None = None) -> dict[str, dict[int, bool] | DeviceError]:
    """Outlet states of many PDUs at once, keyed by PDU name; a PDU that fails is reported, not raised.

    The monitor reads every PDU each tick: asked one after another, a site's PDUs cost
    the sum of their round trips, and one dead PDU (timeout x tries) would stall the
    tick. So the PDUs are asked concurrently (`POLL_IN_FLIGHT` at a time), on this
    thread's single SNMP loop and dispatcher, each in as few GETs as
    `SnmpSession.max_varbinds` allows. A PDU that does
    not answer, answers an error or a value that is no outlet state, or has not
    finished `timeout` seconds after the poll started (None: only its own target's
    timeout and retries bound it), gets its `DeviceError` as its value, and the other
    PDUs' states still arrive. Callable from plain functions, not from a running loop.
    """
    names = [driver.target.name for driver, _ in requests]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"PDU {', '.join(twice)} asked more than once; the result has one entry per PDU: "
                         f"merge its outlets into one request")

    async def one(driver: PduDriver, outlets: Sequence[int], slots: asyncio.Semaphore,
                  deadline: float | None) -> dict[int, bool] | DeviceError:
        with driver._session() as snmp:
            try:
                async with asyncio.timeout_at(deadline), slots:
                    return await driver._states(snmp, outlets, "polling outlet states")
            except DeviceError as e:
                return e
            except TimeoutError:
                return DeviceError(driver.target.name, f"polling outlet states: no complete answer within the "
                                                       f"poll's {timeout:g}s; check the PDU's network and load")

    async def everyone() -> list[dict[int, bool] | DeviceError]:
        slots = asyncio.Semaphore(POLL_IN_FLIGHT)
        deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
        return await asyncio.gather(*(one(driver, outlets, slots, deadline) for driver, outlets in requests))

    return dict(zip(names, run(everyone()), strict=True))
