"""Applications for registration: start (with the manager's account), save a draft, submit (frozen),
and the Centre's review: approve, reject, return for changes. Each transition is one function that checks
the state machine, writes the audit log and notifies the organisation through the outbox."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms import audit, identifiers
from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.accounts.roles import ORG_MANAGER
from lms.clock import utcnow
from lms.curricula.models import Curriculum
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.organisations.models import Application, ApplicationVersion, Organisation
from lms.organisations.registry import approve_organisation, notify
from lms.profiles import get_profile

SECTIONS = ("organisation", "base", "curricula", "lecturers", "documents")
TRANSITIONS = {
    "submit": {"draft", "returned"},
    "approve": {"submitted"},
    "reject": {"submitted"},
    "return": {"submitted"},
}


def _require(application: Application, action: str) -> None:
    if application.status not in TRANSITIONS[action]:
        raise ValidationFailed(status=_l("This application cannot be changed this way in its current state."))


def open_application(organisation: Organisation) -> Application | None:
    return db.session.scalar(select(Application).where(
        Application.organisation_id == organisation.id, Application.status.in_(("draft", "submitted", "returned"))))


def bin_taken(bin_: str) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Organisation).where(Organisation.bin == bin_)))


def start(*, bin_: str, name: str, region: str, manager: User | None = None, full_name: str = "",
          email: str = "", locale: str = "ru") -> Application:
    """Start an application: the organisation (status applicant), its manager's account (confirmed through
    a one-time link to the e-mail, unless the person is already signed in), and an empty draft."""
    profile = get_profile()
    errors: dict[str, list[Any]] = {}
    try:
        bin_ = profile.validate_org_id(bin_)
    except identifiers.InvalidIdentifier as exc:
        errors.setdefault("bin", []).append(exc.message)
    else:
        if bin_taken(bin_):
            errors.setdefault("bin", []).append(_l("An organisation with this number is already registered or "
                                                   "has applied. Its manager can sign in to continue."))
    if not name.strip():
        errors.setdefault("name", []).append(_l("This field is required."))
    if profile.region(region) is None:
        errors.setdefault("region", []).append(_l("Choose a region."))
    if manager is None:
        try:
            manager = accounts.create_user(email=email, full_name=full_name, locale=locale)
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationFailed(errors)
    organisation = Organisation(bin=bin_, name_state=name.strip(), name_ru=name.strip(), region=region)
    db.session.add(organisation)
    db.session.flush()
    accounts.grant_role(manager, ORG_MANAGER, organisation=organisation, actor=manager)
    application = Application(
        organisation=organisation, manager_id=manager.id, status="draft",
        data={"organisation": {"name_state": name.strip(), "name_ru": name.strip(), "region": region,
                               "email": manager.email},
              "base": {}, "curricula": [], "lecturers": []},
    )
    db.session.add(application)
    db.session.flush()
    audit.record("application.started", application, actor=manager,
                 after={"organisation_id": organisation.id, "bin": bin_})
    if manager.password_hash is None:
        accounts.send_activation(manager, locale)
    return application


# ---------------------------------------------------------------------------- checking the content
def _text(errors: dict, path: str, value: Any, required: bool, max_length: int = 300) -> None:
    if value in (None, ""):
        if required:
            errors.setdefault(path, []).append(_l("This field is required."))
    elif not isinstance(value, str) or len(value) > max_length:
        errors.setdefault(path, []).append(_l("Enter at most %(n)s characters.", n=max_length))


def _count(errors: dict, path: str, value: Any, required: bool) -> None:
    if value in (None, ""):
        if required:
            errors.setdefault(path, []).append(_l("This field is required."))
    elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100000:
        errors.setdefault(path, []).append(_l("Enter a whole number, 0 or more."))


def check(data: dict[str, Any], *, documents: int, submit: bool) -> dict[str, list[Any]]:
    """Problems with an application's content; on a draft only what is filled in is checked."""
    errors: dict[str, list[Any]] = {}
    profile = get_profile()
    org = data.get("organisation") or {}
    for name in ("name_state", "name_ru", "address", "director"):
        _text(errors, f"organisation.{name}", org.get(name), submit, 500 if name == "address" else 300)
    if org.get("region") and profile.region(org["region"]) is None or (submit and not org.get("region")):
        errors.setdefault("organisation.region", []).append(_l("Choose a region."))
    for name, validate in (("phone", lambda v: identifiers.validate_phone(v, profile.phone_region)),
                           ("email", identifiers.validate_email)):
        if org.get(name):
            try:
                validate(org[name])
            except identifiers.InvalidIdentifier as exc:
                errors.setdefault(f"organisation.{name}", []).append(exc.message)
        elif submit:
            errors.setdefault(f"organisation.{name}", []).append(_l("This field is required."))
    if org.get("website") and not _is_url(org["website"]):
        errors.setdefault("organisation.website", []).append(_l("Enter an address starting with https://"))

    base = data.get("base") or {}
    for name in ("classrooms", "seats", "computers"):
        _count(errors, f"base.{name}", base.get(name), submit)
    for name in ("av_equipment", "visual_aids"):
        _text(errors, f"base.{name}", base.get(name), False, 1000)
    if base.get("distance_portal"):
        if not base.get("portal_url"):
            errors.setdefault("base.portal_url", []).append(_l("Give the address of the distance-learning portal."))
        elif not _is_url(base["portal_url"]):
            errors.setdefault("base.portal_url", []).append(_l("Enter an address starting with https://"))

    codes = data.get("curricula") or []
    if codes:
        known = set(db.session.scalars(select(Curriculum.code).where(Curriculum.code.in_(codes),
                                                                     Curriculum.status == "active")))
        if set(codes) - known:
            errors.setdefault("curricula", []).append(_l("Choose curricula from the Centre's active catalogue."))
    elif submit:
        errors.setdefault("curricula", []).append(_l("Choose at least one model curriculum."))

    lecturers = data.get("lecturers") or []
    seen: set[str] = set()
    for index, lecturer in enumerate(lecturers, start=1):
        prefix = f"lecturers[{index}]"
        if lecturer.get("iin"):
            try:
                iin = profile.validate_person_id(lecturer["iin"])
            except identifiers.InvalidIdentifier as exc:
                errors.setdefault(f"{prefix}.iin", []).append(exc.message)
            else:
                if iin in seen:
                    errors.setdefault(f"{prefix}.iin", []).append(_l("This lecturer is listed twice."))
                seen.add(iin)
        elif submit:
            errors.setdefault(f"{prefix}.iin", []).append(_l("This field is required."))
        for name in ("full_name", "education", "qualification"):
            _text(errors, f"{prefix}.{name}", lecturer.get(name), submit)
        _count(errors, f"{prefix}.experience_years", lecturer.get("experience_years"), submit)
        _text(errors, f"{prefix}.certificate_number", lecturer.get("certificate_number"), False, 40)
    if submit and not lecturers:
        errors.setdefault("lecturers", []).append(_l("List at least one lecturer."))
    if submit and documents == 0:
        errors.setdefault("documents", []).append(_l("Attach at least one supporting document."))
    return errors


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(value) <= 300


