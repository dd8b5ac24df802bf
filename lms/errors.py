"""Localized error pages, and JSON errors for /api/."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.extensions import db, login_manager

log = logging.getLogger("lms")


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please go back and try again.")),
        403: (_("Access denied"), _("You do not have permission to open this page.")),
        404: (_("Page not found"), _("There is no page at this address. Check the link or go to the home page.")),
        405: (_("Not allowed"), _("This action cannot be done this way.")),
        413: (_("File too large"), _("The upload is larger than the platform accepts. Choose a smaller file.")),
        429: (_("Too many requests"), _("Too many attempts in a short time. Please wait a minute and try again.")),
        503: (_("Briefly unavailable"), _("The platform cannot reach its database for a moment. Nothing was lost: "
                                          "what was saved stays saved. Please try again in a few seconds.")),
        500: (_("Something went wrong"), _("An error occurred on our side. Nothing you entered was saved "
                                           "twice; please try again in a moment.")),
    }


def ask_to_retry(seconds: int) -> None:
    """This response is a 503 that names its own short wait (Retry-After). See ``install_retry_after``."""
    g.retry_after = seconds


def install_retry_after(app: Flask) -> None:
    """Flask-Limiter states its window's reset as Retry-After on every response of a limited route: up to an
    hour for the per-hour sign-in limit, which would make a browser wait an hour to retry a busy sign-in.
    A response that named its own wait (``ask_to_retry``) keeps it. Call before ``limiter.init_app``: Flask
    runs after-request functions in reverse order of registration, so this one then runs after the limiter's.
    """
    @app.after_request
    def keep_own_retry_after(response):
        seconds = g.pop("retry_after", None)
        if seconds is not None:
            response.headers["Retry-After"] = str(seconds)
        return response


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def render_error(status: int, title: str | None = None, message: str | None = None):
    messages = _messages()
    default_title, default_message = messages.get(status, messages[400 if status < 500 else 500])
    title, message = title or default_title, message or default_message
    if wants_json():
        return json_error(status, _code_name(status), message)
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _code_name(status: int) -> str:
    return {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid",
            429: "rate_limited", 503: "unavailable"}.get(status, "server_error")


TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57")  # connection, rollback (deadlock), resources, shutdown
TRANSIENT_SQLITE = ("locked", "busy")  # a file that cannot be opened is a setup error, not a moment


def transient(error: OperationalError) -> bool:
    """Will the same request succeed in a moment? The connection was lost or could not be made, the server is
    shutting down or out of resources, a deadlock or serialization failure, or SQLite busy."""
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate[:2] in TRANSIENT_SQLSTATE_CLASSES
    if type(error.orig).__module__.startswith("sqlite3"):
        return any(word in str(error.orig) for word in TRANSIENT_SQLITE)
    return True  # psycopg could not connect at all: no server answered, so no state


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        return render_error(
            400, _("The form has expired"),
            _("For your security the page was open too long or was sent twice. Go back, reload the page "
              "and send it again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code >= 500:
            db.session.rollback()
        # a reason given with abort() (a refusal the user can act on) is shown instead of the generic text
        return render_error(error.code or 500, message=error.__dict__.get("description"))

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        """The database restarting, out of reach or briefly busy: a clear 503 the browser's answer queue
        retries, not a 500. The transaction was not committed, so nothing of this request was kept, and nothing
        half. Any other OperationalError (a missing table, a bad statement) is a bug: a logged 500."""
        if not transient(error):
            return unexpected(error)
        try:
            db.session.rollback()
        except OperationalError:
            db.session.remove()
        log.warning("database unavailable on %s %s: %s", request.method, request.path, str(error).split("\n")[0])
        g._login_user = login_manager.anonymous_user()  # the page must not ask the database who is signed in
        response = app.make_response(render_error(503))
        ask_to_retry(5)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError.code)
