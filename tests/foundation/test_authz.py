"""The access matrix: every role against every Centre page and action."""

from datetime import date

import pytest

from lms.accounts.roles import ROLES
from lms.identifiers import make_bin
from tests.conftest import post_form

ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/audit", "/admin/outbox", "/admin/users/{target}"]
ADMIN_ACTIONS = ["/admin/users/{target}/active", "/admin/users/{target}/invite"]


@pytest.fixture
def people(make_user, role_users):
    users = role_users(employer_bin=make_bin(date(2015, 4, 1)))
    users["target"] = make_user("candidate")
    return users


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_centre_pages(client, login, people, role, page):
    url = page.format(target=people["target"].id)
    if role != "anonymous":
        login(people[role])
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif role == "centre_admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
@pytest.mark.parametrize("action", ADMIN_ACTIONS)
def test_centre_actions(client, login, people, role, action):
    url = action.format(target=people["target"].id)
    if role != "anonymous":
        login(people[role])
    response = post_form(client, url, {"active": "0"})
    if role == "anonymous":
        assert "/login" in response.headers["Location"]
    elif role == "centre_admin":
        assert response.status_code == 302
    else:
        assert response.status_code == 403


def test_revoking_a_role_of_another_person_through_a_guessed_id_is_404(client, login, people):
    login(people["centre_admin"])
    other_assignment = people["examiner"].roles[0].id
    response = post_form(client, f"/admin/users/{people['target'].id}/roles/{other_assignment}/revoke")
    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_open_its_account(client, login, people, role):
    login(people[role])
    assert client.get("/account").status_code == 200
