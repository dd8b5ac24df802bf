from datetime import UTC, date, datetime

from lms.profiles import PROFILES, get_profile


def test_kz_profile(app):
    p = get_profile()
    assert (p.code, p.state_language, p.certificate_prefix, p.timezone) == ("KZ", "kk", "KZ-OSH", "Asia/Almaty")
    assert len(p.regions) == 20 and p.region("ulytau").name("kk") == "Ұлытау облысы"


def test_almaty_is_utc_plus_five_since_march_2024():
    tz = PROFILES["KZ"].tz
    assert datetime(2024, 3, 10, 12, tzinfo=UTC).astimezone(tz).utcoffset().total_seconds() == 5 * 3600
    assert datetime(2023, 6, 1, 12, tzinfo=UTC).astimezone(tz).utcoffset().total_seconds() == 6 * 3600


def test_valid_until_means_the_end_of_that_day_locally():
    end = PROFILES["KZ"].end_of_day_utc(date(2026, 12, 31))
    assert end.isoformat().startswith("2026-12-31T18:59:59")
    assert PROFILES["KG"].end_of_day_utc(date(2026, 12, 31)).isoformat().startswith("2026-12-31T17:59:59")


def test_kg_profile_identifiers(app):
    p = PROFILES["KG"]
    assert (p.state_language, p.certificate_prefix, p.person_id_length) == ("ky", "KG-OSH", 14)
    assert len(p.regions) == 9
    assert p.validate_person_id("10903198812345") == "10903198812345"


def test_profile_switch_changes_validation(app, client, make_user, login):
    from tests.conftest import post_form

    admin = make_user("centre_admin")
    login(admin)
    app.config["LMS_COUNTRY"] = "KG"
    try:
        response = post_form(client, "/admin/users/new?lang=en",
                             {"email": "kg.person@example.kg", "full_name": "Айбек Асанов",
                              "iin": "20512198512345", "role": "candidate"}, token_from="/admin/users/new")
        assert response.status_code == 302
        response = post_form(client, "/admin/users/new?lang=en",
                             {"email": "kg.person2@example.kg", "full_name": "Айбек Асанов",
                              "iin": "850702300001", "role": "candidate"}, token_from="/admin/users/new")
        assert "14 digits" in response.get_data(as_text=True)
    finally:
        app.config["LMS_COUNTRY"] = "KZ"
