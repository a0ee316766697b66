"""Login throttling: 5 failed logins in 15 minutes lock that user name, or that address, for 15 minutes.

Both keys count: per user name stops guessing one customer's credential from many
addresses, per address stops one client from spraying many user names. Failures are
kept in this process's memory (the portal is one waitress process); a restart forgets
them, which only gives an attacker a fresh 5 guesses against a scrypt hash. Time is the
monotonic clock, not the run's `--at`: a lockout must end even when the portal shows a
fixed what-if time.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

PRUNE_ABOVE = 10_000  # tracked keys before stale ones are swept: an attacker cannot grow memory without bound


@dataclass
class LoginThrottle:
    limit: int = 5
    window_s: float = 15 * 60
    lockout_s: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def retry_after(self, *keys: str) -> int | None:
        """Whole seconds until every key is free again, or None when none is locked."""
        now = self.clock()
        with self._lock:
            left = max((self._locked_until.get(k, now) - now for k in keys), default=0.0)
        return math.ceil(left) if left > 0 else None

    def failed(self, *keys: str) -> int | None:
        """Count one failure against each key; the seconds of the lockout it started, if it started one."""
        now = self.clock()
        locked = None
        with self._lock:
            if len(self._failures) > PRUNE_ABOVE:
                self._prune(now)
            for key in keys:
                recent = self._failures.setdefault(key, deque())
                recent.append(now)
                while recent and recent[0] <= now - self.window_s:
                    recent.popleft()
                if len(recent) >= self.limit:
                    self._locked_until[key] = now + self.lockout_s
                    recent.clear()
                    locked = math.ceil(self.lockout_s)
        return locked

    def succeeded(self, key: str) -> None:
        """A good login clears its user name's count (the address keeps its own)."""
        with self._lock:
            self._failures.pop(key, None)

    def _prune(self, now: float) -> None:
        for key in [k for k, times in self._failures.items() if not times or times[-1] <= now - self.window_s]:
            del self._failures[key]
        for key in [k for k, until in self._locked_until.items() if until <= now]:
            del self._locked_until[key]
