"""Real device output, read through `colo switch parse`: the code the drivers plan, verify and undo with.

Each excerpt under tests/corpus/ is a verbatim copy of what a real Catalyst, Huawei or
H3C switch printed (or, marked vendor-doc, a vendor's printed example), with its source
and licence in manifest.yaml and the facts a technician reads from it by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from provision.drivers.switch import switch_driver

CORPUS = Path(__file__).parent / "corpus"
MANIFEST: list[dict[str, Any]] = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))


def test_every_platform_has_five_excerpts_with_a_source_and_licence() -> None:
    for platform in ("cisco_ios", "huawei_vrp", "hp_comware"):
        files = {e["file"] for e in MANIFEST if e["platform"] == platform}
        assert len(files) >= 5, platform
    for e in MANIFEST:
        assert (CORPUS / e["file"]).is_file(), e["file"]
        assert e["source"] and e["licence"] and e["device"] and e["tier"] in ("real", "vendor-doc"), e["file"]


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: f"{e['file']}:{e['interface']}")
def test_excerpt_facts(entry: dict[str, Any], colo) -> None:  # type: ignore[no-untyped-def]
    r = colo("switch", "parse", "--platform", entry["platform"], "--interface", entry["interface"],
             str(CORPUS / entry["file"]), "--json")
    assert r.code == 0, r.err
    got = json.loads(r.out)
    want = entry["facts"]
    assert got["interface"] == entry["interface"]
    assert {k: got[k] for k in want} == want


@pytest.mark.parametrize("entry", MANIFEST[::4], ids=lambda e: f"{e['file']}:{e['interface']}")
def test_abbreviated_names_find_the_same_port(entry: dict[str, Any], colo) -> None:  # type: ignore[no-untyped-def]
    """What a technician types (Gi1/0/13, GE0/0/1, XGE0/0/5) is the port the device prints in full."""
    short = {"GigabitEthernet": "Gi" if entry["platform"] == "cisco_ios" else "GE", "TenGigabitEthernet": "Te",
             "XGigabitEthernet": "XGE", "FastEthernet": "Fa", "Ten-GigabitEthernet": "XGE"}
    name = entry["interface"]
    for full, abbreviation in sorted(short.items(), key=lambda kv: -len(kv[0])):
        if name.startswith(full) and name[len(full)].isdigit():
            name = abbreviation + name[len(full):]
            break
    r = colo("switch", "parse", "--platform", entry["platform"], "--interface", name.lower(),
             str(CORPUS / entry["file"]), "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["interface"] == entry["interface"]


def test_excerpts_plan_no_change_for_what_they_already_hold() -> None:
    """A port's facts, read and written back, give no command: nothing re-sent on every run (the `cbs` trap)."""
    for entry in MANIFEST:
        driver = switch_driver(entry["platform"], None)
        reading = driver.read(driver.parse((CORPUS / entry["file"]).read_text(encoding="utf-8")), entry["interface"])
        assert driver.change(reading, reading.facts) == [], entry["file"]


def test_another_platforms_file_or_a_missing_port_is_bad_input(colo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    huawei = next(e for e in MANIFEST if e["platform"] == "huawei_vrp")
    cisco = next(e for e in MANIFEST if e["platform"] == "cisco_ios")
    r = colo("switch", "parse", "--platform", "cisco_ios", "--interface", huawei["interface"],
             str(CORPUS / huawei["file"]))
    assert r.code == 2 and "is not a cisco_ios configuration" in r.err
    r = colo("switch", "parse", "--platform", "huawei_vrp", "--interface", cisco["interface"], str(CORPUS / cisco["file"]))
    assert r.code == 2 and "is not a huawei_vrp configuration" in r.err
    r = colo("switch", "parse", "--platform", "cisco_ios", "--interface", "Gi9/9/99", str(CORPUS / cisco["file"]))
    assert r.code == 2 and "has no interface Gi9/9/99" in r.err
    empty = tmp_path / "notes.txt"
    empty.write_text("these are not the switch's lines\n")
    r = colo("switch", "parse", "--platform", "hp_comware", "--interface", "GE1/0/1", str(empty))
    assert r.code == 2 and "no interface blocks" in r.err
    r = colo("switch", "parse", "--platform", "hp_comware", "--interface", "GE1/0/1", str(tmp_path / "missing.cfg"))
    assert r.code == 2 and "cannot be read" in r.err
    r = colo("switch", "parse", "--platform", "junos", "--interface", "ge-0/0/0", str(empty))
    assert r.code == 2
