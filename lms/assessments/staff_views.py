"""The Centre's side of the test: banks and questions, test definitions, item analysis, quality;
examiners' proctored sittings, unlocking and annulling attempts; an organisation's own quality page."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from lms import audit
from lms.accounts.roles import CENTRE_ADMIN, EXAMINER
from lms.assessments import analysis, attempts, banks
from lms.assessments.models import Attempt, Question, Sitting, TestDefinition
from lms.authz import role_required
from lms.clock import utcnow
from lms.curricula.models import Curriculum
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.forms import BaseForm, choices, form_view, length, refused, whole_number
from lms.i18n import LOCALES
from lms.organisations.authz import organisation_for_manager_or_404
from lms.profiles import get_profile
from lms.util import csv_response

bp = Blueprint("assessments_staff", __name__)


# ---------------------------------------------------------------------------- banks and questions
@bp.get("/centre/banks")
@role_required(CENTRE_ADMIN)
def banks_index():
    tests = {t.curriculum_id: t for t in db.session.scalars(select(TestDefinition))}
    curricula = {c.code: c for c in db.session.scalars(select(Curriculum))}
    return render_template("assessments/banks.html", stats=banks.stats(), tests=tests, curricula=curricula)


@bp.get("/centre/banks/<code>")
@role_required(CENTRE_ADMIN)
def bank(code: str):
    curriculum = db.session.scalar(select(Curriculum).where(Curriculum.code == code)) or abort(404)
    questions = db.session.scalars(select(Question).where(Question.curriculum_id == curriculum.id)
                                   .order_by(Question.topic, Question.external_id)).all()
    return render_template("assessments/bank.html", curriculum=curriculum, questions=questions)


def _question_form(version, languages):
    fields = {}
    for lang in languages:
        fields[f"text_{lang}"] = TextAreaField(_l("Question (%(lang)s)", lang=lang), validators=[length(2000)])
        fields[f"explanation_{lang}"] = TextAreaField(_l("Explanation (%(lang)s)", lang=lang),
                                                      validators=[length(2000)])
        for option in version.options:
            fields[f"option_{option['id']}_{lang}"] = StringField(f"{option['id']} ({lang})",
                                                                  validators=[length(1000)])
    for option in version.options:
        fields[f"correct_{option['id']}"] = BooleanField(_l("Option %(id)s is correct", id=option["id"]))
    return type("DynamicQuestionForm", (BaseForm,), fields)


@bp.route("/centre/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(CENTRE_ADMIN)
@form_view
def question(question_id: int):
    row = db.get_or_404(Question, question_id)
    version = row.current
    languages = [lang for lang in LOCALES if version.text.get(lang)]
    form = _question_form(version, languages)()
    if request.method == "GET":
        for lang in languages:
            form[f"text_{lang}"].data = version.text.get(lang, "")
            form[f"explanation_{lang}"].data = version.explanation.get(lang, "")
            for option in version.options:
                form[f"option_{option['id']}_{lang}"].data = option["text"].get(lang, "")
        for option in version.options:
            form[f"correct_{option['id']}"].data = bool(option.get("correct"))
    if form.validate_on_submit():
        data = {"type": version.type, "difficulty": version.difficulty, "source": version.source,
                "text": {lang: (form[f"text_{lang}"].data or "").strip() for lang in languages},
                "explanation": {lang: (form[f"explanation_{lang}"].data or "").strip() for lang in languages},
                "options": [{"id": o["id"], "text": {lang: (form[f"option_{o['id']}_{lang}"].data or "").strip()
                                                     for lang in languages},
                             **({"correct": True} if form[f"correct_{o['id']}"].data else {})}
                            for o in version.options]}
        problems: list = []
        check = dict(data, id=row.external_id, topic=row.topic, __line__=0, __lines__={})
        check["options"] = [dict(o, __line__=0) for o in data["options"]]
        banks._check_question(check, row.external_id, row.topic, tuple(languages), 10 ** 6, problems)
        if problems:
            form.form_errors.extend(p.message for p in problems)
        elif banks.content_hash(data) == version.content_hash:
            flash(_("Nothing changed."), "info")
        else:
            new = banks.new_version(row, data, "ui", actor=current_user)
            db.session.flush()
            audit.record("question.edited", row, before={"version": version.version}, after={"version": new.version})
            db.session.commit()
            flash(_("Saved as version %(n)s. Attempts that drew an earlier version keep it.", n=new.version),
                  "success")
            return redirect(url_for("assessments_staff.question", question_id=row.id))
    return render_template("assessments/question_edit.html", question=row, version=version, form=form,
                           languages=languages)


@bp.post("/centre/questions/<int:question_id>/status")
@role_required(CENTRE_ADMIN)
def question_status(question_id: int):
    row = db.get_or_404(Question, question_id)
    status = "retired" if request.form.get("status") == "retired" else "active"
    if row.status != status:
        audit.record(f"question.{'retired' if status == 'retired' else 'reactivated'}", row)
        row.status = status
        db.session.commit()
    return redirect(url_for("assessments_staff.question", question_id=row.id))


# ---------------------------------------------------------------------------- test definitions
class TestForm(BaseForm):
    blueprint = StringField(_l("Questions per topic, e.g. 1:3, 2:2, 3:4"), validators=[length(500)])
    time_limit_minutes = StringField(_l("Time limit, minutes"), validators=[length(4)])
    pass_mark_percent = StringField(_l("Pass mark, %"), validators=[length(3)])
    attempts_allowed = StringField(_l("Attempts before retraining is required"), validators=[length(3)])
    wait_hours = StringField(_l("Hours to wait between attempts"), validators=[length(4)])
    languages = StringField(_l("Languages offered, e.g. kk, ru"), validators=[length(30)])
    proctored = BooleanField(_l("Only in a proctored sitting"))
    show_answers = BooleanField(_l("Show the correct answers afterwards"))


@bp.route("/centre/tests/<int:test_id>", methods=["GET", "POST"])
@role_required(CENTRE_ADMIN)
@form_view
def test(test_id: int):
    row = db.get_or_404(TestDefinition, test_id)
    form = TestForm()
    if request.method == "GET":
        pairs = sorted(row.blueprint.items(), key=lambda kv: int(kv[0]))
        form.blueprint.data = ", ".join(f"{k}:{v}" for k, v in pairs)
        for name in ("time_limit_minutes", "pass_mark_percent", "attempts_allowed", "wait_hours"):
            form[name].data = str(getattr(row, name))
        form.languages.data = ", ".join(row.languages)
        form.proctored.data, form.show_answers.data = row.proctored, row.show_answers
    if form.validate_on_submit():
        errors: dict = {}
        blueprint = {}
        topics = {t.position for t in row.curriculum.current.topics}
        available: dict[int, int] = {}
        for q in db.session.scalars(select(Question).where(Question.curriculum_id == row.curriculum_id,
                                                           Question.status == "active")):
            available[q.topic] = available.get(q.topic, 0) + 1
        for part in (form.blueprint.data or "").split(","):
            text, _sep, count_text = part.partition(":")
            topic, count = whole_number(text), whole_number(count_text)
            if topic not in topics or count is None:
                errors.setdefault("blueprint", [_l("Write topic:count pairs for the curriculum's topics.")])
                continue
            if available.get(topic, 0) < count:
                errors.setdefault("blueprint", []).append(
                    _l("Topic %(t)s has only %(n)s active questions.", t=topic, n=available.get(topic, 0)))
            if count:
                blueprint[str(topic)] = count
        values = {name: whole_number(form[name].data) for name in ("time_limit_minutes", "pass_mark_percent",
                                                           "attempts_allowed", "wait_hours")}
        limits = {"time_limit_minutes": (1, 600), "pass_mark_percent": (1, 100), "attempts_allowed": (1, 20),
                  "wait_hours": (0, 24 * 90)}
        for name, (low, high) in limits.items():
            if values[name] is None or not low <= values[name] <= high:
                errors[name] = [_l("Enter a number from %(min)s to %(max)s.", min=low, max=high)]
        languages = [lang.strip() for lang in (form.languages.data or "").split(",") if lang.strip()]
        if not languages or any(lang not in LOCALES for lang in languages) or "ru" not in languages:
            errors["languages"] = [_l("List the languages as codes (kk, ru, ky, en), Russian included.")]
        if not blueprint:
            errors.setdefault("blueprint", [_l("The blueprint must contain at least one question.")])
        if errors:
            form.apply_errors(errors)
        else:
            before = {"blueprint": row.blueprint, "time": row.time_limit_minutes, "pass": row.pass_mark_percent}
            row.blueprint, row.languages = blueprint, languages
            for name, value in values.items():
                setattr(row, name, value)
            row.proctored, row.show_answers = bool(form.proctored.data), bool(form.show_answers.data)
            row.updated_at = utcnow()
            audit.record("test.changed", row, before=before,
                         after={"blueprint": blueprint, "time": row.time_limit_minutes, "pass": row.pass_mark_percent,
                                "proctored": row.proctored})
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("assessments_staff.test", test_id=row.id))
    return render_template("assessments/test_edit.html", test=row, form=form)


# ---------------------------------------------------------------------------- analysis and quality
@bp.get("/centre/item-analysis/<int:test_id>")
@role_required(CENTRE_ADMIN)
def item_analysis(test_id: int):
    row = db.get_or_404(TestDefinition, test_id)
    stats = analysis.item_statistics(row)
    if request.args.get("format") == "csv":
        return csv_response(f"item-analysis-{row.curriculum.code}.csv",
                            ["question", "topic", "n", "facility", "discrimination", "options", "flags"],
                            ([item["id"], item["topic"], item["n"], item["facility"], item["discrimination"],
                              " ".join(f"{k}={v}" for k, v in item["options"].items()), " ".join(item["flags"])]
                             for item in stats["items"]))
    return render_template("assessments/item_analysis.html", test=row, stats=stats)


@bp.get("/centre/quality")
@role_required(CENTRE_ADMIN)
def quality():
    return render_template("assessments/quality.html", rows=analysis.quality(), organisation=None)


@bp.get("/org/<int:organisation_id>/quality")
@login_required
def org_quality(organisation_id: int):
    organisation = organisation_for_manager_or_404(organisation_id)
    return render_template("assessments/quality.html", rows=analysis.quality(organisation_id=organisation.id),
                           organisation=organisation)


# ---------------------------------------------------------------------------- examiners
class SittingForm(BaseForm):
    test = SelectField(_l("Test"), validate_choice=False)
    place = StringField(_l("Place"), validators=[length(300)])
    opens_at = DateTimeLocalField(_l("Opens at"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Closes at"), validators=[Optional()], format="%Y-%m-%dT%H:%M")


@bp.route("/examiner/", methods=["GET", "POST"])
@role_required(EXAMINER, CENTRE_ADMIN)
@form_view
def examiner():
    form = SittingForm()
    tests = db.session.scalars(select(TestDefinition)).all()
    form.test.choices = choices([(str(t.id), t.curriculum.code) for t in tests])
    tz = get_profile().tz
    if form.validate_on_submit():
        errors: dict = {}
        row = next((t for t in tests if str(t.id) == form.test.data), None)
        if row is None:
            errors["test"] = [_l("Choose a test.")]
        if not (form.place.data or "").strip():
            errors["place"] = [_l("This field is required.")]
        if form.opens_at.data is None or form.closes_at.data is None or form.closes_at.data <= form.opens_at.data:
            errors["closes_at"] = [_l("The sitting must close after it opens.")]
        if errors:
            form.apply_errors(errors)
        else:
            sitting = Sitting(test_id=row.id, examiner_id=current_user.id, place=form.place.data.strip(),
                              access_code=secrets.token_hex(3).upper(),
                              opens_at=form.opens_at.data.replace(tzinfo=tz),
                              closes_at=form.closes_at.data.replace(tzinfo=tz))
            db.session.add(sitting)
            db.session.flush()
            audit.record("sitting.opened", sitting, after={"test_id": row.id, "code": sitting.access_code})
            db.session.commit()
            flash(_("The sitting is open: access code %(code)s.", code=sitting.access_code), "success")
            return redirect(url_for("assessments_staff.examiner"))
    if request.method == "GET":
        now = get_profile().local(utcnow()).replace(second=0, microsecond=0, tzinfo=None)
        form.opens_at.data, form.closes_at.data = now, now + timedelta(hours=3)
    sittings = db.session.scalars(select(Sitting).where(Sitting.closes_at >= utcnow() - timedelta(days=1))
                                  .order_by(Sitting.opens_at.desc())).all()
    running = db.session.scalars(select(Attempt).options(joinedload(Attempt.candidate))
                                 .where(Attempt.status == "in_progress")
                                 .order_by(Attempt.started_at.desc()).limit(200)).all()
    return render_template("assessments/examiner.html", form=form, sittings=sittings, running=running)


@bp.post("/examiner/attempts/<int:attempt_id>/<action>")
@role_required(EXAMINER, CENTRE_ADMIN)
def examiner_action(attempt_id: int, action: str):
    row = db.get_or_404(Attempt, attempt_id)
    try:
        if action == "unlock":
            attempts.unlock(row, actor=current_user)
        elif action == "annul":
            attempts.annul(row, request.form.get("reason", ""), actor=current_user)
        else:
            abort(404)
    except ValidationFailed as exc:
        refused(exc)
    else:
        db.session.commit()
        flash(_("Done."), "success")
    return redirect(url_for("assessments_staff.examiner"))
