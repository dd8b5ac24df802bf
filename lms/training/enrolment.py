"""Enrolment one by one, from a CSV/XLSX file (a report per row), or through the API; idempotent on
(course, IIN). A trainee gets a one-time link at the recorded e-mail to create an account or to link an
existing one: nobody is linked by IIN without that confirmation."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms import audit, identifiers
from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.accounts.roles import CANDIDATE
from lms.curricula.vocab import AUDIENCES
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.mail.service import queue_email
from lms.profiles import get_profile
from lms.tokens import InvalidToken, make_token, read_token
from lms.training.courses import organisation_may_train
from lms.training.models import Course, Enrolment, TrainingRecord
from lms.util import UnreadableFile, external_url, read_csv

FIELDS = ("iin", "full_name", "email", "employer_bin", "employer_name", "position", "audience")
REQUIRED = ("iin", "full_name", "email", "audience")
HEADERS = {
    "iin": {"iin", "иин", "жсн", "pin", "пин", "personal number"},
    "full_name": {"full_name", "name", "фио", "ф.и.о.", "аты-жөні", "аты жөні", "full name"},
    "email": {"email", "e-mail", "эл. почта", "электронная почта", "почта"},
    "employer_bin": {"employer_bin", "бин работодателя", "бин", "жұмыс берушінің бсн", "бсн", "инн работодателя"},
    "employer_name": {"employer_name", "работодатель", "жұмыс беруші", "employer"},
    "position": {"position", "должность", "лауазымы", "лауазым"},
    "audience": {"audience", "категория", "санат", "category"},
}


@dataclass
class RowResult:
    row: int
    iin: str
    outcome: str  # enrolled | exists | error
    errors: list[str] = field(default_factory=list)


def course_is_open(course: Course) -> bool:
    return course.status == "scheduled" and organisation_may_train(course.organisation)


def _clean(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    profile = get_profile()
    cleaned = {k: str(values.get(k) or "").strip() for k in FIELDS}
    errors: dict[str, list[Any]] = {}
    for name in REQUIRED:
        if not cleaned[name]:
            errors.setdefault(name, []).append(_l("This field is required."))
    if cleaned["iin"]:
        try:
            cleaned["iin"] = profile.validate_person_id(cleaned["iin"])
        except identifiers.InvalidIdentifier as exc:
            errors.setdefault("iin", []).append(exc.message)
    if cleaned["email"]:
        try:
            cleaned["email"] = identifiers.validate_email(cleaned["email"])
        except identifiers.InvalidIdentifier as exc:
            errors.setdefault("email", []).append(exc.message)
    if cleaned["employer_bin"]:
        try:
            cleaned["employer_bin"] = profile.validate_org_id(cleaned["employer_bin"])
        except identifiers.InvalidIdentifier as exc:
            errors.setdefault("employer_bin", []).append(exc.message)
    if cleaned["audience"] and cleaned["audience"] not in AUDIENCES:
        errors.setdefault("audience", []).append(_l("Choose one of: %(choices)s.", choices=", ".join(AUDIENCES)))
    if len(cleaned["full_name"]) > 200:
        errors.setdefault("full_name", []).append(_l("Enter at most %(n)s characters.", n=200))
    return cleaned, errors


def enrol(course: Course, values: dict[str, Any], actor: Any, locale: str = "ru") -> tuple[Enrolment, bool]:
    """Enrol one trainee; returns (enrolment, created). The same IIN again changes nothing."""
    if not course_is_open(course):
        raise ValidationFailed(status=_l("This course no longer takes trainees."))
    cleaned, errors = _clean(values)
    if errors:
        raise ValidationFailed(errors)
    existing = db.session.scalar(select(Enrolment).where(Enrolment.course_id == course.id,
                                                         Enrolment.iin == cleaned["iin"]))
    if existing is not None:
        return existing, False
    taken = db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.course_id == course.id, Enrolment.status != "withdrawn"))
    if taken >= course.capacity:
        raise ValidationFailed(status=_l("The course is full (%(n)s places).", n=course.capacity))
    enrolment = Enrolment(course_id=course.id, claim_nonce=secrets.token_hex(16),
                          **{k: (cleaned[k] or None) if k in ("employer_bin", "employer_name", "position") else
                             cleaned[k] for k in FIELDS})
    db.session.add(enrolment)
    db.session.flush()
    audit.record("enrolment.created", enrolment, actor=actor,
                 after={"course_id": course.id, "iin": enrolment.iin, "full_name": enrolment.full_name})
    send_invitation(enrolment, locale)
    return enrolment, True


def send_invitation(enrolment: Enrolment, locale: str) -> None:
    token = make_token("enrolment-claim", {"e": enrolment.id, "n": enrolment.claim_nonce})
    link = external_url("trainee.claim", token=token)
    queue_email(enrolment.email, "enrolment_invitation", locale, enrolment=enrolment, link=link)


# ---------------------------------------------------------------------------- files
class FileProblem(Exception):
    def __init__(self, message: Any):
        super().__init__(str(message))
        self.message = message


def read_rows(data: bytes) -> tuple[list[dict[str, str]], list[str]]:
    """Rows of an enrolment file as dicts keyed by our field names, and the ignored extra columns.

    Accepts XLSX, and CSV in UTF-8 (with or without BOM) or Windows-1251, separated by commas, semicolons
    or tabs."""
    max_rows = current_app.config["LMS_ENROLMENT_MAX_ROWS"]
    table = _xlsx(data, max_rows) if data[:2] == b"PK" else _csv(data)
    table = [row for row in table if any(str(cell).strip() for cell in row)]
    if not table:
        raise FileProblem(_l("The file is empty."))
    header = [str(cell).strip().lower() for cell in table[0]]
    mapping: dict[int, str] = {}
    extra: list[str] = []
    for index, name in enumerate(header):
        field_name = next((f for f, names in HEADERS.items() if name in names), None)
        if field_name and field_name not in mapping.values():
            mapping[index] = field_name
        elif name:
            extra.append(str(table[0][index]).strip())
    missing = [f for f in REQUIRED if f not in mapping.values()]
    if missing:
        raise FileProblem(_l("Columns missing: %(names)s. The first row must name the columns: iin, full_name, "
                             "email, employer_bin, employer_name, position, audience.", names=", ".join(missing)))
    rows = table[1:]
    if len(rows) > max_rows:
        raise FileProblem(_l("The file has %(n)s rows; at most %(max)s are accepted at once. Split it into smaller "
                             "files.", n=len(rows), max=max_rows))
    return [{mapping[i]: str(cell) for i, cell in enumerate(row) if i in mapping} for row in rows], extra


def _unreadable() -> FileProblem:
    return FileProblem(_l("The file is not a readable XLSX or CSV file."))


def _csv(data: bytes) -> list[list[str]]:
    try:
        return read_csv(data)
    except UnreadableFile as exc:
        raise _unreadable() from exc


def _xlsx(data: bytes, max_rows: int) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
    except Exception as exc:  # noqa: BLE001 - a broken workbook is the user's file, not our error
        raise _unreadable() from exc
    table = []
    for row in sheet.iter_rows(values_only=True):
        table.append(["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                      for v in row])
        if len(table) > max_rows + 1:
            break
    if len(table) > max_rows + 1:
        raise FileProblem(_l("The file has more than %(max)s rows; split it into smaller files.", max=max_rows))
    return table


def enrol_rows(course: Course, rows: list[dict[str, str]], actor: Any, locale: str) -> list[RowResult]:
    """Each row on its own: valid rows enrolled (or found already enrolled), each invalid row reported."""
    results = []
    for number, values in enumerate(rows, start=2):
        iin = (values.get("iin") or "").strip()
        try:
            with db.session.begin_nested():
                _enrolment, created = enrol(course, values, actor, locale)
        except ValidationFailed as exc:
            messages = [f"{name}: {m}" if name != "status" else str(m) for name, ms in exc.errors.items() for m in ms]
            results.append(RowResult(number, iin, "error", messages))
        else:
            results.append(RowResult(number, iin, "enrolled" if created else "exists"))
    return results


# ---------------------------------------------------------------------------- the trainee's link
def enrolment_for_claim(token: str) -> Enrolment:
    data = read_token("enrolment-claim", token)
    enrolment = db.session.get(Enrolment, data.get("e")) if isinstance(data, dict) else None
    if enrolment is None or not enrolment.claim_nonce or enrolment.claim_nonce != data.get("n"):
        raise InvalidToken()
    return enrolment


def account_for(enrolment: Enrolment) -> User | None:
    """The account this enrolment would join: the one carrying its IIN, else the one with its e-mail."""
    return (db.session.scalar(select(User).where(User.iin == enrolment.iin))
            or accounts.find_by_email(enrolment.email))


def link_to(enrolment: Enrolment, user: User, actor: Any) -> None:
    """Confirmed through the one-time link: attach the enrolment (and its records) to the account."""
    if user.iin and user.iin != enrolment.iin:
        raise ValidationFailed(account=_l("This course was recorded for another person's identification number."))
    if not user.iin:
        if db.session.scalar(select(User.id).where(User.iin == enrolment.iin, User.id != user.id)):
            raise ValidationFailed(account=_l("Another account already holds this identification number."))
        user.iin = enrolment.iin
    enrolment.user_id = user.id
    enrolment.claim_nonce = None
    for record in db.session.scalars(select(TrainingRecord).where(TrainingRecord.enrolment_id == enrolment.id)):
        record.user_id = user.id
    if not user.has_role(CANDIDATE):
        accounts.grant_role(user, CANDIDATE, actor=actor)
    audit.record("enrolment.claimed", enrolment, actor=actor, after={"user_id": user.id})


def create_account(enrolment: Enrolment, password: str) -> User:
    user = accounts.create_user(email=enrolment.email, full_name=enrolment.full_name, iin=enrolment.iin,
                                password=password)
    link_to(enrolment, user, actor=user)
    return user
