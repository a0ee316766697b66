"""Huawei VRP (S5700 family) as the simulator speaks it (VENDOR-SYNTAX.md §2), in two real releases' personalities.

Sources of the behaviour (public device output; "fs:N" is the id of a public GitHub file the
lab's search index (`find_string`/`read_file`) returns, whose repository it does not name):
- [V100R-S3328] fs:24588453667, `display current-configuration` of an S3328 on VRP V100R005C01SPC100:
  `#`, `!Software Version …`, then global lines indented by one space (` sysname X`,
  ` vlan batch 3 to 4 101 …`, ` ip route-static …`); every port prints `loopback-detect enable`,
  `ntdp enable`, `ndp enable`, `bpdu enable` after description / port link-type / port default vlan
  (a port without loopback detection still prints the other three, one prints `undo ndp enable`:
  so those three are printed defaults, loopback-detect the site's choice); `qos lr outbound cir
  10240 cbs 2048000` then `qos lr inbound …` (outbound first; outbound CBS = 200 × CIR on two ports).
- [V200R-CFG] fs:8896569414, `display current-configuration` on V200R021C00SPC600: unindented
  `sysname`, `vlan batch 2 to 4094`; in a port `shutdown` prints right after `description`, before
  `port link-type`.
- [STP-EDGE] fs:61922540857 and fs:17066149550 (S-series access ports): `port link-type access`,
  `port default vlan N`, `stp edged-port enable` — the usual edge-port line on a server port.
- [TERM-MON] fs:48150379078, fs:70225407217: `undo terminal monitor` → `Info: Current terminal monitor is off.`
- [IF-LOG] fs:70342333695 (an S-switch on the session: `Dec 21 2011 16:37:10-05:13 S1
  %%01IFNET/4/IF_STATE(l)[7]:Interface GigabitEthernet0/0/10 has turned into DOWN state.`),
  fs:22672895194 (the log follows the prompt on a new line, then the prompt is printed again).
- [HW-lrout] VENDOR-SYNTAX.md: V200R019C10 reference, default CBS 125 × CIR.
- [DIS-VER-V200R] fs:11885511128 (netmiko session, S5720S-52X-LI-AC on V200R019C10SPC500) and fs:28348195069
  (S5720-28P-PWR-LI-AC, V200R010C00SPC600): `display version` — banner, `VRP (R) software, Version 5.170 (S5720 …)`,
  `HUAWEI <model> Routing Switch uptime is 0 week, 0 day, 1 hour, 0 minute` (singular for 0 and 1), board lines.
- [DIS-VER-V100R] fs:6753625722 (`display version` of a Quidway S2326TP-EI on V100R006C05): `Version 5.70 (S2300 …)`,
  `Quidway <model> Routing Switch uptime is …`, the shorter V100R board block.
UNCONFIRMED: the releases in `display version` are the ones the configurations print (V200R021C10SPC600 on the S5720
layout; V100R005C01SPC100 on an S3328, `Version 5.70` as V100R006 prints); board serials and dates are the captures'.
UNCONFIRMED: that V200R prints the CBS it adds (only the reference's default and V100R's printing
show it); V100R's inbound CBS (one port 200 × CIR, another 20 × CIR: one was typed); where
`ip source check user-bind enable` prints; V100R's place for `shutdown`.
"""

from __future__ import annotations

import re
import time

from provision.lab.switchsim.dialect import GLOBAL, Dialect, Session, vlan_range
from provision.lab.switchsim.model import Device, Rule
from provision.lab.switchsim.vrp_family import COMMON, VrpFamily, interface, system_view, terminal_monitor, vlan_view

MAC = r"[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}"
IP = r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"
WRONG = "Error: Wrong parameter found at '^' position."
V100R = "s5700-v100r"
V100R_DEFAULTS = ["ntdp enable", "ndp enable", "bpdu enable"]  # printed on every port ([V100R-S3328])
PORT_ORDER = {  # [V200R-CFG], [STP-EDGE], [V100R-S3328]
    "s5720-v200r": ["description", "shutdown", "port link-type", "port default vlan", "stp edged-port",
                    "ip source check", "qos lr outbound", "qos lr inbound"],
    V100R: ["description", "shutdown", "port link-type", "port default vlan", "loopback-detect", "ntdp", "ndp",
            "bpdu", "ip source check", "qos lr outbound", "qos lr inbound"],
}
CBS_PER_KBPS = {"s5720-v200r": 125, V100R: 200}  # bytes of CBS per kbit/s of CIR ([HW-lrout], [V100R-S3328])


