"""The in-process rate-limit storage behind ``memory://``.

limits' own memory storage (5.8) starts a timer thread to sweep expired counters whenever the previous one has
finished, from inside each hit. Two request threads can both find the timer finished and one of them then
starts the other's thread a second time: ``RuntimeError: threads can only be started once``, a 500 on a
rate-limited page under gunicorn's threads (seen in the load benchmark; limits PR #352). Starting a thread
up to a hundred times a second per process is also costly. This storage is the same storage without the
timer: counters still expire when read (``get`` checks each key's expiry), and the sweep that frees memory
runs in the request at most once a second, by one thread at a time.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from limits.storage import MemoryStorage

SCHEME = "lms-memory"
SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = [SCHEME]  # registered with limits by its metaclass

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the one the parent started
        self._sweeping = threading.Lock()
        self._next_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # the parent's private hook, called on every hit
        now = time.monotonic()
        if now < self._next_sweep or not self._sweeping.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()
        finally:
            self._sweeping.release()


def storage_uri(configured: str) -> str:
    """``memory://`` (the default) means this storage; any other URI (``redis://``) is used as given."""
    return configured.replace("memory://", f"{SCHEME}://", 1) if configured.startswith("memory://") else configured
