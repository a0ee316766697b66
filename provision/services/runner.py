"""`colo run`: a playbook through ansible-runner, with progress and a per-host summary.

The private data dir lives under `COLO_RUN_DIR` (default ./.colo-runs), artifacts are
rotated (the last 20 runs are kept). Only paths go into the environment handed to
Ansible — ansible-runner writes that environment into its artifacts — so secrets stay
in the file COLO_SECRETS names.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from provision.errors import BadInput, OperationFailed

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT / "playbooks" / "collections"
PASSED = ("COLO_DB", "COLO_SECRETS", "COLO_LAB_DIR", "COLO_LOCK_DIR", "COLO_USER")


def run(playbook: str, check: bool = False, extravars: dict[str, str] | None = None,
        progress: Callable[[str], None] | None = None, timeout: int = 1800) -> dict[str, Any]:
    path = Path(playbook).resolve()
    if not path.is_file():
        raise BadInput(f"playbook {playbook} does not exist: see playbooks/")
    import ansible_runner

    base = Path(os.environ.get("COLO_RUN_DIR", ".colo-runs")).resolve()
    (base / "inventory").mkdir(parents=True, exist_ok=True)
    (base / "inventory" / "hosts").write_text(
        f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n", encoding="utf-8")
    home = base / "home"
    envvars = {k: os.environ[k] for k in PASSED if k in os.environ} | {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "ANSIBLE_HOME": str(home), "ANSIBLE_LOCAL_TEMP": str(home / "tmp"), "ANSIBLE_REMOTE_TEMP": str(home / "tmp"),
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS), "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1",
        "ANSIBLE_CONFIG": str(base / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "0",
    }
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

    r = ansible_runner.run(
        private_data_dir=str(base), playbook=str(path), inventory=str(base / "inventory" / "hosts"),
        cmdline="--check --diff" if check else "--diff", extravars=dict(extravars or {}), envvars=envvars,
        suppress_env_files=True, rotate_artifacts=20, timeout=timeout, quiet=True, event_handler=on_event)
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
