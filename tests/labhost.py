"""A customer's server for monitoring tests: a network namespace of its own, reached over a veth pair.

Loopback cannot stand in for a server that goes down — every 127/8 address always
answers — so the server gets its contract's address inside a namespace, with a /32
route to it from this one. Nothing leaves the machine: the veth pair has no other end.
Tests that route addresses take a machine-wide lock, so parallel workers never route
the same address twice.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

LOCK = Path("/tmp/colo-test-labhost.lock")


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def skip_unless_netns() -> None:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("network namespaces need root and iproute2's `ip` (Debian iproute2)")


@dataclass
class LabHost:
    netns: str
    address: str
    link: str  # the server's end of the veth pair, inside the namespace
    peer: str  # this namespace's end

    def down(self) -> None:
        """The server drops off the network (its link goes down), as a failed NIC or a pulled cable would."""
        ip("-n", self.netns, "link", "set", self.link, "down")

    def up(self) -> None:
        ip("-n", self.netns, "link", "set", self.link, "up")
        ip("-n", self.netns, "route", "replace", "default", "dev", self.link)
        # ARP gave up on the server while it was down; a real one announces itself when it returns
        ip("neigh", "flush", "dev", self.peer)


@contextmanager
def nothing_routed() -> Iterator[None]:
    """No lab host is up meanwhile, on any worker: for a test whose contract's address must stay unanswered
    (every worker's first contract gets the same address from the example pool)."""
    with LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@contextmanager
def lab_host(address: str, tag: str) -> Iterator[LabHost]:
    skip_unless_netns()
    name = f"colo-{tag}-{os.getpid()}"[:15]
    host_side, server_side = f"vh{os.getpid()}"[:15], f"vs{os.getpid()}"[:15]
    with nothing_routed():
        subprocess.run(["ip", "netns", "del", name], capture_output=True)  # a leftover of a killed run
        ip("netns", "add", name)
        try:
            ip("link", "add", host_side, "type", "veth", "peer", "name", server_side)
            ip("link", "set", server_side, "netns", name)
            ip("link", "set", host_side, "up")
            ip("-n", name, "link", "set", "lo", "up")
            ip("-n", name, "addr", "add", f"{address}/32", "dev", server_side)
            host = LabHost(name, address, server_side, host_side)
            host.up()
            ip("route", "replace", f"{address}/32", "dev", host_side)
            yield host
        finally:
            subprocess.run(["ip", "link", "del", host_side], capture_output=True)  # takes the route with it
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
