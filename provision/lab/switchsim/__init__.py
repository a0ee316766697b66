"""SSH switch simulators for the lab: Cisco IOS, Huawei VRP and H3C Comware CLIs over asyncssh."""

from __future__ import annotations

from provision.lab.switchsim.model import read_state, write_faults

__all__ = ["read_state", "write_faults"]
