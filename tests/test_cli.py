"""The `colo` command line: exit codes, one-line errors, --json, and bad input changing nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, ROOT

SIGN = ["contract", "sign", "--customer", "ACME", "--slots", "1", "--bandwidth", "100", "--fee", "12000.00"]


@pytest.fixture
def store(tmp_path: Path, colo) -> Path:  # type: ignore[no-untyped-def]
    db = tmp_path / "colo.db"
    assert colo("--db", str(db), "init", "--inventory", str(EXAMPLE)).code == 0
    assert colo("--db", str(db), "--at", "2026-11-24T10:00", *SIGN).code == 0
    return db


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def broken_inventory(tmp_path: Path, file: str, old: str, new: str) -> str:
    inv = tmp_path / "broken"
    shutil.copytree(EXAMPLE, inv)
    body = (inv / file).read_text()
    assert old in body
    (inv / file).write_text(body.replace(old, new, 1))
    return str(inv)


BAD = [
    ("broken YAML", lambda t: ["init", "--inventory", broken_inventory(t, "rooms.yaml", "  - name: B201", "  - name: [B201")],
     "rooms.yaml:"),
    ("invalid prefix", lambda t: ["init", "--inventory", broken_inventory(t, "network.yaml", "prefix: 203.0.113.0/24",
                                                                          "prefix: 203.0.113.7/24")],
     "pools[0].prefix"),
    ("missing inventory", lambda t: ["init", "--inventory", str(t / "nowhere")], "does not exist"),
    ("unknown rack", lambda t: ["rack", "show", "Z99"], "rack 'Z99' is not in the store"),
    ("unknown rack to hold", lambda t: ["hold", "add", "Z99", "--units", "1", "--for", "X", "--until", "2026-12-01T00:00"],
     "rack 'Z99'"),
    ("negative bandwidth", lambda t: [*SIGN[:-4], "--bandwidth", "-5", "--fee", "1.00"], "--bandwidth -5 Mbit/s"),
    ("zero slots", lambda t: ["contract", "sign", "--customer", "A", "--slots", "0", "--bandwidth", "1", "--fee", "1"],
     "--slots 0"),
    ("bad fee", lambda t: [*SIGN[:-1], "12,000"], "--fee '12,000' is not a number"),
    ("unknown kind", lambda t: [*SIGN, "--kind", "cloud"],
     "Invalid value for '--kind': 'cloud' is not one of 'colocation', 'rental', 'rack'"),
    ("slots on a rack contract", lambda t: [*SIGN, "--kind", "rack"], "--slots is for 1U servers"),
    ("unparseable signing time", lambda t: [*SIGN, "--signed-at", "yesterday"], "--signed-at 'yesterday'"),
    ("unparseable --at", lambda t: ["--at", "soon", "deadlines"], "--at 'soon' is not an ISO 8601 time"),
    ("unknown contract", lambda t: ["contract", "show", "C2026-4242"], "contract 'C2026-4242' does not exist"),
    ("non-integer option", lambda t: [*SIGN[:5], "two", *SIGN[6:]], "'two' is not a valid integer"),
    ("unknown state", lambda t: ["contract", "list", "--state", "gone"], "--state 'gone'"),
    ("control character in name", lambda t: ["contract", "sign", "--customer", "A\nB", "--slots", "1",
                                             "--bandwidth", "1", "--fee", "1"], "control characters"),
]


@pytest.mark.parametrize("args, expected", [pytest.param(a, e, id=i) for i, a, e in BAD])
def test_bad_input_exits_2_with_one_line_and_changes_nothing(store: Path, tmp_path: Path, colo, args, expected):  # type: ignore[no-untyped-def]
    before = digest(store)
    argv = args(tmp_path)
    result = colo("--db", str(store), "--at", "2026-11-24T11:00", *argv)
    assert result.code == 2, result
    assert expected in result.err
    if "init" not in argv:  # an inventory lists every problem, one line each
        assert result.err.count("\n") == 1 and result.err.startswith("error: ")
    assert "Traceback" not in result.err and result.out == ""
    assert digest(store) == before


def test_json_error_is_machine_readable(store: Path, colo) -> None:  # type: ignore[no-untyped-def]
    result = colo("--db", str(store), "contract", "show", "C1999-0001", "--json")
    assert result.code == 2
    assert json.loads(result.out) == {"error": "contract 'C1999-0001' does not exist: see `colo contract list` for "
                                               "ids like C2026-0001", "kind": "bad-input", "exit_code": 2}


def test_refusals_exit_3(store: Path, colo) -> None:  # type: ignore[no-untyped-def]
    before = digest(store)
    result = colo("--db", str(store), "--at", "2026-11-24T11:00", *SIGN[:5], "500", *SIGN[6:], "--ips", "200")
    assert result.code == 3 and "no room for 500 slots" in result.err
    result = colo("--db", str(store), "--at", "2026-11-24T11:00", "hold", "add", "A01", "--units", "40", "--for", "X",
                  "--until", "2026-12-01T00:00")
    assert result.code == 3 and "rack A01 has 37 free fed units, 40 asked" in result.err
    assert digest(store) == before


def test_show_json_has_stable_keys_and_site_times(store: Path, colo) -> None:  # type: ignore[no-untyped-def]
    result = colo("--db", str(store), "--at", "2026-11-24T11:00", "contract", "show", "C2026-0001", "--json")
    data = json.loads(result.out)
    assert {"id", "state", "customer", "signed_at", "install_deadline", "payment_due", "placements",
            "clocks"} <= set(data)
    assert data["signed_at"] == "2026-11-24T10:00:00+08:00"
    assert data["install_deadline"] == "2026-11-27T23:59:59+08:00"


def test_every_command_speaks_json(store: Path, colo) -> None:  # type: ignore[no-untyped-def]
    db = ["--db", str(store), "--at", "2026-11-24T11:00"]
    for args in (["inventory", "check", str(EXAMPLE)], ["contract", "list"], ["deadlines"], ["deadlines", "--all"],
                 ["rack", "show", "A01"], ["hold", "list"],
                 ["hold", "add", "A02", "--units", "2", "--for", "P", "--until", "2026-12-01T00:00"], ["hold", "release", "1"],
                 ["init", "--inventory", str(EXAMPLE)]):
        result = colo(*db, *args, "--json")
        assert result.code == 0, (args, result)
        json.loads(result.out)


def test_human_output(store: Path, colo) -> None:  # type: ignore[no-untyped-def]
    out = colo("--db", str(store), "--at", "2026-11-24T11:00", "rack", "show", "A01").out
    assert "U3  |X| pdu-a01:1" in out and "C2026-0001  ACME" in out and "U42 |#|" in out
    out = colo("--db", str(store), "--at", "2026-11-28T00:00", "deadlines").out
    assert "install guarantee" in out and "breached" in out
    out = colo("--db", str(store), "init", "--inventory", str(EXAMPLE)).out
    assert "inventory already in sync: nothing changed" in out


def test_help_loads_no_heavy_modules() -> None:
    probe = ("import sys, runpy; sys.argv = ['colo', '--help']\n"
             "try:\n    runpy.run_path({!r}, run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "heavy = {{'sqlalchemy', 'pydantic', 'netmiko', 'paramiko', 'pysnmp', 'ansible', 'ansible_runner', "
             "'holidays', 'rich'}}\nprint(sorted(heavy & set(m.split('.')[0] for m in sys.modules)))").format(str(ROOT / "cli.py"))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_console_script_exit_codes(store: Path) -> None:
    colo_bin = Path(sys.executable).with_name("colo")
    ok = subprocess.run([str(colo_bin), "--db", str(store), "contract", "list", "--json"], capture_output=True, text=True)
    assert ok.returncode == 0 and json.loads(ok.stdout)[0]["id"] == "C2026-0001"
    bad = subprocess.run([str(colo_bin), "--db", str(store), "rack", "show", "nope"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: rack 'nope'")


def test_demo_runs_end_to_end_and_again_idempotently(tmp_path: Path, colo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """sign → provision → activate → show, through the device lab it starts itself."""
    from tests.conftest import lab_inventory

    inventory = lab_inventory(tmp_path / "inventory")
    lab = tmp_path / "lab"
    monkeypatch.setenv("COLO_SECRETS", str(lab / "secrets.yaml"))  # the secrets the demo's own lab invents
    db = str(tmp_path / "demo.db")
    try:
        first = colo("--db", db, "demo", "--inventory", str(inventory), "--lab-dir", str(lab), "--json")
        assert first.code == 0, first
        data = json.loads(first.out)
        assert data["provision"]["applied"] and data["activate"]["state"] == "active"
        assert data["contract"]["state"] == "active" and len(data["contract"]["placements"]) == 2
        assert all(p["server"]["mac"] for p in data["contract"]["placements"])
        assert data["rack"]["rack"] == data["contract"]["placements"][0]["rack"]
        again = colo("--db", db, "demo", "--inventory", str(inventory), "--lab-dir", str(lab), "--json")
        assert again.code == 0, again
        replay = json.loads(again.out)
        assert replay["signed"]["replayed"] and replay["contract"]["id"] == data["contract"]["id"]
        assert replay["init"]["unchanged"] and not replay["provision"]["applied"] and replay["activate"] is None
    finally:
        assert colo("lab", "down", "--dir", str(lab)).code == 0
