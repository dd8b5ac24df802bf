"""Registry tests share the builders in tests/factories.py and the make_application fixture."""

from tests.factories import JPEG, PDF, PNG, valid_data  # noqa: F401
