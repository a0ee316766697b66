"""The one public Python API: the CLI, the Ansible modules and scripts all call this.

`Colo` is a small front over a context (store URL, 'now', actor), in the spirit of
ansible-runner's `interface.run()` over a config object: every method is one use
case, returns plain JSON-ready data, and raises `provision.errors.ColoError`
subclasses whose `exit_code` says what kind of failure it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from provision.domain.hardware import ServerRecord
from provision.errors import BadInput, Refused
from provision.services.context import Context, what_if_refusal
from provision.services.orders import SignOrder

__all__ = ["Colo", "ServerRecord", "SignOrder"]


@dataclass
class Colo:
    db: str | None = None
    at: str | None = None
    actor: str | None = None
    what_if: str | None = None  # a time: run as of then, read-only, touching no device
    command: str | None = None  # the command's name, for a what-if refusal ("contract decommission")
    site: str | None = None  # the site to work on; needed only when the store holds several

    @cached_property
    def context(self) -> Context:
        return Context.open(self.db, self.at, self.actor, self.what_if, self.command, self.site)

    @staticmethod
    def check_inventory(path: str) -> dict[str, Any]:
        from provision.inventory.load import load_inventory  # pydantic: only commands reading an inventory pay

        inv = load_inventory(path)
        return {"site": inv.site.name, "rooms": len(inv.rooms), "racks": sum(len(r.racks) for r in inv.rooms),
                "switches": len(inv.switches), "pdus": len(inv.pdus), "pools": len(inv.pools),
                "access_ports": sum(len(s.access_ports) for s in inv.switches),
                "addresses": sum(p.prefix.num_addresses for p in inv.pools)}

    def init(self, inventory_path: str) -> dict[str, Any]:
        from provision.services.site import setup

        if self.what_if is not None:
            raise Refused(what_if_refusal(self.command or "init"))
        return setup.init(self.db, inventory_path)

    def import_site(self, source: str, url: str, token_secret: str, location: str,
                    out: str | None = None) -> dict[str, Any]:
        """The site from a source of truth (Nautobot): YAML into `out`, or synced into the store (write-back on)."""
        from provision.sot import service

        if self.what_if is not None and out is None:
            raise Refused(what_if_refusal(self.command or "inventory import"))
        return service.import_site(self.db, source, url, token_secret, location, out)

    def sot_sync(self, batch: int = 100) -> dict[str, Any]:
        """Deliver the write-back outbox to the source of truth, `batch` objects per request."""
        from provision.sot import service

        return service.sync(self.context, batch)

    def sot_status(self) -> dict[str, Any]:
        from provision.sot import service

        return service.status(self.context)

    def sot_drift(self) -> dict[str, Any]:
        from provision.sot import service

        return service.drift(self.context)

    def sign(self, order: SignOrder) -> dict[str, Any]:
        from provision.services import contracts

        return contracts.sign(self.context, order)

    def contract(self, contract_id: str) -> dict[str, Any]:
        from provision.services import contract_view

        return contract_view.show(self.context, contract_id)

    def change_service(self, contract_id: str, bandwidth_mbps: int | None = None, add_ips: int = 0, add_slots: int = 0,
                       fee: str | None = None, request_id: str | None = None, dry_run: bool = False) -> dict[str, Any]:
        """SLA §5 服务内容变更处理: bandwidth, addresses, slots (and the fee from the next period)."""
        from provision.domain.money import parse_money
        from provision.domain.service_change import ChangeOrder
        from provision.services.provisioning import service_change

        order = ChangeOrder(bandwidth_mbps, add_ips, add_slots, None if fee is None else parse_money(fee, "--fee"),
                            request_id)
        return service_change.change(self.context, contract_id, order, dry_run)

    def assign(self, contract_id: str, rep: str | None = None, engineer: str | None = None) -> dict[str, Any]:
        from provision.services.people import assignments

        return assignments.assign(self.context, contract_id, rep, engineer)

    def record_server(self, contract_id: str, position: int, record: ServerRecord) -> dict[str, Any]:
        from provision.services.provisioning import servers

        return servers.record_server(self.context, contract_id, position, record)

    def servers(self, contract_id: str) -> list[dict[str, Any]]:
        from provision.services.provisioning import servers

        return servers.servers(self.context, contract_id)

    def server(self, contract_id: str, number: int) -> dict[str, Any]:
        from provision.services.provisioning import servers

        return servers.server(self.context, contract_id, number)

    def contracts(self, state: str | None = None) -> list[dict[str, Any]]:
        from provision.services import contracts

        return contracts.list_contracts(self.context, state)

    def deadlines(self, include_closed: bool = False) -> list[dict[str, Any]]:
        from provision.services import deadlines

        return deadlines.deadlines(self.context, include_closed)

    def rack(self, name: str) -> dict[str, Any]:
        from provision.services.site import rack_view

        return rack_view.rack_view(self.context, name)

    def racks(self, room: str | None = None) -> list[dict[str, Any]]:
        from provision.services.site import racks

        return racks.rack_list(self.context, room)

    def find(self, text: str) -> dict[str, Any]:
        from provision.services import find

        return find.find(self.context, text)

    def reserve(self, rack: str, units: int, for_name: str, until: str) -> dict[str, Any]:
        from provision.services.site import racks

        return racks.reserve(self.context, rack, units, for_name, until)

    def release_hold(self, hold_id: int) -> dict[str, Any]:
        from provision.services.site import racks

        return racks.release_hold(self.context, hold_id)

    def holds(self, include_expired: bool = False) -> list[dict[str, Any]]:
        from provision.services.site import racks

        return racks.list_holds(self.context, include_expired)

    def hold(self, hold: str | int) -> dict[str, Any]:
        from provision.services.site import racks

        return racks.show_hold(self.context, hold)

    def provision(self, contract_ids: list[str], dry_run: bool = False, out: str | None = None,
                  all_signed: bool = False) -> dict[str, Any]:
        from provision.services.provisioning import deploy  # drivers load only for commands that reach devices

        return deploy.provision(self.context, contract_ids, dry_run, out, all_signed)

    def apply(self, plan_file: str) -> dict[str, Any]:
        from provision.services.provisioning import deploy

        return deploy.apply_file(self.context, plan_file)

    def activate(self, contract_id: str) -> dict[str, Any]:
        from provision.services.provisioning import deploy

        return deploy.activate(self.context, contract_id)

    def activate_many(self, contract_ids: list[str]) -> list[dict[str, Any]]:
        """Each contract activated on its own; a failure is reported in its entry and the rest go on."""
        from provision.services.provisioning import deploy

        return deploy.activate_many(self.context, contract_ids)

    def record_install(self, contract_id: str, step: str, note: str | None = None) -> dict[str, Any]:
        from provision.services.provisioning import deploy

        return deploy.record_install(self.context, contract_id, step, note)

    def install_steps(self, contract_id: str) -> dict[str, Any]:
        from provision.services.provisioning import deploy

        return deploy.install_steps(self.context, contract_id)

    def payment(self, contract_id: str, amount: str, ref: str | None = None) -> dict[str, Any]:
        from provision.services.money import enforcement

        return enforcement.record_payment(self.context, contract_id, amount, ref)

    def account(self, contract_id: str) -> dict[str, Any]:
        from provision.services.money import payments

        return payments.show(self.context, contract_id)

    def payments(self, contract_id: str) -> list[dict[str, Any]]:
        from provision.services.money import payments

        return payments.list_payments(self.context, contract_id)

    def void_payment(self, payment_id: int, reason: str) -> dict[str, Any]:
        """A reversing record with its reason; the payment row stays and the balance leaves it out."""
        from provision.services.money import payments

        return payments.void_payment(self.context, payment_id, reason)

    def refunded(self, contract_id: str, ref: str) -> dict[str, Any]:
        """Every refund due on the contract (forced termination, missed install guarantee) paid under `ref`."""
        from provision.services.money import payments

        return payments.record_refund(self.context, contract_id, ref)

    def enforce(self, dry_run: bool = False, stop_after_hours: float = 24.0, mailer: Any = None) -> dict[str, Any]:
        """`mailer` (see `mailer()`) carries stop-service notices to customers who get them by email."""
        from provision.services.money import enforcement

        if self.what_if is not None and not dry_run:  # it mails notices before it writes: refuse before either
            raise Refused(what_if_refusal(self.command or "enforce"))
        return enforcement.enforce(self.context, dry_run, stop_after_hours, mailer)

    def notices(self, open_only: bool = False, contract_id: str | None = None) -> list[dict[str, Any]]:
        from provision.services.money import notices

        return notices.listing(self.context, open_only, contract_id)

    def notice(self, notice: str | int) -> dict[str, Any]:
        from provision.services.money import notices

        return notices.show(self.context, notice)

    def notice_delivered(self, notice_id: int, channel: str = "phone") -> dict[str, Any]:
        from provision.services.money import notices

        return notices.log_delivered(self.context, notice_id, channel)

    def notice_failed(self, notice_id: int, reason: str) -> dict[str, Any]:
        from provision.services.money import notices

        return notices.log_failed(self.context, notice_id, reason)

    def service(self, contract_id: str, up: bool, dry_run: bool = False) -> dict[str, Any]:
        from provision.services.money import enforcement

        return enforcement.set_service_by_rule(self.context, contract_id, up, dry_run)

    def drift(self, fix: bool = False) -> dict[str, Any]:
        from provision.services.provisioning import deploy

        return deploy.drift(self.context, fix)

    def traffic_poll(self) -> dict[str, Any]:
        from provision.services.monitoring import traffic

        return traffic.poll(self.context)

    def traffic(self, contract_id: str, month: str | None = None) -> dict[str, Any]:
        from provision.services.monitoring import traffic

        return traffic.show(self.context, contract_id, month)

    @staticmethod
    def parse_switch_config(platform: str, interface: str, path: str) -> dict[str, Any]:
        from provision.services.provisioning import switch_view

        return switch_view.parse_saved(platform, interface, path)

    def switch_port(self, switch: str, interface: str) -> dict[str, Any]:
        from provision.services.provisioning import switch_view

        return switch_view.show_live(self.context, switch, interface)

    def ansible_inventory(self) -> dict[str, Any]:
        from provision.services.site import inventory_view

        return inventory_view.inventory(self.context)

    def record_outage(self, contract_id: str, kind: str, start: str, end: str | None, cause: str,
                      reported_at: str | None = None, exclude: str | None = None) -> dict[str, Any]:
        from provision.services.monitoring import sla

        return sla.record_outage(self.context, contract_id, kind, start, end, cause, reported_at, exclude)

    def report_outage(self, outage_id: int) -> dict[str, Any]:
        from provision.services.monitoring import sla

        return sla.report_outage(self.context, outage_id)

    def void_outage(self, outage_id: int, reason: str) -> dict[str, Any]:
        """A reversing record with its reason; the outage row stays and no longer counts in the SLA."""
        from provision.services.monitoring import sla

        return sla.void_outage(self.context, outage_id, reason)

    def classify_outage(self, outage_id: int, exclude: str) -> dict[str, Any]:
        from provision.services.monitoring import sla

        return sla.classify_outage(self.context, outage_id, exclude)

    def outages(self, contract_id: str | None = None, open_only: bool = False) -> list[dict[str, Any]]:
        from provision.services.monitoring import sla

        return sla.outages(self.context, contract_id, open_only)

    def outage(self, outage: str | int) -> dict[str, Any]:
        from provision.services.monitoring import sla

        return sla.outage(self.context, outage)

    def record_emergency(self, contract_id: str, declared: str, notified: str | None = None,
                         channel: str | None = None) -> dict[str, Any]:
        from provision.services.monitoring import sla

        return sla.record_emergency(self.context, contract_id, declared, notified, channel)

    @staticmethod
    def monitor_options(icmp: str = "auto", ping_timeout: float = 1.0, ping_attempts: int = 2,
                        check_timeout: float = 5.0, smtp: str | None = None, mail_from: str | None = None,
                        smtp_login: str | None = None):  # type: ignore[no-untyped-def]
        """How the monitor probes and where its mail goes; the SMTP login is a secret's name, never its value."""
        from provision.services.monitoring.rounds import MonitorOptions

        if not 0.05 <= ping_timeout <= 30 or not 0.05 <= check_timeout <= 60:
            raise BadInput("--ping-timeout/--check-timeout: give seconds, 0.05-30 and 0.05-60")
        return MonitorOptions(icmp, ping_timeout, ping_attempts, check_timeout,
                              Colo.mailer(smtp, mail_from, smtp_login))

    @staticmethod
    def mailer(smtp: str | None = None, mail_from: str | None = None,
               smtp_login: str | None = None):  # type: ignore[no-untyped-def]
        """The mail relay customers are told through (None: no relay); the login is a secret's name, never its value."""
        from provision.monitor.notify import Mailer
        from provision.secrets import resolve

        if smtp is None and (mail_from or smtp_login):
            raise BadInput("--mail-from/--smtp-login need --smtp HOST:PORT (or COLO_SMTP)")
        return None if smtp is None else Mailer.parse(smtp, mail_from or "", resolve(smtp_login) if smtp_login else None)

    @staticmethod
    def ping(addresses: list[str], icmp: str = "auto", timeout: float = 1.0, attempts: int = 2) -> dict[str, Any]:
        """Ping from where the monitor runs: which ICMP mode works here and who answers."""
        import ipaddress

        from provision.monitor.icmp import open_pinger

        for a in addresses:
            try:
                ipaddress.IPv4Address(a)
            except ValueError:
                raise BadInput(f"address {a!r} is not an IPv4 address, e.g. 203.0.113.10") from None
        with open_pinger(icmp) as pinger:
            rtt = pinger.round(addresses, timeout, attempts)
            return {"icmp": pinger.mode, "note": pinger.note,
                    "replies": {a: None if s is None else round(s * 1000, 3) for a, s in rtt.items()}}

    def monitor_tick(self, options: Any) -> dict[str, Any]:
        from provision.services.monitoring import rounds

        return rounds.tick(self.context, options)

    def monitor_run(self, options: Any, period: float, rounds: int | None = None,  # type: ignore[no-untyped-def]
                    stop: Any = None, metrics: str | None = None, lease: float | None = None):
        """Rounds as they finish; each round opens the store afresh so a restarted database is picked up.
        `stop` (a monitoring Stop, e.g. SignalStop) ends it after the round in progress; `metrics` (HOST:PORT)
        serves Prometheus metrics of the rounds there, bound before the first round. `lease` (seconds, default two
        periods) is how long this monitor holds the site's rounds between renewals: a standby takes over after it."""
        from dataclasses import replace

        from provision.services.monitoring import rounds as monitoring

        if period < 1:
            raise BadInput(f"--period {period:g}: give seconds, at least 1 (the contract's period is 300)")
        if self.at is not None or self.what_if is not None:
            raise BadInput("--at/--what-if: `monitor run` keeps the real clock; use `monitor tick --at` for dated "
                           "rounds")
        options = replace(options, lease_seconds=2 * period if lease is None else lease)
        results = monitoring.run(lambda: Context.open(self.db, self.at, self.actor, site=self.site), options, period,
                                 rounds, stop)
        if metrics is None:
            return results
        try:
            from provision.monitor.metrics import Exporter
        except ModuleNotFoundError as e:
            from provision.errors import OperationFailed

            raise OperationFailed(f"--metrics needs {e.name}: pip install 'colo[metrics]'") from None
        return Exporter(metrics).observing(results)

    def watch_service(self, contract_id: str, kind: str, target: str, remove: bool = False) -> dict[str, Any]:
        from provision.services.monitoring import contacts

        return contacts.watch_service(self.context, contract_id, kind, target, remove)

    def set_contact(self, contract_id: str, channel: str, target: str, secret: str | None = None) -> dict[str, Any]:
        """`secret`: the name of a DingTalk robot's signing secret (its value comes from the environment)."""
        from provision.services.monitoring import contacts

        return contacts.set_contact(self.context, contract_id, channel, target, secret)

    def monitoring(self, contract_id: str) -> dict[str, Any]:
        from provision.services.monitoring import contacts

        return contacts.show(self.context, contract_id)

    def configure_monitoring(self, contract_id: str, contact: tuple[str, str] | None = None,
                             services: list[tuple[str, str]] | None = None, dry_run: bool = False,
                             contact_secret: str | None = None) -> dict[str, Any]:
        """Contact and the complete list of watched services as declared (None: leave that part).
        `contact_secret`: the name of a DingTalk robot's signing secret, as for `set_contact`."""
        from provision.services.monitoring import contacts

        return contacts.configure(self.context, contract_id, contact, services, dry_run, contact_secret)

    def incidents(self, open_only: bool = False, contract_id: str | None = None) -> list[dict[str, Any]]:
        from provision.services.monitoring import rounds

        return rounds.incidents(self.context, open_only, contract_id)

    def emergency(self, emergency: str | int) -> dict[str, Any]:
        from provision.services.monitoring import rounds

        return rounds.emergency(self.context, emergency)

    def incident_notified(self, emergency_id: int, channel: str = "phone") -> dict[str, Any]:
        from provision.services.monitoring import rounds

        return rounds.mark_notified(self.context, emergency_id, channel)

    def incident_waive(self, emergency_id: int, reason: str, note: str | None = None) -> dict[str, Any]:
        from provision.services.monitoring import rounds

        return rounds.waive(self.context, emergency_id, reason, note)

    def sla_report(self, month: str, contract_id: str | None = None) -> dict[str, Any]:
        from provision.services.monitoring import sla

        if contract_id is None:
            return sla.site_report(self.context, month)
        return sla.contract_report(self.context, contract_id, month)

    def sla_report_html(self, month: str, path: str, contract_id: str | None = None) -> dict[str, Any]:
        """The report as one self-contained HTML page (timelines, rack elevations) written to `path`."""
        from pathlib import Path

        from provision import report_html
        from provision.services.site import elevations

        report = self.sla_report(month, contract_id)
        named = [r["contract"] for r in report.get("contracts", [report])]
        page = report_html.page(report, elevations.site_elevations(self.context, named))
        try:
            Path(path).write_text(page, encoding="utf-8")
        except OSError as e:
            raise BadInput(f"--html {path}: cannot write the page ({e.strerror}): give a writable file path") from None
        return report | {"html": path}

    def open_ticket(self, contract_id: str, summary: str, reported_by: str | None = None) -> dict[str, Any]:
        from provision.services.monitoring import tickets

        return tickets.open_ticket(self.context, contract_id, summary, reported_by)

    def respond_ticket(self, ticket: str) -> dict[str, Any]:
        from provision.services.monitoring import tickets

        return tickets.respond_ticket(self.context, ticket)

    def resolve_ticket(self, ticket: str, resolution: str) -> dict[str, Any]:
        from provision.services.monitoring import tickets

        return tickets.resolve_ticket(self.context, ticket, resolution)

    def major_ticket(self, ticket: str, consulted_by: str | None = None, note: str | None = None) -> dict[str, Any]:
        from provision.services.monitoring import tickets

        return tickets.major_ticket(self.context, ticket, consulted_by, note)

    def tickets(self, open_only: bool = False, contract_id: str | None = None) -> list[dict[str, Any]]:
        from provision.services.monitoring import tickets

        return tickets.list_tickets(self.context, open_only, contract_id)

    def ticket(self, ticket: str | int) -> dict[str, Any]:
        from provision.services.monitoring import tickets

        return tickets.show_ticket(self.context, ticket)

    def record_complaint(self, contract_id: str, summary: str, category: str,
                         employee: str | None = None) -> dict[str, Any]:
        from provision.services.monitoring import tickets

        return tickets.record_complaint(self.context, contract_id, summary, category, employee)

    def report_complaint(self, complaint: str, ref: str) -> dict[str, Any]:
        from provision.services.monitoring import tickets

        return tickets.report_complaint(self.context, complaint, ref)

    def complaints(self, contract_id: str | None = None) -> list[dict[str, Any]]:
        from provision.services.monitoring import tickets

        return tickets.list_complaints(self.context, contract_id)

    def complaint(self, complaint: str | int) -> dict[str, Any]:
        from provision.services.monitoring import tickets

        return tickets.show_complaint(self.context, complaint)

    def declare_business(self, contract_id: str, advertising: bool | None = None,
                         icp: bool | None = None) -> dict[str, Any]:
        from provision.services.people import licences

        return licences.declare(self.context, contract_id, advertising, icp)

    def record_licence(self, contract_id: str, kind: str, number: str, filed: str, received: str) -> dict[str, Any]:
        from provision.services.people import licences

        return licences.record_licence(self.context, contract_id, kind, number, filed, received)

    def licences(self, contract_id: str | None = None, missing_only: bool = False) -> list[dict[str, Any]]:
        from provision.services.people import licences

        return licences.licences(self.context, contract_id, missing_only)

    def licence(self, contract_id: str) -> dict[str, Any]:
        from provision.services.people import licences

        return licences.licence(self.context, contract_id)

    def reviews(self, contract_id: str | None = None) -> list[dict[str, Any]]:
        from provision.services.people import compliance

        return compliance.reviews(self.context, contract_id)

    def review(self, review: str | int) -> dict[str, Any]:
        from provision.services.people import compliance

        return compliance.review(self.context, review)

    def stops(self, contract_id: str | None = None, open_only: bool = False) -> list[dict[str, Any]]:
        from provision.services.people import compliance

        return compliance.stops(self.context, contract_id, open_only)

    def stop(self, stop: str | int) -> dict[str, Any]:
        from provision.services.people import compliance

        return compliance.stop(self.context, stop)

    def record_review(self, contract_id: str, passed: bool, ref: str, note: str | None = None) -> dict[str, Any]:
        from provision.services.people import compliance

        return compliance.record_review(self.context, contract_id, passed, ref, note)

    def authority_stop(self, contract_id: str, ref: str, note: str | None = None) -> dict[str, Any]:
        from provision.services.people import compliance

        return compliance.authority_stop(self.context, contract_id, ref, note)

    def authority_lift(self, contract_id: str, ref: str, note: str | None = None) -> dict[str, Any]:
        from provision.services.people import compliance

        return compliance.authority_lift(self.context, contract_id, ref, note)

    def abuse_report(self, contract_id: str, summary: str, source: str | None = None) -> dict[str, Any]:
        from provision.services.people import compliance

        return compliance.abuse_report(self.context, contract_id, summary, source)

    def abuse_warn(self, case: str, ref: str) -> dict[str, Any]:
        from provision.services.people import compliance

        return compliance.abuse_warn(self.context, case, ref)

    def abuse_continued(self, case: str, note: str | None = None) -> dict[str, Any]:
        from provision.services.people import compliance

        return compliance.abuse_continued(self.context, case, note)

    def abuse_close(self, case: str, note: str | None = None) -> dict[str, Any]:
        from provision.services.people import compliance

        return compliance.abuse_close(self.context, case, note)

    def abuse_cases(self, open_only: bool = False, contract_id: str | None = None) -> list[dict[str, Any]]:
        from provision.services.people import compliance

        return compliance.abuse_cases(self.context, open_only, contract_id)

    def abuse_case(self, case: str | int) -> dict[str, Any]:
        from provision.services.people import compliance

        return compliance.abuse_case(self.context, case)

    def renew(self, contract_id: str, months: int) -> dict[str, Any]:
        from provision.services.money import contract_end

        return contract_end.renew(self.context, contract_id, months)

    def terminate(self, contract_id: str, forced: str | None = None) -> dict[str, Any]:
        from provision.services.money import contract_end

        return contract_end.terminate(self.context, contract_id, forced)

    def decommission(self, contract_id: str, dry_run: bool = False, location: str = "warehouse") -> dict[str, Any]:
        from provision.services.money import contract_end

        return contract_end.decommission(self.context, contract_id, dry_run, location)

    def storage(self, include_released: bool = False) -> list[dict[str, Any]]:
        from provision.services.money import contract_end

        return contract_end.storage(self.context, include_released)

    def stored(self, contract_id: str) -> dict[str, Any]:
        from provision.services.money import contract_end

        return contract_end.stored(self.context, contract_id)

    def release_storage(self, contract_id: str, collected_by: str | None = None, ship_to: str | None = None,
                        tracking: str | None = None) -> dict[str, Any]:
        from provision.services.money import contract_end

        return contract_end.release(self.context, contract_id, collected_by, ship_to, tracking)

    def audit(self, contract_id: str | None = None) -> list[dict[str, Any]]:
        from provision.services import audit_log

        return audit_log.export(self.context, contract_id)

    def audit_entry(self, record_id: int) -> dict[str, Any]:
        from provision.services import audit_log

        return audit_log.entry(self.context, record_id)

    def audit_verify(self, anchor: str | None = None, syslog: bool = False) -> dict[str, Any]:
        from provision.services import audit_log

        if self.what_if is not None and (anchor or syslog):
            raise Refused("what-if: --anchor and --syslog record the verified head, and a what-if run writes "
                          "nothing — verify without them, or run it without --what-if")
        return audit_log.verify(self.context, anchor, syslog)

    def add_authorized(self, contract_id: str, name: str, phone: str | None = None,
                       channels: dict[str, str | None] | None = None, emergency: str | None = None) -> dict[str, Any]:
        from provision.services.people import authorization

        return authorization.add_person(self.context, contract_id, name, phone, channels, emergency)

    def set_authorized(self, contract_id: str, name: str, channels: dict[str, str | None],
                       emergency: str | None = None) -> dict[str, Any]:
        from provision.services.people import authorization

        return authorization.set_person(self.context, contract_id, name, channels, emergency)

    def authorized(self, contract_id: str) -> dict[str, Any]:
        from provision.services.people import authorization

        return authorization.list_persons(self.context, contract_id)

    def authorized_person(self, contract_id: str, name: str) -> dict[str, Any]:
        from provision.services.people import authorization

        return authorization.person(self.context, contract_id, name)

    def set_portal_secret(self, contract_id: str, secret: str) -> dict[str, Any]:
        from provision.services.people import authorization

        return authorization.set_portal_secret(self.context, contract_id, secret)

    def set_portal_login(self, contract_id: str, login: str) -> dict[str, Any]:
        from provision.services.people import authorization

        return authorization.set_portal_login(self.context, contract_id, login)

    def authorize(self, contract_id: str, person: str, operation: str, channel: str, ref: str | None = None,
                  portal_secret: str | None = None, valid_hours: float = 24.0,
                  portal_login: str | None = None) -> dict[str, Any]:
        from provision.services.people import authorization

        return authorization.record(self.context, contract_id, person, operation, channel, ref, portal_secret,
                                    valid_hours, portal_login)

    def authorization_written(self, auth_id: int, ref: str) -> dict[str, Any]:
        from provision.services.people import authorization

        return authorization.written(self.context, auth_id, ref)

    def authorization_feedback(self, auth_id: int, note: str) -> dict[str, Any]:
        from provision.services.people import authorization

        return authorization.feedback(self.context, auth_id, note)

    def authorization_report(self, auth_id: int, ref: str) -> dict[str, Any]:
        from provision.services.people import authorization

        return authorization.report(self.context, auth_id, ref)

    def authorizations(self, contract_id: str | None = None, open_only: bool = False) -> list[dict[str, Any]]:
        from provision.services.people import authorization

        return authorization.authorizations(self.context, contract_id, open_only)

    def authorization(self, auth: str | int) -> dict[str, Any]:
        from provision.services.people import authorization

        return authorization.authorization(self.context, auth)

    def operate(self, contract_id: str, operation: str, server: int = 1, dry_run: bool = False) -> dict[str, Any]:
        from provision.services.people import authorization

        return authorization.operate(self.context, contract_id, operation, server, dry_run)

    def visit_request(self, contract_id: str, visitor: str, reason: str, activity: str, enter: str, leave: str,
                      support: str | None = None, requested_by: str | None = None) -> dict[str, Any]:
        from provision.services.people import visits

        return visits.request(self.context, contract_id, visitor, reason, activity, enter, leave, support,
                              requested_by)

    def visit_enter(self, visit_id: int, escort: str, badge: str) -> dict[str, Any]:
        from provision.services.people import visits

        return visits.enter(self.context, visit_id, escort, badge)

    def visit_leave(self, visit_id: int) -> dict[str, Any]:
        from provision.services.people import visits

        return visits.leave(self.context, visit_id)

    def visits(self, overdue_only: bool = False, contract_id: str | None = None) -> list[dict[str, Any]]:
        from provision.services.people import visits

        return visits.listing(self.context, overdue_only, contract_id)

    def visit(self, visit: str | int) -> dict[str, Any]:
        from provision.services.people import visits

        return visits.show(self.context, visit)

    @staticmethod
    def run_playbook(playbook: str, check: bool = False, extravars: dict[str, str] | None = None,
                     progress: Any = None) -> dict[str, Any]:
        from provision.services import runner

        return runner.run(playbook, check, extravars, progress)

    def operations(self, contract_id: str | None = None) -> list[dict[str, Any]]:
        from provision.services.provisioning import operations

        return operations.operations(self.context, contract_id)

    def operation(self, operation_id: int) -> dict[str, Any]:
        from provision.services.provisioning import operations

        return operations.operation(self.context, operation_id)

    @staticmethod
    def lab(action: str, inventory: str | None = None, directory: str | None = None) -> dict[str, Any]:
        from provision.lab import control

        if action == "up":
            if inventory is None:
                raise BadInput("colo lab up needs --inventory PATH")
            return control.up(inventory, directory)
        return control.down(directory) if action == "down" else control.status(directory)
