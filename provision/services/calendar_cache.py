"""The package's working-day calendar, cached on disk per installed `holidays` release.

Importing `holidays` and computing one year of the mainland-China calendar takes ~0.1 s,
more than everything else `colo deadlines` does. The answer depends only on the year and
the installed release, so it is kept in `$XDG_CACHE_HOME/colo/` (default `~/.cache/colo/`)
in a file named after the release's dist-info: a new `holidays` release — the one that
brings next year's 调休 — is a new file, never a stale answer. The cache is only a
shortcut: a cache that cannot be read or written is ignored and the year is computed.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from provision.domain.calendar import YearDays, china_year


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "colo"


@cache
def _release() -> str | None:
    """The installed release as pip recorded it (`holidays-0.62.dist-info`), found without importing the
    package or importlib.metadata (each costs more than the cache saves)."""
    spec = find_spec("holidays")
    if spec is None or spec.origin is None:
        return None
    site = Path(spec.origin).parent.parent
    found = sorted(p.name for p in site.glob("holidays-*.dist-info"))
    return found[0].removesuffix(".dist-info") if len(found) == 1 else None


def _path() -> Path | None:
    release = _release()
    return None if release is None else cache_dir() / f"china-calendar-{release}.json"


def _read(path: Path) -> dict[str, dict[str, list[str]]]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _decode(entry: dict[str, list[str]]) -> YearDays:
    return YearDays(off=frozenset(map(date.fromisoformat, entry["off"])),
                    worked=frozenset(map(date.fromisoformat, entry["worked"])))


def cached_china_year(year: int) -> YearDays:
    """`china_year`, from the cache when this release has computed the year before."""
    path = _path()
    if path is None:
        return china_year(year)
    years = _read(path)
    try:
        return _decode(years[str(year)])
    except (KeyError, TypeError, ValueError):
        pass
    days = china_year(year)
    years[str(year)] = {"off": sorted(d.isoformat() for d in days.off),
                        "worked": sorted(d.isoformat() for d in days.worked)}
    _write(path, years)
    return days


def _write(path: Path, years: dict[str, dict[str, list[str]]]) -> None:
    """Whole or not at all, also with two colo processes at once; a failure leaves no file behind."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".calendar-")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(years, out)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
