"""`.snmprec` data for the lab's SNMP agents: what a real APC, Raritan or switch would answer.

Static objects are plain records; everything that changes (outlet state, load, port
status) is a `colo_lab` variation record reading the device's state file.
"""

from __future__ import annotations

from typing import Any

SYS = "1.3.6.1.2.1.1"
APC = "1.3.6.1.4.1.318.1.1.26"
RARITAN = "1.3.6.1.4.1.13742.6"


def _sys(descr: str, object_id: str, name: str) -> list[tuple[str, str, str]]:
    return [(f"{SYS}.1.0", "4", descr), (f"{SYS}.2.0", "6", object_id), (f"{SYS}.3.0", "67", "123456"),
            (f"{SYS}.5.0", "4", name)]


def _lab(**settings: object) -> str:
    return ",".join(f"{k}={v}" for k, v in settings.items())


def apc_rpdu2(name: str, outlets: int) -> list[tuple[str, str, str]]:
    rows = _sys("APC Web/SNMP Management Card (MB:v4.1.0 PF:v6.9.6 PN:apc_hw05_aos_696.bin) AP8941",
                "1.3.6.1.4.1.318.1.3.4.6", name)
    rows.append((f"{APC}.4.3.1.5.1", "2:colo_lab", _lab(k="total", d=name, per=10)))  # hundredths of kW
    for n in range(1, outlets + 1):
        rows += [(f"{APC}.9.2.3.1.3.{n}", "4", f"Outlet {n}"),
                 (f"{APC}.9.2.3.1.5.{n}", "2:colo_lab", _lab(k="state", d=name, n=n, on=2, off=1)),
                 (f"{APC}.9.2.4.1.5.{n}", "2:colo_lab", _lab(k="control", d=name, n=n, set_on=1, set_off=2)),
                 (f"{APC}.9.4.3.1.7.{n}", "2:colo_lab", _lab(k="watts", d=name, n=n))]
    return rows


def raritan_px2(name: str, outlets: int) -> list[tuple[str, str, str]]:
    rows = _sys("Raritan PX2-5496 (firmware 3.5.0)", "1.3.6.1.4.1.13742.6", name)
    rows.append((f"{RARITAN}.5.2.3.1.4.1.1.5", "2:colo_lab", _lab(k="total", d=name)))
    for n in range(1, outlets + 1):
        rows += [(f"{RARITAN}.3.5.3.1.3.1.{n}", "4", f"Outlet {n}"),
                 (f"{RARITAN}.4.1.2.1.2.1.{n}", "2:colo_lab", _lab(k="control", d=name, n=n, set_on=1, set_off=0)),
                 (f"{RARITAN}.4.1.2.1.3.1.{n}", "2:colo_lab", _lab(k="state", d=name, n=n, on=7, off=8)),
                 (f"{RARITAN}.5.4.3.1.4.1.{n}.5", "2:colo_lab", _lab(k="watts", d=name, n=n))]
    return rows


SWITCH_SYS = {"cisco_ios": ("Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E8",
                            "1.3.6.1.4.1.9.1.1208"),
              "huawei_vrp": ("S5735-L48T4X-A1 Huawei Versatile Routing Platform Software VRP (R) software, "
                             "Version 5.170 (S5735 V200R021C10SPC600)", "1.3.6.1.4.1.2011.2.23.590"),
              "hp_comware": ("H3C Comware Platform Software, Software Version 7.1.070, Release 6328 H3C S5130S-52S-EI",
                             "1.3.6.1.4.1.25506.1.1783")}


def switch_ifmib(name: str, platform: str, interfaces: list[str]) -> list[tuple[str, str, str]]:
    """ifTable/ifXTable per port; sysUpTime and the traffic counters move with the lab's clock (traffic.py)."""
    descr, object_id = SWITCH_SYS[platform]
    rows = [r for r in _sys(descr, object_id, name) if r[0] != f"{SYS}.3.0"]
    rows += [(f"{SYS}.3.0", "67:colo_lab", _lab(k="uptime", d=name)), ("1.3.6.1.2.1.2.1.0", "2", str(len(interfaces)))]
    for i, iface in enumerate(interfaces, start=1):
        fast = iface.lower().startswith(("ten", "xg"))
        rows += [(f"1.3.6.1.2.1.2.2.1.1.{i}", "2", str(i)), (f"1.3.6.1.2.1.2.2.1.2.{i}", "4", iface),
                 (f"1.3.6.1.2.1.2.2.1.3.{i}", "2", "6"),
                 (f"1.3.6.1.2.1.2.2.1.5.{i}", "66", "4294967295" if fast else "1000000000"),
                 (f"1.3.6.1.2.1.2.2.1.7.{i}", "2:colo_lab", _lab(k="admin", d=name, i=iface)),
                 (f"1.3.6.1.2.1.2.2.1.8.{i}", "2:colo_lab", _lab(k="oper", d=name, i=iface)),
                 (f"1.3.6.1.2.1.2.2.1.14.{i}", "65:colo_lab", _lab(k="errors", d=name, i=iface)),
                 (f"1.3.6.1.2.1.2.2.1.20.{i}", "65:colo_lab", _lab(k="errors", d=name, i=iface)),
                 (f"1.3.6.1.2.1.31.1.1.1.1.{i}", "4", iface),
                 (f"1.3.6.1.2.1.31.1.1.1.6.{i}", "70:colo_lab", _lab(k="in", d=name, i=iface)),
                 (f"1.3.6.1.2.1.31.1.1.1.10.{i}", "70:colo_lab", _lab(k="out", d=name, i=iface)),
                 (f"1.3.6.1.2.1.31.1.1.1.15.{i}", "66", "10000" if fast else "1000")]
    return rows


def render(rows: list[tuple[str, str, str]]) -> str:
    """snmprec lines in OID order, which snmpsim needs to answer GETNEXT/GETBULK."""
    ordered = sorted(rows, key=lambda r: tuple(int(x) for x in r[0].split(".")))
    return "".join(f"{oid}|{tag}|{value}\n" for oid, tag, value in ordered)


def device_rows(device: dict[str, Any], kind: str) -> list[tuple[str, str, str]]:
    if kind == "switch":
        return switch_ifmib(device["name"], device["platform"], device["interfaces"])
    build = {"apc_rpdu2": apc_rpdu2, "raritan_px2": raritan_px2}[device["platform"]]
    return build(device["name"], device["outlets"])
