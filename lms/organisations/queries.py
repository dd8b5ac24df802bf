"""The public registry: organisations in the registry (approved, suspended or revoked) and lecturers."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select

from lms.curricula.models import Curriculum
from lms.extensions import db
from lms.lecturers.models import Lecturer, LecturerCurriculum, OrganisationLecturer
from lms.organisations.models import Organisation, OrganisationCurriculum

PUBLIC_STATUSES = ("approved", "suspended", "revoked")
ORGANISATION_FILTERS = ("q", "bin", "region", "curriculum", "status")
LECTURER_FILTERS = ("q", "curriculum", "organisation")


def organisations(filters: dict[str, str], today: date) -> Select:
    """The public registry's list; the status filter is the status shown on the day (a suspension that has
    not begun or has ended shows as approved)."""
    query = select(Organisation).where(Organisation.status.in_(PUBLIC_STATUSES)).order_by(Organisation.registry_number)
    q = (filters.get("q") or "").strip()
    if q:
        query = query.where(or_(Organisation.name_ru.ilike(f"%{q}%"), Organisation.name_state.ilike(f"%{q}%"),
                                Organisation.registry_number == q.upper()))
    if filters.get("bin"):
        query = query.where(Organisation.bin == filters["bin"].strip())
    if filters.get("region"):
        query = query.where(Organisation.region == filters["region"])
    if filters.get("status") in PUBLIC_STATUSES:
        query = query.where(Organisation.effective_status_is(filters["status"], today))
    if filters.get("curriculum"):
        query = query.where(Organisation.curricula.any(
            OrganisationCurriculum.curriculum.has(Curriculum.code == filters["curriculum"])))
    return query


def lecturers(filters: dict[str, str]) -> Select:
    query = (select(Lecturer).where(Lecturer.status != "uncertified", Lecturer.links.any())
             .order_by(Lecturer.full_name))
    q = (filters.get("q") or "").strip()
    if q:
        query = query.where(Lecturer.full_name.ilike(f"%{q}%"))
    if filters.get("curriculum"):
        query = query.where(Lecturer.curricula.any(
            LecturerCurriculum.curriculum.has(Curriculum.code == filters["curriculum"])))
    if filters.get("organisation"):
        query = query.where(Lecturer.links.any(OrganisationLecturer.organisation.has(
            Organisation.registry_number == filters["organisation"].upper())))
    return query


def public_organisation(registry_number: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.registry_number == registry_number.upper(),
                                                        Organisation.status.in_(PUBLIC_STATUSES)))


def linked_lecturers(organisation: Organisation) -> list[Lecturer]:
    """The organisation's lecturers by name, in one query (their curricula and links come batched)."""
    return list(db.session.scalars(select(Lecturer).where(Lecturer.links.any(organisation_id=organisation.id))
                                   .order_by(Lecturer.full_name)))


def certified_lecturers(organisation: Organisation, today: date) -> list[Lecturer]:
    return [lecturer for lecturer in linked_lecturers(organisation) if lecturer.effective_status(today) == "certified"]


def organisation_json(org: Organisation, today: date, detail: bool = False) -> dict[str, Any]:
    data = {
        "registry_number": org.registry_number,
        "bin": org.bin,
        "names": {"state": org.name_state, "ru": org.name_ru},
        "region": org.region,
        "status": org.effective_status(today),
        "curricula": org.curriculum_codes(),
    }
    if detail:
        data.update(
            address=org.address, phone=org.phone, email=org.email, website=org.website,
            approved_at=org.approved_at.isoformat() if org.approved_at else None,
            history=[{"status": e.status, "at": e.at.isoformat(), "reason": e.reason,
                      "from": e.effective_from.isoformat() if e.effective_from else None,
                      "until": e.effective_until.isoformat() if e.effective_until else None,
                      "for_cause": e.for_cause} for e in org.events],
            lecturers=[{"name": lecturer.full_name, "valid_until": lecturer.valid_until.isoformat()}
                       for lecturer in certified_lecturers(org, today)],
        )
    return data


def lecturer_json(lecturer: Lecturer, today: date) -> dict[str, Any]:
    return {
        "name": lecturer.full_name,
        "organisations": [{"registry_number": link.organisation.registry_number, "name": link.organisation.name_ru}
                          for link in lecturer.links if link.organisation.registry_number],
        "status": lecturer.effective_status(today),
        "valid_until": lecturer.valid_until.isoformat() if lecturer.valid_until else None,
        "curricula": lecturer.curriculum_codes(),
    }
