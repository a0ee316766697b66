"""The SLA report page (issue 7, pictures), checked where it matters: in what headless chromium paints.

The HTML text alone cannot show that an outage lands on the right day, is painted in the right
colour, or that a hostile customer name stays text; so the page is opened in Debian's chromium
through selenium and the screenshot is sampled. Without /usr/bin/chromium those tests are skipped
(CI installs it: apt-get install -y chromium chromium-driver); the CLI and escaping checks always run.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from provision.api import Colo
from provision.domain.lifecycle import State
from provision.services.site import elevations
from tests.conftest import Result, order
from tests.lab_contracts import walk_to

HOSTILE = "<script>alert(1)</script>"
PROSPECT = "Prospect <b>bold</b>"
MONTH_START, MONTH = datetime.fromisoformat("2026-12-01T00:00:00+08:00"), timedelta(days=31)
REPORT_AT = "2026-12-15T12:00"


@dataclass
class Scene:
    db: str
    active: str  # ACME, A01 U3
    suspended: str  # two servers, A01 U4 and U5
    outages: dict[int, tuple[str, bool]]  # id -> (start, counted)
    held: list[int]  # units of A03 held for PROSPECT


@pytest.fixture
def scene(site_db: str) -> Scene:
    """Two contracts in service (one suspended), three outages of one month, a hold on A03."""
    api = Colo(db=site_db, at="2026-11-24T10:00")
    active = api.sign(order(f"ACME {HOSTILE}"))["id"]
    suspended = api.sign(order("Late Payer", quantity=2))["id"]
    walk_to(api, active, [State.PROVISIONED, State.ACTIVE], "2026-11-25T10:00:00+08:00")
    walk_to(api, suspended, [State.PROVISIONED, State.ACTIVE, State.SUSPENDED], "2026-11-25T10:00:00+08:00")
    held = Colo(db=site_db, at="2026-12-01T10:00").reserve("A03", 2, PROSPECT, "2026-12-20T18:00")["units"]
    outages = {}
    recorder = Colo(db=site_db, at="2026-12-31T23:00")  # after the last report: a report is recorded once made
    for kind, start, end, cause, reported, exclude, counted in [
            ("network", "2026-12-03T10:00", "2026-12-03T10:30", "upstream switch reboot", "2026-12-03T11:00", None, True),
            ("network", "2026-12-10T02:00", "2026-12-10T03:00", HOSTILE, "2026-12-10T09:00", "agreed-maintenance", False),
            ("power", "2026-12-20T10:00", "2026-12-20T10:20", "PDU breaker", "2026-12-28T10:00", None, False)]:
        row = recorder.record_outage(active, kind, start, end, cause, reported, exclude)
        outages[row["outage"]] = (start, counted)
    return Scene(site_db, active, suspended, outages, held)


def test_cli_writes_the_page_and_prints_its_path(scene: Scene, tmp_path: Path, colo: Callable[..., Result]) -> None:
    path = tmp_path / "report.html"
    r = colo("--db", scene.db, "--at", REPORT_AT, "sla", "report", scene.active, "--month", "2026-12", "--html", str(path))
    assert (r.code, r.out.strip(), r.err) == (0, str(path), "")
    text = path.read_text(encoding="utf-8")
    assert "<script" not in text and "<b>" not in text
    assert f"ACME {HOSTILE}".replace("<", "&lt;").replace(">", "&gt;") in text
    r = colo("--db", scene.db, "--at", REPORT_AT, "sla", "report", "--month", "2026-12", "--html", str(path), "--json")
    assert json.loads(r.out)["html"] == str(path)
    assert "Late Payer" in path.read_text(encoding="utf-8")  # the site's page names every contract's customer


@pytest.mark.parametrize("where", ["missing-dir/report.html", "."])
def test_unwritable_path_is_one_line_of_bad_input(scene: Scene, tmp_path: Path, where: str, colo: Callable[..., Result]) -> None:
    path = tmp_path / where
    r = colo("--db", scene.db, "sla", "report", "--month", "2026-12", "--html", str(path))
    assert r.code == 2 and r.out == "" and r.err.count("\n") == 1
    assert r.err.startswith(f"error: --html {path}: cannot write the page") and "writable" in r.err
    assert not (tmp_path / "missing-dir").exists()


def test_elevations_read_the_site_in_the_same_few_queries_however_full(scene: Scene) -> None:
    api = Colo(db=scene.db, at=REPORT_AT)
    queries: list[str] = []
    event.listen(api.context.store.engine, "before_cursor_execute", lambda *a: queries.append(a[2]))
    elevations.site_elevations(api.context, [scene.active])
    before = len(queries)
    named = [scene.active, scene.suspended] + [api.sign(order(name, quantity=3))["id"] for name in ("Third", "Fourth")]
    queries.clear()
    site = elevations.site_elevations(api.context, named)
    assert len(queries) == before and site.customers[named[-1]] == "Fourth"
    states = {f"{r.name}/{u.u}": u for r in site.racks for u in r.units}
    assert (states["A01/3"].state, states["A01/3"].holder) == ("occupied", f"ACME {HOSTILE}")
    assert [states[f"A01/{u}"].state for u in (1, 4, 5)] == ["reserved", "suspended", "suspended"]
    assert {states[f"A03/{u}"].holder for u in scene.held} == {PROSPECT}
    lapsed = elevations.site_elevations(Colo(db=scene.db, at="2026-12-21T00:00").context)  # the hold ran out on the 20th
    assert {u.state for r in lapsed.racks if r.name == "A03" for u in r.units if u.u in scene.held} == {"free"}


# --- what the browser shows ------------------------------------------------------------------------------------


@pytest.fixture
def shown(scene: Scene, browser: Any, tmp_path: Path) -> Any:
    """The site's report page, written by the API and loaded in the browser."""
    path = tmp_path / "report.html"
    Colo(db=scene.db, at=REPORT_AT).sla_report_html("2026-12", str(path))
    browser.get(path.as_uri())
    return browser


