import re
from datetime import date

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.identifiers import make_bin
from lms.organisations import applications
from lms.organisations.models import Application, Organisation
from tests.conftest import post_form
from tests.registry.conftest import valid_data


def test_anyone_can_start_an_application_and_confirms_the_email(client, outbox):
    bin_ = make_bin(date(2019, 2, 1), 4242)
    response = post_form(client, "/apply?lang=en", {"full_name": "Айгерім Нұрланқызы", "email": "Head@Centre.kz",
                                                   "bin": bin_, "name": "Жаңа орталық", "region": "almaty"},
                         token_from="/apply")
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    org = db.session.scalar(select(Organisation).where(Organisation.bin == bin_))
    manager = db.session.scalar(select(User).where(User.email == "head@centre.kz"))
    assert org.status == "applicant" and org.registry_number is None
    assert manager.organisation_ids("org_manager") == {org.id}
    assert manager.password_hash is None  # confirmed through the link
    [mail] = outbox("head@centre.kz")
    link = re.search(r"http://localhost(/activate/\S+)", mail.body_text).group(1)
    response = post_form(client, link, {"password": "Orta-Lyq-Pass-7", "confirm": "Orta-Lyq-Pass-7"}, token_from=link)
    assert response.status_code == 302
    assert client.get(f"/org/{org.id}/application").status_code == 200


@pytest.mark.parametrize(("bin_value", "message"), [
    ("12345", "12 digits"),
    ("150440043216", "check digit"),
])
def test_start_refuses_a_bad_bin_on_the_field_and_keeps_input(client, bin_value, message):
    response = post_form(client, "/apply?lang=en", {"full_name": "Тест", "email": "t@example.kz", "bin": bin_value,
                                                   "name": "Орталық", "region": "almaty"}, token_from="/apply")
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="t@example.kz"' in page and 'value="Орталық"' in page


def test_start_refuses_a_duplicate_bin(client, make_application):
    existing = make_application("draft").organisation
    response = post_form(client, "/apply?lang=en", {"full_name": "Тест", "email": "dup@example.kz",
                                                   "bin": existing.bin, "name": "Орталық", "region": "almaty"},
                         token_from="/apply")
    assert "already registered or has applied" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "dup@example.kz")) is None


def test_signed_in_person_starts_straight_into_the_draft(client, login, make_user):
    login(make_user())
    response = post_form(client, "/apply", {"bin": make_bin(date(2019, 3, 1), 777), "name": "Орталық",
                                            "region": "almaty"}, token_from="/apply")
    assert re.match(r".*/org/\d+/application$", response.headers["Location"])


def _form_from(data: dict) -> dict:
    form = {f"org_{k}": v for k, v in data["organisation"].items()}
    for key, value in data["base"].items():
        if key == "distance_portal":
            if value:
                form["base_distance_portal"] = "y"
        else:
            form[f"base_{key}"] = "" if value is None else str(value)
    form["curricula"] = data["curricula"]
    for n, lecturer in enumerate(data["lecturers"]):
        for key, value in lecturer.items():
            form[f"lecturers-{n}-{key}"] = str(value)
    return form


def test_draft_keeps_everything_typed_even_when_invalid(client, login, make_user, make_application):
    manager = make_user()
    application = make_application("draft", manager=manager)
    login(manager)
    data = valid_data()
    data["lecturers"][0]["iin"] = "123456789012"
    data["base"]["seats"] = "many"
    url = f"/org/{application.organisation_id}/application"
    response = post_form(client, url + "?lang=en", {**_form_from(data), "save": "1"}, token_from=url)
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.data["lecturers"][0]["iin"] == "123456789012"
    assert application.status == "draft"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert 'value="123456789012"' in page and 'value="many"' in page
    assert "birth date" in page or "check digit" in page
    assert "Enter a whole number, 0 or more." in page


def test_a_number_python_cannot_read_is_kept_as_typed(client, login, make_user, make_application):
    manager = make_user()
    application = make_application("draft", manager=manager)
    login(manager)
    data = valid_data()
    data["base"]["seats"] = "²"  # a digit to str.isdigit, not to int()
    data["lecturers"][0]["experience_years"] = "¹⁰"
    url = f"/org/{application.organisation_id}/application"
    response = post_form(client, url + "?lang=en", {**_form_from(data), "save": "1"}, token_from=url)
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.data["base"]["seats"] == "²"
    assert "Enter a whole number, 0 or more." in client.get(url + "?lang=en").get_data(as_text=True)


