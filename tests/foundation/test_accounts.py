import re

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.conftest import PASSWORD, csrf_from, post_form


def _link(message) -> str:
    return re.search(r"http://localhost(/\S+)", message.body_text).group(1)


def test_login_and_logout(client, make_user, login):
    user = make_user("candidate")
    login(user)
    page = client.get("/").get_data(as_text=True)
    assert user.full_name in page
    response = post_form(client, "/logout")
    assert response.status_code == 302
    assert user.full_name not in client.get("/").get_data(as_text=True)


def test_a_hash_made_with_other_settings_is_redone_at_sign_in(app, client, make_user, login):
    """Changing the Argon2id cost takes effect for each person at the next sign-in, never by a reset."""
    from argon2 import PasswordHasher

    user = make_user("candidate")
    user.password_hash = PasswordHasher(time_cost=3, memory_cost=16, parallelism=1).hash(PASSWORD)
    db.session.commit()
    login(user)
    db.session.refresh(user)
    params = user.password_hash.split("$")[3]
    assert params == f"m={app.config['LMS_PASSWORD_MEMORY_COST']},t={app.config['LMS_PASSWORD_TIME_COST']},p=1"


def test_passwords_are_hashed_in_a_low_priority_lane(app):
    """Hashing runs in the process's password thread at the configured niceness, not in the request's
    thread, whose priority stays as it was (an exam-day wave of sign-ins then yields the CPU to answers)."""
    import os
    import threading

    from lms.accounts.passwords import hash_password, lane, verify_password

    before = os.getpriority(os.PRIO_PROCESS, 0)
    seen = lane.run(lambda: (threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, 0)))
    assert seen[0].startswith("password-lane")
    assert seen[1] == max(before, app.config["LMS_PASSWORD_LANE_NICE"])
    assert os.getpriority(os.PRIO_PROCESS, 0) == before
    assert verify_password(hash_password("Lane-Password-2026"), "Lane-Password-2026")
    assert not verify_password(hash_password("Lane-Password-2026"), "Lane-Password-2025")


