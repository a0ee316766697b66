"""A contract's port traffic as MRTG draws it: four graphs per port, in inline SVG.

Pure rendering from the dict `colo traffic show --json` prints (services.traffic.show):
no store, no files, no clock — the portal and `colo traffic show --svg` draw the same
picture, and a test renders exactly what a customer sees. Each graph (day, week, month,
year) shows traffic in as a filled area and out as a line, the contract's committed
bandwidth as a solid line and the month's 95th percentile as a dashed one, on axes
labelled in the site's local time and in bit/s with k/M/G. A bucket the data lacks is a
gap in both curves: nothing is drawn across a missed poll or a down port.

Time runs left to right, now at the right edge (as rrdtool draws, unlike MRTG's classic
right-to-left). Every string from the store (switch, interface, customer names) goes
through `_e`; elements carry data-* attributes so tests can find what they check.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

IN_FILL, IN_EDGE, OUT_LINE, COMMITTED, P95 = "#3cb44b", "#1f7a2c", "#1f3fbf", "#d62728", "#9b3fb5"
LEFT, TOP, PLOT_W, PLOT_H, BOTTOM, RIGHT = 64, 12, 600, 150, 22, 12
UNITS = ((1e9, "G"), (1e6, "M"), (1e3, "k"))
HEADROOM = 1.05  # the highest line stays clear of the frame


@dataclass(frozen=True)
class Span:
    """One of MRTG's four graphs: how far back it reaches and the step of its points."""

    name: str
    title: str
    length: timedelta
    step: timedelta


SPANS = (Span("day", "Daily (5-minute averages)", timedelta(hours=24), timedelta(minutes=5)),
         Span("week", "Weekly (30-minute averages)", timedelta(days=7), timedelta(minutes=30)),
         Span("month", "Monthly (2-hour averages)", timedelta(days=31), timedelta(hours=2)),
         Span("year", "Yearly (daily averages)", timedelta(days=365), timedelta(days=1)))

STYLE = """
body { font: 14px/1.4 sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; } h3 { font-size: 14px; margin: 16px 0 4px; }
table { border-collapse: collapse; margin: 8px 0; } td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
svg { display: block; } svg text { font: 10px sans-serif; fill: #333; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; margin: 4px 0 12px; font-size: 12px; }
.swatch { display: inline-block; width: 14px; height: 10px; border: 1px solid #888; vertical-align: middle; }
"""


@dataclass(frozen=True)
class Bucket:
    """One graph point, parsed: where it starts and ends, and its averages."""

    start: datetime
    end: datetime
    in_bps: float
    out_bps: float


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def page(show: dict[str, Any], tz: tzinfo | None = None, as_of: datetime | None = None) -> str:
    """The whole traffic report as one self-contained HTML document (for `colo traffic show --svg FILE`).

    `tz` is the site's zone for the axis labels (default: the offset the times carry);
    `as_of` is the graphs' right edge (default: `show["at"]`, else the newest data).
    """
    title = f"Traffic {show['contract']} {show['month']}"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{_e(title)}</title><style>{STYLE}</style></head>\n<body>\n"
            f"<h1>{_e(title)} — {_e(show['customer'])}</h1>\n" + sections(show, tz, as_of) + "\n</body></html>\n")


def sections(show: dict[str, Any], tz: tzinfo | None = None, as_of: datetime | None = None) -> str:
    """Per port: the month's figures and MRTG's four graphs; an HTML fragment the portal embeds as it is."""
    zone = tz or _zone(show)
    edge = as_of or _as_of(show, zone)
    if not show["ports"]:
        return "<p>No port of this contract is measured yet.</p>"
    return "\n".join(_port(show["month"], port, zone, edge) for port in show["ports"])


def _zone(show: dict[str, Any]) -> tzinfo:
    """The offset the service wrote its times with: the site's, when no zone is given."""
    for when in _times(show):
        return datetime.fromisoformat(when).tzinfo or UTC
    return UTC


def _as_of(show: dict[str, Any], tz: tzinfo) -> datetime:
    """The right edge of the graphs: the time the dict was made, else the end of the newest data, else the month's end."""
    if show.get("at"):
        return datetime.fromisoformat(show["at"])
    ends = [b.end for port in show["ports"] for span in SPANS for b in _buckets(port["graphs"].get(span.name, []), span)]
    ends += [datetime.fromisoformat(p["current"]["at"]) for p in show["ports"] if p.get("current")]
    if ends:
        return max(ends)
    year, month = map(int, show["month"].split("-"))
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)


def _times(show: dict[str, Any]) -> Iterator[str]:
    if show.get("at"):
        yield show["at"]
    for port in show["ports"]:
        for points in port["graphs"].values():
            yield from (p["at"] for p in points)


def _port(month: str, port: dict[str, Any], tz: tzinfo, as_of: datetime) -> str:
    name = f"{port['switch']} {port['interface']}"
    key = _e(f"{port['switch']}/{port['interface']}")
    graphs = "".join(f"<h3>{_e(span.title)}</h3>" + graph(port, span, tz, as_of) + _legend(port, span, month)
                     for span in SPANS)
    return (f'<section class="port" data-port="{key}"><h2>Port {_e(name)}</h2>'
            + _figures(port, month) + graphs + "</section>")


