"""Shared fixtures: a store on each back end, the example site, and an in-process CLI runner.

PostgreSQL tests use a fresh schema per test in the server named by COLO_TEST_PG
(default: 127.0.0.1:5432, database test, trust auth). When no server answers they
are skipped with the reason shown in pytest's summary (-ra).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from provision.api import SignOrder
from provision.domain.terms import Customer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inventory" / "example"
PG_URL = os.environ.get("COLO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)


def _pg_reason() -> str | None:
    try:
        with _pg_admin():
            return None
    except Exception as e:
        return f"PostgreSQL not reachable at {PG_URL}: {str(e).strip().splitlines()[0]}"


PG_SKIP = _pg_reason()


@contextmanager
def pg_schema() -> Iterator[str]:
    """A store URL on a PostgreSQL schema of its own, dropped afterwards; skips when no server answers."""
    if PG_SKIP:
        pytest.skip(PG_SKIP)
    schema = f"colo_t_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with _pg_admin() as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "colo.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def site_db(db_url: str) -> str:
    """A store initialised with the example inventory."""
    from provision.api import Colo

    Colo(db=db_url).init(str(EXAMPLE))
    return db_url


def order(name: str = "ACME", **terms: Any) -> SignOrder:
    """A one-server colocation order; keyword arguments override any term."""
    fields: dict[str, Any] = {"customer": Customer(name=name), "kind": "colocation", "quantity": 1,
                              "bandwidth_mbps": 100, "fee": "12000.00", "payment": "yearly"}
    return SignOrder(**(fields | terms))


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def colo(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the real CLI entry point in-process: exit code, stdout, stderr."""
    import cli

    monkeypatch.setenv("COLO_USER", "tester")

    def run(*args: str) -> Result:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["colo", *args])
        try:
            cli.main()
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def free_port(kind: int) -> int:
    from provision.lab.control import free_port as free

    return free(kind)


def lab_inventory(target: Path) -> Path:
    """The example site with every device moved to free loopback ports, so parallel test runs never collide."""
    from provision.lab.control import relocated

    return relocated(EXAMPLE, target)


@dataclass
class Lab:
    inventory: Path
    dir: Path
    secrets: str

    @property
    def state(self) -> Path:
        return self.dir / "state"

    def reset(self) -> None:
        """Factory defaults for every device: the simulators reload a missing state file as new."""
        for f in self.state.glob("*.json"):
            f.unlink()

    def device(self, name: str) -> dict[str, Any]:
        """A switch's state file; a switch nobody logged in to since the reset is asked once to write it."""
        import json

        path = self.state / f"{name}.json"
        if not path.exists() or "running" not in json.loads(path.read_text()):
            self.login(name)
        return dict(json.loads(path.read_text()))

    def login(self, switch: str) -> str:
        import yaml

        from provision.services.provisioning.devices import SwitchInfo

        network = yaml.safe_load((self.inventory / "network.yaml").read_text())
        sw = next(s for s in network["switches"] if s["name"] == switch)
        driver = SwitchInfo(switch, sw["platform"], "127.0.0.1", sw["port"], sw["credentials"], None, None).driver()
        try:
            return str(driver.running())
        finally:
            driver.close()

    def running(self, switch: str) -> str:
        return str(self.device(switch)["running"])


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The device lab for a copy of the example site, up for the whole session (per xdist worker)."""
    from provision.lab import control

    base = tmp_path_factory.mktemp("lab")
    inventory = lab_inventory(base / "inventory")
    directory = base / "lab"
    control.up(str(inventory), str(directory))
    saved = {k: os.environ.get(k) for k in ("COLO_SECRETS", "COLO_LOCK_DIR")}
    os.environ["COLO_SECRETS"] = str(directory / "secrets.yaml")
    os.environ["COLO_LOCK_DIR"] = str(base)
    try:
        yield Lab(inventory, directory, str(directory / "secrets.yaml"))
    finally:
        control.down(str(directory))
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
def lab_db(lab: Lab, tmp_path: Path) -> str:
    """A fresh SQLite store of the lab's site, with every lab device back at factory defaults."""
    from provision.api import Colo

    lab.reset()
    url = str(tmp_path / "colo.db")
    Colo(db=url).init(str(lab.inventory))
    return url


CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless chromium, for pages checked as a person sees them (SLA report, portal)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: apt-get install -y chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,900",
                "--force-device-scale-factor=1"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
