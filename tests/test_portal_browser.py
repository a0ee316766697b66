"""The customer portal in a real browser (issue 14): headless Debian chromium, through selenium.

A customer of the device lab logs in to `colo portal serve`, opens its contract and sees
MRTG's graphs drawn from real polls of the lab switch's IF-MIB counters (with a missed
poll drawn as a gap), cannot open another customer's contract, and is locked out after
repeated wrong passwords. Without /usr/bin/chromium the test is skipped (CI installs it:
apt-get install -y chromium chromium-driver).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from provision.api import Colo
from provision.lab.snmpagent import set_traffic
from provision.traffic_svg import IN_FILL
from tests.conftest import Lab, order
from tests.lab_contracts import SWITCH, active_contract
from tests.lab_portal import OTHER, OTHER_SECRET, SECRET, audit, portal

T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
POLLS = range(0, 25)  # two hours of 5-minute polls ...
MISSED = {12, 13}  # ... of which two were missed: a 15-minute silence, no rate across it


def polled(lab: Lab, db: str) -> tuple[str, str]:
    """ACME's contract active on the lab's Cisco switch, its counters polled every 5 minutes (two polls missed)."""
    cid, _ = active_contract(db)
    other = Colo(db=db, at="2026-11-24T10:00").sign(order(OTHER))["id"]
    Colo(db=db).set_portal_secret(cid, SECRET)
    Colo(db=db).set_portal_secret(other, OTHER_SECRET)
    for step in POLLS:
        if step in MISSED:
            continue
        when = T0 + timedelta(minutes=5 * step)
        set_traffic(str(lab.state), SWITCH["cisco_ios"], clock=when.timestamp())
        assert not Colo(db=db, at=when.isoformat()).traffic_poll()["failed"]
    return cid, other


def submit(driver: Any, button_id: str) -> None:
    """Click a form's button and wait for the page it leads to (a click alone does not wait for it)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.wait import WebDriverWait

    button = driver.find_element(By.ID, button_id)
    button.click()
    WebDriverWait(driver, 30).until(staleness_of(button))


def log_in(driver: Any, base: str, username: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    submit(driver, "login")


def painted(driver: Any, element: Any) -> tuple[int, int, int]:
    """The pixel chromium painted just above the bottom middle of the element, scrolled into view."""
    from PIL import Image

    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    b = driver.execute_script("return arguments[0].getBoundingClientRect().toJSON()", element)
    shot = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    scale = shot.width / driver.execute_script("return window.innerWidth")
    pixel = shot.getpixel((int((b["x"] + b["width"] / 2) * scale), int((b["y"] + b["height"] - 2) * scale)))
    return tuple(pixel)  # type: ignore[arg-type,return-value]


def near(a: tuple[int, int, int], hex_colour: str) -> bool:
    b = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return max(abs(x - y) for x, y in zip(a, b, strict=True)) <= 6


def test_a_customer_sees_its_traffic_not_another_contract_and_is_locked_out(
        lab: Lab, lab_db: str, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    cid, other = polled(lab, lab_db)
    last = T0 + timedelta(minutes=5 * POLLS[-1])
    with portal(lab_db, tmp_path, at=last.isoformat()) as base:
        log_in(browser, base, cid, SECRET)
        browser.find_element(By.LINK_TEXT, cid).click()
        day = browser.find_element(By.CSS_SELECTOR, 'svg.traffic[data-span="day"]')
        runs = day.find_elements(By.CSS_SELECTOR, "path.in")
        assert day.get_attribute("data-runs") == "2" and len(runs) == 2  # the missed polls are a gap
        first, second = (browser.execute_script("return arguments[0].getBoundingClientRect().toJSON()", r)
                         for r in runs)
        assert second["x"] - (first["x"] + first["width"]) >= 1  # nothing drawn across it
        assert all(near(painted(browser, r), IN_FILL) for r in runs)  # traffic in, painted as the legend says
        committed = day.find_element(By.CSS_SELECTOR, "g.committed line")
        assert committed.get_attribute("y1") and float(committed.get_attribute("y1")) < min(
            float(r.rect["y"]) - float(day.rect["y"]) for r in runs)  # the committed line above the traffic
        assert day.find_elements(By.CSS_SELECTOR, "g.p95 line")
        spans = browser.find_elements(By.CSS_SELECTOR, "svg.traffic")
        assert [s.get_attribute("data-span") for s in spans] == ["day", "week", "month", "year"]
        assert "Open fault tickets" in browser.page_source and "within 99.9 %" in browser.page_source

        browser.get(f"{base}/contract/{other}")
        assert browser.find_element(By.ID, "message").text == "No such page."
        assert other not in browser.page_source and OTHER not in browser.page_source

        submit(browser, "logout")
        for attempt in range(5):
            log_in(browser, base, cid, f"guess {attempt}")
        assert "Too many failed logins: try again in 15 minutes." in browser.find_element(By.ID, "message").text
        log_in(browser, base, cid, SECRET)
        assert "Too many failed logins" in browser.find_element(By.ID, "message").text
    assert len(audit(lab_db, "portal.login_refused")) == 5 and len(audit(lab_db, "portal.login_locked")) == 1
