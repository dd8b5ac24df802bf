"""Configuration: defaults -> instance/config.py -> LMS_* environment -> a test mapping.

Every setting is declared once here with its type, so an environment variable is parsed by the
declared type and never guessed from its text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lms.ratelimit_storage import storage_uri


class ConfigError(RuntimeError):
    """Raised when the configuration cannot start the application."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {raw!r}")


def _list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Any = str
    doc: str = ""


SETTINGS: tuple[Setting, ...] = (
    Setting("ENV", "development", str, "development or production"),
    Setting("SECRET_KEY", None, str, "signs sessions, CSRF tokens and links; instance/secret_key in development"),
    Setting("SIGNING_KEY_PATH", None, str, "PEM file with the Centre's Ed25519 private key"),
    Setting("DATABASE_URL", None, str, "SQLAlchemy URL; default sqlite:///instance/lms.sqlite3"),
    Setting("DATABASE_PRE_PING", True, _bool,
            "test a pooled connection before use when it sat idle (off: the first request on a connection the "
            "database dropped gets a 503 and the pool is renewed)"),
    Setting("DATABASE_PING_IDLE", 10.0, float,
            "seconds a pooled connection may sit idle and still be used untested (0: test it every time, a "
            "round trip per request)"),
    Setting("COUNTRY", "KZ", str, "country profile: KZ or KG"),
    Setting("DEFAULT_LOCALE", None, str, "UI language when none is chosen; default the profile's state language"),
    Setting("CENTRE_NAME", None, str, "overrides the profile's name of the Centre"),
    Setting("BASE_URL", "http://127.0.0.1:5000", str, "public address used in e-mails, QR codes and PDFs"),
    Setting("TRUSTED_PROXIES", 0, int, "number of reverse proxies in front of the app (enables ProxyFix)"),
    Setting("SESSION_COOKIE_SECURE", None, _bool, "secure cookies; default on in production"),
    Setting("RATELIMIT_STORAGE_URI", "memory://", str, "Flask-Limiter storage, e.g. redis://127.0.0.1:6379/0"),
    Setting("RATELIMIT_ENABLED", True, _bool, "switch rate limiting off (benchmarks only)"),
    Setting("RATELIMIT_LOGIN", "10 per minute;100 per hour", str, "limit on sign-in attempts per account"),
    Setting("RATELIMIT_LOGIN_ADDRESS", "300 per minute;3000 per hour", str,
            "limit on sign-in attempts per client address (an exam room behind one address signs in together)"),
    Setting("RATELIMIT_RESET", "5 per minute;20 per hour", str, "limit on password-reset requests per client"),
    Setting("RATELIMIT_PUBLIC", "120 per minute", str, "limit on public endpoints per client"),
    Setting("RATELIMIT_VERIFY", "600 per minute", str,
            "limit on certificate checks per client (a proctored room or an office shares one address)"),
    Setting("PASSWORD_TIME_COST", 2, int, "Argon2id iterations"),
    Setting("PASSWORD_MEMORY_COST", 19456, int,
            "Argon2id memory in KiB (19 MiB with 2 iterations: OWASP's recommended minimum; ~22 ms per hash here)"),
    Setting("PASSWORD_LANE_NICE", 19, int,
            "CPU niceness of the thread that hashes passwords (one per process; 0 hashes in the request's "
            "thread): a wave of sign-ins then takes only the CPU that candidates already in a test leave"),
    Setting("PASSWORD_LANE_DEPTH", 2, int,
            "sign-ins one process lets wait for that thread; more are asked to retry (503, Retry-After), which "
            "the sign-in page does by itself, so waiting sign-ins never hold every request thread"),
    Setting("PASSWORD_MIN_LENGTH", 10, int, "minimum password length"),
    Setting("RESET_TOKEN_MAX_AGE", 3600, int, "seconds a password-reset link stays valid"),
    Setting("INVITE_TOKEN_MAX_AGE", 7 * 24 * 3600, int, "seconds an account-activation link stays valid"),
    Setting("CLAIM_TOKEN_MAX_AGE", 45 * 24 * 3600, int, "seconds a trainee's enrolment link stays valid"),
    Setting("SHARE_TOKEN_MAX_AGE", 30 * 24 * 3600, int, "seconds a certificate share link works"),
    Setting("ENROLMENT_MAX_ROWS", 2000, int, "most rows in one enrolment file"),
    Setting("API_BATCH_MAX", 1000, int, "most items in one batch API request"),
    Setting("TRAINING_VALID_DAYS", 365, int, "a training record makes its holder eligible for the test this long"),
    Setting("QUALITY_MARGIN", 15, int, "percentage points below the national first-attempt pass rate that flag"),
    Setting("QUALITY_MIN_ATTEMPTS", 10, int, "first attempts an organisation needs before it can be flagged"),
    Setting("OPEN_DATA_MIN_CELL", 10, int, "open data withholds every count from 1 to this less one"),
    Setting("REPORTS_REFRESH_SECONDS", 900, int, "how often the worker rebuilds the report tables"),
    Setting("MAIL_FROM", "no-reply@osh-centre.local", str, "sender of outgoing mail"),
    Setting("SMTP_HOST", "", str, "SMTP server; empty keeps mail in the outbox (development)"),
    Setting("SMTP_PORT", 587, int, "SMTP port"),
    Setting("SMTP_USER", "", str, "SMTP user"),
    Setting("SMTP_PASSWORD", "", str, "SMTP password"),
    Setting("SMTP_STARTTLS", True, _bool, "use STARTTLS"),
    Setting("SHOW_OUTBOX", None, _bool, "Centre admins may read the outbox; default on in development"),
    Setting("STORAGE_BACKEND", "local", str, "file storage: local or s3"),
    Setting("STORAGE_PATH", None, str, "directory for local storage; default instance/storage"),
    Setting("BACKUP_PATH", None, str, "directory flask backup writes to; default instance/backups"),
    Setting("S3_BUCKET", "", str, "bucket for s3 storage"),
    Setting("S3_ENDPOINT_URL", "", str, "endpoint of an S3-compatible service"),
    Setting("S3_REGION", "us-east-1", str, "region for s3 storage"),
    Setting("MAX_UPLOAD_MB", 64, int, "largest accepted request body in MiB (a larger one gets a 413 page)"),
    Setting("DOCUMENT_MAX_MB", 10, int, "largest supporting document in MiB (a larger one gets a message)"),
    Setting("DOCUMENTS_MAX", 20, int, "most supporting documents per application"),
    Setting("WORKER_POLL_SECONDS", 1.0, float, "how often the worker looks for jobs"),
    Setting("LOG_LEVEL", "INFO", str, "logging level"),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _read_instance_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    namespace: dict[str, Any] = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102
    return {k: v for k, v in namespace.items() if k.isupper()}


def load_settings(instance_path: str, overrides: dict[str, Any] | None = None,
                  environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the resolved settings (names without the LMS_ prefix)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    instance = Path(instance_path)

    for key, value in _read_instance_file(instance / "config.py").items():
        values[key.removeprefix("LMS_")] = value

    for setting in SETTINGS:
        raw = environ.get(f"LMS_{setting.name}")
        if raw is None and setting.name == "DATABASE_URL":
            raw = environ.get("DATABASE_URL")
        if raw is None:
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"LMS_{setting.name}: {exc}") from exc

    for key, value in (overrides or {}).items():
        values[key.removeprefix("LMS_")] = value

    return _finish(values, instance)


def _finish(values: dict[str, Any], instance: Path) -> dict[str, Any]:
    env = values["ENV"]
    if env not in {"development", "production"}:
        raise ConfigError(f"LMS_ENV must be development or production, not {env!r}")
    production = env == "production"
    values["COUNTRY"] = str(values["COUNTRY"]).upper()
    if values["COUNTRY"] not in {"KZ", "KG"}:
        raise ConfigError(f"LMS_COUNTRY must be KZ or KG, not {values['COUNTRY']!r}")

    if not values["SECRET_KEY"]:
        key_file = instance / "secret_key"
        if production or not key_file.exists():
            raise ConfigError(
                "No SECRET_KEY: set LMS_SECRET_KEY"
                + ("" if production else " or run 'make setup', which writes instance/secret_key")
            )
        values["SECRET_KEY"] = key_file.read_text(encoding="utf-8").strip()

    if not values["SIGNING_KEY_PATH"]:
        default_key = instance / "signing_key.pem"
        if production:
            raise ConfigError("No signing key: set LMS_SIGNING_KEY_PATH to the Centre's Ed25519 PEM key")
        values["SIGNING_KEY_PATH"] = str(default_key)
    elif production and not Path(values["SIGNING_KEY_PATH"]).exists():
        raise ConfigError(f"LMS_SIGNING_KEY_PATH points to a missing file: {values['SIGNING_KEY_PATH']}")

    if not values["DATABASE_URL"]:
        values["DATABASE_URL"] = f"sqlite:///{instance / 'lms.sqlite3'}"
    url = values["DATABASE_URL"]
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    values["DATABASE_URL"] = url

    if values["SESSION_COOKIE_SECURE"] is None:
        values["SESSION_COOKIE_SECURE"] = production
    if values["SHOW_OUTBOX"] is None:
        values["SHOW_OUTBOX"] = not production
    if not values["STORAGE_PATH"]:
        values["STORAGE_PATH"] = str(instance / "storage")
    if not values["BACKUP_PATH"]:
        values["BACKUP_PATH"] = str(instance / "backups")
    if values["STORAGE_BACKEND"] not in {"local", "s3"}:
        raise ConfigError("LMS_STORAGE_BACKEND must be local or s3")
    if values["STORAGE_BACKEND"] == "s3" and not values["S3_BUCKET"]:
        raise ConfigError("LMS_STORAGE_BACKEND=s3 needs LMS_S3_BUCKET")
    return values


def flask_config(values: dict[str, Any]) -> dict[str, Any]:
    """Map resolved settings onto the keys Flask and its extensions read."""
    production = values["ENV"] == "production"
    mapped = {f"LMS_{k}": v for k, v in values.items()}
    mapped.update(
        SECRET_KEY=values["SECRET_KEY"],
        SQLALCHEMY_DATABASE_URI=values["DATABASE_URL"],
        MAX_CONTENT_LENGTH=values["MAX_UPLOAD_MB"] * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=values["SESSION_COOKIE_SECURE"],
        SESSION_COOKIE_NAME="lms_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=values["SESSION_COOKIE_SECURE"],
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        WTF_CSRF_SSL_STRICT=production,
        RATELIMIT_STORAGE_URI=storage_uri(values["RATELIMIT_STORAGE_URI"]),
        RATELIMIT_ENABLED=values["RATELIMIT_ENABLED"],
        RATELIMIT_HEADERS_ENABLED=True,
        BABEL_DEFAULT_TIMEZONE="UTC",
    )
    # Keys passed straight through from a test mapping or the instance file (e.g. TESTING, WTF_CSRF_ENABLED).
    for key, value in values.items():
        if key not in _BY_NAME:
            mapped[key] = value
    return mapped