V200R_VERSION = """Huawei Versatile Routing Platform Software
VRP (R) software, Version 5.170 (S5720 V200R021C10SPC600)
Copyright (C) 2000-2020 HUAWEI TECH Co., Ltd.
HUAWEI S5720S-52X-LI-AC Routing Switch uptime is {uptime}

ES5D2T52S006 0(Master)  : uptime is {uptime}
DDR             Memory Size : 512   M bytes
FLASH Total     Memory Size : 512   M bytes
FLASH Available Memory Size : 238   M bytes
Pcb           Version   : VER.B
BootROM       Version   : 0213.0000
BootLoad      Version   : 0213.0000
CPLD          Version   : 0106
Software      Version   : VRP (R) Software, Version 5.170 (V200R021C10SPC600)
FLASH         Version   : 0000.0000"""  # [DIS-VER-V200R]
V100R_VERSION = """Huawei Versatile Routing Platform Software
VRP (R) software, Version 5.70 (S3300 V100R005C01SPC100)
Copyright (C) 2003-2013 HUAWEI TECH CO., LTD
Quidway S3328TP-EI Routing Switch uptime is {uptime}

EFFE 0(Master) : uptime is {uptime}
64M bytes DDR Memory
16M bytes FLASH
Pcb      Version :  VER C
Basic  BOOTROM  Version :  149 Compiled at Mar 15 2013, 11:02:25
Software Version : VRP (R) Software, Version 5.70 (V100R005C01SPC100)"""  # [DIS-VER-V100R]


def _cir(m: re.Match[str]) -> int:
    return int(m.group("args").split()[1])


def _rate(d: Device, m: re.Match[str]) -> str | None:
    return None if 64 <= _cir(m) <= 1_000_000 else WRONG


def _default_vlan(d: Device, m: re.Match[str]) -> str | None:
    return None if vlan_range(int(m.group("args"))) else WRONG


def _bind(d: Device, m: re.Match[str]) -> str | None:
    iface = re.search(r"interface (\S+)", m.group("args"))
    return None if iface and d.interface(iface.group(1)) == iface.group(1) else WRONG


def _runs(vlans: list[int]) -> str:
    out, i = [], 0
    while i < len(vlans):
        j = i
        while j + 1 < len(vlans) and vlans[j + 1] == vlans[j] + 1:
            j += 1
        out.append(str(vlans[i]) if j == i else f"{vlans[i]} to {vlans[j]}")
        i = j + 1
    return " ".join(out)


def short_name(name: str) -> str:
    """VRP's display abbreviation: `GE0/0/1`, `XGE0/0/1`."""
    return name.replace("XGigabitEthernet", "XGE").replace("GigabitEthernet", "GE")


