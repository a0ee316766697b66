"""The monitor's Prometheus metrics, scraped by a real Prometheus server, and the alert rules it ships.

`colo monitor run --metrics` is a real process probing the lab (an active contract whose
server never answers ping, PDUs answering SNMP, notifications to a real SMTP server);
Debian's /usr/bin/prometheus scrapes it on loopback, loads docs/monitoring-alerts.yml and
answers PromQL over its HTTP API. promtool checks the rules and runs unit tests of when
they fire.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from provision.api import Colo
from tests.conftest import EXAMPLE, ROOT, Lab, free_port
from tests.lab_contracts import active_contract
from tests.lab_mail import smtp_server
from tests.labhost import nothing_routed

COLO = str(Path(sys.executable).with_name("colo"))
PROMETHEUS, PROMTOOL = Path("/usr/bin/prometheus"), Path("/usr/bin/promtool")
RULES = ROOT / "docs" / "monitoring-alerts.yml"
needs_prometheus = pytest.mark.skipif(not PROMETHEUS.exists() or not PROMTOOL.exists(),
                                      reason="Debian's prometheus is absent: apt-get install -y prometheus")


# --- a real Prometheus scraping a real monitor -------------------------------------------------------------------


@contextmanager
def prometheus(tmp_path: Path, target: str) -> Iterator[str]:
    """/usr/bin/prometheus on a free loopback port with its own storage, scraping `target` every second."""
    port = free_port(socket.SOCK_STREAM)
    config = tmp_path / "prometheus.yml"
    config.write_text(textwrap.dedent(f"""\
        global: {{scrape_interval: 1s, evaluation_interval: 1s}}
        rule_files: ["{RULES}"]
        scrape_configs:
          - job_name: colo-monitor
            static_configs: [{{targets: ["{target}"]}}]
        """), encoding="utf-8")
    log = (tmp_path / "prometheus.log").open("w")
    proc = subprocess.Popen([str(PROMETHEUS), f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                             f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _ready(url), 60, lambda: f"prometheus never got ready: {(tmp_path / 'prometheus.log').read_text()}")
        yield url
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def _wait(condition: Any, seconds: float, why: Any) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, why()
        time.sleep(0.25)


def query(url: str, promql: str) -> dict[str, float]:
    """An instant PromQL query over the HTTP API: each series' value, keyed by its `kind`/`channel` label or ''."""
    with urllib.request.urlopen(f"{url}/api/v1/query?{urllib.parse.urlencode({'query': promql})}", timeout=10) as r:
        answer = json.load(r)
    assert answer["status"] == "success", answer
    return {s["metric"].get("kind", s["metric"].get("channel", "")): float(s["value"][1])
            for s in answer["data"]["result"]}


