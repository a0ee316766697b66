"""The SLA report as one self-contained HTML page: month timelines and rack elevations in inline SVG.

Pure rendering from the report dict (`colo sla report --json`) and the site's elevations:
no store, no files, no clock, so the page a customer is sent is exactly what a test renders.
Customer names and outage causes are typed by people, so every string from the store goes
through `_e`; the page also forbids scripts outright (Content-Security-Policy) in case one
ever slipped through. Elements carry data-* attributes so tests can find what they check.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from provision.domain.sla import month_window
from provision.services.site.elevations import STATES, RackElevation, SiteElevations

COUNTED, EXCLUDED, UP = "#d62728", "#f0a202", "#dff0e3"
UNIT_COLOURS = {"occupied": "#3572c6", "suspended": "#9b3fb5", "held": "#f5d04c", "reserved": "#8c8c8c",
                "free": "#ffffff", "unfed": "#d9d9d9"}
UNIT_MEANING = {"occupied": "occupied by a contract", "suspended": "contract suspended", "held": "held for a prospect",
                "reserved": "reserved (patch panel, switch …)", "free": "free", "unfed": "free, no PDU outlet"}

BAR_X, BAR_W, LANE_H, LANE_GAP, TICKS_H = 80, 900, 22, 8, 16
MIN_W = 3.0  # px: a 5-minute outage is a tenth of a pixel in a month; it must still show
UNIT_H, COL_W, COL_GAP, HEAD_H = 12, 110, 16, 20

STYLE = """
body { font: 14px/1.4 sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0; } td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
.breached { color: #b00; font-weight: bold; } .ok { color: #070; }
svg { display: block; } svg text { font: 10px sans-serif; fill: #333; } svg text.on-unit { fill: #fff; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; margin: 6px 0; }
.swatch { display: inline-block; width: 14px; height: 14px; border: 1px solid #888; vertical-align: middle; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def page(report: dict[str, Any], site: SiteElevations) -> str:
    """A contract's report (or the site's, with `contracts`) and every rack, as one HTML document.

    `site` should be read with the report's contract ids, so each section can name its customer.
    """
    contracts = report.get("contracts", [report])
    start, end = month_window(report["month"], site.tz)
    title = f"SLA report {site.site} {report['month']}"
    body = [f"<h1>{_e(title)}</h1>", _timeline_legend()]
    sections = [_contract(r, site.customers.get(r["contract"], ""), start, end) for r in contracts]
    body += sections or ["<p>No contract in service this month.</p>"]
    if "contracts" in report:
        body.append(f'<p id="site-total">{report["breached"]} contract(s) breached; credits {_e(report["total_credit"])}</p>')
    body += [f"<h2>Rack elevations as of {_e(site.as_of.isoformat(timespec='minutes'))}</h2>", _unit_legend(),
             _elevations(site.racks)]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{_e(title)}</title><style>{STYLE}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n")


def _swatch(colour: str, label: str, key: str) -> str:
    return f'<span data-legend="{_e(key)}"><span class="swatch" style="background:{colour}"></span> {_e(label)}</span>'


def _timeline_legend() -> str:
    return ('<div class="legend">' + _swatch(UP, "up", "up") + _swatch(COUNTED, "outage counted", "counted")
            + _swatch(EXCLUDED, "outage excluded (hover for why)", "excluded") + "</div>")


def _unit_legend() -> str:
    return '<div class="legend">' + "".join(_swatch(UNIT_COLOURS[s], UNIT_MEANING[s], s) for s in STATES) + "</div>"


def _contract(r: dict[str, Any], customer: str, start: datetime, end: datetime) -> str:
    cid = _e(r["contract"])
    verdict = ('<span class="breached">BREACHED: the month\'s fee is waived</span>' if r["breached"]
               else '<span class="ok">within 99.9 %</span>')
    figures = "".join(f"<tr data-kind=\"{_e(kind)}\"><td>{_e(kind)}</td><td>{_e(r['counted_minutes'][kind])}</td>"
                      f"<td>{_e(pct)} %</td><td data-allowance=\"{_e(r['allowance'][kind]['minutes'])}\">"
                      f"{_e(r['allowance'][kind]['minutes'])} min ({_e(r['allowance'][kind]['rule'])})</td></tr>"
                      for kind, pct in r["availability_percent"].items())
    credits = "".join(f"<tr><td>{_e(c['item'])}</td><td>{_e(c['amount'])}</td></tr>" for c in r["credits"]) \
        + "".join(f"<tr data-waived><td>{_e(w)}</td><td>0.00</td></tr>" for w in r["waived"])
    return (f'<section id="contract-{cid}" data-contract="{cid}">'
            f"<h2>{cid} — {_e(customer)}</h2>"
            f"{_timeline(r, start, end)}"
            f"<p>{verdict}; month fee {_e(r['month_fee'])}, credit {_e(r['total_credit'])}</p>"
            "<table><tr><th>kind</th><th>counted minutes</th><th>availability</th><th>allowed</th></tr>" + figures
            + "</table>"
            + (f"<table><tr><th>credit</th><th>amount</th></tr>{credits}</table>" if credits else "")
            + _outage_table(r["outages"]) + "</section>")


def _outage_table(outages: list[dict[str, Any]]) -> str:
    if not outages:
        return "<p>No outage this month.</p>"
    rows = "".join(f"<tr data-outage-row=\"{_e(o['id'])}\"><td>{_e(o['kind'])}</td><td>{_e(o['start'])}</td>"
                   f"<td>{_e(o['end'])}</td><td>{_e(o['minutes'])}</td><td>{_e(_why(o))}</td><td>{_e(o['cause'])}</td></tr>"
                   for o in outages)
    return ("<table><tr><th>kind</th><th>start</th><th>end</th><th>minutes</th><th>counted?</th><th>cause</th></tr>"
            + rows + "</table>")


def _why(outage: dict[str, Any]) -> str:
    return "counted" if outage["counted"] else f"excluded: {outage['excluded_because']}"


def _x(moment: datetime, start: datetime, end: datetime) -> float:
    """Where a moment falls on the bar; in UTC, so a DST change inside the month does not skew it."""
    span = (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds()
    offset = (moment.astimezone(UTC) - start.astimezone(UTC)).total_seconds()
    return BAR_X + BAR_W * min(max(offset / span, 0.0), 1.0)


def _timeline(r: dict[str, Any], start: datetime, end: datetime) -> str:
    """One bar per kind (network, power) across the month, each outage a rect from its start to its end."""
    kinds = list(r["availability_percent"])
    height = TICKS_H + len(kinds) * (LANE_H + LANE_GAP)
    parts = [_day_ticks(start, end)]
    for lane, kind in enumerate(kinds):
        y = TICKS_H + lane * (LANE_H + LANE_GAP)
        parts.append(f'<text x="0" y="{y + 15}">{_e(kind)}</text>'
                     f'<rect class="month" data-bar="{_e(r["contract"])}/{_e(kind)}" x="{BAR_X}" y="{y}" '
                     f'width="{BAR_W}" height="{LANE_H}" fill="{UP}" stroke="#999"/>')
        parts += [_outage(o, y, start, end) for o in r["outages"] if o["kind"] == kind]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{BAR_X + BAR_W + 10}" height="{height}" '
            f'shape-rendering="crispEdges" data-timeline="{_e(r["contract"])}">' + "".join(parts) + "</svg>")


def _day_ticks(start: datetime, end: datetime) -> str:
    """A tick above the bars at each local midnight, numbered every five days."""
    days = (end.date() - start.date()).days
    out = []
    for day in range(days):
        x = _x(start.replace(day=day + 1), start, end)
        out.append(f'<line x1="{x:.2f}" y1="{TICKS_H - 4}" x2="{x:.2f}" y2="{TICKS_H}" stroke="#999"/>')
        if day == 0 or (day + 1) % 5 == 0:
            out.append(f'<text x="{x + 2:.2f}" y="{TICKS_H - 6}">{day + 1}</text>')
    return "".join(out)


def _outage(o: dict[str, Any], y: int, start: datetime, end: datetime) -> str:
    x0 = _x(datetime.fromisoformat(o["start"]), start, end)
    x1 = _x(datetime.fromisoformat(o["end"]), start, end)
    width = max(x1 - x0, MIN_W)
    x0 = min(x0, BAR_X + BAR_W - width)  # a short outage at the very end stays inside the bar
    tip = f"{o['kind']} {o['start']} – {o['end']}, {o['minutes']} min, {_why(o)}: {o['cause']}"
    state = "counted" if o["counted"] else "excluded"
    return (f'<rect class="outage" id="outage-{_e(o["id"])}" data-outage-id="{_e(o["id"])}" data-state="{state}" '
            f'x="{x0:.2f}" y="{y}" width="{width:.2f}" height="{LANE_H}" fill="{COUNTED if o["counted"] else EXCLUDED}">'
            f"<title>{_e(tip)}</title></rect>")


def _elevations(racks: tuple[RackElevation, ...]) -> str:
    """One column per rack, U1 at the bottom, all columns standing on the same floor."""
    tallest = max((r.height_u for r in racks), default=0)
    height = HEAD_H + tallest * UNIT_H + 4
    columns = [_rack(r, i * (COL_W + COL_GAP), HEAD_H + tallest * UNIT_H) for i, r in enumerate(racks)]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" id="elevations" width="{len(racks) * (COL_W + COL_GAP)}" '
            f'height="{height}" shape-rendering="crispEdges">' + "".join(columns) + "</svg>")


def _rack(rack: RackElevation, x: int, floor: int) -> str:
    top = floor - rack.height_u * UNIT_H
    out = [f'<g data-rack="{_e(rack.name)}"><text x="{x}" y="{top - 6}">{_e(rack.name)} ({_e(rack.room)})</text>']
    for unit in rack.units:
        y = floor - unit.u * UNIT_H
        who = " ".join(filter(None, (unit.contract, unit.holder)))
        label = f"{rack.name} U{unit.u}: {UNIT_MEANING[unit.state]}" + (f" — {who}" if who else "")
        contract = f' data-contract="{_e(unit.contract)}"' if unit.contract else ""
        out.append(f'<rect class="unit" data-unit="{_e(rack.name)}/{unit.u}" data-state="{unit.state}"{contract} '
                   f'x="{x + 18}" y="{y}" width="{COL_W - 18}" height="{UNIT_H}" fill="{UNIT_COLOURS[unit.state]}" '
                   f'stroke="#666"><title>{_e(label)}</title></rect>'
                   f'<text x="{x}" y="{y + UNIT_H - 2}">{unit.u}</text>')
        if unit.contract:
            out.append(f'<text x="{x + 21}" y="{y + UNIT_H - 2}" class="on-unit">{_e(unit.contract)}</text>')
    return "".join(out) + "</g>"
