"""Registry fixtures: applications in any state, built through the services the pages use."""

from __future__ import annotations

import io
from datetime import date

import pytest

from lms.extensions import db
from lms.identifiers import make_bin, make_iin
from lms.organisations import applications, documents
from lms.organisations.models import Application

PDF = b"%PDF-1.7\n%test document\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def valid_data(name: str = "Сынақ оқу орталығы", lecturers: int = 1, codes=("KZ-OSH-MGR",)) -> dict:
    return {
        "organisation": {"name_state": name, "name_ru": "Тестовый учебный центр", "region": "astana",
                         "address": "пр. Мангилик Ел, 1", "phone": "+7 717 200 0000",
                         "email": "info@example.kz", "website": "https://example.kz", "director": "Директор Тестов"},
        "base": {"classrooms": 2, "seats": 40, "computers": 12, "av_equipment": "Проектор",
                 "distance_portal": False, "portal_url": "", "visual_aids": "Стенды"},
        "curricula": list(codes),
        "lecturers": [{"iin": make_iin(date(1970 + n, 3, 3), "M", 700 + n), "full_name": f"Лектор {n}",
                       "education": "Высшее", "qualification": "Инженер", "experience_years": 10,
                       "certificate_number": ""} for n in range(lecturers)],
    }


@pytest.fixture
def make_application(make_user):
    """make_application(state="draft"|"submitted"|"approved", manager=None) -> Application."""
    counter = {"n": 0}

    def factory(state: str = "submitted", manager=None, admin=None, codes=("KZ-OSH-MGR",)) -> Application:
        counter["n"] += 1
        manager = manager or make_user()
        application = applications.start(bin_=make_bin(date(2018, 6, 1), 900 + counter["n"] * 13),
                                         name=f"Орталық {counter['n']}", region="astana", manager=manager)
        if state == "draft":
            db.session.commit()
            return application
        applications.save_draft(application, valid_data(f"Орталық {counter['n']}", codes=codes), actor=manager)
        documents.add_document(application, io.BytesIO(PDF), "licence.pdf", "registration", actor=manager)
        applications.submit(application, actor=manager)
        if state == "approved":
            applications.approve(application, list(codes), actor=admin or make_user("centre_admin"))
        db.session.commit()
        return application

    return factory