@pytest.mark.parametrize("found", ["before any work", "when queueing"])
def test_a_full_password_lane_asks_the_browser_to_retry(app, client, make_user, monkeypatch, found):
    """More sign-ins than the lane lets wait: 503 with Retry-After and a localized message, the e-mail kept,
    nothing judged or logged; once the lane has room the same sign-in succeeds. The view looks before any
    work; a sign-in that passes that look while the lane fills is refused when it queues."""
    import threading
    import time

    from lms.accounts.passwords import lane

    user = make_user("candidate")
    monkeypatch.setitem(app.config, "LMS_PASSWORD_LANE_DEPTH", 1)
    if found == "when queueing":  # the view's look finds room; the lane is full by the time the sign-in queues
        real, looks = lane.full, []

        def full_after_the_first_look() -> bool:
            looks.append(1)
            return len(looks) > 1 and real()

        monkeypatch.setattr(lane, "full", full_after_the_first_look)
    release = threading.Event()

    def occupy() -> None:
        with app.app_context():
            lane.run(lambda: release.wait(10))

    blocker = threading.Thread(target=occupy)
    blocker.start()
    try:
        for _ in range(200):
            if lane.waiting:
                break
            time.sleep(0.01)
        token = csrf_from(client, "/login?lang=ru")
        response = client.post("/login?lang=ru", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        page = response.get_data(as_text=True)
        assert response.status_code == 503
        assert 3 <= int(response.headers["Retry-After"]) <= 10  # its own wait, not the rate limit's window
        assert "Сейчас входит много кандидатов" in page
        assert f'value="{user.email}"' in page
        assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("auth.login%"))).all()
        assert user.full_name not in client.get("/").get_data(as_text=True)
        # the page's script asks for the short answer: a few bytes, the same wait, no page
        short = client.post("/login?lang=ru", headers={"X-Waiting-Room": "1"},
                            data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        assert short.status_code == 503 and 3 <= int(short.headers["Retry-After"]) <= 10
        assert short.mimetype == "text/plain" and "Сейчас входит много кандидатов" in short.get_data(as_text=True)
        # held sign-ins were not judged: more of them than the login limit allows are never refused with 429
        limit = int(app.config["LMS_RATELIMIT_LOGIN"].split()[0])
        held = [client.post("/login", headers={"X-Waiting-Room": "1"}, data={
            "email": user.email, "password": PASSWORD, "csrf_token": token}).status_code for _ in range(limit + 2)]
        assert held == [503] * (limit + 2)
    finally:
        release.set()
        blocker.join()
    response = client.post("/login?lang=ru", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert user.full_name in client.get("/").get_data(as_text=True)


def test_the_sign_in_script_is_told_the_next_page(client, make_user):
    """Signed in through the page's script: the next page's address, not a redirect its fetch would follow
    (the page would be built once for nothing); a wrong password still gets the page with its message."""
    user = make_user("candidate")
    token = csrf_from(client, "/login?next=/tests/")
    script = {"X-Waiting-Room": "1"}
    wrong = client.post("/login?next=/tests/&lang=en", headers=script,
                        data={"email": user.email, "password": "not-the-password", "csrf_token": token})
    assert wrong.status_code == 200 and "The e-mail or password is not correct." in wrong.get_data(as_text=True)
    right = client.post("/login?next=/tests/", headers=script,
                        data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert right.status_code == 200 and right.get_json() == {"next": "/tests/"}
    assert user.full_name in client.get("/").get_data(as_text=True)


def test_logout_needs_a_post_with_token(client, make_user, login):
    login(make_user("candidate"))
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token


def test_wrong_password_shows_localized_error_and_keeps_input(client, make_user):
    user = make_user("candidate")
    response = post_form(client, "/login?lang=ru", {"email": user.email, "password": "nope-nope-nope"},
                         token_from="/login")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'value="{user.email}"' in page
    assert 'aria-invalid="true"' in page
    assert "Неверный" in page or "неверн" in page.lower()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).all()
    assert events


def test_unknown_email_gets_the_same_answer(client):
    response = post_form(client, "/login?lang=en", {"email": "ghost@example.kz", "password": "whatever-123"},
                         token_from="/login")
    assert "The e-mail or password is not correct." in response.get_data(as_text=True)


def test_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user("candidate")
    user.is_active_flag = False
    db.session.commit()
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD}, token_from="/login")
    assert response.status_code == 200


