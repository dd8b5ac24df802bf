"""The in-process rate-limit storage behind memory:// (see lms/ratelimit_storage.py): safe under threads,
no timer thread per hit, counters still expiring."""

import threading
import time

from lms.extensions import limiter
from lms.ratelimit_storage import SweptMemoryStorage, storage_uri
from tests.conftest import run_together


def test_memory_means_the_swept_storage(app):
    assert isinstance(limiter.storage, SweptMemoryStorage)
    assert storage_uri("memory://") == "lms-memory://"
    assert storage_uri("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_hits_from_many_threads_count_exactly_and_start_no_thread(monkeypatch):
    storage = SweptMemoryStorage()

    def no_timer(*args, **kwargs):
        raise AssertionError("a timer thread was started")

    monkeypatch.setattr(threading, "Timer", no_timer)
    errors: list[BaseException] = []

    def hit() -> None:
        try:
            for n in range(500):
                storage.incr("shared", 60)
                storage.incr(f"own-{threading.get_ident()}-{n % 7}", 60)
                storage.acquire_entry("window", 10_000, 60)
        except BaseException as exc:  # noqa: BLE001 - any failure in a thread fails the test
            errors.append(exc)

    run_together(hit)
    assert errors == []
    assert storage.get("shared") == 8 * 500
    assert storage.get_moving_window("window", 10_000, 60)[1] == 4000


def test_counters_expire_and_the_sweep_frees_them():
    storage = SweptMemoryStorage()
    storage.incr("brief", 0.05)
    assert storage.get("brief") == 1
    time.sleep(0.1)
    storage.incr("other", 60)  # within a second of the last sweep: no sweep yet
    assert "brief" in storage.storage
    assert storage.get("brief") == 0  # but a read sees it expired
    storage.incr("brief2", 0.05)
    time.sleep(0.1)
    storage._next_sweep = 0.0  # a second has passed
    storage.incr("other", 60)
    assert "brief2" not in storage.storage and storage.get("other") == 2
