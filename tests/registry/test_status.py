from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.organisations import registry
from lms.organisations.numbers import next_number
from tests.conftest import post_form


@pytest.fixture
def approved(make_application):
    return make_application("approved").organisation


def test_suspend_reinstate_revoke_with_public_history(client, login, make_user, approved, outbox):
    admin = make_user("centre_admin")
    login(admin)
    url = f"/centre/organisations/{approved.id}"
    today = date.today().isoformat()
    post_form(client, url, {"action": "suspend", "reason": "Проверка качества", "start": today}, token_from=url)
    db.session.refresh(approved)
    assert approved.status == "suspended"
    page = client.get(f"/registry/{approved.registry_number}?lang=en").get_data(as_text=True)
    assert "Suspended" in page and "Проверка качества" in page
    post_form(client, url, {"action": "reinstate", "reason": ""}, token_from=url)
    post_form(client, url, {"action": "revoke", "reason": "Сертификаты без обучения", "for_cause": "y"},
              token_from=url)
    db.session.refresh(approved)
    assert approved.status == "revoked" and approved.revoked_for_cause is True
    assert [e.status for e in approved.events] == ["approved", "suspended", "reinstated", "revoked"]
    data = client.get(f"/api/v1/registry/organisations/{approved.registry_number}").get_json()
    assert data["status"] == "revoked"
    assert [h["status"] for h in data["history"]] == ["approved", "suspended", "reinstated", "revoked"]
    assert data["history"][-1]["for_cause"] is True
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(approved.id))))
    assert {"organisation.suspended", "organisation.reinstated", "organisation.revoked"} <= actions
    subjects = [m.subject for m in outbox()]
    assert len(subjects) >= 4  # approved, suspended, reinstated, revoked


@pytest.mark.parametrize(("action", "status"), [("reinstate", "approved"), ("suspend", "applicant"),
                                               ("revoke", "applicant")])
def test_transitions_outside_the_state_machine_are_refused(make_application, make_user, approved, action, status):
    admin = make_user("centre_admin")
    organisation = approved if status == "approved" else make_application("draft").organisation
    with pytest.raises(ValidationFailed):
        {"reinstate": lambda: registry.reinstate(organisation, admin),
         "suspend": lambda: registry.suspend(organisation, "x", date.today(), None, admin),
         "revoke": lambda: registry.revoke(organisation, "x", False, admin)}[action]()


def test_suspension_needs_reason_and_sane_dates(make_user, approved):
    admin = make_user("centre_admin")
    with pytest.raises(ValidationFailed) as err:
        registry.suspend(approved, " ", date(2026, 5, 10), date(2026, 5, 1), admin)
    assert set(err.value.errors) == {"reason", "until"}


def test_a_suspension_ends_by_itself(make_user, approved, frozen_clock):
    admin = make_user("centre_admin")
    registry.suspend(approved, "Проверка", date(2026, 3, 1), date(2026, 3, 31), admin)
    db.session.commit()
    assert approved.effective_status(date(2026, 3, 15)) == "suspended"
    assert approved.effective_status(date(2026, 4, 1)) == "approved"  # settled on access
    assert approved.effective_status(date(2026, 2, 27)) == "approved"  # not started yet
    assert registry.settle_suspensions(date(2026, 4, 1)) == 1  # and by the worker
    assert approved.status == "approved"


def test_registry_numbers_grow_and_are_never_reused(make_application, make_user):
    admin = make_user("centre_admin")
    first = make_application("approved", admin=admin).organisation
    registry.revoke(first, "Нарушения", True, admin)
    second = make_application("approved", admin=admin).organisation
    n1, n2 = (int(o.registry_number.rsplit("-", 1)[1]) for o in (first, second))
    assert n2 == n1 + 1
    assert first.registry_number != second.registry_number


def test_counter_is_per_year():
    assert next_number("TEST", 2031) == 1
    assert next_number("TEST", 2031) == 2
    assert next_number("TEST", 2032) == 1


def test_worker_settles_suspensions(make_user, approved, frozen_clock):
    from lms.jobs.worker import Worker

    registry.suspend(approved, "Проверка", date(2026, 3, 1), date(2026, 3, 2), make_user("centre_admin"))
    db.session.commit()
    frozen_clock(datetime(2026, 3, 10, 6, tzinfo=UTC))
    Worker().run_periodic(force=True)
    db.session.refresh(approved)
    assert approved.status == "approved"
    assert approved.events[-1].status == "reinstated"
    assert approved.events[-1].reason is None  # nothing in one language on the public history


def test_status_change_needs_the_centre(client, login, make_user, approved):
    login(make_user("candidate"))
    response = post_form(client, f"/centre/organisations/{approved.id}", {"action": "revoke", "reason": "x"})
    assert response.status_code == 403
    assert approved.status == "approved"


def test_dates_are_kept_in_the_form_on_error(client, login, make_user, approved):
    login(make_user("centre_admin"))
    url = f"/centre/organisations/{approved.id}"
    start = (date.today() + timedelta(days=5)).isoformat()
    response = post_form(client, url + "?lang=en", {"action": "suspend", "reason": "", "start": start},
                         token_from=url)
    page = response.get_data(as_text=True)
    assert "Give the reason" in page and start in page
