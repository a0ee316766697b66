"""Catalyst IOS as the simulator speaks it (VENDOR-SYNTAX.md §1), in two real models' personalities.

Sources of the behaviour (public device output; "fs:N" is the id of a public GitHub file the
lab's search index (`find_string`/`read_file`) returns, whose repository it does not name):
- [IOS15-4500] fs:1083259875, `show running-config` of a Catalyst 4500 on IOS 15.2(4)E5: prints
  `ip source binding FCF5.286B.580A vlan 30 10.10.10.1 interface Gi1/47` — MAC in upper case and
  the interface abbreviated, while `mac address-table static` lines print lower case.
- [3850-1612] fs:22908331897, `show running-config` of a WS-C3850-48P on IOS-XE 16.12: no `vlan N`
  blocks (VTP server), `ip dhcp snooping vlan 1-999,1001-4094` merged with ranges and printed before
  `ip dhcp snooping`, ACL entries with sequence numbers (` 10 permit …`), port lines in the order
  switchport…, `power inline never`, channel-group, `spanning-tree portfast`, `ip dhcp snooping trust`.
- [IOS-ORDER] fs:25081447851 and fs:4726671017 (running configs): `shutdown` prints after the
  switchport lines and before `spanning-tree portfast` / `spanning-tree bpduguard enable`;
  fs:26195334977 and fs:1135643384: `service-policy input` after `spanning-tree portfast`;
  fs:65914498287 (a Cat9k config): `ip verify source` after spanning-tree, before service-policy.
- [VTP] fs:62146482054 (IOS 15.2(4)EA5 `show vlan brief` / `show vtp status`), fs:45341248341 and
  fs:16476364067 (a client's `vlan 500` → `VTP VLAN configuration not allowed when device is in
  CLIENT mode.`), fs:4816549199 (3750 `show vlan brief`: three `Gi1/0/N` per 31-column line).
- [XE-POLICE] fs:70779609922 (`show running-config | section policy-map`): `police cir 10000000 bc
  512000` with ` conform-action transmit` / ` exceed-action drop` sub-lines. UNCONFIRMED: the corpus
  (tests/corpus/QUIRKS.md, genieparser ShowRunPolicyMap) shows one line instead: `police cir 2565 bc 4234
  conform-action transmit  exceed-action drop`; which a Cat9300 on 16.x prints was not settled.
- [VLAN-BLANKS] tests/corpus/QUIRKS.md (ntc-templates `show vlan`, `show vtp status` raw captures):
  `active    ` and `act/unsup ` keep their trailing blanks; so do the MD5 digest lines.
- [SHOW-PRIV] fs:10772178410 and fs:55263249122 (sessions): `Router>show privilege` → `Current privilege level is 1`,
  `Router#show privilege` → `Current privilege level is 15` (what cisco.ios's network_cli terminal reads).
- [SHVER-3560] fs:17473636318, `show version` of a WS-C3560V2-24TS on 15.0(1)SE2: the layout of the classic model's
  answer (banner, ROM lines, `<host> uptime is …` leaving out zero units, image file, export paragraph, `cisco <model>
  (PowerPC405) processor`, interface counts, hardware table, the switch table, configuration register).
- [SHVER-9300] fs:24313422142, `show version` of a C9300-48U on IOS-XE 16.12.4 (CAT9K_IOSXE, INSTALL mode): the layout
  of the IOS-XE model's answer, licence table included.
- [FALLTHROUGH] fs:66942324225 (an IOS-XE session): `(config-vlan)#interface vlan 10` → `(config-if)#`,
  `(config-if)#ip default-gateway …` → `(config)#`, `(config-line)#netconf-yang` → `(config)#`: a command the sub-mode
  does not know runs in global configuration, which the session is then in (cisco.ios's ios_config relies on it).
UNCONFIRMED: that `(config-pmap-c)#` tries `(config-pmap)#` before global configuration.
UNCONFIRMED: the classic personality's release and model (15.2(4)E10 on a WS-C3560X-48T-S, image C3560E-UNIVERSALK9-M)
are set to match its `version 15.2` and port count, printed in the 3560V2's layout; serials and MACs are made up per host.
UNCONFIRMED: where `power inline never` prints relative to `shutdown`; whether a VTP client says
anything when `switchport access vlan N` names a VLAN it lacks (here: nothing, and no VLAN is made).
"""

