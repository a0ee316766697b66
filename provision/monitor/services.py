"""Checks of a customer's www, email and ftp services (SLA §4.4), all at once on one event loop.

A check asks only "does the service answer as that kind of service": an HTTP status
line below 500 for www (a 404 on `/` is the customer's page, not an outage), a `220`
greeting for SMTP and FTP. TLS certificates are not judged: an expired certificate is
the customer's business, an unreachable server is ours to report.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from provision.errors import BadInput

KINDS = ("www", "email", "ftp")
DEFAULT_PORTS = {"email": 25, "ftp": 21}
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]+\]")


@dataclass(frozen=True)
class ServiceCheck:
    kind: str  # www | email | ftp
    target: str  # URL for www, host[:port] for email and ftp

    @property
    def endpoint(self) -> tuple[str, int, str, bool]:
        """(host, port, path, tls)."""
        if self.kind == "www":
            url = urlsplit(self.target)
            return url.hostname or "", url.port or (443 if url.scheme == "https" else 80), url.path or "/", \
                url.scheme == "https"
        host, port = _host_port(self.target)
        return host, int(port) if port else DEFAULT_PORTS[self.kind], "", False


def _host_port(target: str) -> tuple[str, str]:
    """`host` or `host:port` → (host, port text, '' when absent)."""
    host, _, port = target.rpartition(":") if ":" in target else (target, "", "")
    return host, port


def parse_check(kind: str, target: str) -> ServiceCheck:
    """Validate a check as given on the command line; the error names the option and the fix."""
    if kind not in KINDS:
        raise BadInput(f"check kind {kind!r}: give one of {', '.join(KINDS)}")
    target = target.strip()
    if kind == "www":
        try:
            url = urlsplit(target)
        except ValueError:  # an unbalanced [ of an IPv6 literal
            raise BadInput(f"--www {target!r}: give an http:// or https:// URL, e.g. http://203.0.113.10/") from None
        if url.scheme not in ("http", "https") or not url.hostname or not _HOST.fullmatch(url.hostname) \
                or any(c in target for c in " \r\n\t"):
            raise BadInput(f"--www {target!r}: give an http:// or https:// URL, e.g. http://203.0.113.10/")
        try:
            url.port  # noqa: B018 - raises on a bad port
        except ValueError:
            raise BadInput(f"--www {target!r}: the port is not a number 1-65535") from None
    else:
        host, port = _host_port(target)
        if not _HOST.fullmatch(host) or (port and not (port.isdigit() and 1 <= int(port) <= 65535)):
            raise BadInput(f"--{kind} {target!r}: give host or host:port, e.g. 203.0.113.10:{DEFAULT_PORTS[kind]}")
    return ServiceCheck(kind, target)


async def _probe(check: ServiceCheck, timeout: float) -> str | None:
    """None when the service answered as it should, else what was wrong."""
    host, port, path, tls = check.endpoint
    context: ssl.SSLContext | None = None
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port, ssl=context)
            try:
                if check.kind == "www":
                    writer.write(f"GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: colo-monitor\r\n\r\n".encode())
                    await writer.drain()
                line = (await reader.readline()).decode("latin-1").strip()
            finally:
                writer.close()
    except TimeoutError:
        return f"no answer within {timeout:g}s"
    except ConnectionRefusedError:
        return f"connection refused at {host}:{port}"
    except OSError as exc:
        return f"{host}:{port}: {exc.strerror or exc or exc.__class__.__name__}"
    if check.kind == "www":
        status = re.fullmatch(r"HTTP/\d\.\d (\d{3})(?: .*)?", line)
        if status is None:
            return f"not an HTTP answer: {line[:60]!r}"
        return None if int(status.group(1)) < 500 else f"HTTP {status.group(1)}"
    return None if line.startswith("220") else f"greeting {line[:60]!r}, not 220"


def run_checks(checks: Sequence[ServiceCheck], timeout: float = 5.0) -> list[str | None]:
    """Every check concurrently; results in the order given."""
    async def everything() -> list[str | None]:
        return list(await asyncio.gather(*(_probe(c, timeout) for c in checks)))

    return asyncio.run(everything()) if checks else []
