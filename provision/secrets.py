"""Device secrets: looked up by name, never stored in the inventory, never printed.

The inventory names a secret (`credentials: lab-switch`); its value comes from the
environment (`COLO_SECRET_LAB_SWITCH_PASSWORD`) or from the YAML file named by
`COLO_SECRETS`. The environment wins so CI can override one field of a file. Values are
wrapped in `Secret`, whose repr and str are masked, so a secret that ends up in a
traceback, a log line or a plan file shows as `***`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from provision.errors import BadInput

FIELDS = ("username", "password", "enable", "community")


class Secret:
    """A string that refuses to show itself except through `reveal()`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Credentials:
    """What opens one device: SSH login and enable secret, or an SNMP community."""

    name: str
    username: str | None = None
    password: Secret | None = None
    enable: Secret | None = None
    community: Secret | None = None

    def require(self, *fields: str) -> Credentials:
        missing = [f for f in fields if getattr(self, f) is None]
        if missing:
            hints = ", ".join(env_name(self.name, f) for f in missing)
            raise BadInput(f"secret {self.name!r} has no {'/'.join(missing)}: set {hints} "
                           f"or add it under {self.name!r} in the file named by COLO_SECRETS")
        return self


def env_name(name: str, field: str) -> str:
    return "COLO_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper() + "_" + field.upper()


def _from_file(path: str) -> Mapping[str, object]:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as e:
        raise BadInput(f"COLO_SECRETS={path}: cannot read it ({e.strerror}); fix the path or unset it") from None
    except yaml.YAMLError:
        # The parser's message quotes the offending text, which may be a secret.
        raise BadInput(f"COLO_SECRETS={path}: not valid YAML; expected 'name: {{username: ..., password: ...}}'") from None
    if not isinstance(data, dict):
        raise BadInput(f"COLO_SECRETS={path}: expected a mapping of secret names to fields")
    return data


def resolve(name: str, env: Mapping[str, str] | None = None) -> Credentials:
    """Collect the fields of secret `name` from the file and the environment."""
    env = os.environ if env is None else env
    fields: dict[str, str] = {}
    if env.get("COLO_SECRETS"):
        entry = _from_file(env["COLO_SECRETS"]).get(name)
        if entry is not None and not isinstance(entry, dict):
            raise BadInput(f"COLO_SECRETS: entry {name!r} must be a mapping with {', '.join(FIELDS)}")
        for key, value in (entry or {}).items():
            if key not in FIELDS:
                raise BadInput(f"COLO_SECRETS: entry {name!r} has unknown field {key!r}; use {', '.join(FIELDS)}")
            fields[key] = str(value)
    for f in FIELDS:
        if env_name(name, f) in env:
            fields[f] = env[env_name(name, f)]
    if not fields:
        raise BadInput(f"secret {name!r} not found: set {env_name(name, 'password')} (and friends) "
                       f"or point COLO_SECRETS at a YAML file with an entry {name!r}")
    return Credentials(
        name=name,
        username=fields.get("username"),
        **{f: Secret(fields[f]) for f in ("password", "enable", "community") if f in fields},
    )