from __future__ import annotations

import hashlib
import re

from provision.lab.switchsim.dialect import GLOBAL, Dialect, Session, vlan_range
from provision.lab.switchsim.model import Device, Rule

MAC = r"[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}"
IP = r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"
INVALID = "% Invalid input detected at '^' marker."
XE = "catalyst-9300-iosxe16"
VTP_BLOCK = "#vtp"  # bookkeeping kept with the device, never printed: VTP configuration revision
DEFAULT_VLANS = [(1002, "fddi-default"), (1003, "token-ring-default"), (1004, "fddinet-default"),
                 (1005, "trnet-default")]
SHORT = {"gigabitethernet": "Gi", "tengigabitethernet": "Te", "fastethernet": "Fa", "twogigabitethernet": "Tw",
         "twentyfivegige": "Twe", "fortygigabitethernet": "Fo", "hundredgige": "Hu"}
# [IOS-ORDER], [3850-1612]; power inline against shutdown UNCONFIRMED
PORT_ORDER = ["description", "switchport access vlan", "switchport mode", "srr-queue", "power inline", "shutdown",
              "spanning-tree portfast", "spanning-tree bpduguard", "ip verify source", "service-policy"]


PORT_KINDS = {"GigabitEthernet": "Gigabit Ethernet", "TenGigabitEthernet": "Ten Gigabit Ethernet",
              "FastEthernet": "FastEthernet", "TwentyFiveGigE": "TwentyFive Gigabit Ethernet",
              "FortyGigabitEthernet": "Forty Gigabit Ethernet"}
