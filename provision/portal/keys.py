"""The key that signs portal session cookies: 32 random bytes in a file only its owner can read.

Made on the first `colo portal serve` and kept, so sessions survive a restart; deleting the
file ends every session. The key is never printed: output names only the file.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from provision.errors import BadInput

_KEY = re.compile(r"[0-9a-f]{64}")


def default_path() -> Path:
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "colo" / "portal-session.key"


def load_or_create(path: Path) -> bytes:
    """The key in `path`, made (mode 0600) when the file does not exist yet."""
    if path.is_dir():
        raise BadInput(f"--key-file {path} is a directory: name a file in it, e.g. {path / 'portal-session.key'}")
    if not path.parent.is_dir():
        raise BadInput(f"--key-file {path}: directory {path.parent} does not exist: create it or choose another path")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    except OSError as e:
        raise BadInput(f"--key-file {path}: cannot create it ({e.strerror}): choose a writable path") from None
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex() + "\n")
    return key


def _read(path: Path) -> bytes:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise BadInput(f"--key-file {path} can be read by others (mode {mode:o}): chmod 600 {path}")
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"--key-file {path} cannot be read ({e}): fix its owner, or remove it to make a new key") from None
    if not _KEY.fullmatch(text):
        raise BadInput(f"--key-file {path} holds no portal key (64 hex digits): remove it and a new one is made")
    return bytes.fromhex(text)