def box(driver: Any, element: Any) -> dict[str, float]:
    return dict(driver.execute_script("return arguments[0].getBoundingClientRect().toJSON()", element))


def painted(driver: Any, element: Any, across: float = 0.5) -> tuple[int, int, int]:
    """The pixel chromium painted inside the element (at `across` of its width), scrolled into view."""
    from PIL import Image

    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    b = box(driver, element)
    shot = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    scale = shot.width / driver.execute_script("return window.innerWidth")
    pixel = shot.getpixel((int((b["x"] + b["width"] * across) * scale), int((b["y"] + b["height"] / 2) * scale)))
    return tuple(pixel)  # type: ignore[arg-type,return-value]


def legend(driver: Any, key: str) -> tuple[int, int, int]:
    """The colour the page's legend paints for `key`: what a reader matches a box against."""
    from selenium.webdriver.common.by import By

    return painted(driver, driver.find_element(By.CSS_SELECTOR, f'[data-legend="{key}"] .swatch'))


def near(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return max(abs(x - y) for x, y in zip(a, b, strict=True)) <= 6


def test_outages_sit_on_their_day_in_their_colour(scene: Scene, shown: Any) -> None:
    from selenium.webdriver.common.by import By

    assert not near(legend(shown, "counted"), legend(shown, "excluded"))
    for outage_id, (start, counted) in scene.outages.items():
        rect = shown.find_element(By.CSS_SELECTOR, f'[data-outage-id="{outage_id}"]')
        kind = "power" if start.startswith("2026-12-20") else "network"
        bar = shown.find_element(By.CSS_SELECTOR, f'[data-bar="{scene.active}/{kind}"]')
        assert rect.is_displayed()
        fraction = (datetime.fromisoformat(start + "+08:00") - MONTH_START) / MONTH
        r, b = box(shown, rect), box(shown, bar)
        assert abs(r["x"] - (b["x"] + b["width"] * fraction)) <= 2, (outage_id, r, b)
        assert r["width"] >= 2.5  # a 20-minute outage is under a pixel of the month, drawn wider to be seen
        assert near(painted(shown, rect), legend(shown, "counted" if counted else "excluded")), outage_id
        assert rect.get_attribute("data-state") == ("counted" if counted else "excluded")


def test_rack_elevations_show_every_unit_in_its_state(scene: Scene, shown: Any) -> None:
    from selenium.webdriver.common.by import By

    def unit(name: str) -> Any:
        return shown.find_element(By.CSS_SELECTOR, f'[data-unit="{name}"]')

    colours = [legend(shown, state) for state in elevations.STATES]
    assert not any(near(a, b) for i, a in enumerate(colours) for b in colours[i + 1:])  # every state tells apart
    assert len(shown.find_elements(By.CSS_SELECTOR, '[data-unit^="A01/"]')) == 42
    assert len(shown.find_elements(By.CSS_SELECTOR, '[data-unit^="B01/"]')) == 47
    assert len(shown.find_elements(By.CSS_SELECTOR, "rect.unit")) == 4 * 42 + 3 * 47
    expected = {"A01/3": "occupied", "A01/4": "suspended", "A01/1": "reserved", f"A03/{scene.held[0]}": "held",
                "A02/20": "free", "B01/40": "unfed"}
    for name, state in expected.items():
        assert unit(name).get_attribute("data-state") == state, name
        assert near(painted(shown, unit(name), across=0.9), legend(shown, state)), name
    assert unit("A01/3").get_attribute("data-contract") == scene.active
    assert unit("A01/5").get_attribute("data-contract") == scene.suspended
    # U1 at the bottom: A01's U3 is drawn below its U4
    assert box(shown, unit("A01/3"))["y"] > box(shown, unit("A01/4"))["y"]


def test_hostile_names_and_causes_are_text_not_markup(scene: Scene, shown: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    assert shown.find_elements(By.TAG_NAME, "script") == [] and shown.find_elements(By.TAG_NAME, "b") == []
    heading = shown.find_element(By.CSS_SELECTOR, f'[data-contract="{scene.active}"] h2')
    assert heading.text == f"{scene.active} — ACME {HOSTILE}"
    excluded = next(i for i, (_, counted) in scene.outages.items() if not counted)
    row = shown.find_element(By.CSS_SELECTOR, f'[data-outage-row="{excluded}"]')
    assert row.find_elements(By.TAG_NAME, "td")[-1].text == HOSTILE
    tip = shown.execute_script("return arguments[0].querySelector('title').textContent",
                               shown.find_element(By.CSS_SELECTOR, f'[data-outage-id="{excluded}"]'))
    assert tip.endswith(f"excluded: maintenance the customer agreed to: {HOSTILE}")
    held = shown.find_element(By.CSS_SELECTOR, f'[data-unit="A03/{scene.held[0]}"]')
    assert PROSPECT in shown.execute_script("return arguments[0].querySelector('title').textContent", held)
    with pytest.raises(NoAlertPresentException):
        _ = shown.switch_to.alert.text
