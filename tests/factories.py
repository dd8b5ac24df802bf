"""Test data builders shared by the test folders."""

from __future__ import annotations

from datetime import date

from lms.identifiers import make_iin

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


