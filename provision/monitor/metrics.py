"""Prometheus metrics of `colo monitor run --metrics HOST:PORT`: is the monitor alive, and is anyone told?

The monitor itself is what nobody watches at 3 a.m.: a stopped service, a store it can
no longer write, a relay that refuses every notification all look like a quiet night.
Each round's result (provision.services.monitoring.rounds.tick) is turned into metrics a
Prometheus server scrapes; the alert rules in docs/monitoring-alerts.yml page someone
when no round succeeded for 10 minutes or an emergency's customer was not told within
10 minutes (5 left of the 15-minute report guarantee, SLA §4.5).

The metrics live in a registry of their own (not prometheus_client's global one), so
tests and a second exporter in one process never collide; prometheus_client is imported
only here, and this module only by `monitor run --metrics`.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from provision.errors import BadInput, OperationFailed
from provision.monitor.services import KINDS as SERVICE_KINDS

CHECKS = ("network", "power", *SERVICE_KINDS)
PREFIX = "colo_monitor_"


class MonitorMetrics:
    """The metric families, updated by `observe` once per round."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r, p = self.registry, PREFIX
        self.duration = Histogram(f"{p}round_duration_seconds", "Time one probe round took, probes to notifications",
                                  registry=r, buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300))
        self.rounds = Counter(f"{p}rounds", "Rounds run, by outcome (ok, failed)", ["outcome"], registry=r)
        self.last_success = Gauge(f"{p}last_success_timestamp_seconds", "When the last recorded round finished "
                                  "(Unix time; the monitor's start until its first round)", registry=r)
        self.last_success.set_to_current_time()  # a monitor that never completes a round alerts 10 minutes on
        self.probed = Gauge(f"{p}targets_probed", "Targets the last round probed, per check kind", ["kind"], registry=r)
        self.failed = Gauge(f"{p}targets_failed", "Targets that failed in the last round, per check kind", ["kind"],
                            registry=r)
        self.declared = Counter(f"{p}emergencies_declared", "Emergencies declared, per check kind", ["kind"],
                                registry=r)
        self.open = Gauge(f"{p}open_emergencies", "Emergencies not yet ended, per check kind", ["kind"], registry=r)
        self.unnotified = Gauge(f"{p}unnotified_emergencies",
                                "Emergencies whose customer was neither told nor waived", registry=r)
        self.oldest_unnotified = Gauge(f"{p}oldest_unnotified_emergency_timestamp_seconds",
                                       "When the oldest emergency nobody was told of was declared (Unix time; "
                                       "0 when there is none)", registry=r)
        self.delay = Histogram(f"{p}notification_delay_seconds", "From declaring an emergency to the next hop "
                               "accepting its notification (the 15-minute report)", ["channel"], registry=r,
                               buckets=(10, 30, 60, 120, 300, 600, 900, 1800, 3600))
        self.notify_failures = Counter(f"{p}notification_failures", "Notifications not accepted in a round, per "
                                       "channel (phone, fax and pager: waiting for a technician to log the call)",
                                       ["channel"], registry=r)
        self.pdu_errors = Counter(f"{p}pdu_poll_errors", "PDUs whose outlet states a round could not read",
                                  ["pdu"], registry=r)
        for kind in CHECKS:  # every series exists from the start: `rate()` and alerts need a zero to begin from
            for family in (self.probed, self.failed, self.declared, self.open):
                family.labels(kind)
        self.rounds.labels("ok")
        self.rounds.labels("failed")

    def observe(self, result: dict[str, Any]) -> None:
        """One round's result, as `tick` returned it or `run` reported a failed round."""
        if "error" in result:
            self.rounds.labels("failed").inc()
            return
        self.rounds.labels("ok").inc()
        self.duration.observe(result["seconds"])
        self.last_success.set_to_current_time()
        failing = Tally(f["check"] for f in result["failing"])
        for kind in CHECKS:
            self.probed.labels(kind).set(result["probed"].get(kind, 0))
            self.failed.labels(kind).set(failing[kind])
            self.open.labels(kind).set(result["open_emergencies"].get(kind, 0))
        for e in result["declared"]:
            self.declared.labels(e["check"]).inc()
        for n in result["notifications"]:
            if n["sent"]:
                self.delay.labels(n["channel"]).observe(n["delay_seconds"])
            else:
                self.notify_failures.labels(n["channel"] or "none").inc()
        for pdu in result["unread_pdus"]:
            self.pdu_errors.labels(pdu).inc()
        waiting = result["unnotified"]
        self.unnotified.set(waiting["count"])
        oldest = waiting["oldest_declared_at"]
        self.oldest_unnotified.set(datetime.fromisoformat(oldest).timestamp() if oldest else 0)


class Exporter:
    """The metrics and the HTTP server Prometheus scrapes them from (a daemon thread)."""

    def __init__(self, address: str) -> None:
        host, port = parse_address(address)
        self.metrics = MonitorMetrics()
        try:
            self._server, self._thread = start_http_server(port, host, registry=self.metrics.registry)
        except OSError as e:
            raise OperationFailed(f"--metrics {address}: cannot listen there ({e.strerror}): choose another port or "
                                  f"stop what holds it") from None

    def observing(self, results: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """`results` passed through, each one observed first; the server stops when they end."""
        try:
            for result in results:
                self.metrics.observe(result)
                yield result
        finally:
            self.close()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def parse_address(text: str) -> tuple[str, int]:
    """HOST:PORT, an IPv6 host in brackets; port 0 lets the system choose."""
    try:
        where = urlsplit(f"//{text}")
        host, port, rest = where.hostname, where.port, where.path or where.query or where.username
    except ValueError:  # a port that is no number or beyond 65535
        host, port, rest = None, None, None
    if not host or port is None or rest:
        raise BadInput(f"--metrics {text!r}: give HOST:PORT to serve the metrics on, e.g. 127.0.0.1:9464 "
                       f"(Prometheus scrapes http://HOST:PORT/metrics)")
    return host, port
