"""The candidate's test: start, one question per page, navigator, countdown, flags, summary, result.

Every answer is saved when given (a plain POST; autosave with JavaScript); a reload, a lost connection or a
crashed browser loses nothing. The answer key never reaches the page."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import lazyload, selectinload
from wtforms import BooleanField, SelectField, StringField

from lms import audit
from lms.assessments import attempts as service
from lms.assessments.models import Attempt, AttemptItem, TestDefinition
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.forms import BaseForm, choices, form_view, refused
from lms.i18n import LOCALE_NAMES
from lms.training.completion import eligibility

bp = Blueprint("tests", __name__)
DEVICE_COOKIE = "lms_device"


class StartForm(BaseForm):
    language = SelectField(validate_choice=False)
    access_code = StringField()


class AnswerForm(BaseForm):
    flagged = BooleanField()


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _set_device_cookie(response, token: str):
    """The long-lived device cookie: the attempt continues in this browser across sign-ins and restarts."""
    response.set_cookie(DEVICE_COOKIE, token, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.get("/tests/")
@login_required
def index():
    tests = []
    items = eligibility(current_user)
    for item in items:
        test = service.test_for(item["record"].curriculum_id)
        if test is None:
            continue
        problem, _record = service.start_problem(current_user, test, items)
        form = StartForm(prefix=f"t{test.id}")
        form.language.choices = choices([(lang, LOCALE_NAMES[lang]) for lang in test.languages])
        tests.append({"test": test, "record": item["record"], "problem": problem, "form": form,
                      "current": service.in_progress(current_user, test)})
    history = db.session.scalars(select(Attempt).where(Attempt.candidate_id == current_user.id,
                                                       Attempt.status != "in_progress")
                                 .order_by(Attempt.started_at.desc())).all()
    page = render_template("assessments/index.html", tests=tests, history=history)
    db.session.commit()  # settling expired attempts on access is a change worth keeping (after rendering: no reload)
    return page


@bp.post("/tests/<int:test_id>/start")
@login_required
@form_view
def start(test_id: int):
    test = db.get_or_404(TestDefinition, test_id)
    form = StartForm(prefix=f"t{test.id}")
    if not form.validate_on_submit():
        flash(_("The page was open too long, so for your security it was not sent. Please try again."), "error")
        return redirect(url_for("tests.index"))
    token = request.cookies.get(DEVICE_COOKIE) or service.new_device_token()
    try:
        attempt = service.start(current_user, test, form.language.data, token, form.access_code.data)
    except ValidationFailed as exc:
        refused(exc, first_only=False)
        return redirect(url_for("tests.index"))
    target = url_for("tests.question", attempt_id=attempt.id, position=1)  # before the commit expires it
    db.session.commit()
    return _set_device_cookie(redirect(target), token)


# The navigator needs each item's position, answers and flag, not the 20 questions' texts and options (a
# question page then loads its own question alone).
NAVIGATOR = selectinload(Attempt.items).lazyload(AttemptItem.version)


def _own_attempt(attempt_id: int, *options) -> Attempt:
    """The candidate's own attempt, in the browser that started it (or as the rules allow); 404 otherwise."""
    attempt = db.session.get(Attempt, attempt_id, options=options)
    if attempt is None or attempt.candidate_id != current_user.id:
        if attempt is not None:
            service.event(attempt, "foreign_access", {"user_id": current_user.id}, actor=current_user)
            audit.record("attempt.foreign_access", attempt, note=request.path)
            db.session.commit()
        abort(404)
    if attempt.status == "in_progress":
        token = request.cookies.get(DEVICE_COOKIE)
        device = token or service.new_device_token()
        try:
            service.check_device(attempt, device, current_user)
        except service.Refused as exc:
            db.session.commit()
            abort(403, exc.message)
        if device != token:  # a browser without the cookie that may continue: it is the attempt's device now
            after_this_request(lambda response: _set_device_cookie(response, device))
    return attempt


def _render_question(attempt: Attempt, position: int, form: AnswerForm, status: int = 200):
    item = next((i for i in attempt.items if i.position == position), None)
    if item is None:
        abort(404)
    return render_template("assessments/question.html", attempt=attempt, item=item, form=form,
                           total=len(attempt.items)), status