EXPORT = """This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
Importers, exporters, distributors and users are responsible for
compliance with U.S. and local country laws. By using this product you
agree to comply with applicable laws and regulations. If you are unable
to comply with U.S. and local laws, return this product immediately.

A summary of U.S. laws governing Cisco cryptographic products may be found at:
http://www.cisco.com/wwl/export/crypto/tool/stqrg.html

If you require further assistance please contact us by sending email to
export@cisco.com."""
# `show version` as each personality prints it; `{e:N}` stands for N trailing blanks the device prints
CLASSIC_VERSION = """Cisco IOS Software, C3560E Software (C3560E-UNIVERSALK9-M), Version 15.2(4)E10, RELEASE SOFTWARE (fc2)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2020 by Cisco Systems, Inc.
Compiled Tue 31-Mar-20 18:00 by prod_rel_team

ROM: Bootstrap program is C3560E boot loader
BOOTLDR: C3560E Boot Loader (C3560X-HBOOT-M) Version 12.2(58r)SE, RELEASE SOFTWARE (fc1)

{host} uptime is {uptime}
System returned to ROM by power-on
System image file is "flash:/c3560e-universalk9-mz.152-4.E10.bin"


{export}

cisco WS-C3560X-48T-S (PowerPC405) processor (revision N0) with 262144K bytes of memory.
Processor board ID {serial}
Last reset from power-on
1 Virtual Ethernet interface
{ports}
The password-recovery mechanism is enabled.

512K bytes of flash-simulated non-volatile configuration memory.
Base ethernet MAC Address       : {mac}
Model number                    : WS-C3560X-48T-S
System serial number            : {serial}


Switch Ports Model              SW Version            SW Image{e:17}
------ ----- -----              ----------            ----------{e:15}
*    1 {count:<5} WS-C3560X-48T-S    15.2(4)E10            C3560E-UNIVERSALK9-M{e:5}


Configuration register is 0xF
"""
XE_VERSION = """Cisco IOS XE Software, Version 16.12.04
Cisco IOS Software [Gibraltar], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 16.12.4, RELEASE SOFTWARE (fc5)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2020 by Cisco Systems, Inc.
Compiled Thu 09-Jul-20 21:49 by mcpre


Cisco IOS-XE software, Copyright (c) 2005-2020 by cisco Systems, Inc.
All rights reserved.  Certain components of Cisco IOS-XE software are
licensed under the GNU General Public License ("GPL") Version 2.0.  The
software code licensed under GPL Version 2.0 is free software that comes
with ABSOLUTELY NO WARRANTY.  You can redistribute and/or modify such
GPL code under the terms of GPL Version 2.0.  For more details, see the
documentation or "License Notice" file accompanying the IOS-XE software,
or the applicable URL provided on the flyer accompanying the IOS-XE
software.


ROM: IOS-XE ROMMON
BOOTLDR: System Bootstrap, Version 16.12.2r, RELEASE SOFTWARE (P)

{host} uptime is {uptime}
Uptime for this control processor is {uptime}
System returned to ROM by PowerOn
System image file is "flash:packages.conf"
Last reload reason: PowerOn



{export}


Technology Package License Information:{e:1}

------------------------------------------------------------------------------
Technology-package                                     Technology-package
Current                        Type                       Next reboot{e:2}
------------------------------------------------------------------------------
network-essentials  \tSmart License                 \t network-essentials{e:2}
dna-essentials      \tSubscription Smart License    \t dna-essentials{e:16}
AIR License Level: AIR DNA Advantage
Next reload AIR license Level: AIR DNA Advantage


Smart Licensing Status: UNREGISTERED/EVAL MODE

cisco C9300-48P (X86) processor with 1343576K/6147K bytes of memory.
Processor board ID {serial}
2 Virtual Ethernet interfaces
{ports}
2048K bytes of non-volatile configuration memory.
8388608K bytes of physical memory.
1638400K bytes of Crash Files at crashinfo:.
11264000K bytes of Flash at flash:.
0K bytes of WebUI ODM Files at webui:.

Base Ethernet MAC Address          : {mac}
Model Number                       : C9300-48P
System Serial Number               : {serial}


Switch Ports Model              SW Version        SW Image              Mode{e:3}
------ ----- -----              ----------        ----------            ----{e:3}
*    1 {count:<5} C9300-48P          16.12.4           CAT9K_IOSXE           INSTALL


Configuration register is 0x102
"""


PARENT_MODES = {"if": ("config",), "vlan": ("config",), "acl": ("config",), "cmap": ("config",), "pmap": ("config",),
                "pmapc": ("pmap", "config")}


def short_name(name: str) -> str:
    """IOS's abbreviation of an interface name as its configuration prints it (`Gi1/0/30`)."""
    m = re.fullmatch(r"([A-Za-z-]+)([\d/.]+)", name)
    return name if m is None else SHORT.get(m.group(1).lower(), m.group(1)) + m.group(2)


def _vlan_ok(d: Device, m: re.Match[str]) -> str | None:
    return None if vlan_range(int(m.group("args").split()[-1])) else INVALID


def _creates_vlan(d: Device, m: re.Match[str]) -> str:
    """A VTP server creates a missing access VLAN and says so; a client cannot create it (UNCONFIRMED: silent)."""
    vlan = m.group("args")
    if f"vlan {vlan}" in d.blocks or int(vlan) == 1:
        return ""
    if d.blocks.get(VTP_BLOCK, [""])[0] == "client":
        return ""
    d.block(f"vlan {vlan}")
    _revision(d)
    return f"% Access VLAN does not exist. Creating vlan {vlan}"


def _policy_exists(d: Device, m: re.Match[str]) -> str | None:
    return None if f"policy-map {m.group('args')}" in d.blocks else f"Policy map {m.group('args')} not configured"


def _percent(d: Device, m: re.Match[str]) -> str | None:
    return None if 10 <= int(m.group("args")) <= 90 else INVALID


