"""Every Flask extension, created once and unbound; create_app binds them."""

from collections.abc import Callable

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from lms.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def configured_limit(setting: str) -> Callable[[], str]:
    """A limit read from a setting at request time (``LMS_RATELIMIT_*``), for ``@limiter.limit(...)``."""
    return lambda: current_app.config[setting]


public_limit = configured_limit("LMS_RATELIMIT_PUBLIC")
