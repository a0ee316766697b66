"""A real Nautobot server for the tests: PostgreSQL and Redis on 127.0.0.1, the server on a free port.

Nautobot's migrations take minutes on an empty database, so they run once into a template
database named after the installed Nautobot version (`colo_nautobot_tpl_<version>`); every
run clones it (`CREATE DATABASE … TEMPLATE …`, about a second) and starts `nautobot-server
runserver` on the clone. The template is built under a temporary name and renamed only when
migrate, the superuser and its API token are all in, so a killed build never leaves a broken
template behind; a PostgreSQL advisory lock keeps two builders apart.

With pytest-xdist every worker is its own session and gets its own server and database
(`serving`): the tests seed the worker's own device lab into it, whose ports no other
worker's server may point at.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

PG_ADMIN = os.environ.get("COLO_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", "5432", "postgres"
REDIS = ("127.0.0.1", 6379)
REDIS_DBS = (12, 13)  # broker and cache: away from databases 0 and 1, the defaults other software uses
BUILD_LOCK = 0x636F6C6F4E42  # pg_advisory_lock key ("coloNB") held while a template is built
USER = "colo-tests"

CONFIG = '''\
"""Written by tests/nautobot_server.py: Nautobot for colo's tests."""
import os
from nautobot.core.settings import *  # noqa: F403
from nautobot.core.settings_funcs import is_truthy  # noqa: F401

ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECRET_KEY = os.environ["NAUTOBOT_SECRET_KEY"]
CACHES["default"]["LOCATION"] = "redis://{host}:{port}/{cache_db}"  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = os.environ.get("COLO_NB_RUN", "colo")  # noqa: F405
CELERY_BROKER_URL = "redis://{host}:{port}/{broker_db}"
CELERY_TASK_ALWAYS_EAGER = True
'''


def nautobot_version() -> str | None:
    try:
        from importlib.metadata import version

        return version("nautobot")
    except Exception:
        return None


def unavailable() -> str | None:
    """Why the Nautobot tests cannot run here (None when they can): said in pytest's skip reason."""
    import socket

    if nautobot_version() is None or not _has("pynautobot"):
        return "nautobot/pynautobot not installed: pip install -e '.[nautobot]'"
    for what, (host, port) in (("PostgreSQL", (PG_HOST, int(PG_PORT))), ("Redis", REDIS)):
        try:
            socket.create_connection((host, port), timeout=2).close()
        except OSError as e:
            return f"{what} not reachable at {host}:{port} ({e.strerror}): the Nautobot tests need it"
    return None


def _has(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def template_name(version: str) -> str:
    return "colo_nautobot_tpl_" + re.sub(r"[^0-9a-z]", "_", version.lower())


def _admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)


def _exists(conn, name: str) -> bool:  # type: ignore[no-untyped-def]
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def _env(root: Path, db: str, run: str) -> dict[str, str]:
    """The environment every nautobot-server command of a run gets: no metrics, no outside calls."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NAUTOBOT_")}
    env.update(NAUTOBOT_ROOT=str(root), NAUTOBOT_DB_NAME=db, NAUTOBOT_DB_USER=PG_USER, NAUTOBOT_DB_HOST=PG_HOST,
               NAUTOBOT_DB_PORT=PG_PORT, NAUTOBOT_SECRET_KEY=secrets.token_hex(32),
               NAUTOBOT_INSTALLATION_METRICS_ENABLED="false", NAUTOBOT_LOG_LEVEL="WARNING", COLO_NB_RUN=run)
    return env


def _config(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / "nautobot_config.py"
    path.write_text(CONFIG.format(host=REDIS[0], port=REDIS[1], broker_db=REDIS_DBS[0], cache_db=REDIS_DBS[1]))
    return path


def _server_cmd() -> list[str]:
    return [str(Path(sys.executable).with_name("nautobot-server"))]


def _manage(root: Path, db: str, *args: str, timeout: float = 1800) -> str:
    out = subprocess.run([*_server_cmd(), "--config", str(_config(root)), *args], env=_env(root, db, "build"),
                         capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"nautobot-server {args[0]} failed ({out.returncode}): {out.stderr[-2000:]}")
    return out.stdout


TOKEN_SCRIPT = f"""
from nautobot.users.models import Token, User
user = User.objects.create_superuser("{USER}", "tests@colo.invalid", "unused-{{pw}}")
Token.objects.create(user=user, key="{{key}}")
"""


def ensure_template(root: Path) -> str:
    """The template database of the installed Nautobot, migrated with a superuser and a token; built if missing."""
    version = nautobot_version()
    assert version is not None
    name = template_name(version)
    with _admin() as conn:
        if _exists(conn, name):
            return name
        conn.execute("SELECT pg_advisory_lock(%s)", (BUILD_LOCK,))
        try:
            if _exists(conn, name):  # built by the process we waited for
                return name
            for (stale,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                         (name + "_building%",)).fetchall():
                conn.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')  # a killed build's leftovers
            building = f"{name}_building"
            conn.execute(f'CREATE DATABASE "{building}"')
            _manage(root, building, "migrate", "--no-input")
            script = TOKEN_SCRIPT.format(pw=secrets.token_hex(8), key=secrets.token_hex(20))
            _manage(root, building, "shell", "--command", script, timeout=300)
            conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (BUILD_LOCK,))
    return name


@dataclass
class NautobotServer:
    url: str
    token: str
    db: str
    pid: int
    root: str
    port: int

    def api(self):  # type: ignore[no-untyped-def]
        import pynautobot

        return pynautobot.api(self.url, token=self.token)

    def stop(self) -> None:
        """Stop the server (its whole process group); idempotent."""
        with suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _alive(self.pid):
            time.sleep(0.1)
        with suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)

    def start_again(self) -> NautobotServer:
        """The same database and port served by a new process (after `stop`): the outage test's recovery."""
        return _serve(Path(self.root), self.db, self.port, self.token)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    return True


def _free_port() -> int:
    import socket

    from provision.lab.control import free_port

    return free_port(socket.SOCK_STREAM)


def _serve(root: Path, db: str, port: int, token: str) -> NautobotServer:
    root.mkdir(parents=True, exist_ok=True)
    log = open(root / f"server-{port}.log", "ab")  # noqa: SIM115 - handed to the child, closed with it
    proc = subprocess.Popen([*_server_cmd(), "--config", str(_config(root)), "runserver", f"127.0.0.1:{port}",
                             "--noreload", "--skip-checks"], env=_env(root, db, db), stdout=log, stderr=log,
                            start_new_session=True)
    log.close()
    server = NautobotServer(f"http://127.0.0.1:{port}", token, db, proc.pid, str(root), port)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nautobot-server runserver exited {proc.returncode}; see {root}/server-{port}.log")
        try:
            req = urllib.request.Request(f"{server.url}/api/status/", headers={"Authorization": f"Token {token}"})
            with urllib.request.urlopen(req, timeout=5) as resp:
                if resp.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"nautobot-server did not answer on {server.url} within 180 s; see {root}")


def start(root: Path) -> NautobotServer:
    """A fresh database cloned from the template, and a server on a free loopback port."""
    template = ensure_template(root)
    db = f"colo_nb_{secrets.token_hex(5)}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
        with __import__("psycopg").connect(PG_ADMIN.rsplit("/", 1)[0] + f"/{db}") as dbconn:
            token = dbconn.execute("SELECT key FROM users_token LIMIT 1").fetchone()[0]
    try:
        return _serve(root, db, _free_port(), token)
    except Exception:
        drop(db)
        raise


def copy_database(db: str) -> str:
    """A copy of a stopped server's database (`CREATE DATABASE … TEMPLATE`), so the same Nautobot state can be
    served again from the start (bench/sot.py's second write-back run); `drop` it afterwards."""
    copy = f"colo_nb_{secrets.token_hex(5)}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{db}"')
    return copy


def drop(db: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def serving(root: Path) -> Iterator[NautobotServer]:
    """A server for one pytest session (an xdist worker): started from the template, stopped and its
    database dropped at the end."""
    server = start(root)
    try:
        yield server
    finally:
        server.stop()
        drop(server.db)


if __name__ == "__main__":  # build the template ahead of a test run: python tests/nautobot_server.py
    print(ensure_template(Path(os.environ.get("TMPDIR", "/tmp")) / "colo-nautobot-build"))
