from pathlib import Path

import pytest

from lms import create_app
from lms.config import ConfigError, load_settings


def _instance(tmp_path: Path, secret: bool = True) -> Path:
    if secret:
        (tmp_path / "secret_key").write_text("from-instance-file")
    return tmp_path


def test_precedence_defaults_instance_env_mapping(tmp_path):
    instance = _instance(tmp_path)
    (instance / "config.py").write_text('COUNTRY = "KG"\nMAX_UPLOAD_MB = 3\nLMS_BASE_URL = "https://file"\n')
    values = load_settings(str(instance), environ={})
    assert values["SECRET_KEY"] == "from-instance-file"
    assert (values["COUNTRY"], values["MAX_UPLOAD_MB"], values["BASE_URL"]) == ("KG", 3, "https://file")
    assert values["RATELIMIT_STORAGE_URI"] == "memory://"  # a default

    values = load_settings(str(instance), environ={"LMS_MAX_UPLOAD_MB": "7", "LMS_COUNTRY": "kz"})
    assert (values["COUNTRY"], values["MAX_UPLOAD_MB"]) == ("KZ", 7)

    values = load_settings(str(instance), {"MAX_UPLOAD_MB": 1}, environ={"LMS_MAX_UPLOAD_MB": "7"})
    assert values["MAX_UPLOAD_MB"] == 1


def test_environment_values_are_parsed_by_declared_type(tmp_path):
    instance = _instance(tmp_path)
    values = load_settings(str(instance), environ={"LMS_RATELIMIT_ENABLED": "off", "LMS_WORKER_POLL_SECONDS": "0.5"})
    assert values["RATELIMIT_ENABLED"] is False
    assert values["WORKER_POLL_SECONDS"] == 0.5
    with pytest.raises(ConfigError, match="LMS_RATELIMIT_ENABLED"):
        load_settings(str(instance), environ={"LMS_RATELIMIT_ENABLED": "maybe"})
    with pytest.raises(ConfigError, match="LMS_MAX_UPLOAD_MB"):
        load_settings(str(instance), environ={"LMS_MAX_UPLOAD_MB": "ten"})


def test_database_url_aliases_and_default(tmp_path):
    instance = _instance(tmp_path)
    assert load_settings(str(instance), environ={})["DATABASE_URL"] == f"sqlite:///{instance / 'lms.sqlite3'}"
    values = load_settings(str(instance), environ={"DATABASE_URL": "postgres://u@h/db"})
    assert values["DATABASE_URL"] == "postgresql+psycopg://u@h/db"
    values = load_settings(str(instance), environ={"DATABASE_URL": "postgresql://u@h/a",
                                                   "LMS_DATABASE_URL": "postgresql://u@h/b"})
    assert values["DATABASE_URL"] == "postgresql+psycopg://u@h/b"


def test_production_refuses_to_start_without_secrets(tmp_path):
    instance = _instance(tmp_path)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings(str(instance), environ={"LMS_ENV": "production"})
    with pytest.raises(ConfigError, match="signing key"):
        load_settings(str(instance), environ={"LMS_ENV": "production", "LMS_SECRET_KEY": "s" * 40})
    key = tmp_path / "k.pem"
    key.write_text("x")
    values = load_settings(str(instance), environ={"LMS_ENV": "production", "LMS_SECRET_KEY": "s" * 40,
                                                   "LMS_SIGNING_KEY_PATH": str(key)})
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SHOW_OUTBOX"] is False


def test_development_without_setup_explains_what_to_do(tmp_path):
    with pytest.raises(ConfigError, match="make setup"):
        load_settings(str(_instance(tmp_path, secret=False)), environ={})


def test_unknown_country_and_env_are_refused(tmp_path):
    instance = _instance(tmp_path)
    with pytest.raises(ConfigError, match="LMS_COUNTRY"):
        load_settings(str(instance), environ={"LMS_COUNTRY": "RU"})
    with pytest.raises(ConfigError, match="LMS_ENV"):
        load_settings(str(instance), environ={"LMS_ENV": "staging"})


def test_trusted_proxies_make_client_ip_real(tmp_path, database_url):
    from tests.conftest import test_settings

    app = create_app(test_settings(tmp_path, database_url, TRUSTED_PROXIES=1))
    seen = {}

    @app.get("/_ip")
    def _ip():
        from flask import request

        seen["ip"] = request.remote_addr
        return "ok"

    app.test_client().get("/_ip", headers={"X-Forwarded-For": "203.0.113.7"},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen["ip"] == "203.0.113.7"
