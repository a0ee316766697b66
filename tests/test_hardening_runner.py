"""`colo run` leaves no secret value and no unrelated environment in ansible-runner's artifacts.

ansible-runner writes each run's command line and environment to `artifacts/<id>/command`
(and events, stdout, status beside it) and keeps 20 runs: whatever reaches the playbook's
environment or command line is on disk for weeks. These tests run real playbooks on the lab
and read back every file the runner left.
"""

from __future__ import annotations

import json
import secrets
import socket
import struct
import tempfile
import threading
from pathlib import Path

import pytest
import yaml

from provision.errors import BadInput
from provision.secrets import file_form, resolve
from provision.services.runner import _private_file, _without_password
from tests.conftest import ROOT, Lab
from tests.lab_contracts import sign_on

PROVISION = str(ROOT / "playbooks" / "provision.yml")


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLO_RUN_DIR", str(tmp_path / "runs"))
    return tmp_path / "runs"


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the run's private directory goes, to see it removed."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


def _leaks(run_dir: Path, *needles: str) -> list[str]:
    """Every file under the run dir holding any needle, named with the needle found."""
    files = [p for p in run_dir.rglob("*") if p.is_file()]
    assert any(p.name == "command" for p in files), "the runner's command artifact is there to read"
    return [f"{p.relative_to(run_dir)}: {n[:12]}" for p in files for n in needles
            if n.encode() in p.read_bytes()]


def test_environment_secrets_reach_the_playbook_but_no_artifact(lab: Lab, lab_db: str, run_dir: Path,
                                                                private_tmp: Path, colo,  # type: ignore[no-untyped-def]
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from provision.secrets import env_name

    values = []
    monkeypatch.delenv("COLO_SECRETS")
    for name, fields in yaml.safe_load(Path(lab.secrets).read_text()).items():
        for field, value in fields.items():
            monkeypatch.setenv(env_name(name, field), str(value))
            values += [] if field == "username" else [str(value)]  # "colo": a name, not a secret
    marker = f"unrelated-{secrets.token_hex(8)}"
    monkeypatch.setenv("COLO_TEST_UNRELATED", marker)
    cid = sign_on(lab_db, "cisco_ios")["id"]

    failed = colo("--db", lab_db, "run", PROVISION, "-e", "contract=C2099-0001")
    assert failed.code == 1 and "does not exist" in failed.err
    assert list(private_tmp.iterdir()) == [], "the private secrets file is gone after a failed run too"
    done = colo("--db", lab_db, "--at", "2026-11-25T09:00", "run", PROVISION, "-e", f"contract={cid}", "--json")
    assert done.code == 0, done.err  # the switch and PDUs were opened with the environment's secrets
    assert json.loads(done.out)["summary"]["localhost"]["changed"] == 1
    assert list(private_tmp.iterdir()) == []

    assert _leaks(run_dir, *values, marker, "COLO_TEST_UNRELATED", "COLO_SECRET_") == []
    passed = json.loads(next(run_dir.rglob("command")).read_text())["env"]
    assert "PATH" in passed and not any(k.startswith("COLO_SECRET_") for k in passed)


def test_a_store_password_reaches_no_artifact(lab: Lab, pg_url: str, run_dir: Path, private_tmp: Path,
                                              colo) -> None:  # type: ignore[no-untyped-def]
    from provision.api import Colo

    lab.reset()
    Colo(db=pg_url).init(str(lab.inventory))
    cid = sign_on(pg_url, "hp_comware")["id"]
    password = f"pw-{secrets.token_hex(8)}"  # the test server trusts 127.0.0.1: any password opens it
    with_password = pg_url.replace("postgres@", f"postgres:{password}@")
    done = colo("--db", with_password, "--at", "2026-11-25T09:00", "run", PROVISION, "-e", f"contract={cid}")
    assert done.code == 0, done.err
    assert Colo(db=pg_url).contract(cid)["state"] == "provisioned"
    assert _leaks(run_dir, password) == [] and list(private_tmp.iterdir()) == []


def _password_asker(heard: list[bytes]) -> int:
    """A PostgreSQL server's first steps on 127.0.0.1: refuse TLS, ask a cleartext password, record it."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = server.accept()
        with conn, server:
            while True:
                size, code = struct.unpack("!ii", conn.recv(8))
                if code in (80877103, 80877104):  # SSLRequest, GSSENCRequest: not here
                    conn.sendall(b"N")
                    continue
                conn.recv(size - 8)  # the startup parameters
                conn.sendall(b"R" + struct.pack("!ii", 8, 3))
                kind, length = struct.unpack("!ci", conn.recv(5))
                heard.append(conn.recv(length - 4).rstrip(b"\0"))
                return

    threading.Thread(target=serve, daemon=True).start()
    return int(server.getsockname()[1])


def test_libpq_reads_the_password_the_runner_moved_out_of_the_url(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    heard: list[bytes] = []
    port = _password_asker(heard)
    pgpass: list[str] = []
    url = _without_password(f"postgresql://colo:p%3Aw%5Cd*@127.0.0.1:{port}/colo", pgpass)
    assert url == f"postgresql://colo@127.0.0.1:{port}/colo"
    monkeypatch.setenv("PGPASSFILE", _private_file(tmp_path / "pgpass", "".join(pgpass)))
    assert (tmp_path / "pgpass").stat().st_mode & 0o777 == 0o600
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=5)
    assert heard == [b"p:w\\d*"]
    assert _without_password("/var/lib/colo/colo.db", pgpass) == "/var/lib/colo/colo.db" and len(pgpass) == 1


def test_the_file_form_of_environment_secrets_answers_every_name_alike(tmp_path: Path) -> None:
    """What `colo run` writes for the playbook: resolve() reads the same from it as from the environment."""
    original = tmp_path / "secrets.yaml"
    original.write_text("lab-switch: {username: colo, password: from-file, enable: en}\n"
                        "pdu: {community: 12345}\nbroken: just-text\n")
    env = {"COLO_SECRETS": str(original), "COLO_SECRET_LAB_SWITCH_PASSWORD": "from-env",
           "COLO_SECRET_CORE_SW_ENABLE": "core-en", "COLO_SECRET_BROKEN_PASSWORD": "x",
           "COLO_SECRET_lower_PASSWORD": "never read", "COLO_SECRETISH": "not a secret"}
    bundle = file_form(env)
    assert bundle is not None and "never read" not in str(bundle)
    written = tmp_path / "handed-over.yaml"
    written.write_text(yaml.safe_dump(bundle))
    for name in ("lab-switch", "lab_switch", "LAB_SWITCH", "core-sw", "core.sw", "pdu", "broken", "absent"):
        try:
            expected: object = resolve(name, env)
        except BadInput as e:
            expected = str(e).replace(str(original), "FILE")
        try:
            got: object = resolve(name, {"COLO_SECRETS": str(written)})
        except BadInput as e:
            got = str(e).replace(str(written), "FILE")
        assert got == expected, name
    assert file_form({"COLO_SECRETS": str(original)}) is None, "no variables: the file is passed as it is"
