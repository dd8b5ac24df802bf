"""Password hashing (Argon2id, tuned by settings) and the password policy."""

from __future__ import annotations

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


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists, so timing does not reveal accounts."""
    global DUMMY_HASH
    if not password_hash:
        if DUMMY_HASH is None:
            DUMMY_HASH = hasher().hash("dummy password for timing")
        password_hash = DUMMY_HASH
        _verify(password_hash, password)
        return False
    return _verify(password_hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
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
