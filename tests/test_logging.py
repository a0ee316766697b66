"""Logging: -v/-vv and COLO_LOG_LEVEL, text for a person and JSON lines for journald, secrets masked.

The monitor and the CLI run as real processes whose stderr is a pipe (as under systemd)
or a real pseudo-terminal; the device conversation is the lab's switches over SSH.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from provision import logs
from provision.api import Colo
from provision.errors import BadInput
from tests.conftest import EXAMPLE, Lab, free_port
from tests.lab_contracts import active_contract, sign_on
from tests.labhost import nothing_routed

COLO = str(Path(sys.executable).with_name("colo"))
TEXT_LINE = re.compile(r"\d\d:\d\d:\d\d\.\d{3} (DEBUG|INFO|WARNING|ERROR) +[\w.]+: .*")


@pytest.fixture
def quiet() -> Iterator[None]:
    """Logging back to silent after the test, whatever it turned on."""
    yield
    logs.reset()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _events(text: str) -> list[dict[str, Any]]:
    """Every line of `text` as the JSON object it must be."""
    return [json.loads(line) for line in text.splitlines()]


# --- formats ---------------------------------------------------------------------------------------------------


def test_json_lines_carry_time_level_logger_message_and_fields_and_mask_secrets(
        quiet: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from provision import secrets
    from provision.secrets import Secret

    monkeypatch.setattr(secrets, "_KNOWN", set())
    Secret("pa55-w0rd")
    out = io.StringIO()
    logs.configure(1, out, fmt="json")
    log = logging.getLogger("provision.test")
    log.info("login to %s with %s", "sw-a01", "pa55-w0rd", extra={"switch": "sw-a01", "tries": 2,
                                                                  "sent": {"password": "pa55-w0rd"}})
    try:
        raise ConnectionError("ssh://tech:pa55-w0rd@127.0.0.1 refused")
    except ConnectionError:
        log.warning("connect failed", exc_info=True)
    logging.getLogger("some.library").warning("a library's own warning")
    log.debug("not at -v")
    first, second, third = _events(out.getvalue())
    assert first["level"] == "info" and first["logger"] == "provision.test" and first["switch"] == "sw-a01"
    assert first["message"] == "login to sw-a01 with ***" and first["sent"] == {"password": "***"} and first["tries"] == 2
    assert datetime.fromisoformat(first["time"]).utcoffset() is not None  # ISO 8601 with its offset
    assert second["level"] == "warning" and "ConnectionError: ssh://tech:***@127.0.0.1" in second["exception"]
    assert third == {"time": third["time"], "level": "warning", "logger": "some.library",
                     "message": "a library's own warning"}
    assert "pa55-w0rd" not in out.getvalue()


def test_text_off_a_terminal_is_one_line_per_event_with_no_escape_sequences(quiet: None) -> None:
    reply = "replied:\n  < Interface GigabitEthernet1/0/1\x1b[42D\r\n  < \x1b[1mdescription\x1b[0m x"
    pipe, tty = io.StringIO(), Terminal()
    for stream in (pipe, tty):
        logs.configure(2, stream, fmt="text")
        logging.getLogger("provision.drivers").debug(reply)
    line, = pipe.getvalue().splitlines()
    assert TEXT_LINE.fullmatch(line) and "\x1b" not in line and "\r" not in line
    assert line.endswith("replied:\\n  < Interface GigabitEthernet1/0/1\\n  < description x")
    assert tty.getvalue().count("\n") == 3, "a person at a terminal reads the reply as the switch printed it"


def test_the_level_comes_from_v_else_colo_log_level() -> None:
    assert logs.level_from(0, None) == logging.WARNING
    assert logs.level_from(0, "INFO") == logs.level_from(1, None) == logging.INFO
    assert logs.level_from(2, "error") == logs.level_from(0, " debug ") == logging.DEBUG  # -vv wins over the env
    assert logs.level_from(0, "error") == logging.ERROR
    with pytest.raises(BadInput, match=r"COLO_LOG_LEVEL='loud': give one of debug, info, warning, error"):
        logs.level_from(0, "loud")
    assert logs.format_for(None, Terminal()) == "text" and logs.format_for(None, io.StringIO()) == "json"
    assert logs.format_for("text", io.StringIO()) == "text"


# --- the real command line --------------------------------------------------------------------------------------


def _store(tmp_path: Path) -> str:
    db = str(tmp_path / "colo.db")
    Colo(db=db).init(str(EXAMPLE))
    return db


def _run(db: str, *args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([COLO, "--db", db, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, **kw)


def test_colo_log_level_and_v_on_a_pipe_give_json_lines_and_leave_stdout_alone(tmp_path: Path) -> None:
    db = _store(tmp_path)
    rounds = ("monitor", "run", "--period", "1", "--rounds", "1", "--json")
    quiet = _run(db, *rounds)
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    info = _run(db, *rounds, env={"COLO_LOG_LEVEL": "info"})
    round_, = (e for e in _events(info.stderr) if e.get("event") == "round")
    assert round_["watched"] == 0 and round_["level"] == "info" and round_["logger"] == "provision.services.monitoring.rounds"
    assert json.loads(info.stdout)["watched"] == json.loads(quiet.stdout)["watched"] == 0  # stdout as it was
    verbose = _run(db, "-v", *rounds, env={"COLO_LOG_LEVEL": "error"})  # -v on the command line wins
    assert "round" in [e.get("event") for e in _events(verbose.stderr)]
    text = _run(db, "--log-format", "text", *rounds, env={"COLO_LOG_LEVEL": "info"})
    assert all(TEXT_LINE.fullmatch(line) for line in text.stderr.splitlines()) and " round " in text.stderr
    bad = _run(db, *rounds, env={"COLO_LOG_LEVEL": "chatty"})
    assert bad.returncode == 2 and json.loads(bad.stdout)["kind"] == "bad-input" and bad.stderr == (
        "error: COLO_LOG_LEVEL='chatty': give one of debug, info, warning, error\n")
    wrong = _run(db, "--log-format", "xml", *rounds)
    assert wrong.returncode == 2 and "'xml' is not one of 'text', 'json'" in wrong.stderr


def test_on_a_terminal_the_default_is_text(tmp_path: Path) -> None:
    db = _store(tmp_path)
    leader, follower = os.openpty()
    try:
        run = subprocess.run([COLO, "--db", db, "monitor", "run", "--period", "1", "--rounds", "1", "--json"],
                             stdout=subprocess.PIPE, stderr=follower, text=True, timeout=120,
                             env={**os.environ, "COLO_LOG_LEVEL": "info"})
        os.close(follower)
        follower = -1
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: everything was read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert run.returncode == 0
    lines = [line for line in seen.decode().splitlines() if "provision." in line]
    assert lines and all(TEXT_LINE.fullmatch(line) for line in lines), seen


def test_the_monitor_under_systemd_logs_each_emergency_as_one_json_line(lab: Lab, lab_db: str) -> None:
    """Default level, stderr a pipe: what needs a person (an emergency, a customer not told) is there,
    one parseable object per event; the rounds' JSON on stdout is unchanged."""
    cid, _ = active_contract(lab_db)
    closed = free_port(socket.SOCK_STREAM)  # the SMS gateway is down; its API key rides in the URL
    Colo(db=lab_db).set_contact(cid, "webhook", f"http://127.0.0.1:{closed}/sms?key=gw-K3Y-42&to=13800000000")
    with nothing_routed():  # the contract's address stays down: no other test routes it to a lab host meanwhile
        run = _run(lab_db, "monitor", "run", "--period", "1", "--rounds", "2", "--ping-timeout", "0.3",
                   "--ping-attempts", "1", "--json")
    assert run.returncode == 0, run.stderr
    events = _events(run.stderr)
    declared = [e for e in events if e.get("event") == "emergency_declared"]
    untold = [e for e in events if e.get("event") == "notification_failed"]
    assert [(e["level"], e["contract"], e["check"]) for e in declared] == [("warning", cid, "network")]
    assert declared[0]["message"].startswith(f"emergency E{declared[0]['emergency']} declared: {cid} network ")
    assert untold and untold[0]["contract"] == cid and untold[0]["channel"] == "webhook"
    assert f"webhook to http://127.0.0.1:{closed}/sms?key=***&to=*** failed" in untold[0]["message"]
    assert "gw-K3Y-42" not in run.stderr and "\x1b" not in run.stderr
    stdout = [json.loads(chunk) for chunk in run.stdout.replace("}\n{", "}\x00{").split("\x00")]
    assert [len(r["declared"]) for r in stdout] == [0, 1]


