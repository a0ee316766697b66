"""ICMP echo to many addresses from one socket, the way fping does it.

One socket per round, not one per address: requests go out in small bursts with the
replies drained between bursts, so 10,000 addresses cost 10,000 `sendto`s and a
socket buffer that never overflows. Replies are matched by sequence number and a
per-round token in the payload, never by address alone (a late reply from the
previous round must not count).

Two kinds of socket. Unprivileged (`SOCK_DGRAM`, "ping sockets") needs no root but
only works when the process's group is inside the kernel's
`net.ipv4.ping_group_range` — Debian ships `1 0`, which allows nobody. Privileged
(`SOCK_RAW`) needs root or CAP_NET_RAW. `open_pinger("auto")` tries unprivileged
first and says why it fell back. A raw socket would see every ICMP packet on the host
(another pinger's thousands included, filling its queue); the kernel's socket filter
lets through only echo replies carrying this pinger's identifier, as a ping socket's
own demultiplexing does.
"""

from __future__ import annotations

import ctypes
import errno
import os
import select
import socket
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass

from provision.errors import BadInput

ECHO_REQUEST, ECHO_REPLY = 8, 0
BURST = 64  # requests between two drains of the receive queue
RANGE_SYSCTL = "/proc/sys/net/ipv4/ping_group_range"
WIDEN = "sysctl -w net.ipv4.ping_group_range='0 2147483647'"
SO_ATTACH_FILTER = 26  # Linux; Python's socket module does not name it


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def _echo(ident: int, seq: int, payload: bytes) -> bytes:
    header = struct.pack("!BBHHH", ECHO_REQUEST, 0, 0, ident, seq)
    return struct.pack("!BBHHH", ECHO_REQUEST, 0, _checksum(header + payload), ident, seq) + payload


def ping_group_range() -> str:
    try:
        with open(RANGE_SYSCTL, encoding="ascii") as f:
            return " ".join(f.read().split())
    except OSError:
        return "unknown"


def _replies_to(ident: int) -> bytes:
    """A classic BPF program for a raw ICMP socket: keep echo replies with identifier `ident`, drop the rest."""
    program = [
        (0xB1, 0, 0, 0),          # ldxb 4*([0]&0xf)   X = IP header length
        (0x50, 0, 0, 0),          # ldb [x+0]          ICMP type
        (0x15, 0, 3, ECHO_REPLY),  # jeq #0, else drop
        (0x48, 0, 0, 4),          # ldh [x+4]          ICMP identifier
        (0x15, 0, 1, ident),      # jeq #ident, else drop
        (0x06, 0, 0, 0xFFFF),     # ret: keep the packet
        (0x06, 0, 0, 0),          # ret: drop
    ]
    return b"".join(struct.pack("HBBI", *insn) for insn in program)


