"""The occupational-safety training and knowledge-testing platform."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

ROOT = Path(__file__).resolve().parent.parent


class IdConverter(IntegerConverter):
    """``<int:...>`` bounded to the id columns (32-bit ``integer`` on PostgreSQL): a larger number is a 404, not
    an out-of-range error from the database."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: defaults -> instance/config.py -> LMS_* environment -> ``config``."""
    from lms.config import flask_config, load_settings

    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("LMS_INSTANCE_PATH") or ROOT / "instance"
    app = Flask(
        "lms",
        instance_path=str(Path(instance_path).resolve()),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    settings = load_settings(app.instance_path, {k: v for k, v in (config or {}).items() if k != "INSTANCE_PATH"})
    app.config.update(flask_config(settings))
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # see lms.forms.install_csrf
    app.config.setdefault("WTF_I18N_ENABLED", False)  # every message is ours, in four languages

    app.url_map.converters["int"] = IdConverter
    app.json.ensure_ascii = False  # Kazakh and Kyrgyz stay readable (and three times smaller) in JSON
    _init_extensions(app)
    _register_blueprints(app)

    from lms.cli import register_cli
    from lms.errors import register_error_handlers
    from lms.security import configure_logging, install_security
    from lms.templating import install_templating

    register_error_handlers(app)
    install_security(app)
    configure_logging(app.config["LMS_LOG_LEVEL"])
    install_templating(app)
    register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l
    from werkzeug.middleware.proxy_fix import ProxyFix

    from lms import models  # noqa: F401  (every model on the metadata, for Alembic too)
    from lms.errors import install_retry_after
    from lms.extensions import babel, csrf, db, limiter, login_manager, migrate
    from lms.forms import install_csrf
    from lms.i18n import install_fast_gettext, select_locale
    from lms.profiles import get_profile
    from lms.storage import make_storage

    proxies = app.config["LMS_TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    db.init_app(app)
    if app.config["LMS_DATABASE_PRE_PING"]:
        from lms.db import ping_when_idle

        with app.app_context():
            for engine in db.engines.values():
                if engine.dialect.name != "sqlite":  # a file: no server to drop the connection
                    ping_when_idle(engine, app.config["LMS_DATABASE_PING_IDLE"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    install_csrf(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: get_profile().timezone,
        default_translation_directories=str(Path(__file__).resolve().parent / "translations"),
    )
    install_fast_gettext(app)
    install_retry_after(app)  # before the limiter: its after-request function then runs first
    limiter.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.extensions["lms_storage"] = make_storage(app.config)


def _register_blueprints(app: Flask) -> None:
    from lms.accounts.admin_views import bp as admin_bp
    from lms.accounts.views import bp as accounts_bp
    from lms.api import bp as api_bp
    from lms.assessments.staff_views import bp as assessments_staff_bp
    from lms.assessments.views import bp as tests_bp
    from lms.certificates.centre_views import bp as centre_certificates_bp
    from lms.certificates.employer import bp as employer_bp
    from lms.certificates.holder_views import bp as holder_bp
    from lms.certificates.verification import bp as verification_bp
    from lms.curricula.centre_views import bp as centre_curricula_bp
    from lms.curricula.views import bp as curricula_bp
    from lms.i18n import bp as i18n_bp
    from lms.lecturers.views import bp as lecturer_bp
    from lms.main.views import bp as main_bp
    from lms.organisations.centre_views import bp as centre_registry_bp
    from lms.organisations.manager_views import bp as org_bp
    from lms.organisations.public_views import bp as registry_bp
    from lms.reports.views import bp as reports_bp
    from lms.training.centre_views import bp as centre_training_bp
    from lms.training.staff_views import bp as courses_bp
    from lms.training.trainee_views import bp as trainee_bp

    for blueprint in (main_bp, i18n_bp, accounts_bp, admin_bp, curricula_bp, centre_curricula_bp, registry_bp,
                      org_bp, centre_registry_bp, lecturer_bp, courses_bp, trainee_bp, centre_training_bp, tests_bp,
                      assessments_staff_bp, verification_bp, holder_bp, centre_certificates_bp, employer_bp, reports_bp,
                      api_bp):
        app.register_blueprint(blueprint)
