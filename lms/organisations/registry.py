"""The registry status of an organisation: approve, suspend, reinstate, revoke; change requests; contacts.

Each transition checks the allowed state machine, keeps the public status history, writes the audit log
and notifies the organisation's managers through the outbox."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms import audit, identifiers
from lms.accounts.models import RoleAssignment, User
from lms.accounts.roles import ORG_MANAGER
from lms.clock import utcnow
from lms.curricula.models import Curriculum
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.jobs import periodic
from lms.mail.service import queue_email
from lms.organisations.models import (
    ChangeRequest,
    Organisation,
    OrganisationCurriculum,
    OrganisationStatusEvent,
)
from lms.organisations.numbers import registry_number
from lms.organisations.vocab import ORG_STATUSES
from lms.profiles import get_profile
from lms.util import local_today

TRANSITIONS = {
    "approve": {"applicant", "revoked"},
    "suspend": {"approved"},
    "reinstate": {"suspended"},
    "revoke": {"approved", "suspended"},
}
CONTACT_FIELDS = ("address", "phone", "email", "website", "director")
ORG_FIELDS = ("name_state", "name_ru", "region", *CONTACT_FIELDS)  # the application's organisation section
REGISTRY_FIELDS = ("name_state", "name_ru", "bin", "base", "curricula")


def _require(organisation: Organisation, action: str) -> None:
    if organisation.status not in TRANSITIONS[action]:
        raise ValidationFailed(status=_l("This change is not allowed while the organisation is %(status)s.",
                                         status=ORG_STATUSES[organisation.status]))


def managers(organisation: Organisation) -> list[User]:
    return list(db.session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == ORG_MANAGER, RoleAssignment.organisation_id == organisation.id)
    ))


def notify(organisation: Organisation, template: str, **context: Any) -> None:
    """An e-mail to each manager of the organisation, in the manager's language, after the commit."""
    for manager in managers(organisation):
        queue_email(manager.email, template, manager.locale or get_profile().state_language,
                    organisation=organisation, manager=manager, **context)


def _event(organisation: Organisation, status: str, actor: Any, **fields: Any) -> None:
    organisation.events.append(OrganisationStatusEvent(status=status, actor_id=getattr(actor, "id", None),
                                                       **fields))


def _set_curricula(organisation: Organisation, codes: list[str]) -> None:
    curricula = db.session.scalars(select(Curriculum).where(Curriculum.code.in_(codes))).all()
    keep = {c.id for c in curricula}
    organisation.curricula = [link for link in organisation.curricula if link.curriculum_id in keep]
    have = {link.curriculum_id for link in organisation.curricula}
    for curriculum in curricula:
        if curriculum.id not in have:
            organisation.curricula.append(OrganisationCurriculum(curriculum_id=curriculum.id))


def approve_organisation(organisation: Organisation, data: dict[str, Any], codes: list[str],
                         actor: Any) -> Organisation:
    _require(organisation, "approve")
    org = data.get("organisation") or {}
    for name in ORG_FIELDS:
        if org.get(name):
            value = org[name]
            if name == "phone":
                value = identifiers.validate_phone(value, get_profile().phone_region)
            setattr(organisation, name, value)
    organisation.base = data.get("base") or {}
    now = utcnow()
    if organisation.registry_number is None:
        organisation.registry_number = registry_number(get_profile().local(now).year)
    organisation.status = "approved"
    organisation.approved_at = now
    organisation.revoked_for_cause = None
    _set_curricula(organisation, codes)
    _event(organisation, "approved", actor)
    db.session.flush()

    from lms.lecturers.services import link_from_application

    for lecturer in data.get("lecturers") or []:
        link_from_application(organisation, lecturer, actor)
    audit.record("organisation.approved", organisation, actor=actor,
                 after={"registry_number": organisation.registry_number, "curricula": codes})
    notify(organisation, "organisation_approved")
    return organisation


def suspend(organisation: Organisation, reason: str, start: date, until: date | None, actor: Any) -> None:
    _require(organisation, "suspend")
    errors: dict[str, list[Any]] = {}
    if not reason.strip():
        errors["reason"] = [_l("Give the reason: it is shown in the public registry.")]
    if until is not None and until < start:
        errors["until"] = [_l("The end cannot be before the start.")]
    if errors:
        raise ValidationFailed(errors)
    organisation.status = "suspended"
    organisation.suspended_from, organisation.suspended_until = start, until
    _event(organisation, "suspended", actor, reason=reason.strip(), effective_from=start, effective_until=until)
    audit.record("organisation.suspended", organisation, actor=actor, note=reason.strip(),
                 after={"from": start.isoformat(), "until": until.isoformat() if until else None})
    notify(organisation, "organisation_suspended", reason=reason.strip(), start=start, until=until)


def reinstate(organisation: Organisation, actor: Any, reason: str = "") -> None:
    _require(organisation, "reinstate")
    organisation.status = "approved"
    organisation.suspended_from = organisation.suspended_until = None
    _event(organisation, "reinstated", actor, reason=reason.strip() or None)
    audit.record("organisation.reinstated", organisation, actor=actor, note=reason.strip() or None)
    notify(organisation, "organisation_reinstated")


def revoke(organisation: Organisation, reason: str, for_cause: bool, actor: Any) -> None:
    _require(organisation, "revoke")
    if not reason.strip():
        raise ValidationFailed(reason=_l("Give the reason: it is shown in the public registry."))
    organisation.status = "revoked"
    organisation.revoked_for_cause = for_cause
    organisation.suspended_from = organisation.suspended_until = None
    _event(organisation, "revoked", actor, reason=reason.strip(), for_cause=for_cause)
    audit.record("organisation.revoked", organisation, actor=actor, note=reason.strip(),
                 after={"for_cause": for_cause})
    notify(organisation, "organisation_revoked", reason=reason.strip(), for_cause=for_cause)


