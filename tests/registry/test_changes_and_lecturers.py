from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import RoleAssignment
from lms.curricula.models import Curriculum
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.identifiers import make_bin, make_iin
from lms.lecturers import services as lecturers
from lms.lecturers.models import Lecturer
from lms.organisations import applications, registry
from lms.organisations.models import ChangeRequest
from tests.conftest import csrf_from, post_form


@pytest.fixture
def setup(make_user, make_application, login, client):
    manager, admin = make_user(), make_user("centre_admin")
    org = make_application("approved", manager=manager, admin=admin).organisation
    login(manager)
    return manager, admin, org


def test_contacts_change_directly_and_are_audited(client, setup):
    manager, admin, org = setup
    url = f"/org/{org.id}/profile"
    response = post_form(client, url, {"c-address": "ул. Новая, 5", "c-phone": "+77011234567", "c-email": "new@org.kz",
                                       "c-website": "", "c-director": "Новый Директор", "c-save_contacts": "1",
                                       "c-csrf_token": csrf_from(client, url)},
                         token_from=url)
    assert response.status_code == 302
    db.session.refresh(org)
    assert (org.address, org.phone, org.director) == ("ул. Новая, 5", "+77011234567", "Новый Директор")


def test_bad_phone_in_contacts_is_refused_on_the_field(client, setup):
    manager, admin, org = setup
    url = f"/org/{org.id}/profile"
    response = post_form(client, url + "?lang=en", {"c-phone": "12", "c-save_contacts": "1",
                                                     "c-csrf_token": csrf_from(client, url)}, token_from=url)
    assert "Enter a valid phone number" in response.get_data(as_text=True)


def test_registry_fields_change_only_through_the_centre(app, client, setup, login):
    manager, admin, org = setup
    url = f"/org/{org.id}/profile"
    new_bin = make_bin(date(2021, 7, 1), 4321)
    response = post_form(client, url, {"r-name_state": org.name_state, "r-name_ru": "Новое имя", "r-bin": new_bin,
                                       "r-curricula": ["KZ-OSH-MGR", "KZ-FIRST-AID"], "r-send_request": "1",
                                       "r-csrf_token": csrf_from(client, url)},
                         token_from=url)
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.name_ru != "Новое имя"  # not yet
    request = db.session.scalars(select(ChangeRequest)).one()
    assert request.changes == {"name_ru": "Новое имя", "bin": new_bin, "curricula": ["KZ-FIRST-AID", "KZ-OSH-MGR"]}
    # A second request while one is pending is refused.
    with pytest.raises(ValidationFailed):
        registry.request_change(org, {"name_ru": "Ещё"}, manager)

    staff = app.test_client()
    login(admin, target=staff)
    post_form(staff, f"/centre/change-requests/{request.id}", {"decision": "approve"},
              token_from="/centre/change-requests")
    db.session.refresh(org)
    assert (org.name_ru, org.bin, org.curriculum_codes()) == ("Новое имя", new_bin, ["KZ-FIRST-AID", "KZ-OSH-MGR"])


def test_rejecting_a_change_needs_a_reason(setup, outbox):
    manager, admin, org = setup
    request = registry.request_change(org, {"name_ru": "Другое"}, manager)
    with pytest.raises(ValidationFailed):
        registry.decide_change(request, False, admin, "")
    with pytest.raises(ValidationFailed) as err:  # longer than the column: a message, not a database error
        registry.decide_change(request, False, admin, "x" * 1001)
    assert "reason" in err.value.errors
    registry.decide_change(request, False, admin, "Нет подтверждающих документов")
    assert request.status == "rejected"
    assert "Нет подтверждающих документов" in outbox(manager.email)[-1].body_text


def test_change_to_a_bin_already_taken_is_refused(setup, make_application, make_user):
    manager, admin, org = setup
    other = make_application("draft").organisation
    with pytest.raises(ValidationFailed) as err:
        registry.request_change(org, {"bin": other.bin}, manager)
    assert "bin" in err.value.errors
    # Taken while the request waited: refused at the decision.
    new_bin = make_bin(date(2021, 9, 9), 99)
    request = registry.request_change(org, {"bin": new_bin}, manager)
    applications.start(bin_=new_bin, name="Опередившая", region="astana", manager=make_user())
    with pytest.raises(ValidationFailed):
        registry.decide_change(request, True, admin)


@pytest.mark.parametrize(("codes", "message"), [
    ([], "Choose at least one model curriculum."),
    (["KZ-OSH-MGR", "NO-SUCH-CODE"], "Choose curricula from the Centre's active catalogue."),
])
def test_change_to_curricula_outside_the_catalogue_is_refused_on_the_field(client, setup, codes, message):
    manager, admin, org = setup
    url = f"/org/{org.id}/profile"
    response = post_form(client, url + "?lang=en", {"r-name_state": org.name_state, "r-name_ru": org.name_ru,
                                                   "r-bin": org.bin, "r-curricula": codes, "r-send_request": "1",
                                                   "r-csrf_token": csrf_from(client, url)}, token_from=url)
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(ChangeRequest)).all() == []


