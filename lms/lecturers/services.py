"""Lecturers: the Centre certifies, renews, suspends and revokes; a manager links and unlinks them."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms import audit, identifiers
from lms.accounts import services as accounts
from lms.accounts.models import RoleAssignment, User
from lms.accounts.roles import LECTURER
from lms.clock import utcnow
from lms.curricula.models import Curriculum
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.lecturers.models import Lecturer, LecturerCurriculum, OrganisationLecturer
from lms.organisations.models import Organisation
from lms.profiles import get_profile
from lms.util import local_today

DETAIL_FIELDS = ("full_name", "email", "education", "qualification", "experience_years")
TRANSITIONS = {
    "certify": {"uncertified", "revoked"},
    "renew": {"certified"},
    "suspend": {"certified"},
    "reinstate": {"suspended"},
    "revoke": {"certified", "suspended"},
}


def _require(lecturer: Lecturer, action: str) -> None:
    if lecturer.status not in TRANSITIONS[action]:
        raise ValidationFailed(status=_l("This change is not allowed for the lecturer's current status."))


def by_iin(iin: str) -> Lecturer | None:
    return db.session.scalar(select(Lecturer).where(Lecturer.iin == iin))


def create(iin: str, details: dict[str, Any], actor: Any = None) -> Lecturer:
    errors: dict[str, list[Any]] = {}
    try:
        iin = get_profile().validate_person_id(iin)
    except identifiers.InvalidIdentifier as exc:
        errors["iin"] = [exc.message]
    else:
        if by_iin(iin):
            errors["iin"] = [_l("A lecturer with this identifier is already in the registry.")]
    if not (details.get("full_name") or "").strip():
        errors["full_name"] = [_l("This field is required.")]
    if details.get("email"):
        try:
            details["email"] = identifiers.validate_email(details["email"])
        except identifiers.InvalidIdentifier as exc:
            errors["email"] = [exc.message]
    if errors:
        raise ValidationFailed(errors)
    lecturer = Lecturer(iin=iin, **{k: details.get(k) or None for k in DETAIL_FIELDS})
    lecturer.full_name = lecturer.full_name.strip()
    db.session.add(lecturer)
    db.session.flush()
    audit.record("lecturer.created", lecturer, actor=actor, after={"iin": iin, "full_name": lecturer.full_name})
    return lecturer


def _grant_account_role(lecturer: Lecturer, organisation: Organisation, actor: Any) -> None:
    if lecturer.user_id:
        user = db.session.get(User, lecturer.user_id)
        accounts.grant_role(user, LECTURER, organisation=organisation, actor=actor)


def link(organisation: Organisation, lecturer: Lecturer, actor: Any) -> OrganisationLecturer:
    existing = next((link for link in lecturer.links if link.organisation_id == organisation.id), None)
    if existing:
        return existing
    connection = OrganisationLecturer(organisation_id=organisation.id, lecturer=lecturer)
    db.session.add(connection)
    db.session.flush()
    _grant_account_role(lecturer, organisation, actor)
    audit.record("lecturer.linked", lecturer, actor=actor, after={"organisation_id": organisation.id})
    return connection


def link_by_iin(organisation: Organisation, iin: str, details: dict[str, Any], actor: Any) -> Lecturer:
    """A manager adds a lecturer: an existing registry entry by IIN, or a new (uncertified) one."""
    try:
        iin = get_profile().validate_person_id(iin)
    except identifiers.InvalidIdentifier as exc:
        raise ValidationFailed(iin=exc.message) from None
    lecturer = by_iin(iin) or create(iin, details, actor)
    link(organisation, lecturer, actor)
    return lecturer


def link_from_application(organisation: Organisation, data: dict[str, Any], actor: Any) -> None:
    """Link a lecturer listed in an approved application (the application's own lecturer entry)."""
    link_by_iin(organisation, data["iin"], {k: data.get(k) for k in DETAIL_FIELDS}, actor)


def unlink(organisation: Organisation, lecturer: Lecturer, actor: Any) -> None:
    connection = next((link for link in lecturer.links if link.organisation_id == organisation.id), None)
    if connection is None:
        return
    lecturer.links.remove(connection)
    if lecturer.user_id:
        role = db.session.scalar(select(RoleAssignment).where(
            RoleAssignment.user_id == lecturer.user_id, RoleAssignment.role == LECTURER,
            RoleAssignment.organisation_id == organisation.id))
        if role is not None:
            accounts.revoke_role(role, actor)
    db.session.flush()
    audit.record("lecturer.unlinked", lecturer, actor=actor, before={"organisation_id": organisation.id})


def _curricula(codes: list[str]) -> list[Curriculum]:
    """The active curricula with these codes (the form lets any code through: this is the check)."""
    found = db.session.scalars(select(Curriculum).where(Curriculum.code.in_(codes),
                                                        Curriculum.status == "active")).all()
    if not found or len(found) != len(set(codes)):
        raise ValidationFailed(curricula=_l("Choose at least one curriculum from the catalogue."))
    return list(found)


def certify(lecturer: Lecturer, number: str, codes: list[str], valid_until: date | None, actor: Any) -> None:
    _require(lecturer, "certify")
    number = (number or "").strip().upper()
    errors: dict[str, list[Any]] = {}
    if not number:
        errors["certificate_number"] = [_l("This field is required.")]
    elif db.session.scalar(select(Lecturer.id).where(Lecturer.certificate_number == number,
                                                     Lecturer.id != lecturer.id)):
        errors["certificate_number"] = [_l("This certificate number is already used.")]
    today = local_today()
    if valid_until is None or valid_until <= today:
        errors["valid_until"] = [_l("Give a date in the future.")]
    try:
        curricula = _curricula(codes)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    before = {"status": lecturer.status}
    lecturer.status = "certified"
    lecturer.certificate_number = number
    lecturer.valid_until = valid_until
    lecturer.certified_at = utcnow()
    lecturer.status_reason = None
    lecturer.curricula = [LecturerCurriculum(curriculum=c) for c in curricula]
    audit.record("lecturer.certified", lecturer, actor=actor, before=before,
                 after={"certificate_number": number, "valid_until": valid_until.isoformat(),
                        "curricula": sorted(c.code for c in curricula)})


def renew(lecturer: Lecturer, valid_until: date | None, actor: Any) -> None:
    _require(lecturer, "renew")
    today = local_today()
    if valid_until is None or valid_until <= max(today, lecturer.valid_until or today):
        raise ValidationFailed(valid_until=_l("Give a date later than the current term."))
    before = {"valid_until": lecturer.valid_until.isoformat() if lecturer.valid_until else None}
    lecturer.valid_until = valid_until
    audit.record("lecturer.renewed", lecturer, actor=actor, before=before,
                 after={"valid_until": valid_until.isoformat()})


def _status_change(lecturer: Lecturer, action: str, status: str, reason: str, actor: Any) -> None:
    _require(lecturer, action)
    if action != "reinstate" and not reason.strip():
        raise ValidationFailed(reason=_l("Give the reason."))
    before = {"status": lecturer.status}
    lecturer.status = status
    lecturer.status_reason = reason.strip() or None
    audit.record(f"lecturer.{action}d" if action.endswith("e") else f"lecturer.{action}ed", lecturer,
                 actor=actor, before=before, after={"status": status}, note=reason.strip() or None)


def suspend(lecturer: Lecturer, reason: str, actor: Any) -> None:
    _status_change(lecturer, "suspend", "suspended", reason, actor)


def reinstate(lecturer: Lecturer, actor: Any) -> None:
    _status_change(lecturer, "reinstate", "certified", "", actor)


def revoke(lecturer: Lecturer, reason: str, actor: Any) -> None:
    _status_change(lecturer, "revoke", "revoked", reason, actor)


def invite(lecturer: Lecturer, email: str, locale: str, actor: Any) -> None:
    """Give the lecturer an account (activated through a one-time link), scoped to their organisations."""
    if lecturer.user_id:
        raise ValidationFailed(email=_l("This lecturer already has an account."))
    user = accounts.find_by_email(email) if email else None
    if user is None:
        user = accounts.create_user(email=email, full_name=lecturer.full_name, iin=None, actor=actor)
        accounts.send_activation(user, locale)
    elif db.session.scalar(select(Lecturer.id).where(Lecturer.user_id == user.id)) is not None:
        raise ValidationFailed(email=_l("This account already belongs to another lecturer."))
    lecturer.user_id = user.id
    lecturer.email = user.email
    for connection in lecturer.links:
        accounts.grant_role(user, LECTURER, organisation=connection.organisation, actor=actor)
    audit.record("lecturer.invited", lecturer, actor=actor, after={"user_id": user.id})
