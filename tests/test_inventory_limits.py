"""An inventory that would exhaust memory or time is refused at once, naming the limit it crossed.

A 912-byte "billion laughs" file grew `colo inventory check` past 6 GB in 30 s; 5,000
nested '[' crashed the parser; a /8 pool passed `check` and kept `init` busy for minutes.
The CLI runs here in a child process limited to 1 GB of address space, so a regression
fails as a MemoryError or a timeout instead of taking the machine down.
"""

from __future__ import annotations

import ipaddress
import resource
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from provision.inventory.load import InventoryError, load_inventory
from provision.inventory.model import Inventory, Pool, cross_check
from tests.conftest import EXAMPLE, ROOT

COLO = str(ROOT / ".venv" / "bin" / "colo")
GIB = 2**30

# The classic: each level a list of nine aliases of the level below; 10^9 strings written out.
LAUGHS = "lol: &lol0 lol\n" + "".join(
    f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]\n" for i in range(1, 10))


A01_RESERVED = 'name: A01\n        height_u: 42\n        reserved_units: "1-2, 41-42"'


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


@pytest.fixture(scope="module")
def startup() -> float:
    """What `colo inventory check` of the example costs here and now (start-up, imports), the baseline
    the refusals are timed against (see colo_limited)."""
    began = time.monotonic()
    r = subprocess.run([COLO, "inventory", "check", str(EXAMPLE)], preexec_fn=limited, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return time.monotonic() - began


def colo_limited(startup: float, *args: str) -> subprocess.CompletedProcess[str]:
    """A refusal must not write a range out: a billion items take many minutes, so a generous bound (3x the
    baseline and 30 s, for a machine busy with other work) still tells the two apart."""
    return subprocess.run([COLO, *args], preexec_fn=limited, capture_output=True, text=True,
                          timeout=3 * startup + 30)


def one_error(r: subprocess.CompletedProcess[str], *words: str) -> str:
    assert r.returncode == 2, r
    assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1 and "unexpected" not in r.stderr, r.stderr
    for word in words:
        assert word in r.stderr, r.stderr
    return r.stderr


def copy_example(tmp_path: Path) -> Path:
    inv = tmp_path / "inv"
    shutil.copytree(EXAMPLE, inv)
    return inv


def replace(inv: Path, file: str, old: str, new: str) -> None:
    body = (inv / file).read_text(encoding="utf-8")
    assert body.count(old) == 1, old
    (inv / file).write_text(body.replace(old, new), encoding="utf-8")


def test_billion_laughs_is_refused_in_bounded_memory_and_time(tmp_path: Path, startup: float) -> None:
    laughs = tmp_path / "laughs.yaml"
    laughs.write_text(LAUGHS)
    assert len(LAUGHS) < 1000
    for args in (["inventory", "check", str(laughs)], ["--db", str(tmp_path / "colo.db"), "init", "--inventory",
                                                       str(laughs)]):
        one_error(colo_limited(startup, *args), f"{laughs}:", "(inventory limit)", "more than 500,000 values",
                  "aliases")
    assert not (tmp_path / "colo.db").exists()  # init refused before creating the store


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path, startup: float) -> None:
    file = tmp_path / "loop.yaml"
    file.write_text("site: &site\n  name: X\n  loop: *site\n")
    one_error(colo_limited(startup, "inventory", "check", str(file)), f"{file}:3:", "alias *site refers to a node "
              "that contains it")


def test_deep_nesting_is_refused_not_a_crash(tmp_path: Path, startup: float) -> None:
    file = tmp_path / "deep.yaml"
    file.write_text("rooms: " + "[" * 5000 + "]" * 5000 + "\n")
    one_error(colo_limited(startup, "inventory", "check", str(file)), f"{file}:1:", "nested deeper than 32 levels")


def test_a_huge_file_is_refused_unread(tmp_path: Path, startup: float) -> None:
    inv = copy_example(tmp_path)
    with (inv / "rooms.yaml").open("a") as f:
        f.write(("# padding\n" * 100) * 5000)  # 5 MB of comments
    one_error(colo_limited(startup, "inventory", "check", str(inv)), "larger than 4 MiB")


def test_a_pool_too_big_to_store_is_refused_by_check_and_init(tmp_path: Path, startup: float) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "network.yaml", "prefix: 203.0.113.0/24\n    gateway: 203.0.113.1",
            "prefix: 10.0.0.0/8\n    gateway: 10.0.0.1")
    replace(inv, "network.yaml", '"203.0.113.2-203.0.113.9"', '"10.0.0.2-10.0.0.9"')
    for args in (["inventory", "check", str(inv)], ["--db", str(tmp_path / "colo.db"), "init", "--inventory", str(inv)]):
        one_error(colo_limited(startup, *args), "network.yaml:", "pools[0].prefix: 10.0.0.0/8 brings the pools to "
                  "16,777,216 addresses", "at most 1,048,576")
    assert not (tmp_path / "colo.db").exists()


def test_pools_add_up_to_the_limit(tmp_path: Path) -> None:
    """Several pools within the limit each, over it together: the one that crosses it is named."""
    inv = copy_example(tmp_path)
    replace(inv, "network.yaml", "prefix: 203.0.113.0/24\n    gateway: 203.0.113.1",
            "prefix: 10.0.0.0/12\n    gateway: 10.0.0.1")
    replace(inv, "network.yaml", '"203.0.113.2-203.0.113.9"', '"10.0.0.2-10.0.0.9"')
    with pytest.raises(InventoryError, match=r"pools\[1\]\.prefix: 198\.51\.100\.0/24 brings the pools to 1,048,832"):
        load_inventory(inv)