# ---------------------------------------------------------------------------- the manager's steps
def save_draft(application: Application, data: dict[str, Any], actor: Any = None) -> dict[str, list[Any]]:
    """Keep everything typed, whatever its problems; return the problems to show beside the fields."""
    if not application.editable:
        raise ValidationFailed(status=_l("A submitted application cannot be edited until the Centre returns it."))
    application.data = data
    db.session.flush()
    return check(data, documents=len(application.documents), submit=False)


def submit(application: Application, actor: Any = None) -> ApplicationVersion:
    _require(application, "submit")
    errors = check(application.data, documents=len(application.documents), submit=True)
    if errors:
        raise ValidationFailed(errors)
    number = len(application.versions) + 1
    version = ApplicationVersion(application=application, number=number, data=dict(application.data),
                                 document_ids=[d.id for d in application.documents])
    before = application.status
    application.status = "submitted"
    application.submitted_at = utcnow()
    db.session.add(version)
    db.session.flush()
    audit.record("application.submitted", application, actor=actor, before={"status": before},
                 after={"status": "submitted", "version": number})
    return version


def changes_since_last(application: Application) -> dict[str, bool]:
    """Per section, whether the latest submission differs from the one before (for a resubmission)."""
    if len(application.versions) < 2:
        return {}
    new, old = application.versions[-1], application.versions[-2]
    changed = {s: (new.data.get(s) != old.data.get(s)) for s in SECTIONS if s != "documents"}
    changed["documents"] = set(new.document_ids or []) != set(old.document_ids or [])
    return changed


# ---------------------------------------------------------------------------- the Centre's decisions
def approve(application: Application, curricula_codes: list[str], actor: Any) -> Organisation:
    _require(application, "approve")
    requested = set(application.versions[-1].data.get("curricula") or [])
    chosen = [c for c in curricula_codes if c in requested]
    if not chosen:
        raise ValidationFailed(curricula=_l("Approve at least one of the curricula the organisation asked for."))
    application.status = "approved"
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    organisation = approve_organisation(application.organisation, application.versions[-1].data, chosen, actor)
    audit.record("application.approved", application, actor=actor,
                 after={"registry_number": organisation.registry_number, "curricula": chosen})
    return organisation


def reject(application: Application, reason: str, actor: Any) -> None:
    _require(application, "reject")
    if not reason.strip():
        raise ValidationFailed(reason=_l("Give the reason: the organisation will read it."))
    application.status = "rejected"
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    application.decision_reason = reason.strip()
    audit.record("application.rejected", application, actor=actor, note=reason.strip())
    notify(application.organisation, "application_rejected", reason=reason.strip())


def return_for_changes(application: Application, comments: dict[str, str], actor: Any) -> None:
    _require(application, "return")
    comments = {s: c.strip() for s, c in comments.items() if s in SECTIONS and c and c.strip()}
    if not comments:
        raise ValidationFailed(comments=_l("Write a comment for at least one section."))
    application.status = "returned"
    application.review_comments = comments
    audit.record("application.returned", application, actor=actor, after={"comments": comments})
    notify(application.organisation, "application_returned", comments=comments)
