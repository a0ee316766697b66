"""Output people can read (issue 16): no Python reprs, 80 columns, plain when piped, plans that
show change, prefixed record numbers, progress on a terminal, and -v's device conversation."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from provision import logs, progress
from provision.api import Colo
from provision.domain import refs
from provision.errors import BadInput
from tests.conftest import Lab
from tests.lab_contracts import active_contract, sign_on


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr is for a technician."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def quiet() -> Iterator[None]:
    """Progress and logging back to silent after the test, whatever it turned on."""
    yield
    progress.disable()
    logs.reset()


# --- progress (bullet 5) ----------------------------------------------------------------------------

def test_progress_prints_lines_on_a_terminal_and_nothing_into_a_pipe(quiet: None) -> None:
    tty, pipe = Terminal(), io.StringIO()
    progress.enable(pipe)
    progress.step("C2026-0001 sw-a01 Gi1/0/1 applied")
    assert pipe.getvalue() == ""
    progress.enable(tty)
    progress.step("C2026-0001 sw-a01 Gi1/0/1 applied")
    assert re.fullmatch(r"\[ *\d+\.\ds\] C2026-0001 sw-a01 Gi1/0/1 applied\n", tty.getvalue())
    progress.disable()
    progress.step("not shown")
    assert "not shown" not in tty.getvalue()


def test_a_provision_reports_each_port_and_outlet_as_it_goes(lab_db: str, quiet: None) -> None:
    cid = sign_on(lab_db, "cisco_ios")["id"]
    tty = Terminal()
    progress.enable(tty)
    Colo(db=lab_db, at="2026-11-25T09:00").provision([cid])
    lines = tty.getvalue().splitlines()
    assert any(f"{cid} sw-a101-1 GigabitEthernet1/0/" in line and line.endswith("verified") for line in lines), lines
    pipe = io.StringIO()
    progress.enable(pipe)
    Colo(db=lab_db, at="2026-11-26T09:00").enforce()
    assert pipe.getvalue() == ""


def test_enforce_reports_each_contract_action(lab_db: str, quiet: None) -> None:
    cid, _ = active_contract(lab_db)
    tty = Terminal()
    progress.enable(tty)
    Colo(db=lab_db, at="2026-12-01T09:00").enforce()  # unpaid 3 days past due: the stop-service notice
    assert f"{cid} issue_notice: done" in tty.getvalue()


# --- the device conversation under -v (bullet 6) -----------------------------------------------------

def _lab_secrets(lab: Lab) -> list[str]:
    entries = yaml.safe_load(Path(lab.secrets).read_text(encoding="utf-8"))
    return [str(v) for entry in entries.values() for k, v in entry.items() if k != "username"]


def test_verbose_logs_what_is_sent_with_timings_and_never_a_secret(lab: Lab, lab_db: str, quiet: None) -> None:
    cid = sign_on(lab_db, "cisco_ios")["id"]
    out = io.StringIO()
    logs.configure(2, out)
    Colo(db=lab_db, at="2026-11-25T09:00").provision([cid])
    text = out.getvalue()
    assert re.search(r"sw-a101-1 > switchport access vlan \d+  \(\d+\.\d\ds\)", text), text[-2000:]
    assert "sw-a101-1 > show running-config" in text
    assert "  < " in text  # -vv: the device's replies
    assert "SNMP SET" in text or "SNMP GET" in text  # the PDU's side of it
    assert "netmiko" in text  # the library's own debug lines at -vv
    for secret in _lab_secrets(lab):
        assert secret not in text
    assert "***" in text or "password" not in text.lower()


def test_one_v_shows_commands_not_replies_and_none_shows_nothing(lab_db: str, quiet: None) -> None:
    cid = sign_on(lab_db, "cisco_ios")["id"]
    out = io.StringIO()
    logs.configure(1, out)
    Colo(db=lab_db, at="2026-11-25T09:00").provision([cid], dry_run=True)
    assert "sw-a101-1 > show running-config" in out.getvalue() and "  < " not in out.getvalue()
    out = io.StringIO()
    logs.configure(0, out)
    Colo(db=lab_db, at="2026-11-25T09:00").provision([cid], dry_run=True)
    assert out.getvalue() == ""


def test_the_log_filter_masks_every_known_secret_even_in_arguments(quiet: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    from provision import secrets
    from provision.secrets import Secret

    monkeypatch.setattr(secrets, "_KNOWN", set())  # only this test's secret: others read earlier in this worker mask too
    Secret("s3cr3t-value")
    out = io.StringIO()
    logs.configure(1, out)
    logging.getLogger("provision.test").info("login with %s then %r", "s3cr3t-value", {"pw": "s3cr3t-value"})
    assert "s3cr3t-value" not in out.getvalue() and out.getvalue().count("***") == 2


# --- record numbers (bullet 4) -----------------------------------------------------------------------

def test_record_numbers_read_both_forms_and_refuse_anything_else() -> None:
    assert refs.number("E5", "emergency") == refs.number("e5", "emergency") == refs.number("5", "emergency") == 5
    assert refs.number("AU12", "authorization") == 12 and refs.number(" H3 ", "hold") == 3
    for bad in ("O5", "E-5", "E", "0", "E99999999999"):
        with pytest.raises(BadInput, match="is not an emergency id: give e.g. E12 or 12"):
            refs.number(bad, "emergency")
    assert refs.ref("outage", 5) == "O5" and refs.ref("ticket", "T5") == "T5"


def test_json_views_gain_a_ref_beside_their_number() -> None:
    data: Any = [{"outage": 5, "contract": "C2026-0001"}, {"contract": "C2026-0001", "emergency": 5},
                 {"visit": 2, "nested": {"notice": 3}}, {"ticket": "T1"}]
    refs.annotate(data)
    assert data[0]["ref"] == "O5" and data[0]["outage"] == 5
    assert "ref" not in data[1]  # a view of something else that mentions an emergency
    assert data[2]["ref"] == "V2" and data[2]["nested"]["ref"] == "N3"
    assert "ref" not in data[3]
    json.dumps(data)


# --- the whole day through the CLI (bullets 1, 2, 4) -------------------------------------------------

# Python's reprs, which a technician should never read: None, True/False, dicts, lists, Decimals.
REPR = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\{'|\['|\{\"|\[\"|Decimal\(|datetime\(|; $", re.M)
BOX = re.compile(r"[\u2500-\u257f]")  # box-drawing characters


def _session(colo, db: str, lab: Lab) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A technician's day against the lab, each command's human output by name; every command must succeed."""
    seen: dict[str, str] = {}

    def run(name: str, at: str, *args: str) -> str:
        r = colo("--db", db, "--at", at, *args)
        assert r.code == 0, (name, r.err)
        seen[name] = r.out
        return r.out

    cid = sign_on(db, "cisco_ios")["id"]
    run("contract show", "2026-11-24T11:00", "contract", "show", cid)
    run("provision --dry-run", "2026-11-25T09:00", "provision", cid, "--dry-run")
    run("provision", "2026-11-25T09:00", "provision", cid)
    run("server record", "2026-11-25T10:00", "server", "record", cid, "--server", "1", "--serial", "SN1",
        "--mac", "00:11:22:33:44:55")
    run("contract activate", "2026-11-26T09:00", "contract", "activate", cid)
    run("payment show (nothing paid)", "2026-11-26T09:30", "payment", "show", cid)
    run("payment record", "2026-11-26T10:00", "payment", "record", cid, "1500.00", "--ref", "bank-1")
    run("contract notify", "2026-11-26T10:00", "contract", "notify", cid, "--email", "noc@acme.example")
    run("contract notify (again)", "2026-11-26T10:00", "contract", "notify", cid, "--email", "noc@acme.example")
    run("contract assign", "2026-11-26T10:00", "contract", "assign", cid, "--rep", "Wang Fang")
    run("monitor watch", "2026-11-26T10:00", "monitor", "watch", cid, "www", "http://203.0.113.10/")
    run("monitor show", "2026-11-26T10:00", "monitor", "show", cid)
    run("person add", "2026-11-26T10:00", "person", "add", cid, "--name", "Li Wei", "--mobile", "13800000000")
    run("outage record", "2026-11-27T10:00", "outage", "record", cid, "--kind", "network", "--start",
        "2026-11-27T08:00", "--end", "2026-11-27T09:00", "--cause", "fibre cut")
    run("outage report", "2026-11-27T11:00", "outage", "report", "O1")
    run("outage classify", "2026-11-27T11:00", "outage", "classify", "1", "--exclude", "force-majeure")
    run("emergency record", "2026-11-27T12:00", "emergency", "record", cid, "--declared", "2026-11-27T11:00")
    run("emergency notified", "2026-11-27T12:00", "emergency", "notified", "E1")
    run("emergency list", "2026-11-27T12:00", "emergency", "list")
    run("visit request", "2026-11-27T12:00", "visit", "request", cid, "--visitor", "Li Wei", "--reason", "disk swap",
        "--activity", "replace a disk", "--enter", "2026-11-28T10:00", "--exit", "2026-11-28T11:00")
    run("visit enter", "2026-11-28T10:05", "visit", "enter", "V1", "--escort", "Zhang", "--badge", "B-7")
    run("visit list", "2026-11-28T10:10", "visit", "list")
    run("visit leave", "2026-11-28T10:50", "visit", "leave", "1")
    run("authorization record", "2026-11-28T12:00", "authorization", "record", cid, "--by", "Li Wei", "--operation",
        "outlet-cycle", "--written", "--ref", "DOC-5")
    run("outlet cycle", "2026-11-28T12:05", "outlet", "cycle", cid)
    run("authorization feedback", "2026-11-28T12:10", "authorization", "feedback", "AU1", "--note", "done")
    run("authorization report", "2026-11-28T13:10", "authorization", "report", "1", "--ref", "REP-1")
    run("hold add", "2026-11-28T13:00", "hold", "add", "A03", "--units", "2", "--for", "Prospect Co",
        "--until", "2026-11-29T13:00")
    run("hold list", "2026-11-28T13:05", "hold", "list")
    run("hold release (lapsed)", "2026-12-01T13:00", "hold", "release", "H1")
    run("rack show", "2026-11-28T13:05", "rack", "show", "A01")
    run("deadlines", "2026-11-28T13:05", "deadlines")
    run("sla report", "2026-12-02T10:00", "sla", "report", cid, "--month", "2026-11")
    run("enforce --dry-run", "2026-12-02T10:00", "enforce", "--dry-run")
    run("enforce", "2026-12-02T10:00", "enforce")
    run("notice list", "2026-12-02T10:05", "notice", "list")
    run("operation list", "2026-12-02T10:05", "operation", "list")
    run("ticket open", "2026-12-02T10:05", "ticket", "open", cid, "--summary", "slow link")
    run("contract show (end)", "2026-12-02T10:05", "contract", "show", cid)
    return seen