def _figures(port: dict[str, Any], month: str) -> str:
    """MRTG's table of the month: current, average, peak and 95th percentile, in and out."""
    current = port.get("current") or {}
    rows = [("current", current.get("in_bps"), current.get("out_bps")),
            ("average", port["avg_in_bps"], port["avg_out_bps"]),
            ("peak", port["peak_in_bps"], port["peak_out_bps"]),
            ("95th percentile", port["p95_in_bps"], port["p95_out_bps"])]
    body = "".join(f'<tr data-figure="{_e(label)}"><td>{_e(label)}</td><td>{_e(rate(i))}</td><td>{_e(rate(o))}</td></tr>'
                   for label, i, o in rows)
    used = port.get("utilisation_percent")
    return (f"<table><tr><th>{_e(month)}</th><th>in</th><th>out</th></tr>{body}</table>"
            f"<p>Committed bandwidth {_e(rate(port['committed_bps']))}; "
            f"utilisation {_e('—' if used is None else f'{used:.1f} %')} (95th percentile of the busier direction)</p>")


def _legend(port: dict[str, Any], span: Span, month: str) -> str:
    points = _buckets(port["graphs"].get(span.name, []), span)
    seconds = sum((b.end - b.start).total_seconds() for b in points)

    def avg(direction: str) -> str:
        total = sum(getattr(b, direction) * (b.end - b.start).total_seconds() for b in points)
        return rate(total / seconds if seconds else None)

    peaks = port["graphs"].get(span.name, [])
    top_in = max((p.get("max_in_bps") or p["in_bps"] for p in peaks if p.get("in_bps") is not None), default=None)
    top_out = max((p.get("max_out_bps") or p["out_bps"] for p in peaks if p.get("out_bps") is not None), default=None)
    p95 = _p95(port)
    items = [_swatch(IN_FILL, f"in: average {avg('in_bps')}, max {rate(top_in)}", "in"),
             _swatch(OUT_LINE, f"out: average {avg('out_bps')}, max {rate(top_out)}", "out"),
             _swatch(COMMITTED, f"committed {rate(port['committed_bps'])}", "committed")]
    if p95 is not None:
        items.append(_swatch(P95, f"95th percentile {month}: {rate(p95)}", "p95"))
    return '<div class="legend">' + "".join(items) + "</div>"


def _swatch(colour: str, label: str, key: str) -> str:
    return f'<span data-legend="{key}"><span class="swatch" style="background:{colour}"></span> {_e(label)}</span>'


def _p95(port: dict[str, Any]) -> float | None:
    """The billed 95th percentile: the busier direction's, as providers bill it."""
    values = [v for v in (port.get("p95_in_bps"), port.get("p95_out_bps")) if v is not None]
    return max(values) if values else None


def graph(port: dict[str, Any], span: Span, tz: tzinfo, as_of: datetime) -> str:
    """One MRTG graph: in as an area, out as a line, committed and 95th-percentile lines, both axes."""
    start = as_of - span.length
    buckets = [b for b in _buckets(port["graphs"].get(span.name, []), span) if b.end > start and b.start < as_of]
    p95 = _p95(port)
    top = _scale_top(max([port["committed_bps"], p95 or 0.0] + [max(b.in_bps, b.out_bps) for b in buckets]))

    def x(moment: datetime) -> float:
        offset = (moment - start).total_seconds() / span.length.total_seconds()
        return LEFT + PLOT_W * min(max(offset, 0.0), 1.0)

    def y(bps: float) -> float:
        return TOP + PLOT_H * (1 - min(bps / top, 1.0))

    runs = list(_runs(buckets, span))
    parts = [_grid(top, y), _time_axis(start, as_of, span, tz, x)]
    for n, run in enumerate(runs):
        steps = [(x(b.start), x(b.end), b) for b in run]
        area = " ".join(f"L{x0:.1f},{y(b.in_bps):.1f} L{x1:.1f},{y(b.in_bps):.1f}" for x0, x1, b in steps)
        line = " ".join(f"{x0:.1f},{y(b.out_bps):.1f} {x1:.1f},{y(b.out_bps):.1f}" for x0, x1, b in steps)
        base = y(0)
        parts.append(f'<path class="in" data-run="{n}" d="M{steps[0][0]:.1f},{base:.1f} {area} '
                     f'L{steps[-1][1]:.1f},{base:.1f} Z" fill="{IN_FILL}" stroke="{IN_EDGE}" stroke-width="0.5"/>')
        parts.append(f'<polyline class="out" data-run="{n}" points="{line}" fill="none" stroke="{OUT_LINE}" '
                     f'stroke-width="1.2"/>')
    parts.append(_level("committed", port["committed_bps"], f"committed {rate(port['committed_bps'])}", COMMITTED, y))
    if p95 is not None:
        parts.append(_level("p95", p95, f"95th percentile {rate(p95)}", P95, y, dashed=True))
    key = _e(f"{port['switch']}/{port['interface']}")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="traffic" data-span="{span.name}" data-port="{key}" '
            f'data-runs="{len(runs)}" width="{LEFT + PLOT_W + RIGHT}" height="{TOP + PLOT_H + BOTTOM}" role="img">'
            f"<title>{_e(span.title)}: {_e(port['switch'])} {_e(port['interface'])}</title>"
            f'<rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="#fcfcfc" stroke="#999"/>'
            + "".join(parts) + "</svg>")