@dataclass
class Pinger:
    """An open ICMP socket and how it was opened (`mode`), with the reason for a fallback (`note`).

    `ident` is the identifier of every request it sends (a ping socket's kernel puts its
    own in); replies are told apart by sequence number and a per-attempt token.
    """

    sock: socket.socket
    mode: str  # unprivileged | privileged
    note: str = ""
    ident: int = 0

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Pinger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def round(self, addresses: Sequence[str], timeout: float = 1.0, attempts: int = 2) -> dict[str, float | None]:
        """Round-trip seconds per address, None for no reply to any of `attempts` requests.

        Addresses must be IPv4 literals; duplicates are pinged once.
        """
        if not 1 <= attempts <= 10:
            raise BadInput(f"attempts {attempts}: give 1-10")
        unique = list(dict.fromkeys(addresses))
        rtt: dict[str, float | None] = dict.fromkeys(unique)
        for block in range(0, len(unique), 65536):  # sequence numbers are 16 bits
            part = unique[block:block + 65536]
            pending = list(range(len(part)))
            for _ in range(attempts):
                if not pending:
                    break
                got = self._attempt(part, pending, timeout)
                for i, seconds in got.items():
                    rtt[part[i]] = seconds
                pending = [i for i in pending if i not in got]
        return rtt

    def _attempt(self, part: Sequence[str], pending: Sequence[int], timeout: float) -> dict[int, float]:
        token = os.urandom(8)
        self._discard()
        sent: dict[int, float] = {}
        got: dict[int, float] = {}
        for n, i in enumerate(pending, 1):
            try:
                self.sock.sendto(_echo(self.ident, i, token), (part[i], 0))
            except OSError as exc:
                if exc.errno in (errno.EINVAL, errno.EAFNOSUPPORT) or isinstance(exc, socket.gaierror):
                    raise BadInput(f"address {part[i]!r} is not an IPv4 address") from None
                continue  # unreachable network etc.: counts as no reply
            sent[i] = time.monotonic()
            if n % BURST == 0:
                self._drain(token, sent, got, 0.0)
        deadline = time.monotonic() + timeout
        while len(got) < len(sent):
            left = deadline - time.monotonic()
            self._drain(token, sent, got, max(left, 0.0))
            if left <= 0:  # one last look: replies queued while this process was not scheduled still count
                break
        return got

    def _discard(self) -> None:
        """Empty the queue before an attempt: late replies to the last one only cost reading later."""
        while True:
            try:
                self.sock.recv(2048)
            except BlockingIOError:
                return

    def _drain(self, token: bytes, sent: dict[int, float], got: dict[int, float], wait: float) -> None:
        """Read every reply already queued; wait up to `wait` seconds for the first one."""
        ready, _, _ = select.select([self.sock], [], [], wait)
        if not ready:
            return
        while True:
            try:
                packet = self.sock.recv(2048)
            except BlockingIOError:
                return
            now = time.monotonic()
            if self.mode == "privileged":
                packet = packet[(packet[0] & 0x0F) * 4:]  # raw sockets see the IP header
            if len(packet) < 16:
                continue
            kind, _, _, _, seq = struct.unpack("!BBHHH", packet[:8])
            if kind != ECHO_REPLY or packet[8:16] != token or seq not in sent or seq in got:
                continue
            got[seq] = now - sent[seq]


def _socket(kind: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, kind, socket.IPPROTO_ICMP)
    sock.setblocking(False)
    for option in (getattr(socket, "SO_RCVBUFFORCE", None), socket.SO_RCVBUF):
        if option is None:
            continue
        try:
            sock.setsockopt(socket.SOL_SOCKET, option, 4 << 20)
            break
        except OSError:
            continue
    return sock


def open_pinger(mode: str = "auto") -> Pinger:
    """An ICMP socket: `unprivileged`, `privileged`, or `auto` (unprivileged, else privileged with a note)."""
    if mode not in ("auto", "unprivileged", "privileged"):
        raise BadInput(f"--icmp {mode!r}: give auto, unprivileged or privileged")
    refused = ""
    if mode in ("auto", "unprivileged"):
        try:
            return Pinger(_socket(socket.SOCK_DGRAM), "unprivileged")
        except PermissionError:
            refused = (f"unprivileged ICMP is off here (net.ipv4.ping_group_range is '{ping_group_range()}', "
                       f"group {os.getgid()} is outside it)")
            if mode == "unprivileged":
                raise BadInput(f"--icmp unprivileged: {refused}; run `{WIDEN}` (or add it to /etc/sysctl.d/) "
                               "or use --icmp privileged as root") from None
    try:
        sock = _socket(socket.SOCK_RAW)
    except PermissionError:
        why = f"{refused}, and " if refused else ""
        raise BadInput(f"--icmp {mode}: {why}this process may not open a raw ICMP socket; run `{WIDEN}` "
                       "or give the monitor CAP_NET_RAW") from None
    ident = int.from_bytes(os.urandom(2), "big")
    code = _replies_to(ident)
    program = ctypes.create_string_buffer(code, len(code))  # the kernel copies it: it may go after this call
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, struct.pack("HP", len(code) // 8, ctypes.addressof(program)))
    return Pinger(sock, "privileged", f"{refused}; using a raw socket instead" if refused else "", ident)