def test_every_command_of_a_day_reads_as_text_not_python(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    seen = _session(colo, lab_db, lab)
    for name, out in seen.items():
        assert out.strip(), name
        assert not REPR.search(out), f"{name}: {REPR.search(out)!r} in\n{out}"
        assert "…" not in out, f"{name} cut an identifier:\n{out}"
        assert not BOX.search(out), f"{name} drew boxes into a pipe:\n{out}"
    assert "paid 0.00" in seen["payment show (nothing paid)"]
    assert "O1 " in seen["outage report"] and "E1 " in seen["emergency notified"] and "V1 " in seen["visit list"]
    assert "AU1 " in seen["authorization record"] and "H1 " in seen["hold add"]
    assert "had already lapsed" in seen["hold release (lapsed)"] and "rack A03" in seen["hold release (lapsed)"]
    assert "already so: nothing changed" in seen["contract notify (again)"]
    assert "would" not in seen["outlet cycle"] and "off and on again" in seen["outlet cycle"]
    assert "counted network 0 min, power 0 min" in seen["sla report"]
    assert "N1 " in seen["notice list"]
    plan = seen["provision --dry-run"]
    assert "create  vlan" in plan and "ensure" not in plan and "exit" not in plan
    assert "pdu pdu-a01 outlet" in plan


def test_a_plan_shows_what_changes_and_verbose_shows_the_rest(capsys: pytest.CaptureFixture[str]) -> None:
    from provision import render

    sw = {"switch": "sw-1", "platform": "cisco_ios", "ports": [],
          "prerequisites": [{"header": "vlan 110", "children": []}, {"header": "policy-map P", "children": ["class C"]}],
          "prerequisite_commands": ["policy-map P", "class C", "exit", "exit"]}
    pdu = {"pdu": "pdu-1", "outlets": {"3": {"contract": "C2026-0001", "server": 1, "before": False, "after": True},
                                       "4": {"contract": "C2026-0001", "server": 2, "before": True, "after": True}}}
    render.plan_devices({"switches": [sw], "pdus": [pdu]})
    out = capsys.readouterr().out
    assert "create  policy-map P  (1 line(s) inside)" in out and "vlan 110" not in out and "exit" not in out
    assert "outlet 3: off → on" in out and "outlet 4: on, already as intended" in out
    render.set_verbosity(1)
    try:
        render.plan_devices({"switches": [sw], "pdus": []})
    finally:
        render.set_verbosity(0)
    out = capsys.readouterr().out
    assert "send  exit" in out and "in place  vlan 110" in out


def test_json_keeps_the_number_and_adds_the_prefixed_ref(lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = sign_on(lab_db, "cisco_ios")["id"]
    r = colo("--db", lab_db, "--at", "2026-11-24T12:00", "hold", "add", "A03", "--units", "1", "--for", "P",
             "--until", "2026-11-25T12:00", "--json")
    assert json.loads(r.out)["hold"] == 1 and json.loads(r.out)["ref"] == "H1"
    r = colo("--db", lab_db, "--at", "2026-11-24T12:00", "emergency", "record", cid, "--declared", "2026-11-24T11:00",
             "--json")
    assert json.loads(r.out) | {} == {"emergency": 1, "contract": cid, "ref": "E1"}
    r = colo("--db", lab_db, "--at", "2026-11-24T12:00", "emergency", "notified", "O1")
    assert r.code == 2 and "'O1' is not an emergency id: give e.g. E12 or 12" in r.err


def _on_terminal(*args: str) -> str:
    """`colo ARGS` on a real terminal (a pty) 80 columns wide, as a technician's xterm: its output, colours removed."""
    import os
    import pty
    import subprocess
    import sys

    main, child = pty.openpty()
    env = os.environ | {"COLUMNS": "80", "LINES": "40", "TERM": "xterm"}
    proc = subprocess.run([sys.executable, "-c", "import cli; cli.main()", *args], stdout=child, stderr=subprocess.PIPE,
                          env=env, timeout=120, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child's side is closed and everything was read
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    assert proc.returncode == 0, proc.stderr
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode()).replace("\r\n", "\n")


def test_an_80_column_terminal_wraps_text_and_never_cuts_an_id(lab_db: str) -> None:
    cid = sign_on(lab_db, "cisco_ios")["id"]
    outputs = {"deadlines": _on_terminal("--db", lab_db, "--at", "2026-11-28T13:00", "deadlines"),
               "contract show": _on_terminal("--db", lab_db, "--at", "2026-11-24T13:00", "contract", "show", cid),
               "plan": _on_terminal("--db", lab_db, "--at", "2026-11-25T09:00", "provision", cid, "--dry-run")}
    for name, text in outputs.items():
        assert cid in text and "…" not in text, f"{name}:\n{text}"
        assert all(len(line) <= 80 for line in text.splitlines()), f"{name}:\n{text}"
        assert BOX.search(text), f"{name}: a terminal gets the table's rules"
    assert "2026-11-27 23:59" in outputs["deadlines"]  # the deadline whole, to the minute
    assert re.search(r"203\.0\.113\.\d+/\d+ +255\.255\.255\.\d+ +203\.0\.113\.1\b", outputs["plan"])


def test_piped_output_has_plain_columns(lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    sign_on(lab_db, "cisco_ios")
    out = colo("--db", lab_db, "--at", "2026-11-28T13:00", "deadlines").out
    assert "C2026-0001" in out and not BOX.search(out)
    assert all(len(line) <= 200 for line in out.splitlines())
