import pytest
from sqlalchemy import select

from lms.accounts.roles import ROLES
from lms.audit.models import AuditEvent
from lms.curricula import services
from lms.curricula.forms import CurriculumForm, fill
from lms.extensions import db
from tests.conftest import LOGIN, assert_access, csrf_from, post_form

PAGES = ["/centre/curricula/", "/centre/curricula/new", "/centre/curricula/KZ-OSH-MGR/edit"]


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
@pytest.mark.parametrize("url", PAGES)
def test_access_matrix(client, login, make_user, make_organisation, role, url):
    if role != "anonymous":
        org = make_organisation() if role in ("org_manager", "lecturer") else None
        login(make_user(role, organisation=org, employer_bin="150440043215" if role == "employer" else None))
    assert_access(client.get(url), {"anonymous": LOGIN, "centre_admin": 200}.get(role, 403))


@pytest.mark.parametrize("role", [r for r in ROLES if r != "centre_admin"])
def test_only_the_centre_changes_status(client, login, make_user, make_organisation, role):
    org = make_organisation() if role in ("org_manager", "lecturer") else None
    login(make_user(role, organisation=org, employer_bin="150440043215" if role == "employer" else None))
    response = post_form(client, "/centre/curricula/KZ-OSH-MGR/status", {"status": "retired"})
    assert response.status_code == 403
    assert services.get_by_code("KZ-OSH-MGR").status == "active"


def form_data(app, source="KZ-OSH-MGR", **overrides):
    """What the edit page's form posts, starting from a curriculum's current document."""
    document = services.document(services.get_by_code(source))
    with app.test_request_context():
        form = CurriculumForm(meta={"csrf": False})
        fill(form, document)
        data = {}
        for field in form:
            if field.type == "FieldList":
                for entry in field.entries:
                    for sub in entry.form:
                        if sub.type != "BooleanField":
                            data[sub.name] = sub.data
            elif field.type not in ("SubmitField", "CSRFTokenField"):
                data[field.name] = field.data
    data["save"] = "Save"
    data.update(overrides)
    return data


@pytest.fixture
def admin(client, login, make_user):
    user = make_user("centre_admin")
    login(user)
    return user


def test_edit_an_active_curriculum_makes_a_new_version(app, client, admin):
    url = "/centre/curricula/KZ-OSH-SPEC/edit"
    data = form_data(app, "KZ-OSH-SPEC", title_en="OSH specialists (2027 edition)")
    response = post_form(client, url, data, token_from=url)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    curriculum = services.get_by_code("KZ-OSH-SPEC")
    db.session.refresh(curriculum)
    assert [v.version for v in curriculum.versions] == [1, 2]
    assert curriculum.current.title["en"] == "OSH specialists (2027 edition)"
    assert curriculum.current.origin == "ui" and not curriculum.current.in_files
    assert curriculum.versions[0].title["en"] != "OSH specialists (2027 edition)"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "curriculum.edited")).one()
    assert event.actor_id == admin.id and event.after["version"] == 2


def test_saving_unchanged_content_makes_no_version(app, client, admin):
    url = "/centre/curricula/KZ-OSH-SPEC/edit"
    post_form(client, url, form_data(app, "KZ-OSH-SPEC"), token_from=url)
    assert len(services.get_by_code("KZ-OSH-SPEC").versions) == 1