def test_password_is_hashed_with_argon2id(make_user):
    user = make_user("candidate")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_change_password_rules_and_other_sessions_end(app, client, make_user, login):
    user = make_user("candidate")
    login(user)
    other = app.test_client()
    login(user, target=other)

    response = post_form(client, "/account/password?lang=en",
                         {"current_password": "wrong-one-123", "password": "N3w-Passphrase!",
                          "confirm": "N3w-Passphrase!"})
    assert "The current password is not correct." in response.get_data(as_text=True)

    response = post_form(client, "/account/password?lang=en",
                         {"current_password": PASSWORD, "password": "short", "confirm": "short"})
    assert "Use at least 10 characters." in response.get_data(as_text=True)

    response = post_form(client, "/account/password?lang=en",
                         {"current_password": PASSWORD, "password": "qwertyuiop", "confirm": "qwertyuiop"})
    assert "too common" in response.get_data(as_text=True)

    response = post_form(client, "/account/password",
                         {"current_password": PASSWORD, "password": "N3w-Passphrase!", "confirm": "N3w-Passphrase!"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200          # this session goes on
    assert other.get("/account").status_code == 302           # the other one has ended


def test_password_reset_by_one_time_link(client, make_user, outbox):
    user = make_user("candidate")
    response = post_form(client, "/reset", {"email": user.email.upper()}, token_from="/reset")
    assert response.status_code == 302
    [message] = outbox(user.email)
    link = _link(message)
    assert client.get(link).status_code == 200
    response = post_form(client, link, {"password": "Brand-New-Secret-9", "confirm": "Brand-New-Secret-9"},
                         token_from=link)
    assert response.status_code == 302
    assert client.get(link).status_code == 400  # used: the fingerprint changed
    response = post_form(client, "/login", {"email": user.email, "password": "Brand-New-Secret-9"},
                         token_from="/login")
    assert response.status_code == 302


def test_refused_new_password_is_shown_on_the_field_and_the_link_still_works(client, make_user, outbox):
    user = make_user("candidate")
    post_form(client, "/reset", {"email": user.email}, token_from="/reset")
    link = _link(outbox(user.email)[0])
    response = post_form(client, link + "?lang=en", {"password": "qwertyuiop", "confirm": "qwertyuiop"},
                         token_from=link)
    assert response.status_code == 200
    assert "too common" in response.get_data(as_text=True)
    assert client.get(link).status_code == 200  # nothing was changed: the link is not used up
    response = post_form(client, link, {"password": "Brand-New-Secret-9", "confirm": "Brand-New-Secret-9"},
                         token_from=link)
    assert response.status_code == 302


def test_reset_for_unknown_email_reveals_nothing(client, outbox):
    response = post_form(client, "/reset", {"email": "nobody@example.kz"}, token_from="/reset")
    assert response.status_code == 302
    assert outbox("nobody@example.kz") == []


def test_expired_and_tampered_reset_links(app, client, make_user, outbox, frozen_clock):
    user = make_user("candidate")
    post_form(client, "/reset", {"email": user.email}, token_from="/reset")
    link = _link(outbox(user.email)[0])
    assert client.get(link[:-3] + "abc").status_code == 400
    app.config["LMS_RESET_TOKEN_MAX_AGE"] = -1
    try:
        page = client.get(link + "?lang=en")
        assert page.status_code == 400
        assert "expired" in page.get_data(as_text=True)
    finally:
        app.config["LMS_RESET_TOKEN_MAX_AGE"] = 3600


def test_centre_creates_account_and_person_activates_it(client, make_user, login, outbox):
    admin = make_user("centre_admin")
    login(admin)
    from datetime import date

    from lms.identifiers import make_iin

    iin = make_iin(date(1991, 4, 12), "M", 77)
    response = post_form(client, "/admin/users/new",
                         {"email": "new.person@example.kz", "full_name": "Жаңа Адам", "iin": iin,
                          "role": "candidate", "organisation": "", "employer_bin": ""}, token_from="/admin/users/new")
    assert response.status_code == 302
    person = db.session.scalar(select(User).where(User.email == "new.person@example.kz"))
    assert person.password_hash is None and not person.is_active
    link = _link(outbox("new.person@example.kz")[0])

    fresh = client.application.test_client()
    response = post_form(fresh, link, {"password": "Activation-Pass-1", "confirm": "Activation-Pass-1"},
                         token_from=link)
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.is_active and person.activated_at is not None
    assert fresh.get(link).status_code == 400  # one-time


def test_create_user_bad_input_is_shown_on_fields(client, make_user, login):
    admin = make_user("centre_admin")
    login(admin)
    response = post_form(client, "/admin/users/new?lang=en",
                         {"email": admin.email, "full_name": "X", "iin": "123456789012",
                          "role": "candidate"}, token_from="/admin/users/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "check digit" in page or "birth date" in page
    assert 'value="123456789012"' in page


def test_duplicate_email_is_refused_on_the_field(client, make_user, login):
    admin = make_user("centre_admin")
    login(admin)
    response = post_form(client, "/admin/users/new?lang=en",
                         {"email": admin.email, "full_name": "Someone", "role": "candidate"},
                         token_from="/admin/users/new")
    assert "An account with this e-mail already exists." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["org_manager", "lecturer"])
def test_org_scoped_roles_need_an_organisation(client, make_user, login, make_organisation, role):
    admin = make_user("centre_admin")
    person = make_user()
    login(admin)
    response = post_form(client, f"/admin/users/{person.id}?lang=en", {"role": role, "organisation": ""},
                         token_from=f"/admin/users/{person.id}")
    assert "Choose the organisation" in response.get_data(as_text=True)
    org = make_organisation()
    response = post_form(client, f"/admin/users/{person.id}", {"role": role, "organisation": str(org.id)},
                         token_from=f"/admin/users/{person.id}")
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.organisation_ids() == {org.id}


def test_employer_role_is_scoped_to_a_valid_bin(client, make_user, login):
    admin = make_user("centre_admin")
    person = make_user()
    login(admin)
    response = post_form(client, f"/admin/users/{person.id}?lang=en", {"role": "employer", "employer_bin": "1234"},
                         token_from=f"/admin/users/{person.id}")
    assert "12 digits" in response.get_data(as_text=True)


def test_role_changes_and_deactivation_are_audited(client, make_user, login):
    admin = make_user("centre_admin")
    person = make_user("candidate")
    login(admin)
    assignment = person.roles[0]
    post_form(client, f"/admin/users/{person.id}/roles/{assignment.id}/revoke")
    post_form(client, f"/admin/users/{person.id}/active", {"active": "0"})
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(person.id))))
    assert {"account.role_revoked", "account.deactivated"} <= actions
    db.session.refresh(person)
    assert not person.roles and not person.is_active_flag


