from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from lms.accounts import services
from lms.accounts.forms import ChangePasswordForm, LoginForm, ProfileForm, ResetRequestForm, SetPasswordForm
from lms.accounts.passwords import Busy, lane, retry_after
from lms.domain import ValidationFailed
from lms.errors import ask_to_retry
from lms.extensions import configured_limit, db, limiter
from lms.forms import form_view
from lms.i18n import select_locale
from lms.tokens import InvalidToken
from lms.util import safe_next

bp = Blueprint("accounts", __name__)


def _account_key() -> str:
    """The account a sign-in is for (the e-mail as typed, normalized), so that guessing one account's password
    is limited wherever the guesses come from, and an exam room behind one address is not limited as a whole."""
    email = services.email_key(request.form.get("email"))
    return f"account:{email}" if email else f"address:{get_remote_address()}"


def _judged(response) -> bool:
    """A sign-in held by the waiting room (503) was not judged: it counts against no limit (a room of
    candidates retries many times while it waits)."""
    return response.status_code != 503


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(configured_limit("LMS_RATELIMIT_LOGIN"), methods=["POST"], key_func=_account_key,
               deduct_when=_judged)
@limiter.limit(configured_limit("LMS_RATELIMIT_LOGIN_ADDRESS"), methods=["POST"], deduct_when=_judged)
@form_view
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if request.method == "POST" and lane.full():  # before any other work: a wave retries many times
        return _busy(form, retry_after())
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except Busy as busy:
            db.session.rollback()
            return _busy(form, busy.retry_after)
        if user is None:
            db.session.commit()  # keep the failed attempt in the audit log
            form.password.errors.append(_("The e-mail or password is not correct."))
        else:
            login_user(user, remember=form.remember.data)
            db.session.commit()
            if _from_script():  # the script opens the next page itself: a followed redirect would build it twice
                return jsonify(next=safe_next(form.next.data))
            return redirect(safe_next(form.next.data))
    return _page(form)


def _from_script() -> bool:
    """The sign-in page's script sent this (``login.js``): it waits out a busy answer and opens the next page
    itself, so it gets short answers instead of pages."""
    return bool(request.headers.get("X-Waiting-Room"))


# What the sign-in page's script shows while it waits (its data attribute) and what it is told when held
WAITING = _l("Many candidates are signing in at this moment. Please wait: you will be signed in automatically in "
             "a few seconds.")


def _page(form: LoginForm, status: int = 200, *, busy: bool = False):
    return render_template("accounts/login.html", form=form, busy=busy, waiting=WAITING), status


def _busy(form: LoginForm, seconds: int):
    """An exam-day wave: this process's password lane is full. Nothing is judged or logged. The sign-in page's
    script gets a few bytes and retries by itself after the pause; without the script the page comes back with
    its message and the e-mail kept. The short answer matters: a wave retries many times, and a full page each
    time would take the CPU the lane needs."""
    ask_to_retry(seconds)
    if _from_script():
        return str(WAITING), 503, {"Content-Type": "text/plain; charset=utf-8"}
    return _page(form, 503, busy=True)


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
@form_view
def account():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.full_name = form.full_name.data.strip()
        current_user.phone = form.phone.data or None
        db.session.commit()
        flash(_("Your details have been saved."), "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@form_view
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            login_user(current_user._get_current_object(), fresh=True)  # the new fingerprint
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(configured_limit("LMS_RATELIMIT_RESET"), methods=["POST"])
@form_view
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, select_locale())
        db.session.commit()
        flash(_("If an account uses this e-mail, a link to set a new password has been sent to it."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


def _set_password_page(token: str, loader, apply, title: str, done):
    """A one-time link that lets a person choose a password (reset or first activation)."""
    try:
        user = loader(token)
    except InvalidToken as exc:
        message = (_("This link has expired. Ask for a new one.") if exc.expired
                   else _("This link is not valid or has already been used."))
        return render_template("accounts/bad_link.html", message=message), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = apply(token, form.password.data)
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            return done(user)
    return render_template("accounts/set_password.html", form=form, user=user, title=title)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(configured_limit("LMS_RATELIMIT_RESET"), methods=["POST"])
@form_view
def reset_password(token: str):
    def done(user):
        flash(_("Your new password is set. You can sign in now."), "success")
        return redirect(url_for("accounts.login"))

    return _set_password_page(token, services.user_for_reset, services.reset_password,
                              _("Choose a new password"), done)


@bp.route("/activate/<token>", methods=["GET", "POST"])
@limiter.limit(configured_limit("LMS_RATELIMIT_RESET"), methods=["POST"])
@form_view
def activate(token: str):
    def done(user):
        login_user(user)
        flash(_("Your account is active. Welcome!"), "success")
        return redirect(url_for("main.index"))

    return _set_password_page(token, services.user_for_activation, services.activate,
                              _("Activate your account"), done)
