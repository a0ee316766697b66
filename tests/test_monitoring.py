"""Monitoring: probe rounds over real ICMP, SNMP, HTTP, SMTP and FTP; emergencies; notifications; the SLA.

Servers are network namespaces (tests/labhost.py) that really stop answering; PDUs are
the lab's SNMP agents; mail goes to a real SMTP server (aiosmtpd) and webhooks to a
real HTTP receiver, both on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from provision.api import Colo, ServerRecord
from provision.domain.monitoring import Feed, Step, Watch, has_power, reaches_network, step
from provision.lab.snmpagent import agent_paused
from provision.monitor.services import ServiceCheck, parse_check, run_checks
from tests.conftest import ROOT, Lab, free_port
from tests.lab_contracts import sign_on
from tests.lab_mail import http_server, smtp_server
from tests.labhost import lab_host, skip_unless_netns

T0 = datetime.fromisoformat("2026-12-01T10:00+08:00")


# --- the rules -------------------------------------------------------------------------------------------


def test_two_failed_rounds_declare_and_a_good_round_ends_it() -> None:
    w, what = step(Watch(), False, T0)
    assert what is Step.NONE and w.failures == 1 and w.first_failed_at == T0
    w, what = step(w, None, T0 + timedelta(minutes=5))  # the round could not tell: nothing changes
    assert what is Step.NONE and w.failures == 1
    w, what = step(w, False, T0 + timedelta(minutes=10))
    assert what is Step.DECLARE and w.declared and w.first_failed_at == T0
    w, what = step(w, False, T0 + timedelta(minutes=15))
    assert what is Step.NONE  # declared once, not every round
    w, what = step(w, True, T0 + timedelta(minutes=20))
    assert what is Step.RECOVER and w == Watch()
    assert step(Watch(failures=1, first_failed_at=T0), True, T0)[1] is Step.NONE  # one bad round is no emergency


@pytest.mark.parametrize(("feeds", "site_answered", "expected"), [
    ([Feed("mains", True)], True, True),
    ([Feed("mains", False)], True, False),
    ([Feed("mains", False), Feed("ups", True)], True, True),      # UPS carries the load: no power outage
    ([Feed("mains", False), Feed("ups", False)], True, False),    # mains AND UPS: outage
    ([Feed("mains", None), Feed("ups", False)], True, False),     # a PDU silent while others answer: no power
    ([Feed("mains", None), Feed("ups", None)], False, None),      # nothing answers: the monitor is cut off
    ([Feed("mains", None), Feed("ups", True)], False, True),
    ([], True, None),
])
def test_power_is_lost_only_when_mains_and_ups_both_are(feeds: list[Feed], site_answered: bool,
                                                        expected: bool | None) -> None:
    assert has_power(feeds, site_answered) is expected


@pytest.mark.parametrize("feeds", [
    [Feed("mains", None), Feed("ups", None)],    # both PDUs silent: a management fault, not a power cut
    [Feed("mains", False), Feed("ups", False)],  # both read off: the store's outlet mapping is wrong
])
def test_a_server_answering_ping_has_power(feeds: list[Feed]) -> None:
    assert has_power(feeds, site_answered=True, server_answers=True) is True
    assert has_power(feeds, site_answered=True, server_answers=False) is False


@pytest.mark.parametrize(("answers", "powered", "expected"), [
    (True, True, True),
    (False, True, False),   # powered and silent: the network (or the server) is down
    (False, False, None),   # no power: the power outage holds that time; the port is not judged
    (True, False, True),    # cannot happen once power has seen the ping; the reply decides
])
def test_a_server_without_power_says_nothing_of_its_network(answers: bool, powered: bool,
                                                             expected: bool | None) -> None:
    assert reaches_network(answers, powered) is expected


# --- ICMP ------------------------------------------------------------------------------------------------


def _in_netns(netns: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", "netns", "exec", netns, *argv], capture_output=True, text=True, timeout=60)


def test_unprivileged_icmp_in_a_namespace_with_the_range_widened() -> None:
    """Debian's `1 0` refuses ping sockets; widened in a namespace of our own, the unprivileged path works."""
    skip_unless_netns()
    colo = str(Path(sys.executable).with_name("colo"))
    name = "colo-icmp-test"
    subprocess.run(["ip", "netns", "del", name], capture_output=True)
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        _in_netns(name, "sysctl", "-qw", "net.ipv4.ping_group_range=1 0")
        refused = _in_netns(name, colo, "monitor", "ping", "127.0.0.1", "--icmp", "unprivileged")
        assert refused.returncode == 2 and refused.stdout == ""
        assert "net.ipv4.ping_group_range is '1 0'" in refused.stderr
        assert "sysctl -w net.ipv4.ping_group_range='0 2147483647'" in refused.stderr
        fallback = json.loads(_in_netns(name, colo, "monitor", "ping", "127.0.0.1", "--json").stdout)
        assert fallback["icmp"] == "privileged" and "unprivileged ICMP is off" in fallback["note"]
        assert fallback["replies"]["127.0.0.1"] is not None

        _in_netns(name, "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
        done = _in_netns(name, colo, "monitor", "ping", "127.0.0.1", "127.0.0.9", "--icmp", "unprivileged", "--json")
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["icmp"] == "unprivileged" and result["note"] == ""
        assert all(ms is not None for ms in result["replies"].values())
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


def test_silent_addresses_and_bad_ones(colo) -> None:  # type: ignore[no-untyped-def]
    with lab_host("198.51.100.250", "silent") as host:
        host.down()
        r = colo("monitor", "ping", "127.0.0.1", "198.51.100.250", "--timeout", "0.2", "--attempts", "1", "--json")
    assert r.code == 1
    replies = json.loads(r.out)["replies"]
    assert replies["127.0.0.1"] is not None and replies["198.51.100.250"] is None
    bad = colo("monitor", "ping", "127.0.0.1; reboot")
    assert bad.code == 2 and "'127.0.0.1; reboot' is not an IPv4 address" in bad.err


# --- service checks --------------------------------------------------------------------------------------


@contextmanager
def www_on(host: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A web server on the customer's server itself (its namespace, its address, port 80): the only host a
    www check may name."""
    import socket

    www = subprocess.Popen(["ip", "netns", "exec", host.netns, sys.executable, "-m", "http.server", "80", "--bind",
                            host.address], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:  # the port answers once the server is up (a TCP connect: no HTTP proxy in the way)
            try:
                socket.create_connection((host.address, 80), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and www.poll() is None, "the web server did not come up"
                time.sleep(0.05)
        yield www
    finally:
        www.terminate()
        www.wait()


@contextmanager
def ftp_server() -> Iterator[int]:
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer

    handler = type("Handler", (FTPHandler,), {"authorizer": DummyAuthorizer()})
    server = FTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.1, "blocking": True}, daemon=True)
    thread.start()
    try:
        yield server.socket.getsockname()[1]
    finally:
        server.close_all()


def test_service_checks_against_real_servers() -> None:
    with http_server(200) as ok, http_server(503) as broken, smtp_server() as (mail, _), ftp_server() as ftp:
        closed = free_port(1)
        checks = [ServiceCheck("www", f"http://127.0.0.1:{ok.server_port}/"),
                  ServiceCheck("www", f"http://127.0.0.1:{broken.server_port}/status"),
                  ServiceCheck("email", f"127.0.0.1:{mail.port}"),
                  ServiceCheck("ftp", f"127.0.0.1:{ftp}"),
                  ServiceCheck("www", f"http://127.0.0.1:{closed}/"),
                  ServiceCheck("email", f"127.0.0.1:{ftp}"),  # an FTP server greets 220 too: fine for "answers"
                  ServiceCheck("www", f"http://127.0.0.1:{mail.port}/")]  # SMTP is not HTTP
        results = run_checks(checks, timeout=2.0)
    assert results[:4] == [None, "HTTP 503", None, None]
    assert results[4] is not None and "refused" in results[4].lower()
    assert results[5] is None
    assert results[6] is not None and results[6].startswith("not an HTTP answer")


@pytest.mark.parametrize(("kind", "target", "message"), [
    ("www", "ftp://x/", "give an http:// or https:// URL"),
    ("www", "http://a b/", "give an http:// or https:// URL"),
    ("www", "http://host:99999/", "the port is not a number"),
    ("email", "mail.example.com:0", "give host or host:port"),
    ("ftp", "host;rm -rf /", "give host or host:port"),
    ("gopher", "x", "check kind 'gopher'"),
])
def test_bad_checks_are_refused_by_name(kind: str, target: str, message: str) -> None:
    from provision.errors import BadInput

    with pytest.raises(BadInput, match=message):
        parse_check(kind, target)


# --- the end-to-end: lab server, two rounds, emergency, email, SLA -----------------------------------------


def _active(db: str, name: str = "ACME Hosting") -> tuple[str, str]:
    """Sign, provision and activate a one-server contract on the lab; returns (contract, address)."""
    contract = sign_on(db, "cisco_ios", name=name)
    cid = contract["id"]
    Colo(db=db, at="2026-11-25T09:00").provision([cid])
    Colo(db=db, at="2026-11-25T10:00").record_server(cid, 1, ServerRecord(serial=f"SN-{cid}", mac="001122334455"))
    Colo(db=db, at="2026-11-26T09:00").activate(cid)
    return cid, contract["placements"][0]["addresses"][0]["ip"]


def _tick(colo, db: str, at: str, *extra: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    r = colo("--db", db, "--at", at, "monitor", "tick", "--ping-timeout", "0.5", "--json", *extra)
    assert r.code == 0, r.err
    return dict(json.loads(r.out))


def test_a_site_wide_burst_is_notified_at_once_and_each_customer_once(site_db: str) -> None:
    """Twenty emergencies pending together (a core switch failed): deliveries overlap at the
    relay, every customer gets exactly one message, every emergency is marked, and the next
    round has nothing left to send."""
    from aiosmtpd.controller import Controller

    from provision.domain.terms import Customer
    from provision.monitor.notify import Mailer
    from provision.services.context import Context
    from provision.services.monitoring.rounds import NOTIFY_IN_FLIGHT, notify_pending
    from tests.conftest import order

    api = Colo(db=site_db, at="2026-11-24T10:00")
    ids = [api.sign(order(customer=Customer(name=f"Burst {i}", email=f"noc{i}@burst.example")))["id"]
           for i in range(20)]
    declaring = Colo(db=site_db, at="2026-12-03T10:05")  # recorded when declared: not before
    for cid in ids:
        declaring.record_emergency(cid, "2026-12-03T10:05", channel="email")

    class Relay:
        def __init__(self) -> None:
            self.to: list[str] = []
            self.active = self.most = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            self.active += 1
            self.most = max(self.most, self.active)
            await asyncio.sleep(0.2)  # a relay taking its time: deliveries one after another would not overlap
            self.active -= 1
            self.to += envelope.rcpt_tos
            return "250 OK"

    relay = Relay()
    controller = Controller(relay, hostname="127.0.0.1", port=free_port(1))
    controller.start()
    try:
        ctx = Context.open(site_db, "2026-12-03T10:06", "monitor")
        mailer = Mailer("127.0.0.1", controller.port, "noc@colo.example")
        sent = notify_pending(ctx, mailer)
        assert notify_pending(ctx, mailer) == []
    finally:
        controller.stop()
    assert [(n["contract"], n["sent"]) for n in sent] == [(cid, True) for cid in ids]
    assert sorted(relay.to) == sorted(f"noc{i}@burst.example" for i in range(20))
    assert 1 < relay.most <= NOTIFY_IN_FLIGHT
    assert all(i["notified_at"] == "2026-12-03T10:06:00+08:00" for i in api.incidents())


def test_server_down_two_rounds_emergency_email_and_the_month_report(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid, address = _active(lab_db)
    assert colo("--db", lab_db, "contract", "notify", cid, "--email", "noc@customer.example").code == 0
    with lab_host(address, "e2e") as server, smtp_server() as (relay, inbox):
        mail = ("--smtp", f"127.0.0.1:{relay.port}", "--mail-from", "noc@colo.example")
        first = _tick(colo, lab_db, "2026-12-01T10:00", *mail)
        assert first["failing"] == [] and first["watched"] == 2  # the address and the unit's power
        assert first["icmp"] in ("unprivileged", "privileged")

        server.down()
        second = _tick(colo, lab_db, "2026-12-01T10:05", *mail)
        assert [(f["check"], f["target"]) for f in second["failing"]] == [("network", address)]
        assert second["declared"] == [] and inbox.messages == []  # one failed round is no emergency

        third = _tick(colo, lab_db, "2026-12-01T10:10", *mail)
        (declared,) = third["declared"]
        assert declared["contract"] == cid and declared["since"] == "2026-12-01T10:05:00+08:00"
        assert third["notifications"] == [{"emergency": declared["emergency"], "contract": cid, "channel": "email",
                                           "to": "noc@customer.example", "person": None, "sent": True, "error": None,
                                           "waived": None, "delay_seconds": 0.0, "ref": f"E{declared['emergency']}"}]
        ((rcpt, message),) = inbox.messages
        assert rcpt == ["noc@customer.example"] and message["From"] == "noc@colo.example"
        assert cid in message["Subject"] and address in message["Subject"]
        assert "2026-12-01T10:10:00+08:00" in message.get_payload(decode=True).decode()

        fourth = _tick(colo, lab_db, "2026-12-01T10:15", *mail)
        assert fourth["declared"] == [] and len(inbox.messages) == 1  # declared and notified once

        server.up()
        back = _tick(colo, lab_db, "2026-12-01T10:55", *mail)
        assert [r["emergency"] for r in back["recovered"]] == [declared["emergency"]]

        server.down()  # a second, short one the customer never reports
        _tick(colo, lab_db, "2026-12-01T11:00", *mail)
        assert len(_tick(colo, lab_db, "2026-12-01T11:05", *mail)["declared"]) == 1
        server.up()
        last = _tick(colo, lab_db, "2026-12-01T11:10", *mail)
        assert len(last["recovered"]) == 1, last
        assert len(inbox.messages) == 2

    incidents = json.loads(colo("--db", lab_db, "emergency", "list", "--json").out)
    assert [(i["declared_at"], i["ended_at"], i["notified_at"], i["channel"]) for i in incidents] == [
        ("2026-12-01T10:10:00+08:00", "2026-12-01T10:55:00+08:00", "2026-12-01T10:10:00+08:00", "email"),
        ("2026-12-01T11:05:00+08:00", "2026-12-01T11:10:00+08:00", "2026-12-01T11:05:00+08:00", "email")]

    show = json.loads(colo("--db", lab_db, "--at", "2026-12-02T09:00", "sla", "report", cid, "--month", "2026-12",
                           "--json").out)
    first_outage, second_outage = (o["id"] for o in show["outages"])
    assert colo("--db", lab_db, "--at", "2026-12-02T09:00", "outage", "report", str(first_outage)).code == 0
    assert colo("--db", lab_db, "outage", "record", cid, "--kind", "network", "--start", "2026-12-03T02:00",
                "--end", "2026-12-03T02:30", "--cause", "customer's router rebooted", "--reported-at",
                "2026-12-03T08:00", "--exclude", "customer-equipment").code == 0

    report = json.loads(colo("--db", lab_db, "--at", "2026-12-31T23:00", "sla", "report", cid, "--month", "2026-12",
                             "--json").out)
    assert [(o["start"], o["minutes"], o["counted"], o["excluded_because"]) for o in report["outages"]] == [
        ("2026-12-01T10:05:00+08:00", 50, True, None),
        ("2026-12-01T11:00:00+08:00", 10, False, "not reported within 5 days"),
        ("2026-12-03T02:00:00+08:00", 30, False, "customer's circuits or equipment")]
    assert report["counted_minutes"] == {"network": 50, "power": 0}
    assert report["availability_percent"]["network"] == "99.888"  # 1 - 50/44640
    assert report["breached"] is True  # 50 >= 44 minutes: the month's fee is waived
    assert report["credits"] == [{"item": "network outage 50 min >= 44 min: month's fee waived", "amount": "1000.00"}]
    assert report["total_credit"] == "1000.00"


def test_phone_and_webhook_contacts_late_report_and_a_www_check(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    by_phone, address = _active(lab_db, "Phone Co")
    assert colo("--db", lab_db, "contract", "notify", by_phone, "--phone", "+86 10 5555 0100").code == 0

    class Gateway(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self.server.received.append(json.loads(body))  # type: ignore[attr-defined]
            self.server.paths = [*getattr(self.server, "paths", []), self.path]  # type: ignore[attr-defined]
            self.send_response(self.server.status)  # type: ignore[attr-defined]
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    with lab_host(address, "phone") as server, http_server(500, Gateway) as gateway, www_on(server) as www:
        assert colo("--db", lab_db, "contract", "notify", by_phone, "--webhook", "gopher://x").code == 2
        watch = colo("--db", lab_db, "monitor", "watch", by_phone, "www", f"http://{address}/")
        assert watch.code == 0, watch.err
        _tick(colo, lab_db, "2026-12-07T10:00")
        server.down()
        www.terminate()
        _tick(colo, lab_db, "2026-12-07T10:05")
        declared = _tick(colo, lab_db, "2026-12-07T10:10")
        assert sorted(d["check"] for d in declared["declared"]) == ["network", "www"]
        assert {n["channel"] for n in declared["notifications"]} == {"phone"}
        assert all(not n["sent"] and "colo emergency notified" in n["error"] for n in declared["notifications"])
        network = next(d["emergency"] for d in declared["declared"] if d["check"] == "network")
        www_emergency = next(d["emergency"] for d in declared["declared"] if d["check"] == "www")

        # the technician calls 20 minutes later: late, one day's fee
        logged = colo("--db", lab_db, "--at", "2026-12-07T10:30", "emergency", "notified", str(network), "--json")
        assert logged.code == 0 and json.loads(logged.out)["late"] is True
        again = colo("--db", lab_db, "--at", "2026-12-07T10:31", "emergency", "notified", str(network))
        assert again.code == 3 and "already notified" in again.err

        # the customer switches to a webhook: a gateway that fails is retried every round until it takes it
        gateway_url = f"http://127.0.0.1:{gateway.server_port}/sms?key=S3cr3tKey&to=8613800000000"
        set_contact = colo("--db", lab_db, "contract", "notify", by_phone, "--webhook", gateway_url, "--json")
        assert json.loads(set_contact.out)["to"] == f"http://127.0.0.1:{gateway.server_port}/sms?key=***&to=***"
        shown = [set_contact.out]
        server.up()
        failed = _tick(colo, lab_db, "2026-12-07T10:35")
        assert [(n["emergency"], n["sent"]) for n in failed["notifications"]] == [(www_emergency, False)]
        assert "HTTP 500" in failed["notifications"][0]["error"]
        gateway.status = 200
        sent = _tick(colo, lab_db, "2026-12-07T10:40")
        assert [(n["emergency"], n["sent"]) for n in sent["notifications"]] == [(www_emergency, True)]
        assert gateway.paths[-1] == "/sms?key=S3cr3tKey&to=8613800000000"  # the gateway gets its key
        shown += [json.dumps(failed), json.dumps(sent)] + [colo("--db", lab_db, *argv).out for argv in (
            ["emergency", "list", "--json"], ["monitor", "show", by_phone, "--json"], ["audit", "list", "--json"])]
        leaks = [out for out in shown if "S3cr3tKey" in out or "8613800000000" in out]
        assert leaks == []  # not in any output, kept error or audit record
        assert [p["check"] for p in gateway.received] == ["www", "www"]
        assert gateway.received[-1]["contract"] == by_phone and gateway.received[-1]["ended_at"] is None
        channels = {i["emergency"]: i["channel"] for i in json.loads(colo("--db", lab_db, "emergency", "list", "--json").out)}
        assert channels == {network: "phone", www_emergency: "webhook"}  # the channel that actually reached them

    audit = json.loads(colo("--db", lab_db, "audit", "list", "--contract", by_phone, "--json").out)
    actions = [r["action"] for r in audit]
    for action in ("contract.contact_set", "contract.service_watched", "contract.outage", "contract.emergency",
                   "contract.emergency_reported", "contract.emergency_ended"):
        assert action in actions
    assert colo("--db", lab_db, "audit", "verify").code == 0

    report = json.loads(colo("--db", lab_db, "sla", "report", by_phone, "--month", "2026-12", "--json").out)
    assert report["breached"] is False  # 10:05-10:35 unreported: excluded, nothing counted
    day_fee = "32.26"  # 1000.00 / 31 days, to the fen
    assert report["credits"] == [{"item": "emergency of 2026-12-07 reported late (> 15 min): one day's fee",
                                  "amount": day_fee}]  # the www alert is the customer's service: no deduction


def _ups_inventory(lab: Lab, target: Path) -> Path:
    """The lab's site with a UPS feed beside the mains feed of rack A01's first units (from pdu-a04's spare outlets)."""
    shutil.copytree(lab.inventory, target)
    rooms = yaml.safe_load((target / "rooms.yaml").read_text())
    a01 = rooms["rooms"][0]["racks"][0]
    a01["feeds"].append({"pdu": "pdu-a04", "outlets": "39-42", "units": "3-6", "feed": "ups"})
    (target / "rooms.yaml").write_text(yaml.safe_dump(rooms, sort_keys=False))
    return target


def _outlet(lab: Lab, db: str, pdu: str, outlet: int, on: bool) -> None:
    from provision.services.context import Context
    from provision.services.provisioning.devices import pdus

    with Context.open(db).store.session() as s:
        pdus(s, [pdu])[pdu].driver().set_outlets({outlet: on})


def test_power_outage_only_when_mains_and_ups_both_fail(lab: Lab, tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    lab.reset()
    db = str(tmp_path / "colo.db")
    Colo(db=db).init(str(_ups_inventory(lab, tmp_path / "inventory")))
    cid, address = _active(db)
    unit = json.loads(colo("--db", db, "contract", "show", cid, "--json").out)["placements"][0]["units"][0]
    mains = unit - 2  # A01: outlets 1-38 feed units 3-40
    ups = 39 + unit - 3
    with lab_host(address, "power") as server:
        _outlet(lab, db, "pdu-a01", mains, False)
        for at in ("2026-12-10T10:00", "2026-12-10T10:05"):
            assert _tick(colo, db, at)["failing"] == []  # the UPS feed carries it
        _outlet(lab, db, "pdu-a04", ups, False)
        server.down()  # a server without power stops answering
        round_ = _tick(colo, db, "2026-12-10T10:10")
        assert [(f["check"], f["why"]) for f in round_["failing"]] == [
            ("power", f"no power at A01 U{unit}: mains pdu-a01:{mains} off, ups pdu-a04:{ups} off")]
        assert f"{address} ({cid}): no ping reply while its server has no power; counted as the power outage" \
            in round_["notes"]  # one cause, one outage, one message to the customer
        declared = {d["check"]: d["since"] for d in _tick(colo, db, "2026-12-10T10:15")["declared"]}
        assert declared == {"power": "2026-12-10T10:10:00+08:00"}
        ongoing = json.loads(colo("--db", db, "--at", "2026-12-10T10:17", "sla", "report", cid, "--month", "2026-12",
                                  "--json").out)["outages"]
        assert [(o["kind"], o["end"], o["minutes"], o["excluded_because"]) for o in ongoing] == [
            ("power", "2026-12-10T10:17:00+08:00", 7, "not reported yet: the customer has 5 days")]  # open: up to now
        _outlet(lab, db, "pdu-a04", ups, True)
        server.up()
        assert [r["check"] for r in _tick(colo, db, "2026-12-10T10:20")["recovered"]] == ["power"]
    (outage,) = ongoing
    assert colo("--db", db, "--at", "2026-12-10T11:00", "outage", "report", str(outage["id"])).code == 0
    report = json.loads(colo("--db", db, "--at", "2027-01-01T09:00", "sla", "report", cid, "--month", "2026-12",
                             "--json").out)
    assert [(o["kind"], o["minutes"], o["counted"]) for o in report["outages"]] == [("power", 10, True)]
    assert report["counted_minutes"] == {"network": 0, "power": 10}  # the silent server's ping is not counted again


def test_a_server_that_answers_has_power_whatever_its_pdus_say(lab: Lab, tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    """Mains off and the UPS PDU silent (its management card or network failed) read as no
    power at all; the server still answering ping shows the UPS is feeding it, so no power
    outage is declared, credited or sent to the customer, and the round says why."""
    lab.reset()
    db = str(tmp_path / "colo.db")
    Colo(db=db).init(str(_ups_inventory(lab, tmp_path / "inventory")))
    cid, address = _active(db)
    unit = json.loads(colo("--db", db, "contract", "show", cid, "--json").out)["placements"][0]["units"][0]
    _outlet(lab, db, "pdu-a01", unit - 2, False)
    with lab_host(address, "pdus") as server, agent_paused(str(lab.state), "pdu-a04"):
        for at in ("2026-12-10T10:00", "2026-12-10T10:05", "2026-12-10T10:10"):
            round_ = _tick(colo, db, at)
            assert round_["failing"] == [] and round_["declared"] == []
        assert f"A01 U{unit} ({cid}): the server answers ping but no feed reads on (mains pdu-a01:{unit - 2} off, " \
               f"ups pdu-a04:{39 + unit - 3} silent); check the PDU's management network and the outlet mapping" \
               in round_["notes"]
        server.down()  # now nothing shows the server has power: silent feeds count as dead
        _tick(colo, db, "2026-12-10T10:15")
        declared = [d["check"] for d in _tick(colo, db, "2026-12-10T10:20")["declared"]]
    assert declared == ["power"]


def test_monitor_run_loops_and_bad_options_change_nothing(lab: Lab, lab_db: str) -> None:
    colo = str(Path(sys.executable).with_name("colo"))
    run = subprocess.run([colo, "--db", lab_db, "monitor", "run", "--period", "1", "--rounds", "2", "--json"],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    rounds = [json.loads(chunk) for chunk in run.stdout.replace("}\n{", "}\x00{").split("\x00")]
    assert len(rounds) == 2 and all(r["watched"] == 0 for r in rounds)
    for argv, message in [(["monitor", "tick", "--smtp", "nohost"], "--smtp 'nohost': give host:port"),
                          (["--at", "2026-12-01T10:00", "monitor", "run"], "`monitor run` keeps the real clock"),
                          (["monitor", "tick", "--mail-from", "x@y.z"], "need --smtp"),
                          (["monitor", "tick", "--smtp", "127.0.0.1:25"], "--smtp needs --mail-from ADDR"),
                          (["monitor", "tick", "--smtp", "127.0.0.1:25", "--mail-from", "noc@localhost"],
                           "--mail-from 'noc@localhost': give one sender address"),
                          (["monitor", "run", "--period", "0.1"], "--period 0.1: give seconds"),
                          (["monitor", "watch", "C2026-0999", "www", "http://x/"], "C2026-0999")]:
        bad = subprocess.run([colo, "--db", lab_db, *argv], capture_output=True, text=True, timeout=60)
        assert bad.returncode != 0 and message in bad.stderr and bad.stdout == ""
        assert len(bad.stderr.strip().splitlines()) == 1


def test_a_second_monitor_is_refused(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    """Two monitors would count one outage's round twice and declare after five minutes instead of ten."""
    _tick(colo, lab_db, "2026-12-01T10:00")
    second = colo("--db", lab_db, "--at", "2026-12-01T10:01", "monitor", "tick")
    assert second.code == 3 and "is another monitor running?" in second.err
    earlier = colo("--db", lab_db, "--at", "2026-12-01T09:55", "monitor", "tick")
    assert earlier.code == 3
    _tick(colo, lab_db, "2026-12-01T10:05")
    import sqlite3

    with sqlite3.connect(lab_db) as db:
        assert db.execute("select count(*) from monitor_rounds").fetchone() == (2,)


def test_a_round_is_not_lost_to_another_pingers_traffic() -> None:
    """A raw socket sees every ICMP packet on the host: fping's 10,000 must not crowd out our replies."""
    skip_unless_netns()  # root, for the raw socket and fping -i 0
    from provision.monitor.icmp import open_pinger

    fping = shutil.which("fping")
    if fping is None:
        pytest.skip("fping is not installed (Debian package fping; .ci/run installs it)")
    addresses = [f"127.1.{i >> 8}.{i & 255}" for i in range(1, 5001)]
    with open_pinger("privileged") as pinger:
        subprocess.run([fping, "-q", "-i", "0", "-r", "0", *addresses], check=True, capture_output=True)
        rtt = pinger.round(addresses, timeout=1.0, attempts=1)
    assert [a for a, v in rtt.items() if v is None] == []


def test_a_raw_pinger_queues_only_its_own_replies() -> None:
    """The socket filter: another pinger's requests and replies never reach the monitor's raw
    socket (an unfiltered one queues all twelve packets of this fping), so they cannot
    fill its queue; its own replies still arrive."""
    from provision.monitor.icmp import open_pinger

    fping = shutil.which("fping")
    if fping is None:
        pytest.skip("fping is not installed (Debian package fping; .ci/run installs it)")
    with open_pinger("privileged") as pinger:
        subprocess.run([fping, "-q", "-c", "3", "127.0.0.1", "127.0.0.5"], capture_output=True)
        queued = 0
        while True:
            try:
                pinger.sock.recv(2048)
                queued += 1
            except BlockingIOError:
                break
        assert queued == 0
        assert pinger.round(["127.0.0.1", "127.0.0.5"], timeout=1.0, attempts=1)["127.0.0.5"] is not None


def test_a_reply_queued_by_the_deadline_counts_though_the_pinger_looks_late() -> None:
    """A monitor descheduled on a loaded host wakes after its deadline with replies waiting:
    they are answers, not silence. A zero timeout is the extreme case: loopback's reply
    is queued before sendto returns, and the round takes one look before giving up."""
    from provision.monitor.icmp import open_pinger

    with open_pinger("auto") as pinger:
        assert all(pinger.round(["127.0.0.1"], timeout=0.0, attempts=1)["127.0.0.1"] is not None for _ in range(50))


@pytest.mark.postgres
def test_rounds_on_postgresql(lab: Lab, pg_url: str, colo) -> None:  # type: ignore[no-untyped-def]
    lab.reset()
    Colo(db=pg_url).init(str(lab.inventory))
    cid, address = _active(pg_url)
    with lab_host(address, "pg") as server:
        assert _tick(colo, pg_url, "2026-12-01T10:00")["failing"] == []
        server.down()
        _tick(colo, pg_url, "2026-12-01T10:05")
        (declared,) = _tick(colo, pg_url, "2026-12-01T10:10")["declared"]
        server.up()
        assert [r["emergency"] for r in _tick(colo, pg_url, "2026-12-01T10:15")["recovered"]] == [declared["emergency"]]
    (incident,) = json.loads(colo("--db", pg_url, "emergency", "list", "--json").out)
    assert (incident["contract"], incident["ended_at"]) == (cid, "2026-12-01T10:15:00+08:00")
    # the customer left neither an email nor a phone number: the monitor says so every round
    assert incident["channel"] == "phone" and incident["notified_at"] is None
    assert incident["pending"] == "no contact on record: set one with `colo contract notify`"