class HuaweiVrp(VrpFamily):
    platform = "huawei_vrp"
    rules = {
        "system": [Rule("user-bind static", rf"ip-address {IP}( mac-address {MAC})? interface \S+ vlan \d+",
                        multi=True, check=_bind)],
        "if": [Rule("description", r"[^?]{1,242}"), Rule("port link-type", r"access|trunk|hybrid"),
               Rule("port default vlan", r"\d+", check=_default_vlan),
               Rule("qos lr inbound", r"cir \d+ cbs \d+", check=_rate),
               Rule("qos lr outbound", r"cir \d+ cbs \d+", check=_rate),
               Rule("ip source check user-bind enable"), Rule("shutdown")],
        "vlan": [Rule("description", r"[^?]{1,80}")],
    }

    @property
    def v100r(self) -> bool:
        return self.personality == V100R

    def line_order(self, mode: str) -> list[str]:
        return PORT_ORDER[self.personality] if mode == "if" else []

    def site_lines(self, device: Device, interface: str) -> list[str]:
        """S5720: edge port on access ports ([STP-EDGE]). S5700 V100R: every port ([V100R-S3328])."""
        if self.v100r:
            return ["loopback-detect enable", *V100R_DEFAULTS]
        return [] if interface in device.uplinks else ["stp edged-port enable"]

    def dispatch(self, s: Session, line: str) -> str:
        text = line.strip()
        lines = s.device.blocks.get(s.block, [])
        if s.mode == "if" and s.pending is None and re.fullmatch(r"port (default vlan \d+|link-type \w+)", text):
            link = next((x for x in lines if x.startswith("port link-type")), None)
            if text.startswith("port default vlan") and link != "port link-type access":
                return "Error: Please configure the link type of the port to access first.\n"
            if text.startswith("port link-type") and text != link and any(x.startswith("port default vlan") for x in lines):
                return "Error: Please renew the default configurations.\n"
        lr = re.fullmatch(r"qos lr (inbound|outbound) cir (\d+)", text)
        if s.mode == "if" and s.pending is None and lr:
            # the device stores the burst it chose with the rate and prints both ([V100R-S3328], [HW-lrout])
            line = f"{text} cbs {int(lr.group(2)) * CBS_PER_KBPS[self.personality]}"
        return super().dispatch(s, line)

    def on_remove(self, s: Session, rule: Rule, rest: str) -> str | None:
        lines = s.device.blocks.get(s.block, [])
        if rule.prefix == "port link-type" and any(x.startswith("port default vlan") for x in lines):
            return "Error: Please renew the default configurations.\n"
        return None

    def render_head(self, d: Device) -> list[str]:
        vlans = self.vlans(d)
        batch = [f"vlan batch {_runs(vlans)}", "#"] if vlans else []
        if self.v100r:  # [V100R-S3328]
            return ["#", "!Software Version V100R005C01SPC100", f" sysname {d.name}", "#",
                    *(f" {x}" if x != "#" else x for x in batch)]
        return ["!Software Version V200R021C10SPC600", "#", f"sysname {d.name}", "#", *batch]  # [V200R-CFG]

    def render(self, d: Device) -> str:
        if not self.v100r:
            return super().render(d)
        out = self.render_head(d)
        globals_ = d.blocks.get(GLOBAL, [])
        if globals_:
            out += [f" {x}" for x in globals_] + ["#"]  # V100R indents every global line ([V100R-S3328])
        for header in (h for h in d.blocks if h.startswith("interface ")):
            out += [header, *(f" {line}" for line in self.interface_lines(d, header)), "#"]
        return "\n".join([*out, "return"]) + "\n"

    def display_version(self, d: Device) -> str:
        """[DIS-VER-V200R] / [DIS-VER-V100R] with the lab's uptime."""
        weeks, days, hours, minutes = self.uptime()
        uptime = ", ".join(f"{n} {u}{'s' if n > 1 else ''}"
                           for n, u in ((weeks, "week"), (days, "day"), (hours, "hour"), (minutes, "minute")))
        return (V100R_VERSION if self.v100r else V200R_VERSION).format(uptime=uptime)

    def display_vlan(self, d: Device) -> str:
        """VRP's `display vlan`, laid out as ntc-templates' real capture (tests/corpus/QUIRKS.md)."""
        members: dict[int, list[str]] = {}
        for name in d.interfaces:
            lines = d.blocks.get(f"interface {name}", [])
            access = "port link-type access" in lines
            vlan = next((int(x.split()[-1]) for x in lines if access and x.startswith("port default vlan ")), 1)
            state = "D" if "shutdown" in lines else "U"
            members.setdefault(vlan, []).append(f"{short_name(name)}({state})")
        vlans = [1, *self.vlans(d)]
        out = [f"The total number of VLANs is: {len(vlans)}", "-" * 80,
               "U: Up;         D: Down;         TG: Tagged;         UT: Untagged;",
               "MP: Vlan-mapping;               ST: Vlan-stacking;",
               "#: ProtocolTransparent-vlan;    *: Management-vlan;", "-" * 80, "",
               "VID  Type    Ports", "-" * 80]
        for vlan in vlans:
            ports = members.get(vlan, [])
            rows = [ports[i:i + 4] for i in range(0, len(ports), 4)] or [[]]
            out.append(f"{vlan:<5}common  UT:{''.join(f'{p:<16}' for p in rows[0])}".rstrip())
            out += [f"{'':16}{''.join(f'{p:<16}' for p in row)}".rstrip() for row in rows[1:]]
        out += ["", "VID  Status  Property      MAC-LRN Statistics Description", "-" * 80]
        out += [f"{vlan:<5}enable  default       enable  disable    VLAN {vlan:04d}" for vlan in vlans]
        return "\n".join(out)

    def link_log(self, s: Session, interface: str, up: bool) -> list[str]:
        """[IF-LOG]: on a new line after the prompt, then the prompt again."""
        seq = s.device.blocks.setdefault("#log", ["0"])
        seq[0] = str(int(seq[0]) + 1)
        stamp = time.strftime("%b %d %Y %H:%M:%S", time.gmtime())
        return [f"\r\n{stamp}+00:00 {s.device.name} %%01IFNET/4/IF_STATE(l)[{seq[0]}]:Interface {interface} "
                f"has turned into {'UP' if up else 'DOWN'} state.\r\n{self.prompt(s)}"]


