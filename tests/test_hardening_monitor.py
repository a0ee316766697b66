"""The monitor under a hostile tester: webhook keys in the URL's user part, and SIGTERM mid-round.

Webhooks go to a real HTTP server on 127.0.0.1 that records what arrived on the wire;
`colo monitor run` is a real process stopped with a real SIGTERM while its round waits on a
service that accepts the connection and never answers.
"""

from __future__ import annotations

import base64
import http.server
import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from provision.api import Colo
from provision.monitor.notify import post_webhook
from tests.conftest import EXAMPLE, Lab, order
from tests.lab_contracts import active_contract
from tests.labhost import lab_host

COLO = str(Path(sys.executable).with_name("colo"))


class _Gateway(http.server.BaseHTTPRequestHandler):
    """An SMS gateway: records the request line, Host and Authorization, answers 200."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.server.heard.append((self.requestline, self.headers["Host"],  # type: ignore[attr-defined]
                                  self.headers["Authorization"]))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def gateway() -> Iterator[Any]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    server.heard = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _basic(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


def test_a_webhook_key_in_the_user_part_goes_as_basic_auth_to_the_bare_host() -> None:
    with gateway() as gw:
        port = gw.server_port
        post_webhook(f"http://sms:K%40y%3A1@127.0.0.1:{port}/send?to=1", {"event": "emergency"})
        post_webhook(f"http://ONLYKEY@127.0.0.1:{port}/send", {"event": "emergency"})
        post_webhook(f"http://127.0.0.1:{port}/plain", {"event": "emergency"})
    assert gw.heard == [("POST /send?to=1 HTTP/1.1", f"127.0.0.1:{port}", _basic("sms:K@y:1")),
                        ("POST /send HTTP/1.1", f"127.0.0.1:{port}", _basic("ONLYKEY:")),
                        ("POST /plain HTTP/1.1", f"127.0.0.1:{port}", None)]


def test_an_emergency_with_such_a_webhook_is_notified_and_the_key_shown_nowhere(tmp_path: Path) -> None:
    from provision.services.context import Context
    from provision.services.monitoring.rounds import notify_pending

    db = str(tmp_path / "colo.db")
    Colo(db=db).init(str(EXAMPLE))
    api = Colo(db=db, at="2026-11-24T10:00")
    cid = api.sign(order())["id"]
    key = "S3cr3tGatewayKey"
    with gateway() as gw:
        url = f"http://acme:{key}@127.0.0.1:{gw.server_port}/sms"
        shown = [json.dumps(api.set_contact(cid, "webhook", url))]
        emergency = Colo(db=db, at="2026-12-03T10:05").record_emergency(cid, "2026-12-03T10:05", channel="webhook")
        sent = notify_pending(Context.open(db, "2026-12-03T10:06", "monitor"), None)
    assert [(n["sent"], n["error"]) for n in sent] == [(True, None)], emergency
    assert gw.heard == [("POST /sms HTTP/1.1", f"127.0.0.1:{gw.server_port}", _basic(f"acme:{key}"))]
    assert Colo(db=db).incidents()[0]["notified_at"] == "2026-12-03T10:06:00+08:00"
    shown += [json.dumps(sent), json.dumps(Colo(db=db).incidents()), json.dumps(Colo(db=db).audit())]
    assert [text for text in shown if key in text] == []


# --- SIGTERM ----------------------------------------------------------------------------------------------


SILENT = """
import socket, sys
server = socket.create_server((sys.argv[1], 0))
print(server.getsockname()[1], flush=True)
held = []
while True:
    held.append(server.accept()[0])
    print("accepted", flush=True)
"""


@contextmanager
def silent_service(netns: str, address: str) -> Iterator[tuple[int, threading.Event]]:
    """A TCP service on the customer's server that accepts and never says a word: a www check
    of it waits out its timeout."""
    listener = subprocess.Popen(["ip", "netns", "exec", netns, sys.executable, "-c", SILENT, address],
                                stdout=subprocess.PIPE, text=True)
    accepted = threading.Event()

    def hear(lines: Iterator[str]) -> None:
        for _ in lines:
            accepted.set()

    try:
        assert listener.stdout is not None
        port = int(listener.stdout.readline())
        threading.Thread(target=hear, args=(listener.stdout,), daemon=True).start()
        yield port, accepted
    finally:
        listener.kill()
        listener.wait()


def _rounds(db: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("select count(*) from monitor_rounds").fetchone()[0])


def _monitor(db: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([COLO, "--db", db, "monitor", "run", "--period", "300", "--json", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sigterm_mid_round_records_the_round_then_exits_0(lab: Lab, lab_db: str) -> None:
    cid, _ = active_contract(lab_db)
    address = Colo(db=lab_db).contract(cid)["placements"][0]["addresses"][0]["ip"]
    check_timeout = 4.0
    with lab_host(address, "sigterm") as server, silent_service(server.netns, address) as (port, accepted):
        Colo(db=lab_db).watch_service(cid, "www", f"http://{address}:{port}/")
        monitor = _monitor(lab_db, "--ping-timeout", "0.5", "--check-timeout", str(check_timeout))
        try:
            assert accepted.wait(60), "the round reached its www check"
            monitor.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            out, err = monitor.communicate(timeout=60)
        finally:
            monitor.kill()
        took = time.monotonic() - signalled
    assert monitor.returncode == 0, err
    assert check_timeout - 1 < took < check_timeout + 10, f"exited {took:.1f}s after SIGTERM"
    assert "SIGTERM: stopped after recording the round in progress" in err
    result = json.loads(out)
    assert result["watched"] == 3 and [f["check"] for f in result["failing"]] == ["www"]
    assert _rounds(lab_db) == 1
    with sqlite3.connect(lab_db) as conn:
        watches = dict(conn.execute("select \"check\", failures from monitor_watches").fetchall())
    assert watches == {"network": 0, "power": 0, "www": 1}, "the round's observations are stored"


def test_sigterm_between_rounds_ends_the_wait_at_once(tmp_path: Path) -> None:
    db = str(tmp_path / "colo.db")
    Colo(db=db).init(str(EXAMPLE))
    monitor = _monitor(db)
    try:
        deadline = time.monotonic() + 60
        while _rounds(db) == 0 and monitor.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _rounds(db) == 1, "no round in 60 s" if monitor.poll() is None else monitor.communicate()[1]
        time.sleep(0.5)  # well into the 300 s wait
        monitor.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        out, err = monitor.communicate(timeout=30)
    finally:
        monitor.kill()
    assert monitor.returncode == 0 and time.monotonic() - signalled < 3, err
    assert json.loads(out)["watched"] == 0 and "SIGTERM" in err


def test_the_signal_stop_gives_back_what_it_replaced() -> None:
    from provision.services.monitoring.rounds import SignalStop

    before = signal.getsignal(signal.SIGUSR1)
    before_fd = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(before_fd)
    with SignalStop(signal.SIGUSR1) as stop:
        assert not stop.wait(0.05)
        threading.Timer(0.2, lambda: signal.raise_signal(signal.SIGUSR1)).start()
        started = time.monotonic()
        assert stop.wait(30) and time.monotonic() - started < 5
    assert signal.getsignal(signal.SIGUSR1) is before
    assert signal.set_wakeup_fd(before_fd) == before_fd, "no wakeup fd left pointing at a closed socket"