def _save_once(attempt: Attempt, position: int, flagged: bool) -> int:
    service.save_answer(attempt, position, request.form.getlist("option"), flagged, actor=current_user)
    total = attempt.max_score  # read before the commit expires the attempt
    db.session.commit()
    return total


def _save(attempt: Attempt, position: int, flagged: bool) -> int:
    """Save and commit one answer; the number of questions. Two requests saving the same answer at the same
    moment (a double submit, two tabs, the offline queue sending twice) collide in the database: SQLite
    refuses the second writer, PostgreSQL the second insert of the same option. The loser rolls back and
    saves again, reading what the other committed, so it usually writes nothing."""
    for pause in (0.05, 0.2):
        try:
            return _save_once(attempt, position, flagged)
        except (IntegrityError, OperationalError):
            db.session.rollback()
            time.sleep(pause)
            attempt = _own_attempt(attempt.id, lazyload(Attempt.test))
    return _save_once(attempt, position, flagged)


@bp.route("/attempts/<int:attempt_id>/q/<int:position>", methods=["GET", "POST"])
@login_required
@form_view
def question(attempt_id: int, position: int):
    # saving an answer (the hot path) needs neither the test nor its curriculum, unless they are asked for;
    # a page shows one question's text, so the navigator's items come without theirs
    attempt = _own_attempt(attempt_id, lazyload(Attempt.test) if request.method == "POST" else NAVIGATOR)
    if service.settle(attempt):
        db.session.commit()
        if _wants_json():
            return jsonify({"saved": False, "finished": True,
                            "result": url_for("tests.result", attempt_id=attempt.id)}), 409
        flash(_("The time for this test is over; your answers given in time are kept."), "info")
        return redirect(url_for("tests.result", attempt_id=attempt.id))
    form = AnswerForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            if _wants_json():
                return jsonify({"saved": False, "reason": "stale"}), 400
            flash(_("This answer was not saved because the page had expired. Please answer again."), "error")
            return _render_question(attempt, position, form, 400)
        try:
            total = _save(attempt, position, bool(form.flagged.data))
        except service.Refused as exc:
            db.session.commit()  # the refusal is in the attempt's trail
            if _wants_json():
                return jsonify({"saved": False, "reason": exc.code}), 409 if exc.code == "finished" else 400
            flash(exc.message, "error")
            if exc.code == "finished":
                return redirect(url_for("tests.result", attempt_id=attempt.id))
            return _render_question(attempt, position, form, 400)
        if _wants_json():
            return jsonify({"saved": True})
        go = request.form.get("go", "next")  # prev, next, summary, or a question's number (the navigator)
        if go.isascii() and go.isdigit() and len(go) <= 4 and 1 <= int(go) <= total:
            target = int(go)
        else:  # an unknown destination keeps the candidate on this question
            target = {"prev": position - 1, "next": position + 1}.get(go, position)
        if go == "summary" or not 1 <= target <= total:
            return redirect(url_for("tests.summary", attempt_id=attempt_id))
        return redirect(url_for("tests.question", attempt_id=attempt_id, position=target))
    page = _render_question(attempt, position, form)
    db.session.commit()  # after rendering: a commit first would expire and reload the attempt and the user
    return page


@bp.get("/attempts/<int:attempt_id>/summary")
@login_required
def summary(attempt_id: int):
    attempt = _own_attempt(attempt_id, NAVIGATOR)
    if service.settle(attempt):
        db.session.commit()
        return redirect(url_for("tests.result", attempt_id=attempt.id))
    page = render_template("assessments/summary.html", attempt=attempt, form=AnswerForm())
    db.session.commit()
    return page


@bp.post("/attempts/<int:attempt_id>/finish")
@login_required
@form_view
def finish(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("The page was open too long, so for your security it was not sent. Please try again."), "error")
        return redirect(url_for("tests.summary", attempt_id=attempt.id))
    if not service.settle(attempt):
        service.finish(attempt, actor=current_user)  # a second press finds it finished: no harm
    db.session.commit()
    return redirect(url_for("tests.result", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if not service.settle(attempt):
        return redirect(url_for("tests.summary", attempt_id=attempt.id))
    db.session.commit()
    return render_template("assessments/result.html", attempt=attempt, topics=service.per_topic(attempt))