def test_a_curriculum_retired_since_approval_is_kept_by_a_name_change(client, login, make_user, make_application):
    manager = make_user()
    org = make_application("approved", manager=manager, codes=("KZ-OSH-MGR", "KZ-FIRST-AID")).organisation
    retired = db.session.scalar(select(Curriculum).where(Curriculum.code == "KZ-FIRST-AID"))
    retired.status, retired.retired_at = "retired", datetime.now(UTC)
    db.session.commit()
    login(manager)
    url = f"/org/{org.id}/profile"
    assert 'value="KZ-FIRST-AID"' in client.get(url).get_data(as_text=True)
    response = post_form(client, url, {"r-name_state": org.name_state, "r-name_ru": "Новое имя", "r-bin": org.bin,
                                       "r-curricula": ["KZ-OSH-MGR", "KZ-FIRST-AID"], "r-send_request": "1",
                                       "r-csrf_token": csrf_from(client, url)}, token_from=url)
    assert response.status_code == 302
    assert db.session.scalars(select(ChangeRequest)).one().changes == {"name_ru": "Новое имя"}


def test_change_requests_page_names_the_fields_and_loads_organisations_at_once(app, login, make_user,
                                                                             make_application, count_queries):
    admin = make_user("centre_admin")
    staff = app.test_client()
    login(admin, target=staff)
    organisations = [make_application("approved", admin=admin).organisation for _ in range(4)]
    registry.request_change(organisations[0], {"name_ru": "Новое имя 0"}, admin)
    db.session.commit()
    staff.get("/centre/change-requests")
    with count_queries() as one:
        page = staff.get("/centre/change-requests?lang=en").get_data(as_text=True)
    assert "Legal name in Russian" in page and "name_ru" not in page
    for n, organisation in enumerate(organisations[1:], start=1):
        registry.request_change(organisation, {"name_ru": f"Новое имя {n}"}, admin)
    db.session.commit()
    with count_queries() as four:
        page = staff.get("/centre/change-requests?lang=en").get_data(as_text=True)
    assert page.count("Новое имя") == 4
    assert four.n == one.n, four.statements


def test_manager_links_and_unlinks_lecturers_but_cannot_certify(client, setup, make_user):
    manager, admin, org = setup
    url = f"/org/{org.id}/lecturers"
    iin = make_iin(date(1981, 8, 8), "F", 555)
    response = post_form(client, url, {"iin": iin, "full_name": "Жаңа Лектор", "education": "Высшее"},
                         token_from=url)
    assert response.status_code == 302
    lecturer = lecturers.by_iin(iin)
    assert lecturer.status == "uncertified" and org.id in [link.organisation_id for link in lecturer.links]
    bad = post_form(client, url + "?lang=en", {"iin": "111"}, token_from=url)
    assert "12 digits" in bad.get_data(as_text=True)
    odd = post_form(client, url, {"iin": make_iin(date(1982, 8, 8), "F", 556), "full_name": "Другой Лектор",
                                  "experience_years": "²"}, token_from=url)  # a digit to isdigit, not to int()
    assert odd.status_code == 302
    assert client.get(f"/centre/lecturers/{lecturer.id}").status_code == 403
    response = post_form(client, f"{url}/{lecturer.id}/unlink", token_from=url)
    db.session.refresh(lecturer)
    assert lecturer.links == []


def test_centre_certifies_renews_suspends_and_revokes(client, login, make_user, frozen_clock):
    admin = make_user("centre_admin")
    login(admin)
    frozen_clock(datetime(2026, 6, 1, 6, tzinfo=UTC))
    lecturer = lecturers.create(make_iin(date(1977, 1, 1), "M", 99), {"full_name": "Серік Лектор"}, admin)
    db.session.commit()
    url = f"/centre/lecturers/{lecturer.id}"
    response = post_form(client, url + "?lang=en", {"action": "certify", "certificate_number": "",
                                                   "curricula": [], "valid_until": "2025-01-01"}, token_from=url)
    page = response.get_data(as_text=True)
    assert "This field is required." in page and "Give a date in the future." in page
    post_form(client, url, {"action": "certify", "certificate_number": "l-2026-0100",
                            "curricula": ["KZ-OSH-MGR"], "valid_until": "2029-05-31"}, token_from=url)
    db.session.refresh(lecturer)
    assert (lecturer.status, lecturer.certificate_number, lecturer.curriculum_codes()) == (
        "certified", "L-2026-0100", ["KZ-OSH-MGR"])
    post_form(client, url, {"action": "renew", "valid_until": "2030-05-31"}, token_from=url)
    db.session.refresh(lecturer)
    assert lecturer.valid_until == date(2030, 5, 31)
    post_form(client, url, {"action": "suspend", "reason": "Жалоба слушателей"}, token_from=url)
    db.session.refresh(lecturer)
    assert lecturer.status == "suspended"
    post_form(client, url, {"action": "reinstate"}, token_from=url)
    post_form(client, url, {"action": "revoke", "reason": "Подлог документов"}, token_from=url)
    db.session.refresh(lecturer)
    assert lecturer.status == "revoked" and lecturer.status_reason == "Подлог документов"


