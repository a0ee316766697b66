"""`colo run`: a playbook through ansible-runner, with progress and a per-host summary.

The private data dir lives under `COLO_RUN_DIR` (default ./.colo-runs), artifacts are
rotated (the last 20 runs are kept). ansible-runner writes the playbook's command line and
environment into each run's `command` artifact, and starts that environment from the whole
of its own process's, whatever it is told. So it is prepared with nothing in the process
environment but what a playbook needs (`KEPT` and the Ansible settings below), and no secret
value reaches either: COLO_SECRET_* variables are handed over as a COLO_SECRETS file and a
store URL's password as a PGPASSFILE, both 0600 in a private directory outside the run dir,
removed when the run ends however it ends.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from provision.errors import BadInput, OperationFailed
from provision.secrets import file_form

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT / "playbooks" / "collections"
KEPT = ("HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "XDG_DATA_HOME", "PYTHONPATH",
        "COLO_DB", "COLO_SECRETS", "COLO_LAB_DIR", "COLO_LOCK_DIR", "COLO_USER")


def run(playbook: str, check: bool = False, extravars: dict[str, str] | None = None,
        progress: Callable[[str], None] | None = None, timeout: int = 1800) -> dict[str, Any]:
    path = Path(playbook).resolve()
    if not path.is_file():
        raise BadInput(f"playbook {playbook} does not exist: see playbooks/")
    from ansible_runner.interface import init_runner

    base = Path(os.environ.get("COLO_RUN_DIR", ".colo-runs")).resolve()
    (base / "inventory").mkdir(parents=True, exist_ok=True)
    (base / "inventory" / "hosts").write_text(
        f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n", encoding="utf-8")
    (base / "ansible.cfg").write_text("[defaults]\ninterpreter_python = auto_silent\n", encoding="utf-8")
    results: list[dict[str, Any]] = []

    def on_event(event: dict[str, Any]) -> bool:
        kind = event.get("event", "")
        data = event.get("event_data", {})
        if kind in ("runner_on_ok", "runner_on_failed", "runner_on_unreachable", "runner_on_skipped"):
            res = data.get("res", {})
            entry = {"host": data.get("host"), "task": data.get("task"), "status": kind.removeprefix("runner_on_"),
                     "changed": bool(res.get("changed")), "diff": res.get("diff"), "msg": res.get("msg")}
            results.append(entry)
            if progress is not None:
                flag = "changed" if entry["changed"] else entry["status"]
                progress(f"{entry['host']}: {entry['task']}: {flag}" + (f" — {entry['msg']}" if entry["msg"] and
                                                                        entry["status"] == "failed" else ""))
        return True

    with tempfile.TemporaryDirectory(prefix="colo-run-") as private:  # 0700, and removed however the run ends
        envvars, variables = _handed_over(Path(private), dict(extravars or {}))
        envvars |= _ansible_settings(base)
        with _only(envvars):
            r = init_runner(
                private_data_dir=str(base), playbook=str(path), inventory=str(base / "inventory" / "hosts"),
                cmdline="--check --diff" if check else "--diff", extravars=variables, envvars=envvars,
                suppress_env_files=True, rotate_artifacts=20, timeout=timeout, quiet=True, event_handler=on_event)
        r.run()
    summary = {host: {k: r.stats.get(k, {}).get(host, 0) for k in ("ok", "changed", "failures", "dark", "skipped")}
               for host in set().union(*(r.stats.get(k, {}) for k in ("ok", "changed", "failures", "dark")))} \
        if r.stats else {}
    out = {"playbook": str(path), "check": check, "status": r.status, "rc": r.rc, "summary": summary,
           "tasks": results, "artifacts": str(Path(r.config.artifact_dir))}
    if r.rc != 0:
        failed = next((t for t in results if t["status"] in ("failed", "unreachable")), None)
        reason = f"{failed['task']}: {failed['msg']}" if failed else f"ansible-playbook exited {r.rc} ({r.status})"
        raise OperationFailed(f"playbook {path.name} failed — {reason}; artifacts in {out['artifacts']}")
    return out


def _ansible_settings(base: Path) -> dict[str, str]:
    """Ansible confined to the run dir and this toolkit's collection; this venv's ansible-playbook first."""
    home = base / "home"
    return {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "ANSIBLE_HOME": str(home), "ANSIBLE_LOCAL_TEMP": str(home / "tmp"), "ANSIBLE_REMOTE_TEMP": str(home / "tmp"),
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS), "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1",
        "ANSIBLE_CONFIG": str(base / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "0",
    }


def _handed_over(private: Path, variables: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """The playbook's environment (`KEPT` only) and extra variables, with every secret value moved
    into a file in `private` that only its path points at: ansible-runner records both."""
    import yaml

    env = {k: os.environ[k] for k in KEPT if k in os.environ}
    secrets = file_form()
    if secrets is not None:
        env["COLO_SECRETS"] = _private_file(private / "secrets.yaml", yaml.safe_dump(secrets))
    pgpass: list[str] = []
    if "COLO_DB" in env:
        env["COLO_DB"] = _without_password(env["COLO_DB"], pgpass)
    if isinstance(variables.get("db"), str):
        variables["db"] = _without_password(variables["db"], pgpass)
    if pgpass:
        env["PGPASSFILE"] = _private_file(private / "pgpass", "".join(pgpass))
    return env, variables


def _without_password(raw: str, pgpass: list[str]) -> str:
    """A PostgreSQL store URL without its password; the password goes to `pgpass` as the line
    of a libpq password file, which libpq reads when the URL has none."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(raw) if "://" in raw else None
    except ArgumentError:  # the module refuses it by name
        return raw
    if url is None or url.password is None or url.get_backend_name() != "postgresql":
        return raw
    pgpass.append(":".join("*" if v is None else re.sub(r"([\\:])", r"\\\1", str(v))
                           for v in (url.host, url.port, url.database, url.username, url.password)) + "\n")
    return url._replace(password=None).render_as_string(hide_password=False)


def _private_file(path: Path, text: str) -> str:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return str(path)


@contextmanager
def _only(env: Mapping[str, str]) -> Iterator[None]:
    """The process environment is `env` alone inside the block, and as it was afterwards."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
