"""Demo data: one account per role, a training organisation for the scoped roles."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from lms.accounts import services
from lms.accounts.models import User
from lms.accounts.roles import EMPLOYER, ROLES
from lms.extensions import db
from lms.identifiers import make_bin, make_iin, make_kg_pin
from lms.organisations.models import Organisation
from lms.profiles import get_profile

DOMAIN = "demo.osh-centre.kz"

PEOPLE = {
    "centre_admin": ("Айгүл Серікқызы Жұмабаева", date(1980, 3, 14), "F"),
    "examiner": ("Ерлан Бауыржанұлы Омаров", date(1985, 7, 2), "M"),
    "analyst": ("Динара Маратовна Ким", date(1990, 11, 23), "F"),
    "org_manager": ("Нұрлан Асқарұлы Тоқтаров", date(1978, 1, 30), "M"),
    "lecturer": ("Гүлнар Әбдіқызы Сейітова", date(1975, 5, 9), "F"),
    "candidate": ("Серік Қайратұлы Ахметов", date(1992, 9, 17), "M"),
    "employer": ("Марат Есенұлы Бекетов", date(1970, 12, 5), "M"),
}


ABBREVIATIONS = {"centre_admin": "CA", "examiner": "EX", "analyst": "AN", "org_manager": "OM",
                 "lecturer": "LE", "candidate": "CN", "employer": "EM"}


def demo_password(role: str) -> str:
    """Known demo passwords (development only: ``flask demo seed`` refuses to run in production)."""
    return f"Demo-2026-{ABBREVIATIONS[role]}!"


def person_id(birth: date, sex: str, serial: int) -> str:
    if get_profile().code == "KZ":
        return make_iin(birth, sex, serial)
    return make_kg_pin(birth, sex, serial)


def org_id(serial: int) -> str:
    if get_profile().code == "KZ":
        return make_bin(date(2015, 4, 1), serial)
    return f"0{date(2015, 4, 1):%d%m%Y}{serial % 100000:05d}"


def demo_organisation() -> Organisation:
    bin_ = org_id(4321)
    org = db.session.scalar(select(Organisation).where(Organisation.bin == bin_))
    if org is None:
        region = get_profile().regions[0].code
        org = Organisation(bin=bin_, name_state="«Қауіпсіз Еңбек» оқу орталығы" if get_profile().code == "KZ"
                           else "«Коопсуз Эмгек» окуу борбору",
                           name_ru="Учебный центр «Безопасный труд»", region=region)
        db.session.add(org)
        db.session.flush()
    return org


def seed() -> dict[str, Any]:
    org = demo_organisation()
    logins: dict[str, dict[str, str]] = {}
    for serial, role in enumerate(ROLES, start=1):
        name, birth, sex = PEOPLE[role]
        email = f"{role.replace('_', '.')}@{DOMAIN}"
        password = demo_password(role)
        user = services.find_by_email(email)
        if user is None:
            user = services.create_user(email=email, full_name=name, iin=person_id(birth, sex, 1000 + serial),
                                        password=password)
        services.grant_role(user, role, organisation=org if role in ("org_manager", "lecturer") else None,
                            employer_bin=org_id(7000) if role == EMPLOYER else None)
        db.session.flush()
        logins[role] = {"login": email, "password": password}

    from lms.demo.registry import seed_registry

    admin = services.find_by_email(logins["centre_admin"]["login"])
    lecturer_user = services.find_by_email(logins["lecturer"]["login"])
    organisations = seed_registry(person_id, org_id, org, admin, lecturer_user, demo_password("org_manager"))

    from lms.demo.training import seed_training

    manager = services.find_by_email(logins["org_manager"]["login"])
    candidate = services.find_by_email(logins["candidate"]["login"])
    courses = seed_training(org, admin, manager, candidate, person_id)

    from lms.demo.assessments import seed_assessments
    from lms.demo.registry import karaganda, suspend_demo

    tests = seed_assessments([org, karaganda(org_id)], admin, person_id)
    suspend_demo(org_id, admin)

    from lms.demo.certificates import seed_certificates

    certificates = seed_certificates(admin)
    history = seed_history()
    from lms.reports.refresh import refresh

    refresh()  # the reports show the demo data at once
    for entry in organisations:  # the statuses as they stand at the end
        entry["status"] = db.session.scalar(select(Organisation.status).where(Organisation.bin == entry["bin"]))
    return {"logins": logins, "organisations": organisations, "courses": courses, "tests": tests,
            "certificates": certificates, "history": history}


HISTORY_PEOPLE = 2000


def seed_history() -> dict[str, Any]:
    """Two years of national history for the reports (once): ``flask demo bulk``'s generator, 2,000 people."""
    from lms.demo.bulk import EMAIL_DOMAIN, bulk

    existing = db.session.scalar(select(func.count()).select_from(User).where(User.email.like(f"%@{EMAIL_DOMAIN}")))
    if existing:
        return {"people": existing, "added": 0}
    totals = bulk(HISTORY_PEOPLE, seed=2026)
    return {"people": HISTORY_PEOPLE, "added": HISTORY_PEOPLE, "certificates": totals["certificates"]}
