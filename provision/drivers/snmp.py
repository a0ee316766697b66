"""SNMP v2c over pysnmp 7's asyncio API, strict about every answer.

An agent can answer a GET or SET with no error status and still not have done it
(a `noSuchInstance` varbind; snmpsim does exactly that for a SET on a read-only
record), so every varbind is checked and anything short of the value asked for is a
`DeviceError`. Callers are synchronous service threads: each thread owns a private
event loop and SNMP dispatcher, reused for all its requests; `run` drives a coroutine on
it, so several agents can be asked at once (gathered) from a plain function.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from provision.errors import DeviceError
from provision.secrets import Secret

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SnmpTarget:
    name: str  # device name, for messages
    host: str
    port: int
    community: Secret
    timeout: float = 1.0
    retries: int = 2


class _Dispatchers:
    """One event loop and SNMP dispatcher per thread, reused for all its requests.

    pysnmp's v1arch dispatcher: SNMPv2c messages built straight from the community,
    no SNMP engine and no local configuration tables. The v3arch engine registered
    each agent's address in its MIB tables (~25 ms a PDU, 3-5 s for a 200-PDU site's
    first poll, bench/pdu_poll.py); v2c needs none of it.
    """

    _local = threading.local()
    _all: list[tuple[asyncio.AbstractEventLoop, Any]] = []
    _guard = threading.Lock()

    @classmethod
    def get(cls) -> tuple[asyncio.AbstractEventLoop, Any]:
        pair = getattr(cls._local, "pair", None)
        if pair is None:
            from pysnmp.hlapi.v1arch.asyncio.dispatch import SnmpDispatcher

            async def dispatcher() -> Any:  # binds to the loop it is built on
                return SnmpDispatcher()

            loop = asyncio.new_event_loop()
            pair = (loop, loop.run_until_complete(dispatcher()))
            cls._local.pair = pair
            with cls._guard:
                cls._all.append(pair)
        return pair

    @classmethod
    def close_all(cls) -> None:
        with cls._guard:
            pairs, cls._all = cls._all, []
        for loop, dispatcher in pairs:
            # Not SnmpDispatcher.close(): it calls each pending request's callback with one argument too
            # few (pysnmp 7.1), so a request a poll's deadline gave up on raised at exit. Closing the
            # transports and the timer ends those requests the same way.
            dispatcher.transport_dispatcher.close_dispatcher()
            loop.run_until_complete(asyncio.sleep(0))  # let the dispatcher's timer task finish cancelling
            loop.close()


atexit.register(_Dispatchers.close_all)


def run(coro: Any) -> Any:
    """Run `coro` to completion on this thread's SNMP loop: how synchronous callers use the async requests."""
    loop, _ = _Dispatchers.get()
    return loop.run_until_complete(coro)


