"""Secrets come from the environment or COLO_SECRETS and never show themselves."""

from __future__ import annotations

import pytest

from provision.errors import BadInput
from provision.secrets import Secret, env_name, resolve


def test_environment_overrides_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "s.yaml"
    f.write_text("lab-switch: {username: colo, password: from-file, enable: en}\n")
    creds = resolve("lab-switch", {"COLO_SECRETS": str(f), "COLO_SECRET_LAB_SWITCH_PASSWORD": "from-env"})
    assert creds.username == "colo"
    assert creds.password == Secret("from-env") and creds.enable == Secret("en")
    assert env_name("lab-snmp", "community") == "COLO_SECRET_LAB_SNMP_COMMUNITY"


def test_secret_never_prints() -> None:
    s = Secret("hunter2")
    creds = resolve("x", {"COLO_SECRET_X_PASSWORD": "hunter2"})
    for text in (repr(s), str(s), f"{s}", repr(creds), str(creds)):
        assert "hunter2" not in text


def test_missing_and_malformed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadInput, match="COLO_SECRET_NOPE_PASSWORD"):
        resolve("nope", {})
    bad = tmp_path / "bad.yaml"
    bad.write_text("x: {password: 'unterminated\n")
    with pytest.raises(BadInput, match="not valid YAML") as e:
        resolve("x", {"COLO_SECRETS": str(bad)})
    assert "unterminated" not in str(e.value)
    odd = tmp_path / "odd.yaml"
    odd.write_text("x: {pasword: p}\n")
    with pytest.raises(BadInput, match="unknown field 'pasword'"):
        resolve("x", {"COLO_SECRETS": str(odd)})
    with pytest.raises(BadInput, match="has no community"):
        resolve("x", {"COLO_SECRET_X_PASSWORD": "p"}).require("community")
