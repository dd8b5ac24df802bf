"""Password hashing (Argon2id, tuned by settings) and the password policy."""

from __future__ import annotations

import contextlib
import os
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

COMMON_PASSWORDS = frozenset(
    """
    123456789 1234567890 12345678910 qwertyuiop qwerty12345 password123 password1234 1q2w3e4r5t
    1q2w3e4r5t6y qwerty123456 passw0rd123 iloveyou123 11111111111 0000000000 1111111111 abc1234567
    admin12345 administrator welcome123 letmein1234 q1w2e3r4t5 zaq12wsxcde 123qweasdzxc
    qazwsxedcrfv parol12345 пароль12345 йцукенгшщз kazakhstan qazaqstan kyrgyzstan bishkek123
    almaty1234 astana1234 changeme123 secret12345 default1234 password01 password2024 password2025
    password2026
    """.split()  # noqa: SIM905
)

DUMMY_HASH: str | None = None


def hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["LMS_PASSWORD_TIME_COST"], memory_cost=cfg["LMS_PASSWORD_MEMORY_COST"], parallelism=1
    )


# ---------------------------------------------------------------------------- the password lane
# Argon2id is deliberately expensive (~25 ms of CPU), and on exam day thousands of candidates sign in within
# a minute while others are already answering. Hashing therefore runs in one thread per process at the
# lowest CPU priority: Linux gives CPU to the request threads first (saving answers, showing questions) and
# the lane takes what they leave. argon2-cffi releases the GIL while hashing, so the lane does not hold up
# the other threads of its process either. Sign-ins that cannot even queue (more than PASSWORD_LANE_DEPTH
# waiting in this process) are refused with ``Busy`` at once, so they never occupy every request thread.
T = TypeVar("T")


class Busy(Exception):
    """Too many sign-ins are waiting in this process: ask the browser to retry after ``retry_after`` s."""

    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class Lane:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._nice = 0
        self.waiting = 0

    def _lower_priority(self) -> None:
        # On Linux the calling thread only (the nice value is per thread there). Where the call is missing or
        # refused, the lane still works, at normal priority.
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, 0, self._nice)

    def executor(self, nice: int) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None or self._pid != os.getpid():  # a forked worker starts its own thread
                self._pid, self._nice, self.waiting = os.getpid(), nice, 0
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="password-lane",
                                                    initializer=self._lower_priority)
            return self._executor

    def full(self) -> bool:
        """Would a sign-in be refused now? A view may look before any work; ``run`` decides under the lock."""
        cfg = current_app.config
        return cfg["LMS_PASSWORD_LANE_NICE"] > 0 and self.waiting >= cfg["LMS_PASSWORD_LANE_DEPTH"]

    def run(self, work: Callable[[], T], *, admit: bool = False) -> T:
        """``work()`` in the lane. ``admit``: a sign-in, refused with ``Busy`` when the lane is full."""
        nice = current_app.config["LMS_PASSWORD_LANE_NICE"]
        if nice <= 0:
            return work()
        executor = self.executor(nice)
        with self._lock:
            if admit and self.full():
                raise Busy(retry_after=retry_after())
            self.waiting += 1
        try:
            return executor.submit(work).result()
        finally:
            with self._lock:
                self.waiting -= 1


lane = Lane()


def retry_after() -> int:
    """Seconds a refused sign-in waits: spread (3-10 s), so that the retries of a wave neither come back
    together nor, each costing a request, take the CPU the lane needs to admit them."""
    return random.randint(3, 10)  # noqa: S311 - spreading, not secrecy


def hash_password(password: str) -> str:
    ph = hasher()
    return lane.run(lambda: ph.hash(password))


def verify_password(password_hash: str | None, password: str, *, admit: bool = False) -> bool:
    """Constant work whether or not the account exists, so timing does not reveal accounts. ``admit``: a
    sign-in, which may be refused with ``Busy`` at a peak (see the lane above)."""
    global DUMMY_HASH
    ph = hasher()
    if not password_hash:
        if DUMMY_HASH is None:
            DUMMY_HASH = hash_password("dummy password for timing")
        dummy = DUMMY_HASH
        lane.run(lambda: _verify(ph, dummy, password), admit=admit)
        return False
    return lane.run(lambda: _verify(ph, password_hash, password), admit=admit)


def _verify(ph: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return ph.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


def password_problem(password: str, *, email: str = "", name: str = "") -> object | None:
    """A translatable reason why ``password`` is too weak, or None if it is acceptable."""
    min_length = current_app.config["LMS_PASSWORD_MIN_LENGTH"]
    if len(password) < min_length:
        return _l("Use at least %(n)s characters.", n=min_length)
    if len(password) > 256:
        return _l("Use at most 256 characters.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        return _l("This password is too common or too simple: choose another.")
    local = email.split("@")[0].lower()
    if (local and len(local) >= 4 and local in lowered) or any(
        part and len(part) >= 4 and part.lower() in lowered for part in name.split()
    ):
        return _l("The password must not contain your name or e-mail.")
    if password.isdigit():
        return _l("A password of digits only is too easy to guess: add letters.")
    return None
