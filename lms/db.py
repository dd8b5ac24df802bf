"""Declarative base with a naming convention, UTC datetimes and common column helpers."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from lms.clock import utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, always returns aware UTC, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def created_at_column() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), default=utcnow, nullable=False)


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite: enforce foreign keys, wait for locks, and let SQLAlchemy manage transactions."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (savepoints work then)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    # SQLite's own lower() and upper() change ASCII letters only, so a case-insensitive search (ilike, which
    # SQLAlchemy writes as lower(..) LIKE lower(..) here) would miss "Учебный" for "учебный"; Python's cover
    # Cyrillic and the Kazakh letters, as PostgreSQL's do
    dbapi_connection.create_function("lower", 1, _sql_case(str.lower), deterministic=True)
    dbapi_connection.create_function("upper", 1, _sql_case(str.upper), deterministic=True)


def _sql_case(change: Any) -> Any:
    return lambda value: change(value) if isinstance(value, str) else value


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Any) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("immediate") else "BEGIN")


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Test a pooled connection before use, as ``pool_pre_ping`` does, but only when it sat in the pool for at
    least ``idle_seconds``: the connections a server or a firewall drops are the idle ones, while under load
    each connection comes back within milliseconds and a test on every checkout is a round trip per request
    for nothing (a quarter of the throughput of ``/v/<code>``). A restart in the middle of traffic is caught
    by the first request that meets it: its 503 invalidates the pool, so every later request connects anew.
    A connection that fails its test is replaced at once (SQLAlchemy retries the checkout)."""
    from sqlalchemy.exc import DisconnectionError

    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_connection: Any, record: Any) -> None:
        record.info["lms_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _test_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.pop("lms_idle_since", None)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # just connected, or back in the pool a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(f"the pooled connection failed its test: {error}") from error
