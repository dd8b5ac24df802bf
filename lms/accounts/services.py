"""Account operations. Each flushes, never commits: the request (or CLI command) commits once."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms import audit, identifiers
from lms.accounts.models import RoleAssignment, User
from lms.accounts.passwords import hash_password, needs_rehash, password_problem, verify_password
from lms.accounts.roles import EMPLOYER, ORG_SCOPED, ROLES
from lms.clock import utcnow
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.mail.service import queue_email
from lms.organisations.models import Organisation
from lms.profiles import get_profile
from lms.tokens import InvalidToken, make_token, read_token
from lms.util import external_url


def email_key(email: str | None) -> str:
    """An e-mail as typed, in the form accounts are stored and looked up (trimmed, lower case, bounded)."""
    return (email or "").strip().lower()[:254]


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email_key(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (the same work either way). Raises ``Busy`` when
    this process has too many sign-ins waiting for the password lane (the caller asks for a retry)."""
    user = find_by_email(email)
    ok = verify_password(user.password_hash if user else None, password, admit=True)
    if not ok or user is None or not user.is_active:
        audit.record("auth.login_failed", object_type="user", object_id=user.id if user else None,
                     after={"email": email_key(email)})
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record("auth.login", user, actor=user)
    return user


def _check_password(password: str, user: User) -> None:
    problem = password_problem(password, email=user.email, name=user.full_name)
    if problem is not None:
        raise ValidationFailed(password=problem)


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise ValidationFailed(current_password=_l("The current password is not correct."))
    _check_password(new, user)
    user.password_hash = hash_password(new)
    audit.record("account.password_changed", user, actor=user)


def _link_token(purpose: str, user: User) -> str:
    return make_token(purpose, {"uid": user.id, "fp": user.fingerprint})


def _user_from_token(purpose: str, token: str) -> User:
    data = read_token(purpose, token)
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    # The fingerprint changes with the password: a used link cannot be used again.
    if user is None or user.fingerprint != data.get("fp"):
        raise InvalidToken()
    return user


def request_password_reset(email: str, locale: str) -> None:
    """Queue a reset link if an active account has this e-mail; say nothing either way."""
    user = find_by_email(email)
    if user is None or not user.is_active:
        return
    link = external_url("accounts.reset_password", token=_link_token("password-reset", user))
    queue_email(user.email, "password_reset", user.locale or locale, user=user, link=link,
                hours=current_app.config["LMS_RESET_TOKEN_MAX_AGE"] // 3600)
    audit.record("account.reset_requested", user, actor=user)


def user_for_reset(token: str) -> User:
    user = _user_from_token("password-reset", token)
    if not user.is_active:
        raise InvalidToken()
    return user


def reset_password(token: str, new: str) -> User:
    user = user_for_reset(token)
    _check_password(new, user)
    user.password_hash = hash_password(new)
    audit.record("account.password_reset", user, actor=user)
    return user


def user_for_activation(token: str) -> User:
    user = _user_from_token("account-activation", token)
    if user.password_hash is not None or not user.is_active_flag:
        raise InvalidToken()
    return user


def activate(token: str, password: str) -> User:
    user = user_for_activation(token)
    _check_password(password, user)
    user.activated_at = utcnow()
    user.password_hash = hash_password(password)
    audit.record("account.activated", user, actor=user)
    return user


def send_activation(user: User, locale: str) -> None:
    link = external_url("accounts.activate", token=_link_token("account-activation", user))
    queue_email(user.email, "activation", user.locale or locale, user=user, link=link,
                days=current_app.config["LMS_INVITE_TOKEN_MAX_AGE"] // 86400)


def create_user(*, email: str, full_name: str, iin: str | None = None, phone: str | None = None,
                locale: str | None = None, password: str | None = None, actor: Any = None) -> User:
    """Create an account. Without a password it waits for activation through a one-time link."""
    errors: dict[str, list[Any]] = {}
    try:
        email = identifiers.validate_email(email)
    except identifiers.InvalidIdentifier as exc:
        errors.setdefault("email", []).append(exc.message)
    else:
        if find_by_email(email):
            errors.setdefault("email", []).append(_l("An account with this e-mail already exists."))
    if iin:
        try:
            iin = get_profile().validate_person_id(iin)
        except identifiers.InvalidIdentifier as exc:
            errors.setdefault("iin", []).append(exc.message)
        else:
            if db.session.scalar(select(func.count()).select_from(User).where(User.iin == iin)):
                errors.setdefault("iin", []).append(_l("An account with this identifier already exists."))
    if not full_name or not full_name.strip():
        errors.setdefault("full_name", []).append(_l("This field is required."))
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, full_name=full_name.strip(), iin=iin or None, phone=phone or None, locale=locale)
    if password is not None:
        _check_password(password, user)
        user.password_hash = hash_password(password)
        user.activated_at = utcnow()
    db.session.add(user)
    db.session.flush()
    audit.record("account.created", user, actor=actor,
                 after={"email": user.email, "full_name": user.full_name, "iin": user.iin})
    return user


def grant_role(user: User, role: str, *, organisation: Organisation | None = None,
               employer_bin: str | None = None, actor: Any = None) -> RoleAssignment:
    if role not in ROLES:
        raise ValidationFailed(role=_l("Unknown role."))
    if role in ORG_SCOPED and organisation is None:
        raise ValidationFailed(organisation=_l("Choose the organisation this role belongs to."))
    if role not in ORG_SCOPED:
        organisation = None
    if role == EMPLOYER:
        if not employer_bin:
            raise ValidationFailed(employer_bin=_l("Enter the employer's confirmed identification number."))
        try:
            employer_bin = get_profile().validate_org_id(employer_bin)
        except identifiers.InvalidIdentifier as exc:
            raise ValidationFailed(employer_bin=exc.message) from None
    else:
        employer_bin = None
    for existing in user.roles:
        if (existing.role == role and existing.organisation_id == (organisation.id if organisation else None)
                and existing.employer_bin == employer_bin):
            return existing
    assignment = RoleAssignment(user=user, role=role, organisation_id=organisation.id if organisation else None,
                                employer_bin=employer_bin, granted_by_id=getattr(actor, "id", None))
    db.session.add(assignment)
    db.session.flush()
    audit.record("account.role_granted", user, actor=actor,
                 after={"role": role, "organisation_id": assignment.organisation_id, "employer_bin": employer_bin})
    return assignment


def revoke_role(assignment: RoleAssignment, actor: Any = None) -> None:
    user = assignment.user
    audit.record("account.role_revoked", user, actor=actor,
                 before={"role": assignment.role, "organisation_id": assignment.organisation_id,
                         "employer_bin": assignment.employer_bin})
    user.roles.remove(assignment)
    db.session.flush()


def set_active(user: User, active: bool, actor: Any = None) -> None:
    if user.is_active_flag == active:
        return
    audit.record("account.activated_by_centre" if active else "account.deactivated", user, actor=actor,
                 before={"active": user.is_active_flag}, after={"active": active})
    user.is_active_flag = active