def _police_range(bps: int, burst: int) -> str | None:
    ok = 1_000_000 <= bps <= 1_000_000_000 and 8000 <= burst <= 1_000_000
    return None if ok else INVALID


def _revision(d: Device) -> None:
    state = d.blocks.setdefault(VTP_BLOCK, ["server", "0"])
    state[1] = str(int(state[1]) + 1)


def vlan_list(text: str) -> set[int] | None:
    """`100,110-112` → {100, 110, 111, 112}; None when malformed or out of range."""
    out: set[int] = set()
    for part in text.split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if m is None:
            return None
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        if not (vlan_range(first) and vlan_range(last) and first <= last):
            return None
        out.update(range(first, last + 1))
    return out


def vlan_ranges(vlans: set[int]) -> str:
    """IOS's compact form of a VLAN set: `100,110-112` ([3850-1612])."""
    out, ordered, i = [], sorted(vlans), 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        out.append(str(ordered[i]) if j == i else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ",".join(out)


class CiscoIos(Dialect):
    platform = "cisco_ios"
    negate = "no"
    config_modes = frozenset({"config", "if", "vlan", "acl", "cmap", "pmap", "pmapc"})
    rules = {
        # multi: `no ip dhcp snooping` turns the feature off and leaves the VLAN list alone
        "config": [Rule("mls qos", multi=True), Rule("ip dhcp snooping", multi=True)],
        "if": [Rule("description", r".{1,240}"), Rule("switchport mode", r"access|trunk"),
               Rule("switchport access vlan", r"\d+", check=_vlan_ok, note=_creates_vlan),
               Rule("srr-queue bandwidth limit", r"\d+", check=_percent),
               Rule("service-policy input", r"\S+", check=_policy_exists), Rule("ip verify source"),
               Rule("shutdown")],
        "vlan": [Rule("name", r"\S{1,32}")],  # `no name`; setting it is _vlan_name
        "cmap": [Rule("match access-group name", r"\S+")],
    }
    order = {"if": PORT_ORDER}

    @property
    def xe(self) -> bool:
        return self.personality == XE

    def new_device(self, device: Device) -> None:
        super().new_device(device)
        device.blocks[VTP_BLOCK] = ["server", "0"]

    def site_lines(self, device: Device, interface: str) -> list[str]:
        """Edge-port protection on every access port; the PoE 9300 also turns PoE off toward servers ([3850-1612])."""
        if interface in device.uplinks:
            return []
        lines = ["spanning-tree portfast", "spanning-tree bpduguard enable"]
        return ["power inline never", *lines] if self.xe else lines

    def prompt(self, s: Session) -> str:
        if s.pending is not None:
            return s.pending_prompt
        suffix = {"user": ">", "enable": "#", "config": "(config)#", "if": "(config-if)#", "vlan": "(config-vlan)#",
                  "acl": "(config-ext-nacl)#", "cmap": "(config-cmap)#", "pmap": "(config-pmap)#",
                  "pmapc": "(config-pmap-c)#"}[s.mode]
        return s.device.name + suffix

    def error(self, text: str) -> str:
        return f"                ^\n{INVALID}\n"

    def vtp_client(self, s: Session) -> bool:
        return bool(s.faults.get("vtp_client"))

    def dispatch(self, s: Session, line: str) -> str:
        # the VTP mode is the device's: keep it where _creates_vlan (which sees only the device) finds it
        state = s.device.blocks.setdefault(VTP_BLOCK, ["server", "0"])
        state[0] = "client" if self.vtp_client(s) else "server"
        out = super().dispatch(s, line)
        if s.pending is not None or out != self.error(line.strip()):
            return out
        where = (s.mode, s.block, s.sub)
        for parent in PARENT_MODES.get(s.mode, ()):
            # [FALLTHROUGH]: a line the sub-mode does not know runs in the enclosing mode, which it then stays in
            s.mode, s.block, s.sub = parent, s.block if parent == "pmap" else GLOBAL, ""
            found = super().dispatch(s, line)
            if found != self.error(line.strip()):
                return found
        s.mode, s.block, s.sub = where
        return out

    def render(self, d: Device) -> str:
        globals_ = d.blocks.get(GLOBAL, [])
        out = ["!", "version 16.12" if self.xe else "version 15.2", f"hostname {d.name}", "!"]
        out += [line for line in globals_ if line == "mls qos"]
        # [3850-1612]: the VLAN list first, then the feature switch
        out += [line for line in globals_ if line.startswith("ip dhcp snooping vlan ")]
        out += [line for line in globals_ if line == "ip dhcp snooping"]
        out.append("!")
        # VTP server: VLANs live in vlan.dat, not in the running configuration ([3850-1612], [VTP])
        for kind in ("ip access-list", "class-map", "policy-map", "interface "):
            for header in (h for h in d.blocks if h.startswith(kind)):
                out.append(header)
                out += [f" {line}" for line in d.blocks[header]]
                out.append("!")
        out += [line for line in globals_ if line.startswith("ip source binding")]
        out += ["!", "end"]
        body = "\n".join(out)
        return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n{body}\n"

    def vlans(self, d: Device) -> list[tuple[int, str]]:
        made = sorted(int(h.split()[1]) for h in d.blocks if re.fullmatch(r"vlan \d+", h))
        named = [(1, "default")]
        for vlan in made:
            name = next((x.split(" ", 1)[1] for x in d.blocks[f"vlan {vlan}"] if x.startswith("name ")), None)
            named.append((vlan, name or f"VLAN{vlan:04d}"))
        return named

    def show_vlan_brief(self, d: Device) -> str:
        """[VTP]: 4+32+9 columns, then the access ports, wrapped at 31 columns onto indented lines."""
        members: dict[int, list[str]] = {}
        for name in d.interfaces:
            lines = d.blocks.get(f"interface {name}", [])
            if "switchport mode trunk" in lines:
                continue
            vlan = next((int(x.split()[-1]) for x in lines if x.startswith("switchport access vlan ")), 1)
            members.setdefault(vlan, []).append(short_name(name))
        out = ["", "VLAN Name                             Status    Ports",
               "---- -------------------------------- --------- -------------------------------"]
        for vlan, name in self.vlans(d):
            rows: list[str] = []
            for port in members.get(vlan, []):
                if rows and len(rows[-1]) + 2 + len(port) <= 31:
                    rows[-1] += f", {port}"
                else:
                    rows.append(port)
            first = f"{vlan:<4} {name:<32} {'active':<9} {rows[0] if rows else ''}"  # `active    `: trailing blanks
            out += [first, *(f"{'':48}{row}" for row in rows[1:])]
        out += [f"{vlan:<4} {name:<32} act/unsup " for vlan, name in DEFAULT_VLANS]
        return "\n".join(out)

    def show_version(self, d: Device) -> str:
        """[SHVER-3560] / [SHVER-9300] with the lab's host name, uptime and port counts."""
        weeks, days, hours, minutes = self.uptime()
        units = [(weeks, "week"), (days, "day"), (hours, "hour"), (minutes, "minute")]
        uptime = ", ".join(f"{n} {u}{'' if n == 1 else 's'}" for n, u in units if n) or "0 minutes"
        counts: dict[str, int] = {}
        for name in d.interfaces:
            kind = re.sub(r"[\d/.]+$", "", name)
            counts[kind] = counts.get(kind, 0) + 1
        ports = [f"{n} {PORT_KINDS.get(kind, kind)} interfaces" for kind, n in counts.items()]
        serial = "FOC" + hashlib.sha1(d.name.encode()).hexdigest()[:8].upper()
        mac = ":".join(hashlib.md5(d.name.encode()).hexdigest()[i:i + 2] for i in range(0, 12, 2))
        return (XE_VERSION if self.xe else CLASSIC_VERSION).format(
            host=d.name, uptime=uptime, ports="\n".join(ports), serial=serial, mac=mac, count=len(d.interfaces), e="",
            export=EXPORT)

    def show_vtp_status(self, s: Session) -> str:
        """[VTP]: IOS 15.2 / IOS-XE 16 `show vtp status` of a VTPv1 switch without a domain."""
        d = s.device
        revision = d.blocks.get(VTP_BLOCK, ["server", "0"])[1]
        digest = hashlib.md5("".join(f"{v}{n}" for v, n in self.vlans(d)).encode()).digest()
        octets = [f"0x{b:02X}" for b in digest]
        device_id = hashlib.sha1(d.name.encode()).hexdigest()[:10] + "00"
        return "\n".join([
            "VTP Version capable             : 1 to 3",
            "VTP version running             : 1",
            "VTP Domain Name                 : ",
            "VTP Pruning Mode                : Disabled",
            "VTP Traps Generation            : Disabled",
            f"Device ID                       : {device_id[:4]}.{device_id[4:8]}.{device_id[8:]}",
            "Configuration last modified by 0.0.0.0 at 0-0-00 00:00:00",
            "Local updater ID is 0.0.0.0 (no valid interface found)",
            "",
            "Feature VLAN:",
            "--------------",
            f"VTP Operating Mode                : {'Client' if self.vtp_client(s) else 'Server'}",
            "Maximum VLANs supported locally   : 1005",
            f"Number of existing VLANs          : {len(self.vlans(d)) + len(DEFAULT_VLANS)}",
            f"Configuration Revision            : {revision}",
            f"MD5 digest                        : {' '.join(octets[:8])} ",  # trailing blank as printed
            f"                                    {' '.join(octets[8:])} ",
        ])


def _enable(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    def check(text: str) -> str:
        s.echo = True
        if text == s.enable_secret:
            s.mode = "enable"
            return ""
        return "% Access denied\n"

    s.echo = False
    s.pending, s.pending_prompt = check, "Password: "
    return ""


def _to(mode: str, block: str = GLOBAL):  # type: ignore[no-untyped-def]
    def go(dl: Dialect, s: Session, m: re.Match[str]) -> str:
        s.mode, s.block = mode, block
        return ""

    return go


def _exit(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    up = {"user": None, "enable": None, "config": "enable", "if": "config", "vlan": "config", "acl": "config",
          "cmap": "config", "pmap": "config", "pmapc": "pmap"}[s.mode]
    if up is None:
        s.closed = True
    elif up == "pmap":
        s.mode = "pmap"
    else:
        s.mode, s.block = up, GLOBAL
    return ""


def _interface(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    block = dl.interface_block(s, m.group(1))
    if block is None:
        return dl.error(m.group(0))
    s.mode, s.block = "if", block
    return ""


def _named_block(mode: str, prefix: str):  # type: ignore[no-untyped-def]
    def enter(dl: Dialect, s: Session, m: re.Match[str]) -> str:
        header = f"{prefix} {m.group(1)}"
        s.device.block(header)
        s.mode, s.block = mode, header
        s.changed = True
        return ""

    return enter


def _cisco(dl: Dialect) -> CiscoIos:
    assert isinstance(dl, CiscoIos)
    return dl


def _vlan(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    if not vlan_range(int(m.group(1))):
        return dl.error(m.group(0))
    if _cisco(dl).vtp_client(s):  # [VTP]
        return "VTP VLAN configuration not allowed when device is in CLIENT mode."
    if f"vlan {m.group(1)}" not in s.device.blocks:
        _revision(s.device)
    return _named_block("vlan", "vlan")(dl, s, m)  # type: ignore[no-any-return]


def _no_vlan(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    if _cisco(dl).vtp_client(s):
        return "VTP VLAN configuration not allowed when device is in CLIENT mode."
    if s.device.blocks.pop(f"vlan {m.group(1)}", None) is not None:
        _revision(s.device)
    s.changed = True
    return ""


def _vlan_name(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    """`name X` in the VLAN database is a VTP change like creating the VLAN."""
    lines = s.device.block(s.block)
    lines[:] = [x for x in lines if not x.startswith("name ")] + [f"name {m.group(1)}"]
    _revision(s.device)
    s.changed = True
    return ""


def _snooping_vlans(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    """IOS keeps one `ip dhcp snooping vlan` line: adding merges into it, `no` removes from it ([3850-1612])."""
    wanted = vlan_list(m.group(2))
    if wanted is None:
        return dl.error(m.group(0))
    globals_ = s.device.block(GLOBAL)
    old = next((x for x in globals_ if x.startswith("ip dhcp snooping vlan ")), None)
    current = vlan_list(old.split()[-1]) or set() if old else set()
    current = current - wanted if m.group(1) else current | wanted
    globals_[:] = [x for x in globals_ if x != old]
    if current:
        globals_.append(f"ip dhcp snooping vlan {vlan_ranges(current)}")
    s.changed = True
    return ""


def _binding(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    """Typed with any interface spelling; kept as IOS prints it: MAC upper case, name abbreviated ([IOS15-4500])."""
    negated, mac, vlan, ip, typed = m.group(1), m.group(2), int(m.group(3)), m.group(4), m.group(5)
    name = s.device.interface(typed)
    if name is None or not vlan_range(vlan):
        return dl.error(m.group(0))
    line = f"ip source binding {mac.upper()} vlan {vlan} {ip} interface {short_name(name)}"
    globals_ = s.device.block(GLOBAL)
    if negated:
        globals_[:] = [x for x in globals_ if x != line]
    elif line not in globals_:
        globals_.append(line)
    s.changed = True
    return ""


def _ace(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    """An extended ACL entry; IOS-XE numbers entries 10, 20, … and prints the numbers ([3850-1612])."""
    seq, entry = m.group(1), m.group(2)
    lines = s.device.block(s.block)
    bodies = [x.split(" ", 1)[1] if x[0].isdigit() else x for x in lines]
    if entry in bodies:
        return ""
    if _cisco(dl).xe:
        numbers = [int(x.split()[0]) for x in lines if x[0].isdigit()]
        number = int(seq) if seq else (max(numbers, default=0) + 10)
        if number in numbers:
            return "% Duplicate sequence number"
        lines.append(f"{number} {entry}")
        lines.sort(key=lambda x: int(x.split()[0]))
    else:
        lines.append(entry)
    s.changed = True
    return ""


def _no_ace(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    seq, entry = m.group(1), m.group(2)
    lines = s.device.block(s.block)
    lines[:] = [x for x in lines if not (
        (seq is not None and x.split()[0] == seq)
        or (entry is not None and (x == entry or (x[0].isdigit() and x.split(" ", 1)[1] == entry))))]
    s.changed = True
    return ""


def _class(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    lines = s.device.block(s.block)
    if f"class {m.group(1)}" not in lines:
        lines.append(f"class {m.group(1)}")
        s.changed = True
    s.mode, s.sub = "pmapc", f"class {m.group(1)}"
    return ""


def _police(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    """Under a policy-map class the policer replaces any earlier one.

    Classic IOS keeps the line as typed; IOS-XE rewrites `police BPS BURST exceed-action drop` into
    `police cir BPS bc BURST` with its actions on sub-lines ([XE-POLICE]).
    """
    bps, burst = int(m.group(1)), int(m.group(2))
    problem = _police_range(bps, burst)
    if problem:
        return problem
    lines = s.device.block(s.block)
    at = lines.index(s.sub) + 1
    while at < len(lines) and lines[at].startswith(" "):
        del lines[at]
    if _cisco(dl).xe:
        new = [f" police cir {bps} bc {burst}", "  conform-action transmit", "  exceed-action drop"]
    else:
        new = [f" police {bps} {burst} exceed-action drop"]
    lines[at:at] = new
    s.changed = True
    return ""


def _default_interface(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    """Every line goes, the site's standard ones too: a real port back at defaults has no portfast either."""
    block = dl.interface_block(s, m.group(1))
    if block is None:
        return dl.error(m.group(0))
    s.device.blocks[block] = []
    s.changed = True
    return f"Interface {block.split()[1]} set to default configuration"


def _show_run(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    if m.group(1):
        block = dl.interface_block(s, m.group(1))
        if block is None:
            return dl.error(m.group(0))
        lines = [block, *(f" {line}" for line in s.device.blocks[block]), "end"]
        body = "\n".join(["!", *lines])
        return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n{body}\n"
    return dl.render(s.device)


def _show_vlan(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    return _cisco(dl).show_vlan_brief(s.device)


def _show_vtp(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    return _cisco(dl).show_vtp_status(s)


def _show_version(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    return _cisco(dl).show_version(s.device)


def _show_privilege(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    """[SHOW-PRIV]: 1 in user EXEC, 15 once `enable` succeeded (the lab's one enable secret is level 15)."""
    return f"Current privilege level is {15 if s.mode != 'user' else 1}"


def _write(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    s.saved = True
    return "Building configuration...\n[OK]"


def _copy(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    def dest(text: str) -> str:
        s.saved = True
        return "Building configuration...\n[OK]"

    s.pending, s.pending_prompt = dest, "Destination filename [startup-config]? "
    return ""


def _ok(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    return ""


SHOWS = [(r"show running-config(?: interface (\S+))?", _show_run), (r"show vlan brief", _show_vlan),
         (r"show vtp status", _show_vtp), (r"show ver(sion)?", _show_version), (r"show priv(ilege)?", _show_privilege)]
CiscoIos.commands = {
    "user": [(r"enable", _enable), (r"exit|logout|quit", _exit), (r"terminal (width \d+|length \d+|no monitor)", _ok),
             (r"show vlan brief", _show_vlan), (r"show vtp status", _show_vtp), (r"show ver(sion)?", _show_version),
             (r"show priv(ilege)?", _show_privilege)],
    "enable": [(r"terminal (width \d+|length \d+|no monitor)", _ok), (r"conf(igure)?( t(erminal)?)?", _to("config")),
               *SHOWS, (r"write( mem(ory)?)?", _write),
               (r"copy running-config startup-config", _copy), (r"exit|logout|disable", _exit)],
    "config": [(r"interface (\S+ ?\S*)", _interface), (r"vlan (\d+)", _vlan), (r"no vlan (\d+)", _no_vlan),
               (r"(no )?ip dhcp snooping vlan (\S+)", _snooping_vlans),
               (rf"(no )?ip source binding ({MAC}) vlan (\d+) ({IP}) interface (\S+ ?\S*)", _binding),
               (r"ip access-list extended (\S+)", _named_block("acl", "ip access-list extended")),
               (r"class-map match-all (\S+)", _named_block("cmap", "class-map match-all")),
               (r"policy-map (\S+)", _named_block("pmap", "policy-map")),
               (r"default interface (\S+)", _default_interface), (r"end", _to("enable")), (r"exit", _exit),
               *((f"do {p}", h) for p, h in SHOWS)],
    "if": [(r"interface (\S+)", _interface), (r"exit", _exit), (r"end", _to("enable")),
           *((f"do {p}", h) for p, h in SHOWS)],
    "vlan": [(r"name (\S{1,32})", _vlan_name), (r"exit", _exit), (r"end", _to("enable"))],
    "acl": [(r"(?:(\d+) )?((?:permit|deny) .+)", _ace), (r"no (?:(\d+)|(?:\d+ )?((?:permit|deny) .+))", _no_ace),
            (r"exit", _exit), (r"end", _to("enable"))],
    "cmap": [(r"exit", _exit), (r"end", _to("enable"))],
    "pmap": [(r"class (\S+)", _class), (r"exit", _exit), (r"end", _to("enable"))],
    "pmapc": [(r"police (\d+) (\d+) exceed-action drop", _police), (r"exit", _exit), (r"end", _to("enable"))],
}
