"""`colo portal serve`: the portal application on waitress, a production WSGI server.

waitress is pure Python (no compiler, no C extension to build on the site's hosts), has
been maintained by the Pylons project for over a decade, runs a fixed pool of worker
threads behind one I/O thread, buffers each request before the application sees it (a
slow client cannot hold a worker), and strips X-Forwarded-* headers unless told to
trust them. `--tls-proxy` tells it to: the portal then sits behind a TLS-terminating
reverse proxy, listening where only that proxy reaches it (loopback), and takes the
client's address (for the login throttle and the audit log) and scheme (for the
Secure cookie) from the proxy's X-Forwarded-For and X-Forwarded-Proto. Everything is checked before the socket is bound: a bad
--listen or key file changes nothing.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provision.errors import BadInput, OperationFailed
from provision.portal import keys, views
from provision.portal.app import Portal, create_app
from provision.services.context import Context

THREADS = 8


@dataclass(frozen=True)
class Listen:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Listen:
        """HOST:PORT, an IPv6 host in brackets ([::1]:8080); port 0 lets the system choose a free one."""
        host, _, port = text.rpartition(":")
        host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        if not (port.isdigit() and int(port) <= 65535 and _is_address(host)):
            raise BadInput(f"--listen {text!r}: give an IP address and a port, e.g. 127.0.0.1:8080 or [::1]:8080")
        return cls(host, int(port))


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@dataclass
class Running:
    """A bound server: where it answers, and the loop to run until interrupted."""

    url: str
    key_file: Path
    server: Any

    def run(self) -> None:
        try:
            self.server.run()
        except KeyboardInterrupt:
            pass
        finally:
            self.server.close()


def bind(db: str | None, at: str | None, site: str | None, listen: str, key_file: str | None,
         tls_proxy: bool) -> Running:
    """Check the inputs, open the store, load (or make) the session key, then bind the socket.

    `site` None serves every site's customers; a name serves only that site's contracts."""
    from waitress import create_server

    where = Listen.parse(listen)
    ctx = views.pin_clock(Context.open(db, at, "portal", site=site))
    key_path = Path(key_file).expanduser() if key_file else keys.default_path()
    if key_file is None:
        key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    app = create_app(Portal(ctx, keys.load_or_create(key_path)))
    proxy: dict[str, Any] = {"trusted_proxy": "*", "trusted_proxy_count": 1,
                             "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}} if tls_proxy else {}
    try:
        server = create_server(app, host=where.host, port=where.port, threads=THREADS, ident="colo-portal", **proxy)
    except OSError as e:
        raise OperationFailed(f"--listen {listen}: cannot listen there ({e.strerror}): choose another port "
                              f"or stop what holds it") from None
    host = f"[{where.host}]" if ":" in where.host else where.host
    return Running(f"http://{host}:{server.effective_port}", key_path, server)