def test_certificate_numbers_are_unique(make_user):
    admin = make_user("centre_admin")
    a = lecturers.create(make_iin(date(1970, 1, 1), "M", 11), {"full_name": "A"}, admin)
    b = lecturers.create(make_iin(date(1970, 1, 2), "M", 12), {"full_name": "B"}, admin)
    lecturers.certify(a, "L-1", ["KZ-OSH-MGR"], date.today() + timedelta(days=30), admin)
    with pytest.raises(ValidationFailed) as err:
        lecturers.certify(b, "l-1", ["KZ-OSH-MGR"], date.today() + timedelta(days=30), admin)
    assert "certificate_number" in err.value.errors


def test_expired_certification_shows_as_expired(make_user, frozen_clock):
    admin = make_user("centre_admin")
    lecturer = lecturers.create(make_iin(date(1970, 1, 3), "M", 13), {"full_name": "C"}, admin)
    lecturers.certify(lecturer, "L-2", ["KZ-OSH-MGR"], date.today() + timedelta(days=10), admin)
    assert lecturer.effective_status(date.today()) == "certified"
    assert lecturer.effective_status(date.today() + timedelta(days=11)) == "expired"


def test_a_lecturer_works_for_several_organisations(make_user, make_application, app, login):
    admin = make_user("centre_admin")
    first = make_application("approved", admin=admin).organisation
    second = make_application("approved", admin=admin).organisation
    iin = make_iin(date(1965, 5, 5), "F", 77)
    person = lecturers.link_by_iin(first, iin, {"full_name": "Общий Лектор"}, admin)
    lecturers.link_by_iin(second, iin, {}, admin)
    assert {link.organisation_id for link in person.links} == {first.id, second.id}
    # An account gets the lecturer role for each organisation, and sees its certification.
    user = make_user(email="lector@example.kz")
    person.user_id = user.id
    lecturers.link(first, person, admin)
    lecturers.unlink(second, person, admin)
    lecturers.link(second, person, admin)
    db.session.commit()
    roles = db.session.scalars(select(RoleAssignment.organisation_id).where(
        RoleAssignment.user_id == user.id, RoleAssignment.role == "lecturer")).all()
    assert set(roles) == {second.id}
    c = app.test_client()
    login(user, target=c)
    response = c.get("/lecturer/?lang=en")
    assert response.status_code == 200
    assert "Not certified" in response.get_data(as_text=True)  # the lecturer's own certification


def test_invite_gives_the_lecturer_an_account_for_its_organisations(make_user, make_application, outbox, app):
    admin = make_user("centre_admin")
    org = make_application("approved", admin=admin).organisation
    person = lecturers.link_by_iin(org, make_iin(date(1966, 6, 6), "M", 88), {"full_name": "Новый Лектор"}, admin)
    with app.test_request_context():
        lecturers.invite(person, "new.lector@example.kz", "kk", admin)
    db.session.commit()
    assert outbox("new.lector@example.kz")
    roles = db.session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == person.user_id)).all()
    assert [(r.role, r.organisation_id) for r in roles] == [("lecturer", org.id)]


def test_lecturer_records_never_show_an_identifier_publicly(client, make_user, make_application):
    admin = make_user("centre_admin")
    org = make_application("approved", admin=admin).organisation
    person = db.session.scalars(select(Lecturer)).first()
    lecturers.certify(person, "L-77", ["KZ-OSH-MGR"], date.today() + timedelta(days=100), admin)
    db.session.commit()
    data = client.get("/api/v1/registry/lecturers").get_json()
    item = next(i for i in data["items"] if i["name"] == person.full_name)
    assert set(item) == {"name", "organisations", "status", "valid_until", "curricula"}
    assert person.iin not in client.get("/registry/lecturers").get_data(as_text=True)
    assert person.iin not in str(data)
    detail = client.get(f"/api/v1/registry/organisations/{org.registry_number}").get_json()
    assert detail["lecturers"] == [{"name": person.full_name, "valid_until": person.valid_until.isoformat()}]