def test_admin_cannot_remove_own_admin_role(client, make_user, login):
    admin = make_user("centre_admin")
    login(admin)
    post_form(client, f"/admin/users/{admin.id}/roles/{admin.roles[0].id}/revoke")
    db.session.refresh(admin)
    assert admin.has_role("centre_admin")


def test_login_is_rate_limited_with_a_localized_page(client, make_user):
    user = make_user("candidate")
    token = csrf_from(client, "/login")
    statuses = [client.post("/login?lang=kk", data={"email": user.email, "password": "bad-password-1",
                                                     "csrf_token": token}).status_code for _ in range(12)]
    assert statuses[:10] == [200] * 10
    last = client.post("/login?lang=kk", data={"email": user.email, "password": "x", "csrf_token": token})
    assert last.status_code == 429
    assert '<html lang="kk">' in last.get_data(as_text=True)


def test_an_exam_room_behind_one_address_signs_in_together(app, make_user):
    """The sign-in limit counts per account: a room of candidates behind one NAT address signs in together,
    while guessing one account's password is refused after the limit, and the address has a limit of its own."""
    per_account = int(app.config["LMS_RATELIMIT_LOGIN"].split()[0])
    room = [make_user("candidate") for _ in range(per_account + 2)]

    def sign_in(email: str, password: str = PASSWORD) -> int:
        client = app.test_client()  # each candidate at a computer of the same room: one address
        token = csrf_from(client, "/login")
        return client.post("/login?lang=kk", data={"email": email, "password": password,
                                                   "csrf_token": token}).status_code

    assert [sign_in(user.email) for user in room] == [302] * len(room)
    target, neighbour = room[0], room[1]
    guesses = [sign_in(target.email, "guessed-password-1") for _ in range(per_account)]
    assert guesses == [200] * (per_account - 1) + [429]  # its own sign-in was the first of the minute
    assert sign_in(f"  {target.email.upper()} ") == 429  # the same account, however it is typed
    assert sign_in(neighbour.email) == 302  # the room goes on


def test_one_address_has_a_sign_in_limit_of_its_own(app, make_user, monkeypatch):
    """Many accounts tried from one address (credential stuffing) meet the address's limit."""
    monkeypatch.setitem(app.config, "LMS_RATELIMIT_LOGIN_ADDRESS", "3 per minute")
    codes = []
    for user in [make_user("candidate") for _ in range(4)]:
        client = app.test_client()
        token = csrf_from(client, "/login")
        codes.append(client.post("/login?lang=ru", data={"email": user.email, "password": "guessed-password-1",
                                                          "csrf_token": token}).status_code)
    assert codes == [200, 200, 200, 429]


def test_next_parameter_cannot_leave_the_site(client, make_user):
    user = make_user("candidate")
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = post_form(client, "/login", {"email": user.email, "password": PASSWORD, "next": target},
                             token_from="/login")
        assert response.headers["Location"] == "/"
        post_form(client, "/logout")
