"""MRTG's graphs as SVG (issue 14): gaps stay gaps, the committed and 95th-percentile lines sit at their rates,
axes are labelled in the site's time and in k/M/G, and names typed by people stay text.

Pure rendering: the input is the dict `colo traffic show --json` prints, built here by hand.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from provision import traffic_svg
from provision.traffic_svg import LEFT, PLOT_H, PLOT_W, SPANS, TOP

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=SHANGHAI)
DAY = SPANS[0]
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script>"&'


def points(span: timedelta, step: timedelta, bps: float = 20e6, skip: range | None = None) -> list[dict[str, Any]]:
    """One point per step over the span up to NOW, each `bps` in and a third of it out; `skip`: their indexes left out."""
    count = int(span / step)
    return [{"at": (NOW - span + i * step).isoformat(), "in_bps": bps, "out_bps": bps / 3, "max_in_bps": bps * 1.5,
             "max_out_bps": bps / 2, "seconds": step.total_seconds()}
            for i in range(count) if skip is None or i not in skip]


def port(day: list[dict[str, Any]] | None = None, p95: tuple[float | None, float | None] = (31e6, 10e6),
         switch: str = "sw-a101-1", interface: str = "GigabitEthernet1/0/1") -> dict[str, Any]:
    graphs = {s.name: points(s.length, s.step) for s in SPANS}
    if day is not None:
        graphs["day"] = day
    return {"switch": switch, "interface": interface, "committed_bps": 100_000_000,
            "current": {"at": NOW.isoformat(), "in_bps": 21e6, "out_bps": 7e6},
            "avg_in_bps": 20e6, "avg_out_bps": 6.6e6, "peak_in_bps": 32e6, "peak_out_bps": 11e6,
            "p95_in_bps": p95[0], "p95_out_bps": p95[1], "utilisation_percent": 31.0, "samples": [], "graphs": graphs}


def show(*ports: dict[str, Any], customer: str = "ACME Hosting") -> dict[str, Any]:
    return {"contract": "C2026-0001", "customer": customer, "month": "2026-12", "committed_bps": 100_000_000,
            "ports": list(ports)}


def day_graph(p: dict[str, Any]) -> ET.Element:
    return ET.fromstring(traffic_svg.graph(p, DAY, SHANGHAI, NOW))


def xs(element: ET.Element) -> list[float]:
    """Every x coordinate of a path or polyline."""
    text = element.get("d") or element.get("points") or ""
    return [float(x) for x in re.findall(r"(-?[\d.]+),-?[\d.]+", text)]


def x_of(moment: datetime) -> float:
    return LEFT + PLOT_W * (moment - (NOW - DAY.length)) / DAY.length


def y_of(bps: float, top: float) -> float:
    return TOP + PLOT_H * (1 - bps / top)


def axis_top(svg: ET.Element) -> float:
    """The bit rate at the top of the axis, read back from its highest label (e.g. 120M)."""
    labels = [t.text or "" for t in svg.iter(f"{SVG}text") if t.get("class") == "y-label"]
    number, unit = re.fullmatch(r"([\d.]+)([kMG]?)", labels[-1]).groups()  # type: ignore[union-attr]
    return float(number) * {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}[unit]


def test_a_missing_hour_is_a_gap_in_both_curves() -> None:
    missing = range(100, 112)  # 12 five-minute buckets: one hour without data
    svg = day_graph(port(points(DAY.length, DAY.step, skip=missing)))
    areas = [e for e in svg.iter(f"{SVG}path") if e.get("class") == "in"]
    lines = [e for e in svg.iter(f"{SVG}polyline") if e.get("class") == "out"]
    assert svg.get("data-runs") == "2" and len(areas) == len(lines) == 2
    gap_start = x_of(NOW - DAY.length + 100 * DAY.step)
    gap_end = x_of(NOW - DAY.length + 112 * DAY.step)
    for before, after in (areas, lines):
        assert max(xs(before)) == pytest.approx(gap_start, abs=0.1)  # the first run stops where data stops
        assert min(xs(after)) == pytest.approx(gap_end, abs=0.1)  # and the second starts where it resumes
    assert day_graph(port()).get("data-runs") == "1"


def test_a_point_without_rates_and_a_lone_point_are_drawn_as_such() -> None:
    day = points(DAY.length, DAY.step)
    day[50] = day[50] | {"in_bps": None, "out_bps": None}  # a bucket the service could not rate
    lone = points(DAY.length, DAY.step, skip=range(0, 287))[:1]  # only the last bucket: it must still show
    assert day_graph(port(day)).get("data-runs") == "2"
    svg = day_graph(port(lone))
    [area] = [e for e in svg.iter(f"{SVG}path") if e.get("class") == "in"]
    assert max(xs(area)) - min(xs(area)) == pytest.approx(PLOT_W * DAY.step / DAY.length, abs=0.1)


def test_committed_and_95th_percentile_lines_sit_at_their_rates() -> None:
    svg = day_graph(port(p95=(31e6, 42e6)))
    top = axis_top(svg)
    assert top >= 100e6  # the committed bandwidth is always on the graph
    committed = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "committed")
    p95 = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "p95")
    for group, bps in ((committed, 100e6), (p95, 42e6)):  # the busier direction's 95th percentile, as billed
        line = group.find(f"{SVG}line")
        assert line is not None and float(line.get("y1", "0")) == pytest.approx(y_of(bps, top), abs=0.1)
    assert committed.find(f"{SVG}line").get("stroke-dasharray") is None  # type: ignore[union-attr]
    assert p95.find(f"{SVG}line").get("stroke-dasharray")  # type: ignore[union-attr]
    assert not [g for g in day_graph(port(p95=(None, None))).iter(f"{SVG}g") if g.get("class") == "p95"]


def test_the_rate_axis_rises_above_traffic_beyond_the_commitment() -> None:
    busy = port(points(DAY.length, DAY.step, bps=450e6))
    svg = day_graph(busy)
    top = axis_top(svg)
    assert 450e6 < top <= 600e6
    [area] = [e for e in svg.iter(f"{SVG}path") if e.get("class") == "in"]
    assert min(float(y) for y in re.findall(r",([\d.]+)", area.get("d", ""))) == pytest.approx(y_of(450e6, top), abs=0.1)


def test_time_axis_is_in_the_site_zone() -> None:
    svg = day_graph(port())
    labels = {t.text: float(t.get("x", "0")) for t in svg.iter(f"{SVG}text") if t.get("class") == "x-label"}
    assert set(labels) == {"16:00", "20:00", "00:00", "04:00", "08:00"}
    assert labels["00:00"] == pytest.approx(x_of(datetime(2026, 12, 15, tzinfo=SHANGHAI)), abs=0.1)
    in_utc = ET.fromstring(traffic_svg.graph(port(), DAY, ZoneInfo("UTC"), NOW))
    utc_midnight = next(float(t.get("x", "0")) for t in in_utc.iter(f"{SVG}text") if t.text == "00:00")
    assert utc_midnight == pytest.approx(x_of(datetime(2026, 12, 15, tzinfo=ZoneInfo("UTC"))), abs=0.1)  # 8 h later
    week = ET.fromstring(traffic_svg.graph(port(), SPANS[1], SHANGHAI, NOW))
    assert "Tue 15" in {t.text for t in week.iter(f"{SVG}text")}


@pytest.mark.parametrize(("bps", "short", "long"), [(0, "0", "0 bit/s"), (500e3, "500k", "500 kbit/s"),
                                                    (2.5e6, "2.5M", "2.5 Mbit/s"), (23_456_789, "23.5M", "23.5 Mbit/s"),
                                                    (1e9, "1G", "1 Gbit/s"), (999_999, "1000k", "1000 kbit/s")])
def test_bit_rates_read_in_k_m_g(bps: float, short: str, long: str) -> None:
    assert (traffic_svg.short_rate(bps), traffic_svg.rate(bps)) == (short, long)


def test_names_typed_by_people_stay_text() -> None:
    page = traffic_svg.page(show(port(switch=HOSTILE, interface=HOSTILE), customer=HOSTILE), SHANGHAI, NOW)
    assert "<script" not in page and "&lt;script&gt;" in page
    graphs = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    assert len(graphs) == 4
    for text in graphs:
        svg = ET.fromstring(text)  # still well-formed: every name was escaped, attributes included
        assert svg.get("data-port") == f"{HOSTILE}/{HOSTILE}"
    assert "default-src 'none'" in page  # and the page forbids scripts even if one slipped through


def test_page_defaults_come_from_the_data() -> None:
    """`colo traffic show --svg` passes only the dict: zone from the times' offset, right edge at the newest data."""
    assert traffic_svg.page(show(port())) == traffic_svg.page(show(port()), SHANGHAI, NOW)
    empty = show(port() | {"graphs": {}, "current": None}, port(switch="sw-2") | {"graphs": {}, "current": None})
    text = traffic_svg.page(empty)
    assert text.count("<svg") == 8 and 'data-runs="0"' in text and "—" in text
    assert "No port of this contract is measured yet." in traffic_svg.page(show())
