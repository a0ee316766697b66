"""Human output for the CLI: the same dicts --json prints, laid out for a technician."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

# Piped into a log or a ticket, tables should not be cut at 80 columns.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)


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
    console.print(f"  signed {d['signed_at']}; install by {d['install_deadline']}; payment due {d['payment_due']}"
                  + (f"; term ends {d['term_end']}" if d["term_end"] else ""))
    console.print(f"  install fee {d['install_fee']} CNY" + (f": {d['install_refund'].upper()}" if d["install_refund"]
                                                              else ""), markup=False)
    if d.get("service_rep") or d.get("engineer"):
        console.print(f"  customer-service representative {d['service_rep'] or '(none)'}; "
                      f"engineer {d['engineer'] or '(none)'}", markup=False)
    table = Table("#", "rack", "units", "switch port", "addresses", "outlet", "W", title="placement")
    for p in d["placements"]:
        port = f"{p['port']['switch']} {p['port']['interface']}" if p["port"] else "-"
        addresses = ", ".join(f"{a['ip']}/{a['prefix_len']} gw {a['gateway']} vlan {a['vlan']}"
                              for a in p["addresses"]) or "-"
        outlets = ", ".join(f"{o['pdu']}:{o['outlet']}" for o in p["outlets"]) or "-"
        units = _unit_span(p["units"])
        table.add_row(str(p["position"] + 1), f"{p['room']}/{p['rack']}", units, port, addresses, outlets,
                      str(p["power_w"]))
    console.print(table)
    for p in d["placements"]:
        if p.get("server"):
            hw = p["server"]
            parts = [hw["cpu"], hw["board"], hw["memory"], *hw["disks"]]
            console.print(f"  server {p['position'] + 1}: serial {hw['serial']}, MAC {hw['mac']}; "
                          + ", ".join(x for x in parts if x), markup=False)
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
    table = Table("id", "state", "customer", "kind", "qty", "Mbit/s", "signed", title="contracts")
    for r in rows:
        table.add_row(r["id"], r["state"], r["customer"], r["kind"], str(r["quantity"]),
                      str(r["bandwidth_mbps"]), r["signed_at"])
    console.print(table if rows else "no contracts")


def deadlines(rows: list[dict[str, Any]], title: str = "deadlines") -> None:
    if not rows:
        console.print("no running clocks")
        return
    table = Table("contract", "clock", "clause", "deadline", "left", "status", "on breach", title=title)
    for r in rows:
        style = _STATUS_STYLE.get(r["status"], "")
        table.add_row(r["contract"], r["title"] + (f" [{r['ref']}]" if r["ref"] else ""), r["clause"], r["deadline"],
                      _left(r["seconds_left"]), f"[{style}]{r['status']}[/{style}]", r["on_breach"])
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
            who = f"hold #{unit['hold']} for {unit['customer']}"
        elif unit["state"] in ("reserved", "unfed"):
            who = unit["state"]
        outlet = unit["outlet"] or ""
        console.print(f"  U{unit['u']:<3}|{_MARK[unit['state']]}| {outlet:<12} {who}".rstrip(), markup=False)
    console.print("  legend: X occupied  h held  # reserved  - no outlet  . free", markup=False)


def hold(d: dict[str, Any]) -> None:
    state = "active" if d["active"] else "ended"
    console.print(f"hold #{d['hold']} ({state}) on rack {d.get('rack', '?')} units {_unit_span(d.get('units', []))} "
                  f"for {d['for']} until {d['until']}", markup=False)


def holds(rows: list[dict[str, Any]]) -> None:
    table = Table("hold", "rack", "units", "for", "until", "by", title="holds")
    for r in rows:
        table.add_row(str(r["hold"]), r["rack"], _unit_span(r["units"]), r["for"], r["until"], r["created_by"])
    console.print(table if rows else "no active holds")


def plan(d: dict[str, Any]) -> None:
    """The change per device as a diff, then the customer's IP sheet and the power headroom."""
    p = d["plan"]
    plan_devices(p)
    for r in p["power"]:
        console.print(f"power rack {r['rack']}: budget {r['budget_w']} W, committed {r['committed_w']} W, measured "
                      f"{r['measured_w']} W, this contract {r['contract_w']} W, headroom {r['headroom_w']} W",
                      markup=False)
    if p["ip_sheet"]:
        table = Table("contract", "server", "address", "netmask", "gateway", "DNS", title="IP sheet for the customer")
        for a in p["ip_sheet"]:
            table.add_row(a["contract"], str(a["server"]), f"{a['address']}/{a['prefix_len']}", a["netmask"],
                          a["gateway"], ", ".join(a["dns"]))
        console.print(table)
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
        for cmd in sw["prerequisite_commands"]:
            console.print(f"  ensure  {cmd}", markup=False)
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
            change = "" if o["before"] == o["after"] else " -> " + ("on" if o["after"] else "off")
            console.print(f"pdu {pdu['pdu']} outlet {n}: {'on' if o['before'] else 'off'}{change}  "
                          f"[{o['contract']} server {o['server']}]", markup=False)


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
    table = Table("switch", "port", "now in/out", "avg in/out", "peak in/out", "95th in/out", "use", "measured")
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
    if d["stop_notice"]:
        console.print(f"  stop-service notice {d['stop_notice']['notice']} issued {d['stop_notice']['issued_at']}: "
                      f"service stops at {d['stop_notice']['stop_at']}; {_delivery(d['stop_notice'])}", markup=False)


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
        console.print(f"{n['contract']}: stop-service notice {n['notice']} {how}", markup=False)


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
        console.print(f"{n['notice']:>5} {n['contract']} issued {n['issued_at']} stops {n['stop_at']}: "
                      f"{_delivery(n)}{closed}", markup=False)


def termination(d: dict[str, Any]) -> None:
    console.print(f"{d['contract']} ends {d['ends_at']}", markup=False)
    if d["refund"]:
        console.print(f"  {d['refund']['basis']}", markup=False)
        for line in d["refund"]["lines"]:
            console.print(f"  {line['amount']:>12}  {line['item']}", markup=False)
        console.print(f"  {d['refund']['total']:>12}  refund due", markup=False)


def storage(rows: list[dict[str, Any]]) -> None:
    table = Table("contract", "server", "serial", "location", "stored", "abandon after", "status", title="storage")
    for r in rows:
        status = r["outcome"] or ("OVERDUE" if r["overdue"] else "waiting")
        table.add_row(r["contract"], str(r["server"]), r["serial"] or "-", r["location"], r["stored_at"],
                      r["abandon_after"], status)
    console.print(table if rows else "nothing in storage")


def decommission(d: dict[str, Any]) -> None:
    plan_devices(d["plan"])
    console.print(d["message"], markup=False)


def audit(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        basis = f" [{r['authorization']}]" if r["authorization"] else ""
        console.print(f"{r['id']:>6} {r['at']} {r['actor']:<12} {r['action']:<28} {r['contract'] or '-':<11} "
                      f"{_safe(r['detail'])}{basis}", markup=False, emoji=False)
    if not rows:
        console.print("no audit records")


def sla(d: dict[str, Any]) -> None:
    rows = d.get("contracts", [d])
    for r in rows:
        avail = ", ".join(f"{k} {v} %" for k, v in r["availability_percent"].items())
        console.print(f"{r['contract']} {r['month']}: {avail}; counted {r['counted_minutes']} min; "
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
    found = f" found by the provider (emergency {d['emergency']})" if d.get("source") == "provider" else ""
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
        _say("no authorized persons (`colo authorized add`)")
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
