"""Every role against every certificate page and action."""

import pytest

from lms.accounts.roles import ROLES
from lms.extensions import db
from tests.conftest import LOGIN, assert_access, post_form

PERSONAS = [*ROLES, "holder", "anonymous"]


@pytest.fixture
def world(exam, issued, role_users):
    people = {"holder": exam.candidate, **role_users()}
    return {"people": people, "certificate": issued, "org": exam.setup.organisation}


CENTRE = {"centre_admin": 200, "anonymous": LOGIN}
PAGES = [
    ("/v/{code}", {}, 200),
    ("/verify", {}, 200),
    ("/.well-known/jwks.json", {}, 200),
    ("/credentials/status/revocation", {}, 200),
    ("/me/certificates", {"anonymous": LOGIN}, 200),
    ("/me/certificates/{id}/pdf", {"holder": 200, "anonymous": LOGIN}, 404),
    ("/me/certificates/{id}/share", {"holder": 200, "anonymous": LOGIN}, 404),
    ("/centre/certificates/{id}", CENTRE, 403),
    ("/centre/people", CENTRE, 403),
    ("/centre/people/{iin}", CENTRE, 403),
    ("/centre/organisations/{org}/invalidate", CENTRE, 403),
    ("/employer/", {"employer": 200, "anonymous": LOGIN}, 403),
    ("/employer/api-keys", {"employer": 200, "anonymous": LOGIN}, 403),
]


def _url(template, world):
    c = world["certificate"]
    return template.format(code=c.code, id=c.id, iin=c.iin, org=world["org"].id)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("page", "expected", "default"), PAGES, ids=[p[0] for p in PAGES])
def test_pages(app, login, world, persona, page, expected, default):
    client = app.test_client()
    if persona != "anonymous":
        login(world["people"][persona], target=client)
    assert_access(client.get(_url(page, world)), expected.get(persona, default))


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_centre_changes_a_certificate(app, login, world, persona):
    client = app.test_client()
    if persona != "anonymous":
        login(world["people"][persona], target=client)
    response = post_form(client, _url("/centre/certificates/{id}", world), {"action": "revoke", "reason": "x"})
    expected = {"centre_admin": 302, "anonymous": LOGIN}.get(persona, 403)
    assert_access(response, expected)
    db.session.refresh(world["certificate"])
    assert world["certificate"].status == ("revoked" if persona == "centre_admin" else "valid")