def test_vv_as_json_shows_the_device_conversation_and_never_a_secret(lab: Lab, lab_db: str) -> None:
    cid = sign_on(lab_db, "cisco_ios")["id"]
    run = _run(lab_db, "-vv", "--log-format", "json", "--at", "2026-11-25T09:00", "provision", cid, "--dry-run")
    assert run.returncode == 0, run.stderr[-2000:]
    events = _events(run.stderr)
    sent = [e["message"] for e in events if e["logger"] == "provision.drivers.switch.base" and e["level"] == "info"]
    assert any(m.startswith("sw-a101-1 > show running-config") for m in sent), sent
    assert {"netmiko", "paramiko.transport"} & {e["logger"] for e in events}  # the libraries' own lines at -vv
    entries = yaml.safe_load(Path(lab.secrets).read_text(encoding="utf-8"))
    for secret in (str(v) for entry in entries.values() for k, v in entry.items() if k != "username"):
        assert secret not in run.stderr


def test_a_failed_round_is_one_event_and_the_loop_goes_on(quiet: None) -> None:
    """A store that fails mid-run (an SQL error spans lines): one error event per round, in either format."""
    from provision.services.monitoring.rounds import MonitorOptions, run

    def gone() -> Any:
        raise ConnectionError("the store is gone\n[SQL: INSERT INTO monitor_rounds ...]")

    for fmt in ("json", "text"):
        out = io.StringIO()
        logs.configure(0, out, fmt=fmt)
        results = list(run(gone, MonitorOptions(), period=1, rounds=2))
        assert [r["error"].splitlines()[0] for r in results] == ["round failed: ConnectionError: the store is gone"] * 2
        lines = out.getvalue().splitlines()
        assert len(lines) == 2, lines
        if fmt == "json":
            assert all(e["level"] == "error" and e["event"] == "round_failed" and "[SQL: INSERT" in e["message"]
                       for e in _events(out.getvalue()))
        else:
            assert all(TEXT_LINE.fullmatch(line) and "gone\\n[SQL" in line for line in lines)
