"""Device secrets: looked up by name, never stored in the inventory, never printed.

The inventory names a secret (`credentials: lab-switch`); its value comes from the
environment (`COLO_SECRET_LAB_SWITCH_PASSWORD`) or from the YAML file named by
`COLO_SECRETS`. The environment wins so CI can override one field of a file. Values are
wrapped in `Secret`, whose repr and str are masked, so a secret that ends up in a
traceback, a log line or a plan file shows as `***`.

A file entry is found under the secret's name or, failing that, under the name as the
environment spells it (`LAB_SWITCH` for `lab-switch`): that is how `file_form` can hand
environment secrets to a child process in a file rather than in its environment, where
tools such as ansible-runner record them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from provision.errors import BadInput

FIELDS = ("username", "password", "enable", "community")

# Every secret value this process has read, so log output can mask it wherever a library
# (netmiko's channel log, a traceback) prints it unwrapped: provision/logs.py.
_KNOWN: set[str] = set()


def known_values() -> frozenset[str]:
    return frozenset(_KNOWN)


class Secret:
    """A string that refuses to show itself except through `reveal()`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        if value:
            _KNOWN.add(value)

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
    return f"COLO_SECRET_{_spelling(name)}_{field.upper()}"


def _spelling(name: str) -> str:
    """A secret's name as its environment variables spell it."""
    return re.sub(r"[^A-Za-z0-9]", "_", name).upper()


_ENV_SECRET = re.compile(rf"COLO_SECRET_([A-Z0-9_]+)_({'|'.join(f.upper() for f in FIELDS)})")


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
        data = _from_file(env["COLO_SECRETS"])
        entry = data[name] if name in data else data.get(_spelling(name))
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


def file_form(env: Mapping[str, str] | None = None) -> dict[str, object] | None:
    """Every secret `resolve` finds in `env`, as the mapping a COLO_SECRETS file holds; None
    when no COLO_SECRET_* variable is set (COLO_SECRETS alone already is that file).

    Each variable's field is laid over every file entry it overrides and kept under its
    environment spelling too, so `resolve` answers every name alike from the file alone.
    """
    env = os.environ if env is None else env
    found = [(m[1], m[2].lower(), value) for key, value in env.items() if (m := _ENV_SECRET.fullmatch(key))]
    if not found:
        return None
    data = {name: dict(entry) if isinstance(entry, dict) else entry
            for name, entry in (_from_file(env["COLO_SECRETS"]) if env.get("COLO_SECRETS") else {}).items()}
    for spelling, field, value in found:
        data.setdefault(spelling, {})
        for entry in (data[name] for name in data if _spelling(str(name)) == spelling):
            if isinstance(entry, dict):  # anything else stays as it was, for `resolve` to refuse by name
                entry[field] = value
    return data