@pytest.mark.parametrize("file, old, new, words", [
    ("network.yaml", "GigabitEthernet1/0/1-44", "GigabitEthernet1/0/1-1000000000",
     ["switches[0].access_ports", "stands for 1,000,000,000 items; a range may list at most 4,096"]),
    ("rooms.yaml", A01_RESERVED, A01_RESERVED.replace("41-42", "3-99999999999"),
     ["rooms[0].racks[0].reserved_units", "'3-99999999999' stands for 99,999,999,997 items"]),
])
def test_a_range_is_counted_before_it_is_written_out(tmp_path: Path, startup: float, file: str, old: str, new: str,
                                                     words: list[str]) -> None:
    inv = copy_example(tmp_path)
    replace(inv, file, old, new)
    r = colo_limited(startup, "inventory", "check", str(inv))
    assert r.returncode == 2 and all(w in r.stderr for w in words), r.stderr


def test_the_whole_inventory_may_list_a_million_units_outlets_and_ports(tmp_path: Path) -> None:
    """Ranges each within 4,096 still add up: 300 of 4,096 would be 1.2 million numbers in memory."""
    inv = copy_example(tmp_path)
    replace(inv, "rooms.yaml", A01_RESERVED, A01_RESERVED.replace("1-2, 41-42", ", ".join(["1-4096"] * 300)))
    with pytest.raises(InventoryError, match="lists more than 1,000,000 units, outlets and ports"):
        load_inventory(inv)


def test_an_impossible_calendar_day_is_bad_input_with_its_line(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "site.yaml", "calendar: {}", "calendar:\n  2027-02-20: workday\n  2027-02-30: workday")
    with pytest.raises(InventoryError) as caught:
        load_inventory(inv)
    (problem,) = caught.value.problems
    line = (inv / "site.yaml").read_text().split("\n").index("  2027-02-30: workday") + 1
    assert problem.startswith(f"{inv / 'site.yaml'}:{line}: calendar.2027-02-30") and "day value is outside" in problem


def test_aliases_within_the_limits_still_load(tmp_path: Path) -> None:
    """Anchors are ordinary YAML: a site that repeats a feed by alias loads as if written out."""
    inv = copy_example(tmp_path)
    body = (inv / "rooms.yaml").read_text()
    assert body.count("height_u: 42") > 1
    (inv / "rooms.yaml").write_text(body.replace("height_u: 42", "height_u: &h 42", 1)
                                    .replace("height_u: 42", "height_u: *h"))
    assert load_inventory(inv) == load_inventory(EXAMPLE)


def test_the_overlap_check_is_not_quadratic() -> None:
    """20,000 pools (a directory of files can list them) were 200 million comparisons; nested ones are still found."""
    pools = [Pool.model_construct(name=f"p{i}", prefix=ipaddress.IPv4Network(f"10.{i // 256}.{i % 256}.0/24"),
                                  gateway=ipaddress.IPv4Address(f"10.{i // 256}.{i % 256}.1"), vlan=100, reserved=[],
                                  racks=["A01"]) for i in range(20_000)]
    pools += [Pool.model_construct(name="wide", prefix=ipaddress.IPv4Network("10.1.0.0/16"),
                                   gateway=ipaddress.IPv4Address("10.1.0.1"), vlan=100, reserved=[], racks=["A01"])]
    inv = Inventory.model_construct(site=None, calendar={}, rooms=[], switches=[], pdus=[], pools=pools)
    began = time.process_time()
    problems = cross_check(inv)
    assert time.process_time() - began < 5
    overlaps = [msg for loc, msg in problems if "overlaps" in msg]
    assert len(overlaps) == 256 and all("10.1.0.0/16" in m for m in overlaps)


def test_a_flood_of_problems_is_told_by_its_first_hundred(tmp_path: Path) -> None:
    """Every one of 3,000 racks naming a missing PDU: the output stays readable and bounded."""
    inv = copy_example(tmp_path)
    racks = "".join(f"      - {{name: X{i}, height_u: 42, power_budget_w: 4000, feeds: [{{pdu: nope, outlets: 1, "
                    f"units: 3}}]}}\n" for i in range(3000))
    replace(inv, "rooms.yaml", "  - name: A101\n    racks:\n", "  - name: A101\n    racks:\n" + racks)
    with pytest.raises(InventoryError) as caught:
        load_inventory(inv)
    problems = caught.value.problems
    assert len(problems) == 101 and problems[-1] == "… and 5,899 more: fix these first"  # a missing PDU, a shared
    assert all("'nope'" in p or "nope:1" in p for p in problems[:100])                  # outlet: 5,999 in all


@pytest.mark.parametrize("body", [LAUGHS, "rooms: " + "[" * 5000 + "]" * 5000 + "\n"],
                         ids=["billion laughs", "5,000 brackets"])
def test_each_refusal_costs_well_under_a_second_of_work(tmp_path: Path, body: str) -> None:
    file = tmp_path / "site.yaml"
    file.write_text(body)
    began = time.process_time()
    with pytest.raises(InventoryError):
        load_inventory(file)
    assert time.process_time() - began < 0.5
