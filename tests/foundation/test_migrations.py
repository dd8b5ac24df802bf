"""`flask db upgrade` from zero yields exactly the models' schema (on SQLite and on PostgreSQL)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms.extensions import db


def test_models_and_migrations_agree(app):
    # The session database was built by running every migration from an empty database.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], diff


def test_downgrade_to_zero_and_back(tmp_path, database_url):
    """Every migration can be undone (run on a private SQLite file so the session schema stays)."""
    from flask_migrate import downgrade, upgrade

    from lms import create_app
    from tests.conftest import test_settings

    app = create_app(test_settings(tmp_path, f"sqlite:///{tmp_path / 'm.sqlite3'}"))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        from sqlalchemy import inspect

        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "users" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_every_allowed_value_fits_its_column():
    """SQLite does not enforce VARCHAR lengths; PostgreSQL does. Catch the difference here."""
    import re

    from sqlalchemy import CheckConstraint, String

    checked = 0
    for table in db.metadata.tables.values():
        for constraint in table.constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            for column_name, values in re.findall(r"(\w+) IN \(([^)]*)\)", str(constraint.sqltext)):
                column = table.columns.get(column_name)
                if column is None or not isinstance(column.type, String) or column.type.length is None:
                    continue
                for value in re.findall(r"'([^']*)'", values):
                    assert len(value) <= column.type.length, f"{table.name}.{column_name}: {value!r}"
                    checked += 1
    assert checked > 30
    for column, default in (("lecturers.status", "uncertified"),):
        table, name = column.split(".")
        assert len(default) <= db.metadata.tables[table].columns[name].type.length
