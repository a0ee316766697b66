"""Switch drivers by inventory platform name."""

from __future__ import annotations

from provision.drivers.switch.base import SwitchAccess, SwitchDriver
from provision.drivers.switch.cisco_ios import CiscoIos
from provision.drivers.switch.hp_comware import HpComware
from provision.drivers.switch.huawei_vrp import HuaweiVrp

PLATFORMS: dict[str, type[SwitchDriver]] = {d.platform: d for d in (CiscoIos, HuaweiVrp, HpComware)}


def switch_driver(platform: str, access: SwitchAccess | None) -> SwitchDriver:
    try:
        return PLATFORMS[platform](access)
    except KeyError:
        raise ValueError(f"no switch driver for platform {platform!r}; known: {', '.join(PLATFORMS)}") from None
