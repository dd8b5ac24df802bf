"""LMS_DATABASE_PRE_PING: on (the default), a pooled connection the server dropped is replaced before use;
off, the first request on it gets the 503 page, the pool is renewed and the next request is served."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from lms import create_app
from lms.extensions import db
from tests import conftest
from tests.ops.conftest import own_database


@pytest.mark.parametrize("pre_ping", [True, False])
def test_a_connection_the_server_dropped(tmp_path, pre_ping):
    url, drop = own_database(tmp_path)
    if drop is None:
        pytest.skip("needs PostgreSQL (the CI's second pass): SQLite has no server to drop a connection")
    app = create_app(conftest.test_settings(tmp_path, url, DATABASE_PRE_PING=pre_ping))
    try:
        with app.app_context():
            upgrade()
            db.session.remove()
        client = app.test_client()
        unknown = "/v/" + "A" * 20  # a well-formed code: looked up and the check logged, then a friendly 404
        assert client.get(unknown).status_code == 404
        # the pool's one connection, as the request left it
        with app.app_context(), db.engine.connect() as connection:
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        killer = create_engine(url)
        with killer.begin() as connection:
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        killer.dispose()
        assert client.get(unknown).status_code == (404 if pre_ping else 503)
        assert client.get(unknown).status_code == 404
    finally:
        with app.app_context():
            db.engine.dispose()
        drop()
