"""Demo registry: organisations in several states, certified lecturers, an application waiting for review.

Everything goes through the same services the pages use, so the demo's history and audit log are real.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.extensions import db
from lms.lecturers import services as lecturers
from lms.organisations import applications, documents, registry
from lms.organisations.models import Application, Organisation
from lms.profiles import get_profile
from lms.util import local_today

DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _codes() -> list[str]:
    if get_profile().code == "KG":
        return ["KG-OSH-MGR"]
    return ["KZ-OSH-MGR", "KZ-FIRST-AID", "KZ-OSH-CONSTR"]


def _application_data(org: Organisation, people: list[tuple[str, str]], codes: list[str]) -> dict[str, Any]:
    profile = get_profile()
    phone = "+77172000000" if profile.code == "KZ" else "+996312000000"
    return {
        "organisation": {"name_state": org.name_state, "name_ru": org.name_ru, "region": org.region,
                         "address": "пр. Абая, 10", "phone": phone, "email": f"info{org.id}@demo.osh-centre.kz",
                         "website": "https://demo.osh-centre.kz", "director": people[0][1]},
        "base": {"classrooms": 3, "seats": 60, "computers": 20, "av_equipment": "Проектор, экран, звук",
                 "distance_portal": True, "portal_url": "https://learn.demo.osh-centre.kz",
                 "visual_aids": "Стенды по СИЗ, тренажёр СЛР"},
        "curricula": codes,
        "lecturers": [{"iin": iin, "full_name": name, "education": "Высшее техническое",
                       "qualification": "Инженер по охране труда", "experience_years": 12,
                       "certificate_number": ""} for iin, name in people],
    }


def _submitted(org: Organisation, manager: User, people: list[tuple[str, str]]) -> Application:
    application = applications.open_application(org) or Application(organisation=org, manager_id=manager.id,
                                                                    data={})
    db.session.add(application)
    application.data = _application_data(org, people, _codes())
    db.session.flush()
    if not application.documents:
        documents.add_document(application, io.BytesIO(DEMO_PDF), "registration.pdf", "registration", manager)
    applications.submit(application, actor=manager)
    return application


def _organisation(bin_: str, name_state: str, name_ru: str, region: str, manager: User) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.bin == bin_))
    if org is None:
        org = Organisation(bin=bin_, name_state=name_state, name_ru=name_ru, region=region)
        db.session.add(org)
        db.session.flush()
        accounts.grant_role(manager, "org_manager", organisation=org)
    return org


def _manager(email: str, name: str, password: str) -> User:
    user = accounts.find_by_email(email)
    if user is None:
        user = accounts.create_user(email=email, full_name=name, password=password)
    return user


def seed_registry(person_id, org_id, main_org: Organisation, admin: User, lecturer_user: User,
                  password: str) -> list[dict[str, Any]]:
    today = local_today()
    regions = [r.code for r in get_profile().regions]
    main_manager = db.session.scalar(select(User).where(User.email == "org.manager@demo.osh-centre.kz"))
    people = [(person_id(date(1975, 5, 9), "F", 1005), "Гүлнар Әбдіқызы Сейітова"),
              (person_id(date(1968, 2, 11), "M", 2101), "Бахыт Серикович Нурланов")]
    if main_org.status == "applicant" and not applications.open_application(main_org):
        application = _submitted(main_org, main_manager, people)
        applications.approve(application, _codes(), actor=admin)
        for n, (iin, _name) in enumerate(people, start=1):
            lecturer = lecturers.by_iin(iin)
            if lecturer.status == "uncertified":
                lecturers.certify(lecturer, f"L-{today.year}-{n:04d}", _codes(), today + timedelta(days=3 * 365),
                                  actor=admin)
        first = lecturers.by_iin(people[0][0])
        if first.user_id is None:
            first.user_id = lecturer_user.id
            first.email = lecturer_user.email
    others = []
    specs = [
        ("suspended", org_id(5100), "«Қарағанды Еңбек Қауіпсіздігі» орталығы",
         "Центр «Карагандинская безопасность труда»"),
        ("revoked", org_id(5200), "«Жылдам Сертификат» ЖШС", "ТОО «Быстрый сертификат»"),
        ("submitted", org_id(5300), "«Атырау Өндірістік Қауіпсіздік» оқу орталығы",
         "Учебный центр «Атырау промбезопасность»"),
        ("draft", org_id(5400), "«Солтүстік Білім» оқу орталығы", "Учебный центр «Северное знание»"),
    ]
    for n, (state, bin_, name_state, name_ru) in enumerate(specs, start=1):
        manager = _manager(f"manager{n}@demo.osh-centre.kz", f"Менеджер {n}", password)
        org = _organisation(bin_, name_state, name_ru, regions[(n * 3) % len(regions)], manager)
        staff = [(person_id(date(1980 + n, n, 10 + n), "M", 3000 + n), f"Лектор {n} Демо")]
        if org.status == "applicant" and not db.session.scalar(select(Application).where(
                Application.organisation_id == org.id)):
            if state == "draft":
                db.session.add(Application(organisation=org, manager_id=manager.id, data=_application_data(
                    org, staff, _codes()[:1])))
            else:
                application = _submitted(org, manager, staff)
                if state in ("suspended", "revoked"):
                    applications.approve(application, _codes()[:2], actor=admin)
                # the suspension comes later (suspend_demo): first this organisation trains a cohort
                if state == "revoked":
                    registry.revoke(org, "Выдача сертификатов без обучения (проверка Центра)", True, actor=admin)
        db.session.flush()
        others.append(org)
    result = []
    for org in [main_org, *others]:
        latest = db.session.scalars(select(Application).where(Application.organisation_id == org.id)
                                    .order_by(Application.id.desc())).first()
        result.append({"name": org.name_ru, "bin": org.bin, "registry_number": org.registry_number,
                       "status": org.status, "application_status": latest.status if latest else None})
    return result


SUSPENSION_REASON = "Проверка качества обучения: выявлены нарушения учёта посещаемости"


def karaganda(org_id) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.bin == org_id(5100)))


def suspend_demo(org_id, admin: User) -> None:
    """The demo's suspended organisation: suspended after it trained its (weaker) cohort."""
    org = karaganda(org_id)
    if org is not None and org.status == "approved":
        today = local_today()
        registry.suspend(org, SUSPENSION_REASON, today - timedelta(days=10), today + timedelta(days=80), actor=admin)
