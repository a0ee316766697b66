"""H3C Comware 7 (S5130) as the simulator speaks it (VENDOR-SYNTAX.md §3).

Sources of the behaviour (public device output and H3C documents; "fs:N" is the id of a public
GitHub file the lab's search index (`find_string`/`read_file`) returns, whose repository it does not name):
- [H3C-QOS] fs:31001531250, a copy of H3C's typical-configuration guide (h3c.com/cn/d_202303/1816258_30005_0.htm):
  `display qos lr interface` shows `CIR 15360 (kbps), CBS 960000 (Bytes)` and the configuration file
  prints `port link-mode bridge` then `qos lr outbound cir 15360 cbs 960000` (CBS = 62.5 × CIR,
  a multiple of 512 as VENDOR-SYNTAX.md [HPE-lr] says).
- [COMBO] fs:38361665160, fs:38157815080 (display current-configuration): `port link-mode bridge`,
  `port access vlan 2` / `port link-type trunk` …, then `combo enable fiber` as the block's last line
  (tests/corpus/QUIRKS.md, "combo enable fiber is the last line on combo ports").
- [CW-ROUTE] fs:108212779 (Comware running config): `description NO_USE` then `shutdown`.
- [IFNET-LOG] fs:10316196884 and fs:12424323662 (sessions): right after the prompt, without a new
  line and without the prompt printed again: `%May 16 11:04:37:748 2025 H3C IFNET/3/PHY_UPDOWN:
  Physical state on the interface GigabitEthernet1/0/1 changed to down.` then
  `%… IFNET/5/LINK_UPDOWN: Line protocol state on the interface … changed to down.`;
  fs:24127514316 pads the day with a space (`%Oct  4 20:16:23:760 2025`).
- [TERM-MON] fs:59571349648 (H3C command reference): `terminal monitor` →
  `The current terminal is enabled to display logs.`
- [SAVE] fs:32365017353 (session): `save force` → `Validating file. Please wait...` /
  `Saved the current configuration to mainboard device successfully.`
- [WIDTH] netmiko hp_comware.py and ktbyers/netmiko issues #1714, #3012: Comware cannot set its
  terminal width, so the echo of long commands breaks netmiko's cmd_verify.
- [DIS-VER] fs:31406234503 (session, `dis version` of an S6520-30SG-SI on 7.1.070 Release 6308): banner
  `H3C Comware Software, Version 7.1.070, Release N`, `H3C <model> uptime is 4 weeks, 3 days, 13 hours, 40 minutes`,
  boot and system image lines, then a block per slot (`Uptime is 4 weeks,3 days,13 hours,40 minutes` without blanks).
- [SCREEN-LENGTH] fs:16583089478 (session): `<H3C>screen-length disable` answers with nothing but the next prompt.
UNCONFIRMED: `display version` of the lab's S5130S-52S-EI on Release 6328 is the S6520's layout with this model, release,
image names and board (`[SubSlot 0]` text, memory sizes, no feature images); "0 weeks" plural for zero units.
UNCONFIRMED: the `undo terminal monitor` reply (the reference's `enabled` sentence with `disabled`);
how Comware wraps a long echo (here `\\r\\n` at column 80 counting the prompt); where `shutdown`
prints in a bridge-mode port (here after description, as in route mode); that `default` also drops `combo enable fiber`.
"""

from __future__ import annotations

import re
import time

from provision.lab.switchsim.dialect import Dialect, Session
from provision.lab.switchsim.model import Device, Rule
from provision.lab.switchsim.vrp_family import COMMON, VrpFamily, interface, system_view, terminal_monitor, vlan_view

MAC = r"[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}"
IP = r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"
WRONG = "% Wrong parameter found at '^' position."
WIDTH = 80  # columns of the terminal the echo wraps at ([WIDTH])
COMBO_PORTS = 4  # the last access ports are combo ports with the fiber side active ([COMBO])


VERSION = """H3C Comware Software, Version 7.1.070, Release 6328
Copyright (c) 2004-2021 New H3C Technologies Co., Ltd. All rights reserved.
H3C S5130S-52S-EI uptime is {uptime}
Last reboot reason : Cold reboot

Boot image: flash:/S5130SEI-cmw710-boot-r6328.bin
Boot image version: 7.1.070, Release 6328
  Compiled Oct 12 2019 11:00:00
System image: flash:/S5130SEI-cmw710-system-r6328.bin
System image version: 7.1.070, Release 6328
  Compiled Oct 12 2019 11:00:00


Slot 1:
Uptime is {slot_uptime}
S5130S-52S-EI with 1 Processor
BOARD TYPE:         S5130S-52S-EI
DRAM:               1024M bytes
FLASH:              512M bytes
PCB 1 Version:      VER.A
Bootrom Version:    101
CPLD 1 Version:     001
Release Version:    H3C S5130S-52S-EI-6328
Patch Version  :    None
Reboot Cause  :     ColdReboot
[SubSlot 0] 48GE+4SFP Plus"""  # [DIS-VER]


def _rate(d: Device, m: re.Match[str]) -> str | None:
    k = int(m.group("args").split()[1])
    if not 8 <= k <= 1_048_576:
        return WRONG
    return None if k % 8 == 0 else "% The CIR value must be a multiple of 8."


def _vlan_exists(d: Device, m: re.Match[str]) -> str | None:
    vlan = m.group("args")
    return None if f"vlan {vlan}" in d.blocks else f"% VLAN {vlan} does not exist."


