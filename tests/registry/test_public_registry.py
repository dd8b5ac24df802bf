import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.lecturers import services as lecturers
from lms.lecturers.models import Lecturer
from lms.organisations import applications, documents, registry
from tests.factories import PDF, valid_data


@pytest.fixture
def orgs(make_application, make_user):
    admin = make_user("centre_admin")
    approved = make_application("approved", admin=admin, codes=("KZ-OSH-MGR", "KZ-FIRST-AID")).organisation
    revoked = make_application("approved", admin=admin).organisation
    registry.revoke(revoked, "Нарушения", True, admin)
    applicant = make_application("submitted").organisation
    db.session.commit()
    return approved, revoked, applicant


def test_only_registered_organisations_are_public(client, orgs):
    approved, revoked, applicant = orgs
    page = client.get("/registry/").get_data(as_text=True)
    assert approved.registry_number in page and revoked.registry_number in page
    assert applicant.bin not in page
    codes = [i["bin"] for i in client.get("/api/v1/registry/organisations").get_json()["items"]]
    assert applicant.bin not in codes


@pytest.mark.parametrize("param", ["q", "bin", "curriculum", "status"])
def test_filters(client, orgs, param):
    approved, revoked, _ = orgs
    value = {"q": approved.registry_number, "bin": approved.bin, "curriculum": "KZ-FIRST-AID",
             "status": "approved"}[param]
    data = client.get(f"/api/v1/registry/organisations?{param}={value}").get_json()
    numbers = [i["registry_number"] for i in data["items"]]
    assert approved.registry_number in numbers and revoked.registry_number not in numbers
    page = client.get(f"/registry/?{param}={value}").get_data(as_text=True)
    assert approved.registry_number in page and revoked.registry_number not in page


def test_the_status_filter_is_the_status_shown_on_the_day(client, make_application, make_user):
    """A suspension that has not begun, or has ended before the worker reinstated the organisation, shows as
    approved: the filter finds it there, not among the suspended."""
    from lms.util import local_today

    admin = make_user("centre_admin")
    today = local_today()
    periods = {"current": (today - timedelta(days=1), today + timedelta(days=7)),
               "open-ended": (today - timedelta(days=1), None), "ends today": (today - timedelta(days=3), today),
               "future": (today + timedelta(days=1), today + timedelta(days=5)),
               "ended": (today - timedelta(days=9), today - timedelta(days=1))}
    numbers = {}
    for name, (start, until) in periods.items():
        org = make_application("approved", admin=admin).organisation
        registry.suspend(org, "Проверка", start, until, admin)
        numbers[name] = org.registry_number
    db.session.commit()
    for status, expected in (("suspended", {"current", "open-ended", "ends today"}), ("approved", {"future", "ended"})):
        items = client.get(f"/api/v1/registry/organisations?status={status}").get_json()["items"]
        found = {name for name, number in numbers.items() if number in {i["registry_number"] for i in items}}
        assert found == expected, status
        assert {i["status"] for i in items} == {status}  # every one shows the status it was filtered by
        page = client.get(f"/registry/?status={status}").get_data(as_text=True)
        assert {name for name, number in numbers.items() if number in page} == expected


def test_search_ignores_case_in_cyrillic_and_kazakh(client, orgs):
    """On SQLite as on PostgreSQL: lower case finds upper case in Russian and in Kazakh letters."""
    approved, revoked, _ = orgs
    approved.name_ru, approved.name_state = "Курсы «Жаркентская Ёлочка»", "ЖАРҚЫН ӨРЕН ОРТАЛЫҒЫ"
    db.session.commit()
    for q in ("жаркентская", "ЁЛОЧКА", "жарқын өрен"):
        numbers = [i["registry_number"] for i in client.get(
            "/api/v1/registry/organisations", query_string={"q": q}).get_json()["items"]]
        assert numbers == [approved.registry_number], q


def test_region_filter_and_item_shape(client, orgs):
    data = client.get("/api/v1/registry/organisations?region=astana").get_json()
    item = data["items"][0]
    assert {"registry_number", "bin", "names", "region", "status", "curricula"} <= set(item)
    assert set(item["names"]) == {"state", "ru"}
    assert client.get("/api/v1/registry/organisations?region=abai").get_json()["total"] == 0


def test_organisation_page_and_json(client, orgs):
    approved, revoked, applicant = orgs
    page = client.get(f"/registry/{approved.registry_number}?lang=en").get_data(as_text=True)
    assert "KZ-FIRST-AID" in page and "Status history" in page
    data = client.get(f"/api/v1/registry/organisations/{revoked.registry_number}").get_json()
    assert data["status"] == "revoked" and data["history"][-1]["reason"] == "Нарушения"
    assert client.get("/registry/TO-1999-99999").status_code == 404
    missing = client.get("/api/v1/registry/organisations/TO-1999-99999")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_registry_list_makes_a_bounded_number_of_queries(client, orgs, count_queries):
    client.get("/registry/")
    with count_queries() as counted:
        client.get("/registry/")
    assert counted.n <= 8, counted.statements



def _approved_with_lecturers(make_application, admin, lecturers_count):
    application = make_application("draft")
    applications.save_draft(application, valid_data(lecturers=lecturers_count), admin)
    documents.add_document(application, io.BytesIO(PDF), "a.pdf", "registration", admin)
    applications.submit(application, admin)
    return applications.approve(application, ["KZ-OSH-MGR"], admin)


def test_organisation_page_makes_the_same_number_of_queries_for_more_lecturers(client, make_application, make_user,
                                                                             count_queries):
    admin = make_user("centre_admin")
    few = _approved_with_lecturers(make_application, admin, 1)
    more = _approved_with_lecturers(make_application, admin, 4)
    for n, person in enumerate(db.session.scalars(select(Lecturer))):
        lecturers.certify(person, f"L-Q-{n}", ["KZ-OSH-MGR"], date.today() + timedelta(days=365), admin)
    db.session.commit()
    counted = {}
    for org in (few, more):
        client.get(f"/registry/{org.registry_number}")
        with count_queries() as counted[org.id]:
            page = client.get(f"/registry/{org.registry_number}").get_data(as_text=True)
    assert page.count("Лектор ") == 4
    assert counted[more.id].n == counted[few.id].n, counted[more.id].statements
