"""Human output for the CLI: the same dicts --json prints, laid out for a technician."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

_verbosity = 0


def set_verbosity(level: int) -> None:
    """-v shows what plans leave alone too (shared objects already in place); the CLI sets it from -v."""
    global _verbosity
    _verbosity = level


def _piped() -> bool:
    return not sys.stdout.isatty()


class _Out:
    """The console, decided at each print: the stream may be a terminal, a pipe or a test's capture.

    A terminal's width is its own (rich reads COLUMNS, then the terminal); piped into a log, a
    ticket or grep, lines run to 200 columns rather than wrapping at whatever COLUMNS a parent
    process left behind (pytest-xdist's workers say 80).
    """

    _consoles: dict[int | None, Console] = {}

    def print(self, *objects: Any, **kwargs: Any) -> None:
        width = None if not _piped() else 200
        if width not in self._consoles:
            self._consoles[width] = Console(highlight=False, width=width)
        self._consoles[width].print(*objects, **kwargs)


console = _Out()


def _id(header: str) -> Column:
    """A column of identifiers (contract, address, time): kept whole, never cut with '…' to fit a narrow terminal."""
    return Column(header, no_wrap=True, overflow="fold")


def _table(*columns: str | Column, title: str | None = None) -> Table:
    """A table with box drawing on a terminal, plain aligned columns when piped (logs, grep, tickets).

    Text columns wrap to fit; `_id` columns are sized first and never truncated (`_fit`).
    """
    columns = tuple(Column(c, overflow="fold") if isinstance(c, str) else c for c in columns)  # a long word folds
    return Table(*columns, title=title, box=None if _piped() else box.SIMPLE_HEAVY,
                 title_justify="left" if _piped() else "center", pad_edge=not _piped())


def _when(iso: str | None) -> str:
    """An ISO time as a table shows it: the site's local date and minute (--json keeps the full time and offset)."""
    return "-" if not iso else iso[:16].replace("T", " ")


def _left(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    return f"{sign}{days}d {hours:02d}h{minutes:02d}m" if days else f"{sign}{hours}h{minutes:02d}m"


_STATUS_STYLE = {"running": "yellow", "breached": "bold red", "met": "green", "late": "red"}


def sync_report(d: dict[str, Any]) -> None:
    schema = (f"created at schema {d['schema']}" if d["schema_from"] is None
              else f"schema {d['schema_from']}" + (f" → {d['schema']}" if d["schema_from"] != d["schema"] else ""))
    console.print(f"store {d['store']}: {schema}; site {d['site']}")
    if d["unchanged"]:
        console.print("inventory already in sync: nothing changed")
        return
    for verb in ("added", "changed", "removed"):
        if d[verb]:
            console.print(f"  {verb}: " + ", ".join(f"{n} {what}" for what, n in sorted(d[verb].items())))


STOPPED = {"nonpayment": "stopped for non-payment: payment lifts it",
           "review": "stopped: annual review failed; a passed review lifts it",
           "authorities": "stopped by order of the authorities; `colo authority lift` ends it",
           "abuse": "stopped for abuse; closing the case lifts it"}


def contract(d: dict[str, Any]) -> None:
    replay = " (request already signed: returning the first contract)" if d.get("replayed") else ""
    held = f" ({STOPPED[d['stop_reason']]})" if d.get("stop_reason") else ""
    console.print(f"[bold]{d['id']}[/bold] {d['state']}{held} — {escape(d['customer'])}{replay}", markup=True)
    quantity = f"{d['racks']} rack(s)" if "racks" in d else f"{d['slots']} × 1U"
    console.print(f"  {d['kind']}, {quantity}, {d['bandwidth_mbps']} Mbit/s dedicated, {d['ips']} IPv4, "
                  f"fee {d['fee']} CNY {d['payment']}, term {d['term_months']} months from activation")
    ended = next((c["closed"]["at"] for c in d["clocks"] if c["clock"] == "term" and c.get("closed")), None)
    console.print(f"  signed {d['signed_at']}; install by {d['install_deadline']}; payment due {d['payment_due']}"
                  + (f"; ended {ended}" if ended else f"; term ends {d['term_end']}" if d["term_end"] else ""))
    console.print(f"  install fee {d['install_fee']} CNY" + (f": {d['install_refund'].upper()}" if d["install_refund"]
                                                              else ""), markup=False)
    refund_lines(d["refund"])
    if d.get("service_rep") or d.get("engineer"):
        console.print(f"  customer-service representative {d['service_rep'] or '(none)'}; "
                      f"engineer {d['engineer'] or '(none)'}", markup=False)
    table = _table("#", _id("rack"), _id("units"), "switch port", "addresses", "outlet", "W", title="placement")
    for p in d["placements"]:
        port = f"{p['port']['switch']} {p['port']['interface']}" if p["port"] else "-"
        addresses = ", ".join(f"{a['ip']}/{a['prefix_len']} gw {a['gateway']} vlan {a['vlan']}"
                              for a in p["addresses"]) or "-"
        outlets = ", ".join(f"{o['pdu']}:{o['outlet']}" for o in p["outlets"]) or "-"
        units = _unit_span(p["units"])
        table.add_row(str(p["position"] + 1), f"{p['room']}/{p['rack']}", units, port, addresses, outlets,
                      str(p["power_w"]))
    console.print(table)
    for line in d.get("allocation", []):  # `contract sign`: why each rack (kept in the `signed` event)
        _say(f"  placed {line}")
    for p in d["placements"]:
        if p.get("server"):
            hw = p["server"]
            parts = [hw["cpu"], hw["board"], hw["memory"], *hw["disks"]]
            described = ", ".join(x for x in parts if x)
            console.print(f"  server {p['position'] + 1}: serial {hw['serial']}, MAC {hw['mac']}"
                          + (f"; {described}" if described else ""), markup=False)
    for c in d.get("service_changes", []):
        terms = ", ".join(f"{t['term']} {t['before']} → {t['after']}" for t in c["terms"] if t["before"] != t["after"])
        how = f"operation #{c['operation']}" if c["operation"] else "order only"
        console.print(f"  change #{c['change']} {c['at']} by {c['actor']}: {terms} ({how}"
                      + (f"; fee from {c['fee_from']}" if any(t["term"] == "fee" and t["before"] != t["after"]
                                                            for t in c["terms"]) else "") + ")", markup=False)
    deadlines(d["clocks"], title="clocks")


def _unit_span(units: list[int]) -> str:
    if not units:
        return "-"
    return f"U{units[0]}" if len(units) == 1 else f"U{units[0]}-U{units[-1]}"


def contract_list(rows: list[dict[str, Any]]) -> None:
    table = _table(_id("id"), "state", "customer", "kind", "qty", "Mbit/s", _id("signed"), title="contracts")
    for r in rows:
        table.add_row(r["id"], r["state"], r["customer"], r["kind"], str(r["quantity"]),
                      str(r["bandwidth_mbps"]), _when(r["signed_at"]))
    console.print(table if rows else "no contracts")


# Which record a clock's bare number names, so the table says E1 / O1 / AU1 as the commands take them.
_CLOCK_RECORD = {"emergency-report": "emergency", "outage-report": "outage", "auth-feedback": "authorization",
                 "auth-written": "authorization", "operation-report": "authorization"}


def _clock_ref(r: dict[str, Any]) -> str:
    kind = _CLOCK_RECORD.get(r["clock"])
    return ref(kind, r["ref"]) if kind else str(r["ref"])


def deadlines(rows: list[dict[str, Any]], title: str = "deadlines") -> None:
    if not rows:
        console.print("no running clocks")
        return
    # The clause rides with the clock's name so that an 80-column terminal keeps every id whole.
    table = _table(_id("contract"), "clock", _id("deadline"), _id("left"), _id("status"), "on breach", title=title)
    for r in rows:
        style = _STATUS_STYLE.get(r["status"], "")
        closed = r.get("closed")  # a closed clock shows when and how it closed, not a frozen time left
        left = _when(closed["at"]) if closed else _left(r["seconds_left"])
        status = closed["outcome"] if closed else r["status"]
        then = (f"stop at {_when(closed['stop_at'])}" if closed["stop_at"] else "-") if closed else r["on_breach"]
        table.add_row(r["contract"], escape(r["title"] + (f" [{_clock_ref(r)}]" if r["ref"] else "") + f" ({r['clause']})"),
                      _when(r["deadline"]), left, f"[{style}]{status}[/{style}]", escape(then))
    console.print(table)


_MARK = {"free": ".", "reserved": "#", "held": "h", "occupied": "X", "unfed": "-"}


def elevation(d: dict[str, Any]) -> None:
    console.print(f"rack {d['rack']} (room {d['room']}, {d['height_u']}U), power "
                  f"{d['power_committed_w']}/{d['power_budget_w']} W committed")
    for unit in d["units"]:
        who = ""
        if unit["state"] == "occupied":
            who = f"{unit['contract']}  {unit['customer']}"
        elif unit["state"] == "held":
            who = f"hold {ref('hold', unit['hold'])} for {unit['customer']}"
        elif unit["state"] in ("reserved", "unfed"):
            who = unit["state"]
        outlet = unit["outlet"] or ""
        console.print(f"  U{unit['u']:<3}|{_MARK[unit['state']]}| {outlet:<12} {who}".rstrip(), markup=False)
    console.print("  legend: X occupied  h held  # reserved  - no outlet  . free", markup=False)


def hold(d: dict[str, Any]) -> None:
    h = ref("hold", d["hold"])
    if d.get("lapsed"):
        _say(f"{h} on rack {d['rack']} for {_safe(d['for'])} had already lapsed at {d['until']}: nothing to release")
        return
    state = "active" if d["active"] else "released"
    units = f" units {_unit_span(d['units'])}" if d.get("units") else ""
    _say(f"{h} ({state}) on rack {d['rack']}{units} for {_safe(d['for'])} until {d['until']}")


def holds(rows: list[dict[str, Any]]) -> None:
    table = _table(_id("hold"), _id("rack"), _id("units"), "for", _id("until"), "by", title="holds")
    for r in rows:
        table.add_row(ref("hold", r["hold"]), r["rack"], _unit_span(r["units"]), escape(r["for"]), _when(r["until"]),
                      r["created_by"])
    console.print(table if rows else "no active holds")


def plan(d: dict[str, Any]) -> None:
    """The change per device as a diff, then the customer's IP sheet and the power headroom."""
    if d.get("already_applied"):  # `colo apply` of a plan done before: its own changes are no news
        console.print(d["message"], markup=False)
        return
    p = d["plan"]
    plan_devices(p)
    for r in p["power"]:
        console.print(f"power rack {r['rack']}: budget {r['budget_w']} W, committed {r['committed_w']} W, measured "
                      f"{r['measured_w']} W, this contract {r['contract_w']} W, headroom {r['headroom_w']} W",
                      markup=False)
    if p["ip_sheet"]:
        dns = {", ".join(a["dns"]) for a in p["ip_sheet"]}
        shared = dns.pop() if len(dns) == 1 else None  # one DNS pair for all: said once, the table fits 80 columns
        table = _table(_id("contract"), "server", _id("address"), _id("netmask"), _id("gateway"),
                       *([] if shared else [_id("DNS")]), title="IP sheet for the customer")
        for a in p["ip_sheet"]:
            table.add_row(a["contract"], str(a["server"]), f"{a['address']}/{a['prefix_len']}", a["netmask"],
                          a["gateway"], *([] if shared else [", ".join(a["dns"])]))
        console.print(table)
        if shared:
            console.print(f"DNS servers: {shared}", markup=False)
    for i in d.get("install", []):
        flag = f"  {i['install_refund'].upper()}" if i["install_refund"] else ""
        console.print(f"{i['contract']}: {i['state']}; install guarantee by {i['deadline']}: {i['status']}{flag}",
                      markup=False)
    if d.get("saved_to"):
        console.print(f"plan saved to {d['saved_to']}: review it, then `colo apply {d['saved_to']}`", markup=False)
    console.print(d["message"], markup=False)


def service_change(d: dict[str, Any]) -> None:
    """Each term before → after, then the plan per device as provisioning prints it, or what happened."""
    for t in d["terms"]:
        if t["before"] != t["after"]:
            console.print(f"{d['contract']} {t['term']}: {t['before']} → {t['after']}", markup=False)
    if d["change"] and d["change"]["fee_from"] and any(t["term"] == "fee" and t["before"] != t["after"]
                                                       for t in d["change"]["terms"]):
        console.print(f"  new fee owed from {d['change']['fee_from']} (period {d['change']['fee_from_period']}); "
                      f"the term does not restart", markup=False)
    if d["plan"]:
        plan(d)
    else:
        console.print(d["message"], markup=False)


def plan_devices(p: dict[str, Any]) -> None:
    """Per switch port the diff and notes, per PDU outlet the change."""
    for sw in p["switches"]:
        console.print(f"switch {sw['switch']} ({sw['platform']})", markup=False)
        _prerequisites(sw)
        for port in sw["ports"]:
            state = "changes" if port["commands"] else "already as intended"
            console.print(f"  {port['interface']}  [{port['contract']} server {port['server']}]  {state}", markup=False)
            for line in port["diff"]:
                style = "green" if line.startswith("+") else "red"
                console.print(f"    [{style}]{escape(line)}[/{style}]")
            for note in port["notes"]:
                console.print(f"    [yellow]note:[/yellow] {escape(note)}")
            if port.get("unmanaged"):
                console.print(f"    unmanaged (the site's, kept): {'; '.join(port['unmanaged'])}", markup=False)
    for pdu in p["pdus"]:
        for n, o in sorted(pdu["outlets"].items(), key=lambda kv: int(kv[0])):
            change = (f"{_power(o['before'])} → {_power(o['after'])}" if o["before"] != o["after"]
                      else f"{_power(o['after'])}, already as intended")
            console.print(f"pdu {pdu['pdu']} outlet {n}: {change}  [{o['contract']} server {o['server']}]", markup=False)


def _power(on: bool | None) -> str:
    return "unknown" if on is None else "on" if on else "off"


def _prerequisites(sw: dict[str, Any]) -> None:
    """The shared objects (VLAN, QoS policy) the switch still lacks, one line each; -v adds every command line
    and the objects already in place, which change nothing."""
    sent = set(sw["prerequisite_commands"])
    missing = [p for p in sw["prerequisites"] if p["header"] in sent]
    for p in missing:
        console.print(f"  create  {p['header']}" + (f"  ({len(p['children'])} line(s) inside)" if p["children"]
                                                    else ""), markup=False)
    if _verbosity:
        for cmd in sw["prerequisite_commands"]:
            console.print(f"    send  {cmd}", markup=False)
        for p in sw["prerequisites"]:
            if p not in missing:
                console.print(f"  in place  {p['header']}", markup=False)


def _bps(value: float | None) -> str:
    if value is None:
        return "-"
    for unit, size in (("Gbit/s", 1e9), ("Mbit/s", 1e6), ("kbit/s", 1e3)):
        if value >= size:
            return f"{value / size:.2f} {unit}"
    return f"{value:.0f} bit/s"


def traffic_poll(d: dict[str, Any]) -> None:
    console.print(f"traffic poll at {d['at']}: {d['ports']} port(s), {d['rates']} rate(s) drawn, "
                  f"{d['first_or_gap']} first reading or gap", markup=False)
    for f in d["failed"]:
        console.print(f"  [red]failed:[/red] {escape(f['error'])}")


def traffic(d: dict[str, Any]) -> None:
    """Per port the month's figures against the committed bandwidth."""
    console.print(f"{d['contract']} ({d['customer']}) traffic {d['month']}, committed {_bps(d['committed_bps'])}",
                  markup=False)
    table = _table(_id("switch"), _id("port"), "now in/out", "avg in/out", "peak in/out", "95th in/out", "use",
                   "measured")
    for p in d["ports"]:
        now = p["current"]
        table.add_row(p["switch"], p["interface"], f"{_bps(now['in_bps'])} / {_bps(now['out_bps'])}" if now else "-",
                      f"{_bps(p['avg_in_bps'])} / {_bps(p['avg_out_bps'])}",
                      f"{_bps(p['peak_in_bps'])} / {_bps(p['peak_out_bps'])}",
                      f"{_bps(p['p95_in_bps'])} / {_bps(p['p95_out_bps'])}",
                      "-" if p["utilisation_percent"] is None else f"{p['utilisation_percent']:.1f} %",
                      f"{p['samples_measured']}/{p['samples_expected']}")
    console.print(table if d["ports"] else "no port measured for this contract yet")
    if d.get("svg"):
        console.print(f"graphs written to {d['svg']}", markup=False)


def switch_port(d: dict[str, Any]) -> None:
    """One port's managed facts, then the site's lines the toolkit leaves alone."""
    where = d.get("switch") or d.get("source")
    console.print(f"{where} {d['interface']} ({d['platform']})", markup=False)
    bindings = ", ".join(f"{b['ip']}" + (f" mac {b['mac']}" if b["mac"] else "") + (f" vlan {b['vlan']}" if b["vlan"]
                         else "") for b in d["bindings"])
    rows = [("description", d["description"]), ("mode", d["mode"]), ("access vlan", d["vlan"]),
            ("rate in", d["rate_in_kbps"] and f"{d['rate_in_kbps']} kbit/s"),
            ("rate out", d["rate_out_kbps"] and f"{d['rate_out_kbps']} kbit/s"),
            ("egress share", d["egress_percent"] and f"{d['egress_percent']} % of port speed"),
            ("source guard", d["guard"]), ("bindings", bindings or None), ("shut down", "yes" if d["shutdown"] else "no")]
    for label, value in rows:
        console.print(f"  {label:<13} {'-' if value is None else value}", markup=False)
    console.print(f"  unmanaged     {len(d['unmanaged'])} line(s), kept as they are", markup=False)
    for line in d["unmanaged"]:
        console.print(f"    {line}", markup=False)


def activation(d: dict[str, Any]) -> None:
    for link in d["links"]:
        console.print(f"{link['switch']} {link['interface']}: admin {link['admin']}, link {link['link']}", markup=False)
    console.print(f"{d['contract']} active since {d['activated_at']}; term ends {d['term_end']}", markup=False)


def activations(rows: list[dict[str, Any]]) -> None:
    """`contract activate ID...`: each activation as one prints it; a failed one says so (its error goes to stderr)."""
    for r in rows:
        if r["activated"]:
            activation(r)
        else:
            _say(f"{r['contract']} NOT activated")


def lab(d: dict[str, Any]) -> None:
    if "switches" in d:
        for s in d["switches"]:
            answering = "" if s.get("answering", True) else "  NOT ANSWERING"
            console.print(f"switch {s['name']:<12} {s['platform']:<11} ssh 127.0.0.1:{s['ssh']}  "
                          f"snmp {s['snmp'] or '-'}{answering}", markup=False)
        for p in d["pdus"]:
            console.print(f"pdu    {p['name']:<12} {p['platform']:<11} snmp 127.0.0.1:{p['snmp']}", markup=False)
    if "message" in d:
        console.print(d["message"], markup=False)
    elif "running" in d:
        console.print(f"lab in {d['dir']}: {'running' if d['running'] else 'NOT running'}", markup=False)


def operations(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("no device operations recorded")
        return
    for op in rows:
        console.print(f"#{op['operation']} {op['kind']} {', '.join(op['contracts'])}: {op['state']} "
                      f"(by {op['actor']}, {op['started_at']} .. {op['finished_at'] or '-'})", markup=False)
        for st in op["steps"]:
            console.print(f"    {st['device']} {st['target']}: {st['state']}"
                          + (f" — {st['error']}" if st["error"] else ""), markup=False)
        if op["error"]:
            console.print(f"    error: {op['error']}", markup=False)


def account(d: dict[str, Any]) -> None:
    console.print(f"{d['contract']} ({d['state']}): {d['payment']} fee {d['fee']}; {d['periods_started']} period(s) "
                  f"started, owed {d['owed']}, paid {d['paid']}, balance {d['balance']}", markup=False)
    if d["overdue_since"]:
        console.print(f"  overdue since {d['overdue_since']}", markup=False)
    if d["install_refund"]:
        console.print(f"  {d['install_refund']} (install guarantee missed, SLA §3.2)", markup=False)
    refund_lines(d["refund"])
    for p in d["payments"]:
        console.print(f"  payment #{p['payment']} {p['at']} {p['amount']}" + (f" ref {p['ref']}" if p["ref"] else "")
                      + (f" — VOID {p['void']['at']} by {p['void']['actor']}: {_safe(p['void']['reason'])}"
                         if p["void"] else ""), markup=False)
    if d["stop_notice"]:
        console.print(f"  stop-service notice {ref('notice', d['stop_notice']['notice'])} issued {d['stop_notice']['issued_at']}: "
                      f"service stops at {d['stop_notice']['stop_at']}; {_delivery(d['stop_notice'])}", markup=False)


def refund_lines(refund: dict[str, Any] | None) -> None:
    """What is owed back: the total still due, then each sheet line by line, and when it was paid."""
    if refund is None:
        return
    console.print(f"  refund due {refund['due']}", markup=False)
    for r in refund["refunds"]:
        paid = f"paid {r['paid_at']} ref {r['paid_ref']}" if r["paid_at"] else f"due since {r['due_since']}"
        console.print(f"    {r['kind'].replace('_', ' ')} {r['amount']}: {paid}", markup=False)
        for line in r["lines"]:
            console.print(f"      {line['amount']:>10}  {line['item']}", markup=False)


def payment_void(d: dict[str, Any]) -> None:
    console.print(f"payment #{d['payment']} of {d['voided']} voided: {_safe(d['reason'])} (the record stays)",
                  markup=False)
    account(d["account"])


def refunded(d: dict[str, Any]) -> None:
    console.print(f"{d['contract']}: {d['refunded']} refunded, ref {d['ref']}", markup=False)
    refund_lines(d["refund"])


def outage_void(d: dict[str, Any]) -> None:
    console.print(f"outage {ref('outage', d['outage'])} of {d['contract']} voided {d['voided_at']}: {_safe(d['reason'])} "
                  f"(the record stays; the SLA no longer counts it)", markup=False)


def payment(d: dict[str, Any]) -> None:
    again = " (already booked under this reference: not booked again)" if d["replayed"] else ""
    console.print(f"recorded {d['recorded']} as payment #{d['payment']}{again}", markup=False)
    account(d["account"])
    if d["resumed"] and "skipped" in d["resumed"]:
        console.print(f"service: {d['resumed']['skipped']}", markup=False)
    elif d["resumed"]:
        console.print(f"service resumed: {', '.join(d['resumed']['ports'])} up again "
                      f"(operation #{d['resumed']['operation']})", markup=False)


def enforcement(d: dict[str, Any]) -> None:
    verb = "would do" if d["dry_run"] else "did"
    if not d["actions"]:
        console.print(f"enforce at {d['at']}: nothing to do", markup=False)
    for a in d["actions"]:
        outcome = ("FAILED: " + a["error"] if "error" in a else "skipped: " + a["skipped"] if "skipped" in a
                   else verb if not a["done"] else "done")
        console.print(f"{a['contract']}: {a['action']} (balance {a['balance']}) — {outcome}", markup=False)
    for n in d.get("notices", []):
        how = (f"delivered by {n['channel']} to {n['to']}" if n["sent"] else f"NOT delivered: {n['error']}"
               if n["error"] else f"to do: {n['task']}")
        console.print(f"{n['contract']}: stop-service notice {ref('notice', n['notice'])} {how}", markup=False)


def _delivery(n: dict[str, Any]) -> str:
    """How a stop-service notice's delivery stands, in words."""
    if n["delivered_at"]:
        return f"delivered by {n['channel']} {n['delivered_at']}"
    if n["failed_at"]:
        return f"delivery FAILED ({n['attempts']} attempt(s), last {n['failed_at']}): {n['last_error']}"
    if n["channel"] == "phone":
        return f"not delivered yet: call {n.get('to') or 'the customer'}, then log it (colo notice delivered|failed)"
    return "not delivered yet"


def notices(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("no stop-service notices")
    for n in rows:
        closed = f"; closed {n['resolved_at']} ({n['resolution']})" if n["resolved_at"] else ""
        console.print(f"{ref('notice', n['notice'])} {n['contract']} issued {n['issued_at']} stops {n['stop_at']}: "
                      f"{_delivery(n)}{closed}", markup=False)


def termination(d: dict[str, Any]) -> None:
    console.print(f"{d['contract']} ends {d['ends_at']}", markup=False)
    if d["refund"]:
        console.print(f"  {d['refund']['basis']}", markup=False)
        for line in d["refund"]["lines"]:
            console.print(f"  {line['amount']:>12}  {line['item']}", markup=False)
        console.print(f"  {d['refund']['total']:>12}  refund due", markup=False)


def storage(rows: list[dict[str, Any]]) -> None:
    table = _table(_id("contract"), "server", _id("serial"), "location", _id("stored"), _id("abandon after"), "status",
                   title="storage")
    for r in rows:
        status = r["outcome"] or ("OVERDUE" if r["overdue"] else "waiting")
        table.add_row(r["contract"], str(r["server"]), escape(r["serial"] or "-"), escape(r["location"]),
                      _when(r["stored_at"]), _when(r["abandon_after"]), status)
    console.print(table if rows else "nothing in storage")


def decommission(d: dict[str, Any]) -> None:
    plan_devices(d["plan"])
    console.print(d["message"], markup=False)


def audit(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        basis = f" [{r['authorization']}]" if r["authorization"] else ""
        console.print(f"{r['id']:>6} {r['at']} {r['actor']:<12} {r['action']:<28} {r['contract'] or '-':<11} "
                      f"{_safe(r['detail'])}{basis}{_recorded(r)}", markup=False, emoji=False)
    if not rows:
        console.print("no audit records")


def _recorded(r: dict[str, Any]) -> str:
    """A record dated other than when it was written (`--at`) shows both times."""
    if r["recorded_at"] is None:
        return ""
    dated, written = datetime.fromisoformat(r["at"]), datetime.fromisoformat(r["recorded_at"])
    return f" (recorded {r['recorded_at']})" if abs(dated - written) > DATED_SLACK else ""


DATED_SLACK = timedelta(minutes=1)  # a run's own 'now' is read once, a little before it writes


def sla(d: dict[str, Any]) -> None:
    rows = d.get("contracts", [d])
    for r in rows:
        avail = ", ".join(f"{k} {v} %" for k, v in r["availability_percent"].items())
        counted = ", ".join(f"{kind} {minutes} min" for kind, minutes in r["counted_minutes"].items())
        console.print(f"{r['contract']} {r['month']}: {avail}; counted {counted}; "
                      f"{'BREACHED' if r['breached'] else 'within 99.9 %'}; credit {r['total_credit']}", markup=False)
        for o in r["outages"]:
            why = "counted" if o["counted"] else f"excluded: {o['excluded_because']}"
            console.print(f"    {o['kind']} {o['start']} .. {o['end']} {o['minutes']} min, {why} — {o['cause']}",
                          markup=False)
        for kind, a in r["allowance"].items():
            console.print(f"    {kind} allowance: {a['minutes']} min ({a['rule']})", markup=False)
        for c in r["credits"]:
            console.print(f"    {c['amount']:>10}  {c['item']}", markup=False)
        for w in r["waived"]:
            console.print(f"    {'0.00':>10}  {w}", markup=False)
    if "contracts" in d:
        console.print(f"site {d['month']}: {d['breached']} contract(s) breached, credits {d['total_credit']}", markup=False)


def _safe(text: str | None) -> str:
    """Customer text as inert text: invisible/format characters (bidi overrides, line separators) shown as \\uXXXX."""
    import unicodedata

    if text is None:
        return "-"
    return "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") else ch
                   for ch in text)


def _say(line: str) -> None:
    console.print(line, markup=False, emoji=False, highlight=False, soft_wrap=True)


def _clock_line(label: str, c: dict[str, Any]) -> str:
    state = {"running": f"{_left(c['seconds_left'])} left", "breached": f"BREACHED {_left(-c['seconds_left'])} ago",
             "met": f"met at {c['stopped_at']}", "late": f"LATE at {c['stopped_at']} by {_left(-c['seconds_left'])}"}
    return f"    {label:<10} due {c['deadline']} ({c['clause']}): {state.get(c['status'], c['status'])}"


def ticket(d: dict[str, Any]) -> None:
    by = f" by {_safe(d['reported_by'])}" if d["reported_by"] else ""
    found = f" found by the provider (emergency {ref('emergency', d['emergency'])})" if d.get("source") == "provider" else ""
    _say(f"{d['ticket']} {d['contract']} reported {d['reported_at']}{by}{found}: {_safe(d['summary'])}")
    _say(_clock_line("response", d["clocks"]["response"]))
    _say(_clock_line("resolution", d["clocks"]["resolution"]))
    if d.get("major"):
        c = d["consultation"]
        _say(f"    MAJOR fault since {d['major']['at']}: " + (
            f"customer consulted {c['at']} ({_safe(c['with'])}): {_safe(c['note'])}" if c
            else "consult the customer before resolving it (§6.3)"))
    if d["resolution"]:
        _say(f"    resolved: {_safe(d['resolution'])}")


def tickets(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        ticket(r)
    if not rows:
        _say("no tickets")


def complaint(d: dict[str, Any]) -> None:
    about = (d["category"] or "uncategorised") + (f", about {_safe(d['employee'])}" if d["employee"] else "")
    _say(f"{d['complaint']} {d['contract']} received {d['received_at']} ({about}): {_safe(d['summary'])}")
    _say(_clock_line("report", d["clock"]) + (f", written report {d['report_ref']}" if d["report_ref"] else ""))


def complaints(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        complaint(r)
    if not rows:
        _say("no complaints")


def authorized(d: dict[str, Any]) -> None:
    for p in d["persons"]:
        channels = ", ".join(f"{k.replace('_', ' ')} {_safe(p[k])}" for k in
                             ("office_phone", "mobile", "email", "fax", "pager", "webhook") if p[k])
        mark = f"  [emergencies by {p['emergency']}]" if p["emergency"] else ""
        _say(f"{p['person']:>4} {_safe(p['name'])}{'' if p['active'] else ' (inactive)'}: {channels or '-'}{mark}")
    if not d["persons"]:
        _say("no authorized persons (`colo person add`)")
    to = d["emergencies_to"]
    whom = f"{_safe(to['person'])} (designated)" if to["person"] else "the contract's contact"
    _say(f"{d['contract']}: emergencies go to {whom} by {to['channel']} {_safe(to['to'])}")


def monitoring(d: dict[str, Any]) -> None:
    c, e = d["contact"], d["emergencies"]
    chosen = "" if c["chosen"] else " (default: nothing chosen with `colo contract notify`)"
    console.print(f"{d['contract']}: contract contact {c['channel']} {c['to'] or '(no number on record)'}{chosen}",
                  markup=False)
    if e["person"]:
        console.print(f"  emergencies go to {e['person']} (designated authorized person) by {e['medium']} "
                      f"{e['to'] or '(no address on record)'}", markup=False)
    else:
        console.print("  emergencies go to the contract contact (no authorized person designated)", markup=False)
    for svc in d["services"]:
        console.print(f"  watching {svc['kind']} {svc['target']}", markup=False)
    if not d["services"]:
        console.print("  no customer services watched (network and power always are)", markup=False)


def licence(d: dict[str, Any]) -> None:
    for change in d.get("changed", []):
        _say(f"the customer {change}")
    if d.get("recorded"):
        _say(f"licence #{d['recorded']} on file")
    licences([d])


def licences(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        declared = f"; declares {', '.join(r['declared'])} business" if r["declared"] else ""
        _say(f"{_safe(r['customer'])} ({', '.join(r['contracts'])}): requires {', '.join(r['required'])}{declared}")
        for x in r["on_file"]:
            _say(f"    {x['kind']:<12} {_safe(x['number'])}  received {x['received_on']}, kept at {_safe(x['filed'])}")
        if r["missing"]:
            _say(f"    MISSING: {', '.join(r['missing'])}")
    if not rows:
        _say("no customers to show")


def compliance(d: dict[str, Any]) -> None:
    """What a review, an order of the authorities or an abuse step did, and where the contract stands."""
    if "case" in d:
        abuse_case(d)
    if "review" in d:
        _say(f"annual review {d['review']} {'passed' if d['passed'] else 'FAILED'} at {d['at']} (document {d['ref']})"
             + (" — already recorded, not recorded twice" if d["replayed"] else ""))
    if "stop" in d:
        _say(f"stop {d['stop']} by the authorities' document {d['ref']}"
             + (" — already recorded, not recorded twice" if d["replayed"] else ""))
    if "lifted" in d:
        _say(f"lifted {', '.join(d['lifted'])} by document {d['ref']}")
    if "state" not in d:
        return
    devices = d["devices"]
    if devices is not None:
        if devices["operation"] is not None:
            _say(f"operation #{devices['operation']}: {', '.join(devices['ports']) or 'no ports'}")
        if devices["note"]:
            _say(devices["note"])
    held = f", stopped for {d['stop_reason']}" if d["state"] == "suspended" else ""
    _say(f"{d['contract']} is {d['state']}{held}")
    for st in d["open_stops"]:
        _say(f"    open stop {st['stop']}: {st['reason']} ({st['ref']}) since {st['ordered_at']}")


def abuse_case(d: dict[str, Any]) -> None:
    source = f" from {_safe(d['source'])}" if d["source"] else ""
    _say(f"{d['case']} {d['contract']} {d['status']}: reported {d['reported_at']}{source}: {_safe(d['summary'])}")
    _say(_clock_line("warning", d["warning_clock"]) + (f", document {d['warning_ref']}" if d["warning_ref"] else ""))


def abuse_cases(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        abuse_case(r)
    if not rows:
        _say("no spam complaints")


# --- records that used to print as `key: value` dumps ---------------------------------------------

def ref(kind: str, number: int | str | None) -> str:
    from provision.domain.refs import ref as prefixed

    return prefixed(kind, number)


def _unchanged(d: dict[str, Any]) -> str:
    return "" if d.get("changed", True) else " (already so: nothing changed)"


def contact(d: dict[str, Any]) -> None:
    """`contract notify`: how the contract's contact is told."""
    _say(f"{d['contract']}: the customer is told by {d['channel']} {_safe(d['to'])}{_unchanged(d)}")


def assignment(d: dict[str, Any]) -> None:
    """`contract assign`: who serves the customer."""
    _say(f"{d['contract']}: customer-service representative {_safe(d['service_rep']) if d['service_rep'] else '(none)'}"
         f"; engineer {_safe(d['engineer']) if d['engineer'] else '(none)'}{_unchanged(d)}")


def watch(d: dict[str, Any]) -> None:
    """`monitor watch`: a customer service checked each round, or no longer."""
    verb = "now watching" if d["watched"] else "no longer watching"
    _say(f"{d['contract']}: {verb} {d['check']} {_safe(d['target'])}{_unchanged(d)}")


def person(d: dict[str, Any]) -> None:
    """`person add|set`: one authorized person on file."""
    mark = f"; emergencies go to them by {d['emergency']}" if d.get("emergency") else ""
    _say(f"authorized person {d['person']} {_safe(d['name'])} on file for customer {d['customer_id']}{mark}")


def portal_login(d: dict[str, Any]) -> None:
    """`portal set`: never the secret, only that it is stored and how."""
    if "login" in d:
        _say(f"{d['contract']}: portal login {_safe(d['login'])}")
    else:
        _say(f"{d['contract']}: portal secret stored ({d['stored']})")


def authorization(d: dict[str, Any]) -> None:
    """`authorization record|written|feedback|report`: where the authorized operation stands."""
    au = ref("authorization", d["authorization"])
    if "operation" in d:
        form = ("written form received" if d["written_form"] == "received"
                else f"written form to follow by {d['written_form_due']}")
        _say(f"{au} {d['contract']}: {d['operation']} authorized by {_safe(d['by'])} ({d['channel']}), valid until "
             f"{d['valid_until']}; first feedback due {d['feedback_due']}; {form}")
    if "written_at" in d:
        _say(f"{au}: written form received {d['written_at']}")
    if "feedback_at" in d:
        _say(f"{au}: feedback given to the customer {d['feedback_at']}")
    if "report_ref" in d:
        _say(f"{au} {d['contract']}: written report {_safe(d['report_ref'])} sent {d['reported_at']} "
             f"(due {d['report_due']})")


def operated(d: dict[str, Any]) -> None:
    """`outlet cycle`, `port bounce`: what was done under which authorization (or, dry, what would be)."""
    under = f" under {ref('authorization', d['authorization'])}" if d["authorization"] else ""
    if d["done"] is None:
        _say(f"{d['contract']} server {d['server']}: would {d['would']}{under}; nothing was done")
        return
    _say(f"{d['contract']} server {d['server']}: {d['done']}{under}; written report due {d['report_due']}")
    _say(f"  next: {d['next']}")


def visit(d: dict[str, Any]) -> None:
    """One visit: who, why, when expected, and where it stands."""
    if d["left_at"]:
        where = f"left {d['left_at']} (entered {d['entered_at']}, escort {_safe(d['escort'])}, badge {_safe(d['badge'])})"
    elif d["entered_at"]:
        where = (f"INSIDE since {d['entered_at']}, escort {_safe(d['escort'])}, badge {_safe(d['badge'])}"
                 + ("  OVERDUE EXIT" if d["overdue_exit"] else ""))
    else:
        where = "announced, not yet entered"
    asked = f", asked by {_safe(d['requested_by'])}" if d["requested_by"] and d["requested_by"] != d["visitor"] else ""
    _say(f"{ref('visit', d['visit'])} {d['contract']} {_safe(d['visitor'])}{asked}: {_safe(d['reason'])} "
         f"({_safe(d['activity'])}); expected {d['expected_enter']} to {d['expected_exit']}")
    _say(f"    {where}" + (f"; support asked: {_safe(d['support'])}" if d["support"] else ""))


def visits(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        visit(r)
    if not rows:
        _say("no open visits")


def outage(d: dict[str, Any]) -> None:
    """`outage record|report|classify`."""
    o = f"{ref('outage', d['outage'])} {d['contract']}"
    if "start" in d:
        _say(f"{o}: outage {d['start']} to {d['end'] or '(still going on)'} recorded")
    if "reported_at" in d:
        _say(f"{o}: reported by the customer {d['reported_at']}"
             + ("" if d["in_time"] else " — more than 5 days after it began: it does not count (SLA §1.4, §2.4)"))
    if "excluded" in d:
        _say(f"{o}: excluded from the SLA ({d['excluded']}), classified by {d['classified_by']}")


def emergency(d: dict[str, Any]) -> None:
    """`emergency record`, `emergency notified|waive`."""
    e = f"{ref('emergency', d['emergency'])} {d['contract']}"
    if "notified_at" in d:
        _say(f"{e}: customer notified {d['notified_at']}"
             + (" — LATE: more than 15 minutes after it was declared (SLA §4.5)" if d["late"] else ""))
    elif "waived" in d:
        _say(f"{e}: 15-minute report waived ({d['because']}), classified by {d['classified_by']} at {d['at']}")
    else:
        _say(f"{e}: emergency recorded")


def incidents(rows: list[dict[str, Any]]) -> None:
    """Emergencies: declared, ended, notified, and what is still pending."""
    for r in rows:
        whom = f" ({_safe(r['person'])})" if r["person"] else ""
        notified = f"notified {r['notified_at']} by {r['channel']}{whom}" if r["notified_at"] else "NOT notified"
        _say(f"{ref('emergency', r['emergency'])} {r['contract']} {r['check']} {_safe(r['target']) if r['target'] else ''}"
             .rstrip() + f": declared {r['declared_at']}, " + (f"ended {r['ended_at']}" if r["ended_at"] else "still down")
             + f"; {notified}"
             + (f"; waived: {r['waived']} by {r['waived_by']}" if r["waived"] else "")
             + (f"; pending: {r['pending']}" if r["pending"] and not r["notified_at"] else ""))
    if not rows:
        _say("no emergencies")


def monitor_round(d: dict[str, Any]) -> None:
    """One probe round: what failed, which emergencies began or ended, who was told."""
    if "error" in d:  # a failed round, logged as one event by the monitor (stderr); the next one still runs
        return
    _say(f"round {d['at']}: {d['watched']} watched, {len(d['failing'])} failing, icmp {d['icmp']}, {d['seconds']:.2f}s")
    for note in d["notes"]:
        _say(f"  note: {note}")
    for f in d["failing"]:
        _say(f"  failing {f['contract']} {f['check']} {_safe(f['target'])}: {f['why']}")
    for e in d["declared"]:
        _say(f"  EMERGENCY {ref('emergency', e['emergency'])} {e['contract']} {e['check']} {_safe(e['target'])} "
             f"(down since {e['since']})")
    for e in d["recovered"]:
        _say(f"  ended {ref('emergency', e['emergency'])} {e['contract']} {e['check']} {_safe(e['target'])}: {e['how']}")
    for n in d["notifications"]:
        whom = f" ({_safe(n['person'])})" if n.get("person") else ""
        e = ref("emergency", n["emergency"])
        _say(f"  notified emergency {e} by {n['channel']} to {_safe(n['to'])}{whom}" if n["sent"]
             else f"  NOT notified emergency {e}{whom}: {n['error']}"
             + (f" [15-minute report waived: {n['waived']}]" if n.get("waived") else ""))


def found(d: dict[str, Any]) -> None:
    """`colo find`: one row per match — what matched, the contract, its state, the customer."""
    if not d["matches"]:
        _say(f"nothing matches '{_safe(d['query'])}': try part of the customer's name, an address, MAC, serial, "
             f"`SWITCH PORT`, `RACK U12`, `PDU:OUTLET` or an id like C2026-0001 or T3")
        return
    table = _table("matched", _id("contract"), "server", "state", "customer", title=f"find {d['query']}")
    for m in d["matches"]:
        table.add_row(escape(_safe(m["matched"])), m["contract"], str(m["server"]) if m["server"] else "-",
                      m["state"], escape(_safe(m["customer"])))
    console.print(table)
    if d["more"]:
        _say(f"{d['more']} more match(es) not shown: give more of the name")


def rack_list(rows: list[dict[str, Any]]) -> None:
    """`colo rack list`: units by state and power against the budget, rack by rack."""
    table = _table(_id("rack"), _id("room"), "free", "used", "held", "reserved", "unfed", _id("power committed"),
                   "measured", title="racks")
    for r in rows:
        u = r["units"]
        measured = "not measured" if r["power_measured_w"] is None else f"{r['power_measured_w']} W"
        table.add_row(r["rack"], r["room"], str(u["free"]), str(u["used"]), str(u["held"]), str(u["reserved"]),
                      str(u["unfed"]), f"{r['power_committed_w']} / {r['power_budget_w']} W", measured)
    console.print(table if rows else "no racks")


# --- `show` of one record and the lists that had none (every noun has `list` and `show`) --------------

def notice_detail(d: dict[str, Any]) -> None:
    """`notice show`: one stop-service notice as `notice list` shows it."""
    notices([d])


def emergency_detail(d: dict[str, Any]) -> None:
    """`emergency show`: what failed, when, whether and how the customer was told, and any waiver."""
    _say(f"{ref('emergency', d['emergency'])} {d['contract']} {d['check']} {_safe(d['target'])}: declared "
         f"{d['declared_at']}, " + (f"ended {d['ended_at']}" if d["ended_at"] else "still down"))
    if d["notified_at"]:
        _say(f"    customer notified {d['notified_at']} by {d['channel']}"
             + (f" ({_safe(d['person'])})" if d["person"] else ""))
    else:
        _say("    customer not notified yet" + (f": {_safe(d['pending'])}" if d["pending"] else ""))
    if d["waived"]:
        _say(f"    15-minute report waived ({d['waived']}) by {d['waived_by']}")


def outage_list(rows: list[dict[str, Any]]) -> None:
    """`outage list`: one line per outage; a voided one says so and why."""
    table = _table(_id("outage"), _id("contract"), "kind", _id("start"), _id("end"), "reported", "excluded", "cause",
                   title="outages")
    for r in rows:
        excluded = f"VOID: {_safe(r['void']['reason'])}" if r["void"] else r["excluded"] or "-"
        table.add_row(ref("outage", r["outage"]), r["contract"], r["kind"], _when(r["start"]),
                      _when(r["end"]) if r["end"] else "going on", _when(r["reported_at"]), escape(excluded),
                      escape(_safe(r["cause"])))
    console.print(table if rows else "no outages")


def outage_detail(d: dict[str, Any]) -> None:
    """`outage show`: the outage, its report and classification, and its void if any."""
    _say(f"{ref('outage', d['outage'])} {d['contract']} {d['kind']} outage {d['start']} to "
         f"{d['end'] or '(still going on)'}: {_safe(d['cause'])} (recorded by {d['recorded_by']})")
    if d["reported_at"]:
        _say(f"    reported by the customer {d['reported_at']}" + (
            "" if d["reported_in_time"] else " — more than 5 days after it began: it does not count (SLA §1.4, §2.4)"))
    else:
        _say("    not reported by the customer (it counts only if reported within 5 days: SLA §1.4, §2.4)")
    if d["excluded"]:
        _say(f"    excluded from the SLA ({d['excluded']}), classified by {d['classified_by']}")
    if d["void"]:
        v = d["void"]
        _say(f"    VOID since {v['at']} by {v['actor']}: {_safe(v['reason'])} (the SLA does not count it)")


def authorization_list(rows: list[dict[str, Any]]) -> None:
    """`authorization list`: who authorized what, whether it can still be used, what paperwork is owed."""
    table = _table(_id("auth"), _id("contract"), "by", "operation", "channel", _id("received"), "status", "owed",
                   title="authorizations")
    for r in rows:
        table.add_row(ref("authorization", r["authorization"]), r["contract"], escape(_safe(r["by"])), r["operation"],
                      r["channel"], _when(r["received_at"]), r["status"], escape("; ".join(r["owed"]) or "-"))
    console.print(table if rows else "no authorizations")


def authorization_detail(d: dict[str, Any]) -> None:
    """`authorization show`: the authorization, its use, and its written form and report."""
    _say(f"{ref('authorization', d['authorization'])} {d['contract']}: {d['operation']} authorized by "
         f"{_safe(d['by'])} ({d['channel']}) {d['received_at']}, valid until {d['valid_until']}: {d['status']}"
         + (f" at {d['used_at']}" if d["used_at"] else ""))
    if d["written_form"]:
        _say(f"    written form {_safe(d['written_form'])} received {d['written_at']}")
    if d["report_ref"]:
        _say(f"    written report {_safe(d['report_ref'])} sent {d['reported_at']}")
    for owed in d["owed"]:
        _say(f"    owed: {owed}")


def operation_detail(d: dict[str, Any]) -> None:
    """`operation show`: one device operation and its steps."""
    operations([d])


def audit_record(d: dict[str, Any]) -> None:
    """`audit show`: one record and the hashes that chain it to the one before."""
    audit([d])
    _say(f"       hash {d['hash']}")
    _say(f"       prev {d['prev_hash']}")


def stop_list(rows: list[dict[str, Any]]) -> None:
    """`authority list`: stops of their own (the authorities, a failed review, abuse) and their lifting."""
    table = _table(_id("stop"), _id("contract"), "reason", _id("document"), _id("ordered"), "lifted", title="stops")
    for r in rows:
        lifted = f"{_when(r['lifted_at'])} ({_safe(r['lifted_ref'])})" if r["lifted_at"] else "STOPPED"
        table.add_row(r["stop"], r["contract"], r["reason"], escape(r["ref"]), _when(r["ordered_at"]), escape(lifted))
    console.print(table if rows else "no stops")


def stop_detail(d: dict[str, Any]) -> None:
    """`authority show`: one stop."""
    _say(f"{d['stop']} {d['contract']}: stopped for {d['reason']} by document {_safe(d['ref'])} at {d['ordered_at']} "
         f"(recorded by {d['ordered_by']})" + (f": {_safe(d['note'])}" if d["note"] else ""))
    _say(f"    lifted {d['lifted_at']} by document {_safe(d['lifted_ref'])} ({d['lifted_by']})" if d["lifted_at"]
         else "    not lifted: the service stays stopped")


def review_list(rows: list[dict[str, Any]]) -> None:
    """`review list`: one line per annual review."""
    for r in rows:
        review_detail(r)
    if not rows:
        _say("no annual reviews recorded")


def review_detail(d: dict[str, Any]) -> None:
    """`review show`: one annual review and its outcome."""
    _say(f"{d['review']} {d['contract']} {'passed' if d['passed'] else 'FAILED'} at {d['at']} (document "
         f"{_safe(d['ref'])}, recorded by {d['recorded_by']})" + (f": {_safe(d['note'])}" if d["note"] else ""))


def payment_list(rows: list[dict[str, Any]]) -> None:
    """`payment list`: a contract's payments, a voided one with its reason."""
    table = _table(_id("payment"), _id("at"), "amount", _id("ref"), "by", "void", title="payments")
    for p in rows:
        void = f"VOID {_when(p['void']['at'])}: {_safe(p['void']['reason'])}" if p["void"] else "-"
        table.add_row(str(p["payment"]), _when(p["at"]), p["amount"], escape(_safe(p["ref"])), p["actor"],
                      escape(void))
    console.print(table if rows else "no payments")


def stored(d: dict[str, Any]) -> None:
    """`storage show`: a contract's servers in storage."""
    storage(d["servers"])


def person_detail(d: dict[str, Any]) -> None:
    """`person show`: one authorized person, a channel a line, and whether emergencies go to them."""
    _say(f"{_safe(d['name'])} (person {d['person']}), authorized for {d['contract']}'s customer"
         + ("" if d["active"] else " — INACTIVE"))
    for key in ("office_phone", "mobile", "email", "fax", "pager", "webhook"):
        if d[key]:
            _say(f"    {key.replace('_', ' '):<12} {_safe(d[key])}")
    if d["emergency"]:
        _say(f"    emergencies of {d['contract']} go to them by {d['emergency']}")


def server_list(rows: list[dict[str, Any]]) -> None:
    """`server list`: a contract's servers, where each sits and what was recorded of it."""
    table = _table("server", _id("rack"), _id("units"), _id("port"), _id("addresses"), _id("serial"), _id("mac"),
                   title="servers")
    for r in rows:
        port = f"{r['port']['switch']} {r['port']['interface']}" if r["port"] else "-"
        hw = r["server"] or {}
        table.add_row(str(r["number"]), r["rack"], _unit_span(r["units"]), port,
                      " ".join(a["ip"] for a in r["addresses"]) or "-", escape(_safe(hw.get("serial"))),
                      hw.get("mac") or "not recorded")
    console.print(table if rows else "no servers placed")


def server_detail(d: dict[str, Any]) -> None:
    """`server show`: one server's place, network, power and hardware."""
    _say(f"{d['contract']} server {d['number']}: rack {d['rack']} {_unit_span(d['units'])} ({d['room']}), "
         f"{d['power_w']} W" + (f", released {d['released_at']}" if d["released_at"] else ""))
    if d["port"]:
        _say(f"    port {d['port']['switch']} {d['port']['interface']} ({d['port']['platform']})")
    for a in d["addresses"]:
        _say(f"    address {a['ip']}/{a['prefix_len']} gateway {a['gateway']} vlan {a['vlan']}")
    for o in d["outlets"]:
        _say(f"    outlet {o['pdu']}:{o['outlet']}")
    hw = d["server"]
    if hw is None:
        _say(f"    hardware not recorded (`colo server record {d['contract']} --server {d['number']}`)")
        return
    _say(f"    serial {_safe(hw['serial'])}, MAC {hw['mac']}")
    for part in ("cpu", "board", "memory"):
        if hw[part]:
            _say(f"    {part:<7} {_safe(hw[part])}")
    for disk in hw["disks"]:
        _say(f"    disk    {_safe(disk)}")


def install_steps(d: dict[str, Any]) -> None:
    """`install list`: the install guarantee and the rental install steps done."""
    _say(f"{d['contract']} ({d['state']}): install guarantee by {d['deadline']}: {d['status'] or '-'}"
         + (f" (done {d['completed_at']})" if d["completed_at"] else "")
         + (f" — install fee refund due: {d['install_refund']}" if d["install_fee_refund_due"] else ""))
    for st in d["steps"]:
        _say(f"    {st['step']:<9} {st['at']} by {st['by']}: {_safe(st['detail'])}")
    if not d["steps"]:
        _say("    no install steps recorded (rental contracts: `colo install record ID --step hardware|os`)")