def test_saving_a_submitted_application_says_why_nothing_changed(client, login, make_user, make_application):
    manager = make_user()
    application = make_application("submitted", manager=manager)
    login(manager)
    url = f"/org/{application.organisation_id}/application"
    response = post_form(client, url + "?lang=en", {**_form_from(valid_data(name="Changed")), "save": "1"},
                         token_from=url, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "cannot be edited until the Centre returns it" in page
    assert "The draft has been saved" not in page
    db.session.refresh(application)
    assert application.status == "submitted" and application.data["organisation"]["name_state"] != "Changed"


def test_submit_refuses_missing_sections_with_messages(client, login, make_user, make_application):
    manager = make_user()
    application = make_application("draft", manager=manager)
    login(manager)
    url = f"/org/{application.organisation_id}/application"
    response = post_form(client, url + "?lang=en", {"org_name_state": "Орталық", "submit_application": "1"},
                         token_from=url)
    page = response.get_data(as_text=True)
    assert "was not submitted" in page
    assert "Choose at least one model curriculum." in page
    assert "Attach at least one supporting document." in page
    db.session.refresh(application)
    assert application.status == "draft"
    assert application.data["organisation"]["name_state"] == "Орталық"


def test_whole_life_of_an_application(app, client, login, make_user, outbox):
    manager, admin = make_user(), make_user("centre_admin")
    application = applications.start(bin_=make_bin(date(2020, 1, 1), 1111), name="Орталық", region="astana",
                                     manager=manager)
    import io

    from lms.organisations import documents
    from tests.registry.conftest import PDF

    applications.save_draft(application, valid_data(lecturers=2, codes=("KZ-OSH-MGR", "KZ-FIRST-AID")), manager)
    documents.add_document(application, io.BytesIO(PDF), "a.pdf", "registration", manager)
    applications.submit(application, manager)
    db.session.commit()
    assert len(application.versions) == 1

    # Submitted: frozen for the manager.
    login(manager)
    url = f"/org/{application.organisation_id}/application"
    post_form(client, url, {**_form_from(valid_data(name="Changed")), "save": "1"}, token_from=url)
    db.session.refresh(application)
    assert application.data["organisation"]["name_state"] != "Changed"

    # The Centre returns it with comments per section.
    staff = app.test_client()
    login(admin, target=staff)
    review = f"/centre/applications/{application.id}"
    response = post_form(staff, review, {"decision": "return", "comment_base": "Укажите число мест точно"},
                         token_from=review)
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.status == "returned" and application.review_comments == {"base": "Укажите число мест точно"}
    assert "Укажите число мест точно" in client.get(url).get_data(as_text=True)
    assert any("Укажите число мест точно" in m.body_text for m in outbox(manager.email))

    # Resubmission shows what changed.
    changed = valid_data(lecturers=2, codes=("KZ-OSH-MGR", "KZ-FIRST-AID"))
    changed["base"]["seats"] = 48
    response = post_form(client, url, {**_form_from(changed), "submit_application": "1"}, token_from=url)
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.status == "submitted" and len(application.versions) == 2
    assert applications.changes_since_last(application)["base"] is True
    assert applications.changes_since_last(application)["organisation"] is False
    assert "changed since the last submission" in staff.get(review + "?lang=en").get_data(as_text=True)

    # Approval: registry number, approved curricula (a subset), lecturers linked.
    response = post_form(staff, review, {"decision": "approve", "curricula": ["KZ-OSH-MGR"]}, token_from=review)
    assert response.status_code == 302
    org = db.session.get(Organisation, application.organisation_id)
    db.session.refresh(org)
    assert org.status == "approved"
    assert re.fullmatch(r"TO-\d{4}-\d{5}", org.registry_number)
    assert org.curriculum_codes() == ["KZ-OSH-MGR"]
    assert org.base["seats"] == 48
    from lms.lecturers.models import OrganisationLecturer

    assert db.session.scalar(select(db.func.count()).select_from(OrganisationLecturer)
                             .where(OrganisationLecturer.organisation_id == org.id)) == 2
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"application.started", "application.submitted", "application.returned", "application.approved",
            "organisation.approved"} <= actions
    assert client.get(f"/registry/{org.registry_number}").status_code == 200


def test_reject_needs_a_reason_and_is_final(client, login, make_user, make_application, outbox):
    application = make_application("submitted")
    login(make_user("centre_admin"))
    review = f"/centre/applications/{application.id}"
    response = post_form(client, review + "?lang=en", {"decision": "reject", "reason": "  "}, token_from=review)
    assert "Give the reason" in response.get_data(as_text=True)
    post_form(client, review, {"decision": "reject", "reason": "Нет материально-технической базы"},
              token_from=review)
    db.session.refresh(application)
    assert application.status == "rejected" and application.decided_at is not None
    manager = db.session.get(User, application.manager_id)
    assert any("Нет материально-технической базы" in m.body_text for m in outbox(manager.email))
    with pytest.raises(applications.ValidationFailed):
        applications.approve(application, ["KZ-OSH-MGR"], actor=make_user("centre_admin"))


def test_approve_only_curricula_that_were_asked_for(make_application, make_user):
    application = make_application("submitted")
    with pytest.raises(applications.ValidationFailed) as err:
        applications.approve(application, ["KZ-OSH-MINING"], actor=make_user("centre_admin"))
    assert "curricula" in err.value.errors


def test_a_draft_cannot_be_approved(make_application, make_user):
    application = make_application("draft")
    with pytest.raises(applications.ValidationFailed):
        applications.approve(application, ["KZ-OSH-MGR"], actor=make_user("centre_admin"))
    assert application.status == "draft"


def test_one_open_application_per_organisation_in_the_database(make_application):
    from sqlalchemy.exc import IntegrityError

    application = make_application("draft")
    db.session.add(Application(organisation_id=application.organisation_id, manager_id=application.manager_id,
                               status="draft", data={}))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_queue_filters_by_status_and_region(client, login, make_user, make_application):
    submitted = make_application("submitted").organisation.bin
    draft = make_application("draft").organisation.bin
    login(make_user("centre_admin"))
    page = client.get("/centre/applications?status=submitted").get_data(as_text=True)
    assert submitted in page and draft not in page
    assert submitted not in client.get("/centre/applications?status=submitted&region=abai").get_data(as_text=True)


def test_queue_makes_the_same_number_of_queries_for_more_applications(client, login, make_user, make_application,
                                                                       count_queries):
    login(make_user("centre_admin"))
    make_application("submitted")
    client.get("/centre/applications")
    with count_queries() as few:
        client.get("/centre/applications")
    for _ in range(3):
        make_application("submitted")
    with count_queries() as more:
        page = client.get("/centre/applications").get_data(as_text=True)
    assert page.count("/centre/applications/") == 4
    assert more.n == few.n, more.statements
