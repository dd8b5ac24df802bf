"""Training fixtures: an approved organisation with a certified lecturer (who has an account), and courses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from lms.extensions import db
from lms.identifiers import make_iin
from lms.lecturers import services as lecturers
from lms.training import courses
from lms.training.courses import today


@dataclass
class Setup:
    organisation: Any
    manager: Any
    admin: Any
    lecturer: Any
    lecturer_user: Any


@pytest.fixture
def setup(make_user, make_application) -> Setup:
    admin, manager = make_user("centre_admin"), make_user()
    org = make_application("approved", manager=manager, admin=admin,
                           codes=("KZ-OSH-MGR", "KZ-FIRST-AID")).organisation
    lecturer_user = make_user(email="lector.one@example.kz")
    lecturer = lecturers.link_by_iin(org, make_iin(date(1975, 5, 5), "F", 3131), {"full_name": "Лектор Один"}, admin)
    lecturers.certify(lecturer, "L-T-1", ["KZ-OSH-MGR", "KZ-FIRST-AID"], today() + timedelta(days=400), admin)
    lecturer.user_id = lecturer_user.id
    lecturers.unlink(org, lecturer, admin)
    lecturers.link(org, lecturer, admin)  # grants the lecturer role for the organisation
    db.session.commit()
    return Setup(org, manager, admin, lecturer, lecturer_user)


@pytest.fixture
def make_course(setup):
    def factory(fmt: str = "in_person", code: str = "KZ-OSH-MGR", **overrides):
        values = {"curriculum_code": code, "format": fmt, "place": "Астана", "starts_on": today(),
                  "ends_on": today() + timedelta(days=5), "hours": 40 if code == "KZ-OSH-MGR" else 16,
                  "capacity": 30, "lecturer_ids": [setup.lecturer.id]}
        values.update(overrides)
        course = courses.schedule(setup.organisation, actor=setup.manager, **values)
        db.session.commit()
        return course

    return factory


def trainee(n: int = 1, **extra) -> dict:
    values = {"iin": make_iin(date(1990, 1, n), "M", 8000 + n), "full_name": f"Слушатель {n}",
              "email": f"trainee{n}@example.kz", "employer_bin": "", "employer_name": "ТОО Работодатель",
              "position": "Мастер", "audience": "managers"}
    values.update(extra)
    return values