@needs_prometheus
def test_prometheus_scrapes_the_monitor_and_answers_promql(lab: Lab, lab_db: str, tmp_path: Path) -> None:
    cid, _ = active_contract(lab_db)
    Colo(db=lab_db).set_contact(cid, "email", "noc@customer.example")
    metrics = f"127.0.0.1:{free_port(socket.SOCK_STREAM)}"
    # nothing_routed: the contract's address stays down, no other test routes it to a lab host meanwhile
    with nothing_routed(), smtp_server() as (relay, inbox), prometheus(tmp_path, metrics) as url:
        monitor = subprocess.Popen([COLO, "--db", lab_db, "monitor", "run", "--period", "1", "--ping-timeout", "0.3",
                                    "--ping-attempts", "1", "--metrics", metrics, "--smtp", f"127.0.0.1:{relay.port}",
                                    "--mail-from", "noc@colo.example", "--json"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # two failed rounds declare the emergency; the round after it shows it still open
            _wait(lambda: query(url, 'colo_monitor_rounds_total{outcome="ok"}').get("", 0) >= 3, 90,
                  lambda: f"no 3 rounds scraped: up {query(url, 'up')}, " + (
                      f"monitor exited {monitor.poll()}: {monitor.communicate()}" if monitor.poll() is not None else ""))
            probed = query(url, "colo_monitor_targets_probed")
            failed = query(url, "colo_monitor_targets_failed")
            declared = query(url, "colo_monitor_emergencies_declared_total")
            ongoing = query(url, "colo_monitor_open_emergencies")
            delays = query(url, "colo_monitor_notification_delay_seconds_count")
            delay_sum = query(url, "colo_monitor_notification_delay_seconds_sum")
            unnotified = query(url, "colo_monitor_unnotified_emergencies")
            since_round = query(url, "time() - colo_monitor_last_success_timestamp_seconds")
            durations = query(url, "colo_monitor_round_duration_seconds_count")
            rules = _rules(url)
        finally:
            monitor.send_signal(signal.SIGTERM)
            out, err = monitor.communicate(timeout=60)
    assert monitor.returncode == 0, err
    assert probed == {"network": 1, "power": 1, "www": 0, "email": 0, "ftp": 0}
    assert failed == {"network": 1, "power": 0, "www": 0, "email": 0, "ftp": 0}  # no ping reply, the PDU says on
    assert declared["network"] == 1 and ongoing["network"] == 1 and ongoing["power"] == 0
    assert delays == {"email": 1} and 0 <= delay_sum["email"] < 15, "declared and told in the same round"
    assert len(inbox.messages) == 1 and unnotified == {"": 0}
    assert 0 <= since_round[""] < 30 and durations[""] >= 3
    assert rules == {"ColoMonitorRoundMissing": "ok", "ColoMonitorDown": "ok", "ColoEmergencyNotNotified": "ok",
                     "ColoNotificationsFailing": "ok", "ColoPduUnread": "ok"}
    rounds = [json.loads(chunk) for chunk in out.replace("}\n{", "}\x00{").split("\x00")]
    assert rounds[1]["declared"][0]["contract"] == cid, "stdout keeps the rounds' JSON"


def _rules(url: str) -> dict[str, str]:
    """Each loaded alert rule's health once Prometheus evaluated it ('ok', or 'err' with a bad expression)."""
    def evaluated() -> dict[str, str]:
        with urllib.request.urlopen(f"{url}/api/v1/rules", timeout=10) as r:
            groups = json.load(r)["data"]["groups"]
        return {rule["name"]: rule["health"] for g in groups for rule in g["rules"]}

    _wait(lambda: "unknown" not in evaluated().values(), 30, evaluated)
    return evaluated()


# --- the alert rules, checked and unit-tested by promtool ----------------------------------------------------


@needs_prometheus
def test_promtool_accepts_the_alert_rules() -> None:
    check = subprocess.run([str(PROMTOOL), "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0 and "SUCCESS: 5 rules found" in check.stdout, check.stdout + check.stderr


PAGE = {"severity": "page", "job": "colo-monitor", "instance": "noc:9464"}


@needs_prometheus
def test_the_alerts_fire_after_ten_minutes_and_not_before(tmp_path: Path) -> None:
    """Rounds stop after the one at minute 10: paged at 21 minutes, not at 19. An emergency declared at
    minute 2 and still untold pages at minute 13, not 12, and stops once it is told; a failing mail relay
    warns, a phone call waiting for a technician does not."""
    series = 'colo_monitor_{}{{job="colo-monitor", instance="noc:9464"{}}}'
    tests = {"rule_files": [str(RULES)], "evaluation_interval": "1m", "tests": [{
        "interval": "1m",
        "input_series": [
            {"series": series.format("last_success_timestamp_seconds", ""), "values": "0x4 300x4 600x25"},
            {"series": series.format("unnotified_emergencies", ""), "values": "0 0 1x12 0x20"},
            {"series": series.format("oldest_unnotified_emergency_timestamp_seconds", ""), "values": "0 0 120x12 0x20"},
            {"series": series.format("notification_failures_total", ', channel="email"'), "values": "0x5 1+1x10"},
            {"series": series.format("notification_failures_total", ', channel="phone"'), "values": "0x5 1+1x10"},
        ],
        "alert_rule_test": [
            {"eval_time": "19m", "alertname": "ColoMonitorRoundMissing", "exp_alerts": []},
            {"eval_time": "21m", "alertname": "ColoMonitorRoundMissing", "exp_alerts": [{
                "exp_labels": PAGE, "exp_annotations": _annotations("ColoMonitorRoundMissing", "11m 0s")}]},
            {"eval_time": "12m", "alertname": "ColoEmergencyNotNotified", "exp_alerts": []},
            {"eval_time": "13m", "alertname": "ColoEmergencyNotNotified", "exp_alerts": [{
                "exp_labels": PAGE, "exp_annotations": _annotations("ColoEmergencyNotNotified", "11m 0s")}]},
            {"eval_time": "16m", "alertname": "ColoEmergencyNotNotified", "exp_alerts": []},
            {"eval_time": "10m", "alertname": "ColoNotificationsFailing", "exp_alerts": [{
                "exp_labels": {**PAGE, "severity": "warning", "channel": "email"},
                "exp_annotations": _annotations("ColoNotificationsFailing", channel="email")}]},
        ]}]}
    file = tmp_path / "alerts_test.yml"
    file.write_text(json.dumps(tests), encoding="utf-8")  # JSON is YAML
    run = subprocess.run([str(PROMTOOL), "test", "rules", str(file)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "SUCCESS" in run.stdout, run.stdout + run.stderr


def _annotations(alert: str, value: str = "", **labels: str) -> dict[str, str]:
    """The rule's annotations as Prometheus renders them for `value` (humanized) and `labels`."""
    import yaml

    rule = next(r for g in yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"] for r in g["rules"]
                if r["alert"] == alert)
    out = {}
    for name, template in rule["annotations"].items():
        text = template.replace("{{ $value | humanizeDuration }}", value).replace("{{ $labels.instance }}", "noc:9464")
        for label, v in labels.items():
            text = text.replace(f"{{{{ $labels.{label} }}}}", v)
        out[name] = text
    return out


# --- what a round turns into, in-process ------------------------------------------------------------------------


def test_a_silent_pdu_and_a_failed_round_are_counted(lab: Lab, lab_db: str) -> None:
    from provision.lab.snmpagent import agent_paused
    from provision.monitor.metrics import MonitorMetrics

    active_contract(lab_db)
    metrics = MonitorMetrics()
    api = Colo(db=lab_db, at="2026-12-01T10:00")
    with agent_paused(str(lab.state), "pdu-a01"), nothing_routed():
        result = api.monitor_tick(api.monitor_options(ping_timeout=0.3, ping_attempts=1))
    metrics.observe(result)
    metrics.observe({"error": "round failed: OperationalError: the store is gone"})
    value = metrics.registry.get_sample_value
    assert result["unread_pdus"] == ["pdu-a01"]
    assert value("colo_monitor_pdu_poll_errors_total", {"pdu": "pdu-a01"}) == 1
    assert value("colo_monitor_rounds_total", {"outcome": "ok"}) == 1
    assert value("colo_monitor_rounds_total", {"outcome": "failed"}) == 1
    assert value("colo_monitor_targets_failed", {"kind": "network"}) == 1, result["failing"]
    assert value("colo_monitor_unnotified_emergencies") == 0  # one failed round declares nothing yet


# --- the option, and everyday commands ---------------------------------------------------------------------------


def test_a_bad_or_taken_metrics_address_refuses_before_any_round(tmp_path: Path) -> None:
    db = str(tmp_path / "colo.db")
    Colo(db=db).init(str(EXAMPLE))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for address, code, says in [("nohost", 2, "--metrics 'nohost': give HOST:PORT"),
                                    ("127.0.0.1:99999", 2, "e.g. 127.0.0.1:9464"),
                                    ("127.0.0.1:9464/metrics", 2, "give HOST:PORT"),
                                    (f"127.0.0.1:{port}", 1, f"--metrics 127.0.0.1:{port}: cannot listen there")]:
            run = subprocess.run([COLO, "--db", db, "monitor", "run", "--rounds", "1", "--metrics", address],
                                 capture_output=True, text=True, timeout=60)
            assert run.returncode == code and says in run.stderr and run.stdout == "", run.stderr
            assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert Colo(db=db).incidents(False) == [] and _rounds(db) == 0


def _rounds(db: str) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("select count(*) from monitor_rounds").fetchone()[0])


def test_everyday_commands_never_import_prometheus(tmp_path: Path) -> None:
    script = ("import sys, cli\nsys.argv = ['colo', '--db', sys.argv[1], 'monitor', 'tick', '--json']\n"
              "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
              "print('prometheus_client' in sys.modules, file=sys.stderr)")
    db = str(tmp_path / "colo.db")
    Colo(db=db).init(str(EXAMPLE))
    run = subprocess.run([sys.executable, "-c", script, db], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert json.loads(run.stdout)["watched"] == 0 and run.stderr.strip().endswith("False"), run.stderr
