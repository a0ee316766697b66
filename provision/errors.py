"""One exception hierarchy, so every face (CLI, Ansible, scripts) maps failures the same way.

The exit code travels with the exception: the CLI never has to guess what kind of
failure it is looking at, and an Ansible module can report the same category.
Every message names the offending input and says how to fix it.
"""

from __future__ import annotations


class ColoError(Exception):
    """Base of every error the toolkit raises on purpose."""

    exit_code = 1
    kind = "failed"


class OperationFailed(ColoError):
    """A device, the network or the store failed; the input was fine. Exit 1."""

    exit_code = 1
    kind = "failed"


class BadInput(ColoError):
    """The caller gave something unusable. Exit 2; nothing was changed."""

    exit_code = 2
    kind = "bad-input"


class Refused(ColoError):
    """A rule forbids the operation (state, conflict, authorization). Exit 3."""

    exit_code = 3
    kind = "refused"


class NotFound(BadInput):
    """A named thing (contract, rack, hold) does not exist."""


class DeviceError(OperationFailed):
    """A device refused, timed out or answered something unexpected.

    Carries the device name so a technician knows which box to look at first.
    """

    def __init__(self, device: str, message: str) -> None:
        super().__init__(f"{device}: {message}")
        self.device = device
