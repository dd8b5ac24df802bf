"""The public check on PostgreSQL as deployed (the session bound to the engine, not to a test's transaction):
one statement, outside a transaction, reads the certificate and logs the check; the pooled connection then goes
back to ordinary transactions for the next request."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text

from lms import create_app
from lms.extensions import db
from tests import conftest
from tests.ops.conftest import own_database


def test_the_check_is_one_statement_committed_on_its_own(tmp_path):
    url, drop = own_database(tmp_path)
    if drop is None:
        pytest.skip("needs PostgreSQL (the CI's second pass): SQLite runs the lookup and the log as two statements")
    app = create_app(conftest.test_settings(tmp_path, url))
    try:
        with app.app_context():
            upgrade()
            db.session.remove()
        client = app.test_client()
        client.get("/healthz")
        statements, used = [], []
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda connection, *args: (
                statements.append(args[1]), used.append(connection.connection.dbapi_connection)))
        assert client.get("/v/" + "B" * 20).status_code == 404  # well formed, unknown: looked up and logged
        assert len(statements) == 1 and statements[0].lstrip().startswith("WITH"), statements
        other = create_engine(url)  # committed by itself: another connection sees the check at once
        with other.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM verification_checks WHERE NOT found")).scalar() == 1
        other.dispose()
        with app.app_context(), db.engine.connect() as connection:
            assert connection.connection.dbapi_connection is used[0]  # the same pooled connection,
            assert connection.connection.dbapi_connection.autocommit is False  # back to transactions
    finally:
        with app.app_context():
            db.engine.dispose()
        drop()