def default_cbs(cir_kbps: int) -> int:
    """[H3C-QOS]: 62.5 bytes per kbit/s of CIR, rounded up to a multiple of 512."""
    cbs = (cir_kbps * 125 + 1) // 2
    return -(-cbs // 512) * 512


class HpComware(VrpFamily):
    platform = "hp_comware"
    error_prefix = "%"
    rules = {
        "if": [Rule("description", r".{1,255}"), Rule("port link-type", r"trunk|hybrid"),
               Rule("port access vlan", r"\d+", check=_vlan_exists),
               Rule("qos lr inbound", r"cir \d+ cbs \d+", check=_rate),
               Rule("qos lr outbound", r"cir \d+ cbs \d+", check=_rate),
               Rule("ip verify source", r"ip-address( mac-address)?"),
               Rule("ip source binding", rf"ip-address {IP}( mac-address {MAC})?( vlan \d+)?", multi=True),
               Rule("shutdown")],
        "vlan": [Rule("description", r".{1,80}")],
    }
    # [CW-ROUTE], [COMBO], [H3C-QOS]
    order = {"if": ["description", "shutdown", "port link-type", "port access vlan", "qos lr inbound",
                    "qos lr outbound", "ip verify source", "ip source binding", "combo enable"]}

    def new_device(self, device: Device) -> None:
        super().new_device(device)
        device.block("vlan 1")

    def site_lines(self, device: Device, interface: str) -> list[str]:
        access = [x for x in device.interfaces if x not in device.uplinks]
        return ["combo enable fiber"] if interface in access[-COMBO_PORTS:] else []

    def interface_lines(self, d: Device, header: str) -> list[str]:
        return ["port link-mode bridge", *d.blocks[header]]

    def render_head(self, d: Device) -> list[str]:
        out = ["#", " version 7.1.070, Release 6328", "#", f" sysname {d.name}", "#"]
        for vlan in self.vlans(d):
            out += [f"vlan {vlan}", *(f" {line}" for line in d.blocks[f"vlan {vlan}"]), "#"]
        return out

    def dispatch(self, s: Session, line: str) -> str:
        lr = re.fullmatch(r"qos lr (inbound|outbound) cir (\d+)", line.strip())
        if s.mode == "if" and s.pending is None and lr:
            line = f"{line.strip()} cbs {default_cbs(int(lr.group(2)))}"  # printed with its CBS ([H3C-QOS])
        return super().dispatch(s, line)

    def display_version(self, d: Device) -> str:
        """[DIS-VER] with the lab's uptime."""
        weeks, days, hours, minutes = self.uptime()
        parts = [f"{weeks} weeks", f"{days} days", f"{hours} hours", f"{minutes} minutes"]
        return VERSION.format(uptime=", ".join(parts), slot_uptime=",".join(parts))

    def echo(self, s: Session, line: str) -> str:
        """The prompt and the typed line share an 80-column terminal; the rest goes on new lines ([WIDTH])."""
        first = max(WIDTH - len(s.prompt_shown), 0)
        if len(line) <= first:
            return line
        rest = line[first:]
        return "\r\n".join([line[:first], *(rest[i:i + WIDTH] for i in range(0, len(rest), WIDTH))])

    def link_log(self, s: Session, interface: str, up: bool) -> list[str]:
        """[IFNET-LOG]: physical then line-protocol state, straight after the prompt, no prompt after."""
        now = time.time()
        stamp = time.strftime("%b %e %H:%M:%S", time.gmtime(now)) + f":{int(now * 1000) % 1000:03d} " + \
            time.strftime("%Y", time.gmtime(now))
        state = "up" if up else "down"
        return [f"%{stamp} {s.device.name} IFNET/3/PHY_UPDOWN: Physical state on the interface {interface} "
                f"changed to {state}.\r\n",
                f"%{stamp} {s.device.name} IFNET/5/LINK_UPDOWN: Line protocol state on the interface {interface} "
                f"changed to {state}.\r\n"]


def _access(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    """Access is Comware's default link type: setting it removes any other, and nothing is displayed."""
    if dl.rejected(s, m.group(0)):
        return dl.error(m.group(0))
    lines = s.device.block(s.block)
    lines[:] = [x for x in lines if not x.startswith("port link-type")]
    s.changed = True
    return ""


def _default(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    """Everything back to defaults, the combo port's fiber choice too (UNCONFIRMED for combo)."""
    def restore() -> str:
        s.device.blocks[s.block] = []
        s.changed = True
        return ""

    return dl.confirm(s, "This command will restore the default settings. Continue? [Y/N]:", restore)


def _undo_vlan(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    s.device.blocks.pop(f"vlan {m.group(1)}", None)
    s.changed = True
    return ""


def _save_force(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    s.saved = True
    return "Validating file. Please wait...\nSaved the current configuration to mainboard device successfully."  # [SAVE]


def _save(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    return dl.confirm(s, "The current configuration will be written to the device. Are you sure? [Y/N]:",
                      lambda: _save_force(dl, s, m))


def _ok(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    return ""


HpComware.commands = {
    "*": [*COMMON, (r"save force", _save_force), (r"save", _save)],  # Comware saves from any view
    "user": [(r"screen-length disable", _ok), (r"system-view", system_view),
             (r"(undo )?terminal monitor", terminal_monitor("The current terminal is enabled to display logs.",
                                                            "The current terminal is disabled to display logs."))],
    "system": [(r"vlan (\d+)", vlan_view), (r"undo vlan (\d+)", _undo_vlan), (r"interface (\S+ ?\S*)", interface)],
    "if": [(r"port link-type access", _access), (r"default", _default), (r"interface (\S+ ?\S*)", interface)],
}
