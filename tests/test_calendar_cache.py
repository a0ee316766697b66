"""The working-day calendar cached on disk: the same answers as the package, and only a shortcut."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from provision.domain.calendar import WorkCalendar, china_year
from provision.services import calendar_cache


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "colo"


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_cached_year_is_the_package_year(cache_home: Path, year: int) -> None:
    first = calendar_cache.cached_china_year(year)  # computed, then written
    again = calendar_cache.cached_china_year(year)  # read back from the file
    assert first == again == china_year(year)
    (path,) = cache_home.glob("china-calendar-holidays-*.json")
    assert str(year) in json.loads(path.read_text())


def test_known_days_through_the_cache(cache_home: Path) -> None:
    calendar = WorkCalendar(package=calendar_cache.cached_china_year)
    assert not calendar.is_working_day(date(2025, 10, 1))  # National Day, a Wednesday
    assert calendar.is_working_day(date(2025, 9, 28))  # the Sunday worked for it (调休)
    assert not calendar.is_working_day(date(2025, 10, 4))  # an ordinary Saturday
    assert calendar.is_working_day(date(2025, 10, 9))  # an ordinary Thursday


def test_file_is_named_after_the_installed_release(cache_home: Path) -> None:
    import importlib.metadata

    calendar_cache.cached_china_year(2026)
    assert [p.name for p in cache_home.iterdir()] == [
        f"china-calendar-holidays-{importlib.metadata.version('holidays')}.json"]


def test_corrupt_cache_is_recomputed_and_replaced(cache_home: Path) -> None:
    calendar_cache.cached_china_year(2025)
    (path,) = cache_home.iterdir()
    path.write_text('{"2025": {"off": ["not a date"]}}')
    assert calendar_cache.cached_china_year(2025) == china_year(2025)
    assert json.loads(path.read_text())["2025"]["off"][0].startswith("2025-")


def test_unwritable_cache_is_only_slower(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # colo/ cannot be made under a file
    assert calendar_cache.cached_china_year(2026) == china_year(2026)
    assert list(tmp_path.iterdir()) == [blocker]


def test_deadlines_skip_the_package_once_cached(site_db: str, tmp_path: Path) -> None:
    """The second `colo deadlines` answers from the cache: `holidays` is not even imported."""
    from provision.api import Colo
    from tests.conftest import order

    Colo(db=site_db, at="2026-09-28T10:00").sign(order())  # install clock over National Day
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    colo = Path(sys.executable).parent / "colo"
    argv = [sys.executable, "-X", "importtime", str(colo), "--db", site_db, "--what-if", "2026-09-29T10:00",
            "deadlines", "--json"]
    runs = [subprocess.run(argv, capture_output=True, text=True, env=env, check=True) for _ in range(2)]
    imported = [{line.split("|")[-1].strip() for line in run.stderr.splitlines()} for run in runs]
    assert "holidays" in imported[0] and "holidays" not in imported[1]
    first, second = (json.loads(run.stdout) for run in runs)
    assert first == second
    install = next(clock for clock in first if clock["clock"] == "install")
    assert install["deadline"].startswith("2026-10-08T23:59:59")  # Sep 29, Sep 30, then past Oct 1-7 off
