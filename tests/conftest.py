"""Test fixtures (STYLE.md): one app and schema per session, each test inside a transaction that is
rolled back, factories that return callables, a query counter, a frozen clock, no network.

With LMS_TEST_DATABASE_URL pointing at a PostgreSQL server the run creates its own throwaway
database (a unique name), uses it and drops it at the end; databases left by killed runs are dropped
on the next run once they are old enough not to belong to a run still going.
"""

from __future__ import annotations

import os
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine, event, orm, text
from sqlalchemy.engine import URL, make_url

from lms import clock, create_app
from lms.accounts.roles import ROLES
from lms.extensions import db, limiter
from tests.factories import PDF, valid_data

TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL")
STALE_SECONDS = 6 * 3600
CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


# --------------------------------------------------------------------------- databases
def _postgres_throwaway(url: str) -> tuple[URL, Callable[[], None]]:
    base = make_url(url)
    name = f"lms_test_{int(time.time())}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        rows = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE 'lms\\_test\\_%'"))
        for (old,) in rows:
            parts = old.split("_")
            if len(parts) >= 3 and parts[2].isdigit() and time.time() - int(parts[2]) > STALE_SECONDS:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if TEST_DATABASE_URL:
        url, drop = _postgres_throwaway(TEST_DATABASE_URL)
        yield url.render_as_string(hide_password=False)
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def test_settings(instance: Path, database_url: str, **extra: object) -> dict[str, object]:
    from lms.instance_keys import ensure_keys

    ensure_keys(instance)
    settings: dict[str, object] = {
        "INSTANCE_PATH": str(instance),
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "DATABASE_URL": database_url,
        "PASSWORD_TIME_COST": 1,
        "PASSWORD_MEMORY_COST": 8,
        "BASE_URL": "http://localhost",
        "SHOW_OUTBOX": True,
        "STORAGE_PATH": str(instance / "storage"),
    }
    settings.update(extra)
    return settings


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (and so its own g and database session), as in production,
    even though the test itself runs inside an app context."""

    def open(self, *args: object, **kwargs: object):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Flask]:
    from flask_migrate import upgrade

    instance = tmp_path_factory.mktemp("instance")
    application = create_app(test_settings(instance, database_url))
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()  # the schema comes from the migrations, as in production
        _load_shipped_data()
        yield application
        db.session.remove()
        db.engine.dispose()


def _load_shipped_data() -> None:
    """The shipped curricula, loaded once and committed: tests build on them inside their transaction."""
    from lms import ROOT
    from lms.curricula.services import load_directory

    report = load_directory(ROOT / "curricula")
    assert report.ok, report.errors
    db.session.commit()
    from lms.assessments.banks import import_directory

    banks = import_directory(ROOT / "question_banks")
    assert not banks.problems, [str(p) for p in banks.problems[:10]]
    db.session.commit()


@pytest.fixture(autouse=True)
def _transaction(app: Flask) -> Iterator[None]:
    """Run each test inside one outer transaction, rolled back at the end; commits become savepoints."""
    connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    # A plain Session: Flask-SQLAlchemy's own would pick the engine by bind key and ignore the connection.
    db.session = orm.scoped_session(
        orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"), scopefunc=_app_ctx_id
    )
    limiter.reset()
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        if outer.is_active:
            outer.rollback()
        connection.close()
        clock.freeze(None)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests fail if anything opens a connection beyond this machine (the databases are local)."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and host not in ("127.0.0.1", "::1", "localhost"):
            raise RuntimeError(f"test tried to open a network connection to {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


# --------------------------------------------------------------------------- helpers
@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def run_together(work: Callable[[], None], count: int = 8) -> None:
    """Run ``work`` in ``count`` threads released at the same moment, and wait for all of them."""
    import threading

    start = threading.Barrier(count)

    def released() -> None:
        start.wait()
        work()

    threads = [threading.Thread(target=released) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def csrf_from(client: FlaskClient, url: str = "/login") -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client: FlaskClient, url: str, data: dict[str, object] | None = None, *,
              token_from: str | None = None, **kwargs: object):
    """POST like a browser: with the CSRF token the site gave this client (by default from the home page's
    language switch, which carries one for a signed-in user, or else from the sign-in form)."""
    payload = dict(data or {})
    if token_from is None:
        match = CSRF_RE.search(client.get("/").get_data(as_text=True))
        token = match.group(1) if match else csrf_from(client, "/login")
    else:
        token = csrf_from(client, token_from)
    payload.setdefault("csrf_token", token)
    return client.post(url, data=payload, **kwargs)


PASSWORD = "Correct-Horse-Battery-7"
LOGIN = "login"


def assert_access(response, want: object) -> None:
    """One cell of an access matrix: a status code, or LOGIN (anonymous sent to sign in)."""
    if want == LOGIN:
        assert response.status_code == 302, response.status_code
        assert "/login" in response.headers["Location"]
    else:
        assert response.status_code == want


@pytest.fixture
def make_user() -> Callable[..., object]:
    """Factory: make_user(roles=("candidate",), email=None, password=PASSWORD, organisation=None)."""
    from lms.accounts import services
    from lms.identifiers import make_iin

    counter = {"n": 0}

    def factory(*roles: str, email: str | None = None, password: str | None = PASSWORD,
                organisation: object = None, employer_bin: str | None = None, iin: str | None = None,
                full_name: str = "Асель Тестова") -> object:
        counter["n"] += 1
        n = counter["n"]
        email = email or f"user{n}-{uuid.uuid4().hex[:6]}@example.kz"
        user = services.create_user(email=email, full_name=full_name, password=password,
                                    iin=iin or make_iin(datetime(1990, 1, 1).date(), "F", 5000 + n * 7))
        for role in roles:
            services.grant_role(user, role, organisation=organisation, employer_bin=employer_bin)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_organisation() -> Callable[..., object]:
    from lms.identifiers import make_bin
    from lms.organisations.models import Organisation

    counter = {"n": 0}

    def factory(**fields: object) -> Organisation:
        counter["n"] += 1
        values = {"bin": make_bin(datetime(2016, 5, 1).date(), 300 + counter["n"] * 11),
                  "name_state": "Сынақ орталығы", "name_ru": "Тестовый центр", "region": "astana"}
        values.update(fields)
        org = Organisation(**values)
        db.session.add(org)
        db.session.commit()
        return org

    return factory


@pytest.fixture
def role_users(make_user, make_organisation) -> Callable[..., dict[str, object]]:
    """role_users(employer_bin=...) -> {role: a user holding it}, for the access matrices: the organisation
    roles on an organisation of their own (not the one under test), the employer on ``employer_bin``."""

    def factory(employer_bin: str = "150440043215") -> dict[str, object]:
        other = make_organisation()
        users = {role: make_user(role, organisation=other if role in ("org_manager", "lecturer") else None,
                                 employer_bin=employer_bin if role == "employer" else None) for role in ROLES}
        db.session.commit()
        return users

    return factory


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., object]:
    def do_login(user_or_email: object, password: str = PASSWORD, target: FlaskClient | None = None):
        who = getattr(user_or_email, "email", user_or_email)
        c = target or client
        response = post_form(c, "/login", {"email": who, "password": password}, token_from="/login")
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do_login


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], object]:
    """Use as ``with count_queries() as counted: ...; assert counted.n <= 5``."""
    from contextlib import contextmanager

    class Counter:
        n = 0
        statements: list[str] = []

    @contextmanager
    def counting() -> Iterator[Counter]:
        counter = Counter()
        counter.statements = []

        def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                counter.n += 1
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def frozen_clock() -> Callable[[datetime], None]:
    """frozen_clock(aware_datetime) freezes lms.clock.utcnow(); unfrozen after the test."""
    return clock.freeze


@pytest.fixture
def outbox() -> Callable[[], list[object]]:
    from sqlalchemy import select

    from lms.mail.models import OutboxMessage

    def messages(to: str | None = None) -> list[OutboxMessage]:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if to:
            query = query.where(OutboxMessage.to_address == to)
        return list(db.session.scalars(query))

    return messages


@pytest.fixture
def make_application(make_user):
    """make_application(state="draft"|"submitted"|"approved", manager=None) -> Application."""
    counter = {"n": 0}

    import io

    from lms.identifiers import make_bin
    from lms.organisations import applications, documents

    def factory(state: str = "submitted", manager=None, admin=None, codes=("KZ-OSH-MGR",)) -> object:
        counter["n"] += 1
        manager = manager or make_user()
        application = applications.start(bin_=make_bin(datetime(2018, 6, 1).date(), 900 + counter["n"] * 13),
                                         name=f"Орталық {counter['n']}", region="astana", manager=manager)
        if state == "draft":
            db.session.commit()
            return application
        applications.save_draft(application, valid_data(f"Орталық {counter['n']}", codes=codes), actor=manager)
        documents.add_document(application, io.BytesIO(PDF), "licence.pdf", "registration", actor=manager)
        applications.submit(application, actor=manager)
        if state == "approved":
            applications.approve(application, list(codes), actor=admin or make_user("centre_admin"))
        db.session.commit()
        return application

    return factory
