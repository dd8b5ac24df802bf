import json

import pytest

from lms.accounts.roles import ROLES
from tests.conftest import post_form


def test_demo_seed_json_gives_a_working_login_for_every_role(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["logins"]) == set(ROLES)
    again = json.loads(runner.invoke(args=["demo", "seed", "--json"]).output)
    assert again["logins"] == data["logins"]  # idempotent
    for role, login in data["logins"].items():
        response = post_form(client, "/login", {"email": login["login"], "password": login["password"]},
                             token_from="/login")
        assert response.status_code == 302, role
        post_form(client, "/logout")


def test_demo_seed_text_prints_logins(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert "centre.admin@" in result.output and "Demo-2026-CA!" in result.output


def test_demo_seed_refuses_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_ENV", "production")
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code != 0 and "production" in result.output


@pytest.mark.parametrize("country", ["KZ", "KG"])
def test_demo_seed_for_both_profiles(app, monkeypatch, country):
    monkeypatch.setitem(app.config, "LMS_COUNTRY", country)
    from lms.accounts import services

    result = app.test_cli_runner().invoke(args=["demo", "seed", "--json"])
    assert result.exit_code == 0, result.output
    admin = services.find_by_email(json.loads(result.output)["logins"]["candidate"]["login"])
    assert len(admin.iin) == (12 if country == "KZ" else 14)


def test_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "--email", "Boss@Centre.kz", "--name", "Бас Әкімші",
                                 "--password", "Very-Strong-Pass-5"])
    assert result.exit_code == 0, result.output
    from lms.accounts import services

    user = services.find_by_email("boss@centre.kz")
    assert user.has_role("centre_admin") and user.is_active


def test_create_admin_refuses_weak_password(app):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "--email", "weak@centre.kz", "--name",
                                                "Weak", "--password", "123"])
    assert result.exit_code == 1 and "password" in result.output


def test_demo_seed_has_registry_courses_tests_and_certificates(app):
    data = json.loads(app.test_cli_runner().invoke(args=["demo", "seed", "--json"]).output)
    assert {o["status"] for o in data["organisations"]} >= {"approved", "suspended", "revoked", "applicant"}
    assert len(data["courses"]) >= 2
    assert data["tests"]["finished_attempts"] >= 40
    statuses = {c["status"] for c in data["certificates"]}
    assert statuses >= {"valid", "expired", "suspended", "revoked"}
    assert all(c["verify_url"].startswith("http") and "/v/" in c["verify_url"] for c in data["certificates"])
