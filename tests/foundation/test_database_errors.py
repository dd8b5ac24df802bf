"""A database error that will pass in a moment is a 503 with Retry-After; any other is a bug and a 500. Here
the classification and the API's JSON; the HTML page during a real outage is in tests/ops/test_database_restart.py."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from lms.errors import transient


def _error(orig: Exception, invalidated: bool = False) -> OperationalError:
    return OperationalError("SELECT 1", {}, orig, connection_invalidated=invalidated)


class _PgError(Exception):
    """Stands in for psycopg's errors, which carry the server's SQLSTATE (None when no server answered)."""

    def __init__(self, sqlstate: str | None):
        super().__init__("boom")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(("error", "expected"), [
    (_error(sqlite3.OperationalError("database is locked")), True),
    (_error(sqlite3.OperationalError("no such table: users")), False),
    (_error(sqlite3.OperationalError("unable to open database file")), False),  # a setup error: never passes
    (_error(_PgError("40P01")), True),  # deadlock detected
    (_error(_PgError("57P01")), True),  # the server is shutting down
    (_error(_PgError("08006")), True),  # connection failure
    (_error(_PgError("42P01")), False),  # undefined table: a bug
    (_error(_PgError(None)), True),  # could not connect at all
    (_error(sqlite3.OperationalError("no such table: users"), invalidated=True), True),
])
def test_what_counts_as_transient(error, expected):
    assert transient(error) is expected


@pytest.mark.parametrize(("message", "status"), [("database is locked", 503), ("no such column: x", 500)])
def test_the_api_answers_by_kind(client, monkeypatch, message, status):
    from lms.api import curricula

    def fail(*args, **kwargs):
        raise _error(sqlite3.OperationalError(message))

    monkeypatch.setattr(curricula, "paginated", fail)
    response = client.get("/api/v1/curricula")
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == ("unavailable" if status == 503 else "server_error")
    if status == 503:
        assert response.headers.get("Retry-After") == "5"  # its own wait, not the rate limiter's window