def _vlan_batch(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    ids = _ids(m.group(1))
    if ids is None:
        return WRONG
    for vlan in ids:
        s.device.block(f"vlan {vlan}")
    s.changed = True
    return "Info: This operation may take a few seconds. Please wait for a moment...done."


def _undo_vlan_batch(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    ids = _ids(m.group(1))
    if ids is None:
        return WRONG
    for vlan in ids:
        s.device.blocks.pop(f"vlan {vlan}", None)
    s.changed = True
    return ""


def _ids(text: str) -> list[int] | None:
    words, out, i = text.split(), list[int](), 0
    while i < len(words):
        if not words[i].isdigit():
            return None
        if i + 2 < len(words) and words[i + 1] == "to" and words[i + 2].isdigit():
            out += range(int(words[i]), int(words[i + 2]) + 1)
            i += 3
        else:
            out.append(int(words[i]))
            i += 1
    return out if out and all(vlan_range(v) for v in out) else None


def _clear_interface(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    """All of the port's configuration goes, site lines too; V100R's printed defaults come back with it."""
    block = dl.interface_block(s, m.group(1))
    if block is None:
        return dl.error(m.group(0))
    assert isinstance(dl, HuaweiVrp)

    def clear() -> str:
        count = len(s.device.blocks[block]) + 1
        s.device.blocks[block] = ["shutdown", *(V100R_DEFAULTS if dl.v100r else [])]
        s.changed = True
        return f"Info: Total execute {count} command(s), {count} successful, 0 failed."

    return dl.confirm(s, "Warning: All configurations of the interface will be cleared, and its state will be "
                         "shutdown. Continue? [Y/N] :", clear)


def _save(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    def save() -> str:
        if s.faults.get("save_fails"):  # a full flash or a busy device: the test gives the device's words
            return str(s.faults["save_fails"])
        s.saved = True
        return "Now saving the current configuration to the slot 0.\nInfo: Save the configuration successfully."

    return dl.confirm(s, "Warning: The current configuration will be written to the device. Continue? [Y/N]:", save)


def _paging(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    return "Info: The configuration takes effect on the current user terminal interface only."


def _display_vlan(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    assert isinstance(dl, HuaweiVrp)
    return dl.display_vlan(s.device)


HuaweiVrp.commands = {
    "*": [*COMMON, (r"display vlan", _display_vlan)],
    "user": [(r"screen-length 0 temporary", _paging), (r"system-view", system_view), (r"save", _save),
             (r"(undo )?terminal monitor", terminal_monitor("Info: Current terminal monitor is on.",
                                                            "Info: Current terminal monitor is off."))],
    "system": [(r"vlan batch (.+)", _vlan_batch), (r"undo vlan batch (.+)", _undo_vlan_batch),
               (r"vlan (\d+)", vlan_view), (r"interface (\S+ ?\S*)", interface),
               (r"clear configuration interface (\S+)", _clear_interface)],
    "if": [(r"interface (\S+ ?\S*)", interface)],
}