class SnmpSession:
    """GET / SET / walk against one agent; the community stays inside the Secret until the wire.

    Varbinds go out as numeric OIDs and come back unresolved: pysnmp's MIB lookups cost
    ~1 ms of CPU per varbind both ways, 30-40 ms per 24-outlet PDU, more than the round
    trip and the whole cost of a site poll (bench/pdu_poll.py).
    """

    max_varbinds = 40  # per request: keeps a PDU under common agents' size limits

    def __init__(self, target: SnmpTarget) -> None:
        self.target = target
        self._transport: Any = None

    async def _setup(self) -> tuple[Any, Any, Any]:
        from pysnmp.error import PySnmpError
        from pysnmp.hlapi.v1arch.asyncio.auth import CommunityData
        from pysnmp.hlapi.v1arch.asyncio.transport import UdpTransportTarget

        _, dispatcher = _Dispatchers.get()
        if self._transport is None:
            try:
                self._transport = await UdpTransportTarget.create((self.target.host, self.target.port),
                                                                  timeout=self.target.timeout, retries=self.target.retries)
            except PySnmpError as e:  # an unresolvable host is this device's failure, not a crash of the caller
                raise DeviceError(self.target.name, f"{e}; check the device's host in the inventory") from None
        return dispatcher, CommunityData(self.target.community.reveal(), mpModel=1), self._transport

    def close(self) -> None:
        self._transport = None

    def __enter__(self) -> SnmpSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check(self, what: str, result: tuple[Any, Any, Any, Any]) -> list[tuple[str, Any]]:
        indication, status, index, varbinds = result
        if indication:
            raise DeviceError(self.target.name, f"no SNMP answer from {self.target.host}:{self.target.port} within "
                                                f"{self.target.timeout:g}s x{self.target.retries + 1} ({what}); check "
                                                f"the agent and the community") from None
        if status:
            bad = varbinds[int(index) - 1][0] if index and int(index) <= len(varbinds) else "?"
            raise DeviceError(self.target.name, f"{what}: agent answered {status.prettyPrint()} at {bad}")
        out = []
        for oid, value in varbinds:
            if value.__class__.__name__ in ("NoSuchObject", "NoSuchInstance", "EndOfMibView"):
                raise DeviceError(self.target.name, f"{what}: agent has no {oid} ({value.__class__.__name__})")
            out.append((str(oid), value))
        return out

    def get(self, oids: Sequence[str], what: str) -> dict[str, Any]:
        return dict(run(self.get_async(oids, what)))

    async def get_async(self, oids: Sequence[str], what: str) -> dict[str, Any]:
        """`get` as a coroutine on this thread's loop, for callers that ask many agents at once."""
        from pysnmp.hlapi.v1arch.asyncio.cmdgen import get_cmd
        from pysnmp.proto.rfc1902 import Null, ObjectName

        dispatcher, auth, transport = await self._setup()
        out: dict[str, Any] = {}
        started = time.monotonic()
        for i in range(0, len(oids), self.max_varbinds):
            chunk = [(ObjectName(o), Null()) for o in oids[i:i + self.max_varbinds]]
            out.update(self._check(what, await get_cmd(dispatcher, auth, transport, *chunk)))
        self._said("GET", what, started, out)
        return out

    def _said(self, verb: str, what: str, started: float, varbinds: dict[str, Any]) -> None:
        """Log one SNMP exchange (-v: what and how long; -vv: every varbind); the community is never logged."""
        t = self.target
        log.info("%s: SNMP %s %d varbind(s) at %s:%d (%s) %.3fs", t.name, verb, len(varbinds), t.host, t.port, what,
                 time.monotonic() - started)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s: %s", t.name, "; ".join(f"{oid} = {value.prettyPrint()}" for oid, value in varbinds.items()))

    def set(self, values: Sequence[tuple[str, Any]], what: str) -> None:
        from pysnmp.hlapi.v1arch.asyncio.cmdgen import set_cmd
        from pysnmp.proto.rfc1902 import ObjectName

        async def request() -> None:
            dispatcher, auth, transport = await self._setup()
            started = time.monotonic()
            result = await set_cmd(dispatcher, auth, transport, *((ObjectName(o), v) for o, v in values))
            answered = dict(self._check(what, result))
            self._said("SET", what, started, answered)
            for oid, value in values:
                if oid not in answered or answered[oid] != value:
                    raise DeviceError(self.target.name, f"{what}: agent did not take {oid} = {value}")

        run(request())

    def walk(self, base: str, what: str) -> dict[str, Any]:
        return dict(run(self.walk_async(base, what)))

    async def walk_async(self, base: str, what: str) -> dict[str, Any]:
        """Every OID under `base`, by GETBULK; stops at the end of the subtree."""
        from pysnmp.hlapi.v1arch.asyncio.cmdgen import bulk_cmd
        from pysnmp.proto.rfc1902 import Null, ObjectName

        dispatcher, auth, transport = await self._setup()
        out: dict[str, Any] = {}
        current = base
        started = time.monotonic()
        while True:
            indication, status, index, rows = await bulk_cmd(dispatcher, auth, transport, 0, 25,
                                                             (ObjectName(current), Null()))
            if indication or status:
                self._check(what, (indication, status, index, rows))
            done = False
            for oid, value in rows:
                text = str(oid)
                if not text.startswith(base + ".") or value.__class__.__name__ == "EndOfMibView":
                    done = True
                    break
                out[text] = value
                current = text
            if done or not rows:
                self._said(f"walk {base}", what, started, out)
                return out
