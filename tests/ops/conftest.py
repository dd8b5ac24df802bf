"""Operations tests run the platform on a database of their own (not inside the suite's rolled-back
transaction): they back it up, restore it, break it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import TEST_DATABASE_URL, _postgres_throwaway, test_settings


@pytest.fixture(autouse=True)
def _transaction() -> None:
    """Replaces the suite's per-test transaction: these tests commit for real, on their own database."""


@pytest.fixture
def own_app(tmp_path) -> Iterator[object]:
    from flask_migrate import upgrade

    from lms import create_app
    from lms.extensions import db

    drop = None
    if TEST_DATABASE_URL:
        url, drop = _postgres_throwaway(TEST_DATABASE_URL)
        url = url.render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'own.sqlite3'}"
    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app(test_settings(instance, url))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()
    if drop is not None:
        drop()