@periodic("settle_suspensions", seconds=3600)
def settle_suspensions_now() -> int:
    return settle_suspensions(local_today())


def settle_suspensions(today: date) -> int:
    """End suspensions whose last day has passed (also settled on every read by effective_status). No reason
    is written: the public history shows the suspension's period just above the reinstatement."""
    ended = db.session.scalars(select(Organisation).where(
        Organisation.status == "suspended", Organisation.suspended_until < today)).all()
    for organisation in ended:
        reinstate(organisation, None)
    return len(ended)


# ---------------------------------------------------------------------------- the manager's changes
def update_contacts(organisation: Organisation, values: dict[str, str], actor: Any) -> None:
    """Contact details change directly (no review); the audit log keeps before and after."""
    profile = get_profile()
    errors: dict[str, list[Any]] = {}
    cleaned: dict[str, str | None] = {}
    for name in CONTACT_FIELDS:
        value = (values.get(name) or "").strip()
        if name == "phone" and value:
            try:
                value = identifiers.validate_phone(value, profile.phone_region)
            except identifiers.InvalidIdentifier as exc:
                errors.setdefault(name, []).append(exc.message)
        if name == "email" and value:
            try:
                value = identifiers.validate_email(value)
            except identifiers.InvalidIdentifier as exc:
                errors.setdefault(name, []).append(exc.message)
        cleaned[name] = value or None
    if errors:
        raise ValidationFailed(errors)
    before = {name: getattr(organisation, name) for name in CONTACT_FIELDS}
    for name, value in cleaned.items():
        setattr(organisation, name, value)
    audit.record("organisation.contacts_changed", organisation, actor=actor, before=before, after=cleaned)


def request_change(organisation: Organisation, changes: dict[str, Any], actor: Any) -> ChangeRequest:
    if organisation.status == "applicant":
        raise ValidationFailed(status=_l("Edit the application instead: the organisation is not registered yet."))
    changes = {k: v for k, v in changes.items() if k in REGISTRY_FIELDS}
    current = {"name_state": organisation.name_state, "name_ru": organisation.name_ru, "bin": organisation.bin,
               "base": organisation.base or {}, "curricula": organisation.curriculum_codes()}
    changes = {k: v for k, v in changes.items() if v != current[k]}
    errors: dict[str, list[Any]] = {}
    if not changes:
        errors["changes"] = [_l("Nothing differs from the registry.")]
    if "bin" in changes:
        try:
            changes["bin"] = get_profile().validate_org_id(changes["bin"])
        except identifiers.InvalidIdentifier as exc:
            errors.setdefault("bin", []).append(exc.message)
        else:
            if _bin_taken(changes["bin"], organisation):
                errors.setdefault("bin", []).append(_l("Another organisation already has this number."))
    if "curricula" in changes:
        codes = set(changes["curricula"])
        active = set(db.session.scalars(select(Curriculum.code).where(Curriculum.code.in_(codes),
                                                                      Curriculum.status == "active")))
        if not codes:
            errors.setdefault("curricula", []).append(_l("Choose at least one model curriculum."))
        elif codes - active - set(current["curricula"]):
            errors.setdefault("curricula", []).append(_l("Choose curricula from the Centre's active catalogue."))
    for name in ("name_state", "name_ru"):
        if name in changes and not str(changes[name]).strip():
            errors.setdefault(name, []).append(_l("This field is required."))
    if db.session.scalar(select(ChangeRequest).where(ChangeRequest.organisation_id == organisation.id,
                                                     ChangeRequest.status == "pending")):
        errors.setdefault("changes", []).append(_l("A change request is already waiting for the Centre."))
    if errors:
        raise ValidationFailed(errors)
    request = ChangeRequest(organisation=organisation, requested_by_id=actor.id, changes=changes)
    db.session.add(request)
    db.session.flush()
    audit.record("organisation.change_requested", organisation, actor=actor, after=changes)
    return request


def _bin_taken(bin_: str, organisation: Organisation) -> bool:
    return db.session.scalar(select(Organisation.id).where(Organisation.bin == bin_,
                                                           Organisation.id != organisation.id)) is not None


def decide_change(request: ChangeRequest, approve: bool, actor: Any, reason: str = "") -> None:
    if request.status != "pending":
        raise ValidationFailed(status=_l("This request has already been decided."))
    if len(reason.strip()) > 1000:  # the column's size; the page's field is a bare input
        raise ValidationFailed(reason=_l("Enter at most %(n)s characters.", n=1000))
    organisation = request.organisation
    if approve:
        changes = request.changes
        if "bin" in changes and _bin_taken(changes["bin"], organisation):
            raise ValidationFailed(bin=_l("Another organisation already has this number."))
        before = {k: (organisation.curriculum_codes() if k == "curricula" else getattr(organisation, k))
                  for k in changes}
        for name, value in changes.items():
            if name == "curricula":
                _set_curricula(organisation, value)
            else:
                setattr(organisation, name, value)
        audit.record("organisation.change_approved", organisation, actor=actor, before=before, after=changes)
    else:
        if not reason.strip():
            raise ValidationFailed(reason=_l("Give the reason: the organisation will read it."))
        audit.record("organisation.change_rejected", organisation, actor=actor, note=reason.strip())
    request.status = "approved" if approve else "rejected"
    request.reason = reason.strip() or None
    request.decided_at = utcnow()
    request.decided_by_id = actor.id
    notify(organisation, "change_request_decided", approved=approve, reason=reason.strip())