def _buckets(points: Sequence[dict[str, Any]], span: Span) -> list[Bucket]:
    """The points that carry both rates, in time order; a point without a rate is a gap like a missing one."""
    out = []
    for p in points:
        if p.get("in_bps") is None or p.get("out_bps") is None:
            continue
        start = datetime.fromisoformat(p["at"])
        out.append(Bucket(start, start + span.step, float(p["in_bps"]), float(p["out_bps"])))
    return sorted(out, key=lambda b: b.start)


def _runs(buckets: list[Bucket], span: Span) -> Iterator[list[Bucket]]:
    """Consecutive buckets drawn as one shape; a missing bucket (next starts later than 1.5 steps) ends it.

    1.5 steps, not exactly one, so a local day of 23 or 25 hours (daylight saving) is still adjacent.
    """
    run: list[Bucket] = []
    for b in buckets:
        if run and (b.start - run[-1].start) > span.step * 1.5:
            yield run
            run = []
        run.append(b)
    if run:
        yield run


def _level(key: str, bps: float, label: str, colour: str, y: Any, dashed: bool = False) -> str:
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    at = y(bps)
    return (f'<g class="{key}" data-bps="{bps:.0f}"><line x1="{LEFT}" y1="{at:.1f}" x2="{LEFT + PLOT_W}" y2="{at:.1f}" '
            f'stroke="{colour}" stroke-width="1.5"{dash}/><title>{_e(label)}</title></g>')


def _scale_top(highest: float) -> float:
    """A round top for the bit-rate axis above the highest value, so its quarters are round too (30M, 60M, 90M, 120M)."""
    if highest <= 0:
        return 1e6
    power = 10 ** math.floor(math.log10(highest * HEADROOM))
    return next(m * power for m in (1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10) if m * power >= highest * HEADROOM)


def _grid(top: float, y: Any) -> str:
    """Four horizontal grid lines with their bit rates (k/M/G) on the left."""
    out = []
    for i in range(5):
        bps = top * i / 4
        at = y(bps)
        out.append(f'<line x1="{LEFT}" y1="{at:.1f}" x2="{LEFT + PLOT_W}" y2="{at:.1f}" stroke="#ddd"/>'
                   f'<text class="y-label" x="{LEFT - 4}" y="{at + 3:.1f}" text-anchor="end">{_e(short_rate(bps))}</text>')
    return "".join(out)


def _time_axis(start: datetime, end: datetime, span: Span, tz: tzinfo, x: Any) -> str:
    """Ticks at local hours or midnights, labelled in the site's time, below the plot."""
    out = []
    for moment, label in _ticks(start, end, span, tz):
        at = x(moment)
        out.append(f'<line x1="{at:.1f}" y1="{TOP}" x2="{at:.1f}" y2="{TOP + PLOT_H + 3}" stroke="#eee"/>')
        if label:
            out.append(f'<text class="x-label" x="{at:.1f}" y="{TOP + PLOT_H + 14}" text-anchor="middle">{_e(label)}</text>')
    return "".join(out)


def _ticks(start: datetime, end: datetime, span: Span, tz: tzinfo) -> Iterator[tuple[datetime, str]]:
    if span.name == "day":  # every local hour, labelled every fourth
        hour = start.astimezone(tz).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        while hour < end:
            local = hour.astimezone(tz)
            yield hour, f"{local:%H}:00" if local.hour % 4 == 0 else ""
            hour += timedelta(hours=1)
        return
    day = start.astimezone(tz).date() + timedelta(days=1)
    while (midnight := datetime(day.year, day.month, day.day, tzinfo=tz)) < end:
        if span.name == "week":
            yield midnight, f"{midnight:%a %d}"
        elif span.name == "month":
            yield midnight, f"{midnight:%m-%d}" if midnight.weekday() == 0 else ""
        elif day.day == 1:
            yield midnight, f"{midnight:%Y}" if day.month == 1 else f"{midnight:%b}"
        day += timedelta(days=1)


def _scaled(bps: float) -> tuple[str, str]:
    """Three significant digits and the unit prefix: (23.4, M)."""
    size, unit = next(((s, u) for s, u in UNITS if bps >= s), (1.0, ""))
    digits = f"{bps / size:.3g}"
    return (f"{bps / size:.0f}" if "e" in digits else digits), unit


def short_rate(bps: float) -> str:
    """An axis label: 0, 500k, 2.5M, 1G."""
    digits, unit = _scaled(bps)
    return digits + unit


def rate(bps: float | None) -> str:
    """A figure for people: 23.4 Mbit/s; '—' when nothing was measured."""
    if bps is None:
        return "—"
    digits, unit = _scaled(bps)
    return f"{digits} {unit}bit/s"