def test_form_shows_the_loaders_messages_on_the_right_fields(app, client, admin):
    url = "/centre/curricula/KZ-OSH-MGR/edit?lang=en"
    data = form_data(app, min_hours="41", title_kk="", **{"topics-0-hours": "x"})
    response = post_form(client, url, data, token_from=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('aria-invalid="true"') >= 3
    assert "Enter a whole number." in page
    assert "The text in this language is missing." in page
    assert 'value="41"' in page  # input kept
    assert len(services.get_by_code("KZ-OSH-MGR").versions) == 1


def test_hours_that_do_not_add_up_are_refused(app, client, admin):
    url = "/centre/curricula/KZ-OSH-MGR/edit?lang=en"
    response = post_form(client, url, form_data(app, min_hours="41"), token_from=url)
    assert "not 41" in response.get_data(as_text=True)


def test_outcome_lines_must_match_across_languages(app, client, admin):
    url = "/centre/curricula/KZ-OSH-MGR/edit?lang=en"
    data = form_data(app)
    data["topics-0-outcomes_kk"] += "\nҚосымша нәтиже"
    response = post_form(client, url, data, token_from=url)
    assert "same number of outcomes" in response.get_data(as_text=True)


def test_create_a_draft_then_publish_and_retire(app, client, admin):
    data = form_data(app, "KZ-FIRST-AID", code="KZ-FIRST-AID-2", status="draft")
    response = post_form(client, "/centre/curricula/new", data, token_from="/centre/curricula/new")
    assert response.status_code == 302
    assert client.get("/curricula/KZ-FIRST-AID-2").status_code == 404
    # A draft is edited in place.
    post_form(client, "/centre/curricula/KZ-FIRST-AID-2/edit",
              form_data(app, "KZ-FIRST-AID-2", title_en="First aid, draft 2"),
              token_from="/centre/curricula/KZ-FIRST-AID-2/edit")
    curriculum = services.get_by_code("KZ-FIRST-AID-2")
    db.session.refresh(curriculum)
    assert [v.version for v in curriculum.versions] == [1]
    assert curriculum.current.title["en"] == "First aid, draft 2"
    post_form(client, "/centre/curricula/KZ-FIRST-AID-2/status", {"status": "active"})
    assert client.get("/curricula/KZ-FIRST-AID-2").status_code == 200
    post_form(client, "/centre/curricula/KZ-FIRST-AID-2/status", {"status": "retired"})
    db.session.refresh(curriculum)
    assert curriculum.status == "retired" and curriculum.retired_at is not None
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(curriculum.id))))
    assert {"curriculum.created", "curriculum.edited", "curriculum.activated", "curriculum.retired"} <= actions


def test_codes_are_never_reused(app, client, admin):
    data = form_data(app, "KZ-FIRST-AID", code="KZ-OSH-MGR", status="draft")
    response = post_form(client, "/centre/curricula/new?lang=en", data, token_from="/centre/curricula/new")
    assert "never reused" in response.get_data(as_text=True)


def test_add_topic_keeps_everything_typed(app, client, admin):
    data = form_data(app, "KZ-FIRST-AID", code="NEW-CODE", add_topic="Add a topic")
    data.pop("save")
    response = post_form(client, "/centre/curricula/new", data, token_from="/centre/curricula/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="NEW-CODE"' in page
    topics = len(services.get_by_code("KZ-FIRST-AID").current.topics)
    assert f'name="topics-{topics}-hours"' in page
    assert services.get_by_code("NEW-CODE") is None


def test_illegal_status_change_is_refused(client, admin):
    response = post_form(client, "/centre/curricula/KZ-OSH-MGR/status?lang=en", {"status": "draft"},
                         follow_redirects=True)
    assert "This change of status is not allowed." in response.get_data(as_text=True)
    assert services.get_by_code("KZ-OSH-MGR").status == "active"


@pytest.mark.parametrize("typed", ["²", "1" * 5000, "1_0"])
def test_a_number_int_cannot_read_is_a_message_not_an_error_page(app, client, admin, typed):
    url = "/centre/curricula/KZ-OSH-MGR/edit?lang=en"
    response = post_form(client, url, form_data(app, min_hours=typed, **{"topics-1-hours": typed}), token_from=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("Enter a whole number.") == 2
    assert len(services.get_by_code("KZ-OSH-MGR").versions) == 1


def test_messages_land_on_the_right_topic_when_an_earlier_one_is_removed(app, client, admin):
    url = "/centre/curricula/KZ-OSH-MGR/edit?lang=en"
    data = form_data(app, **{"topics-0-remove": "y", "topics-2-sources": "no pipes here"})
    data["topics-2-outcomes_kk"] += "\nҚосымша нәтиже"
    page = post_form(client, url, data, token_from=url).get_data(as_text=True)
    assert 'id="topics-2-outcomes_ru-error"' in page and 'id="topics-2-sources-error"' in page
    assert "-error" not in page.split('name="topics-3-title_kk"')[1].split('name="topics-4-title_kk"')[0]
    assert len(services.get_by_code("KZ-OSH-MGR").versions) == 1


def test_edit_page_has_the_csrf_token(client, admin):
    assert csrf_from(client, "/centre/curricula/KZ-OSH-MGR/edit")
