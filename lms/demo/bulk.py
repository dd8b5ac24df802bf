"""``flask demo bulk --people N``: realistic volumes for the reports and the benchmarks, written fast.

Organisations (one per 2,500 people, at least five, spread over the regions), courses on the profile's
curricula that ended by yesterday, one person per trainee (an account without a password), a completed
enrolment and a training record each, the Centre's test taken 1-39 days later with retakes after a failure
(up to the test's attempts), and a certificate for each pass, some suspended or revoked, the 12-month ones of
earlier years expired; 0.5% of the records are invalidated by the Centre afterwards, suspending their
certificates. Nothing is dated after now. Pass rates rise year by year and differ by organisation. Rows go in
with COPY on PostgreSQL and executemany on SQLite, ids taken in blocks, registry and certificate numbers from
their counters, so the platform's own numbering carries on after it. The same N, seed and day give the same
people and results (verification codes stay random secrets). Grading is bypassed (no drawn questions), so
the per-question statistics are untouched and stay consistent; `flask demo bulk` rebuilds the reports."""

from __future__ import annotations

import json
import random
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, insert, select

from lms.accounts.models import User
from lms.assessments.models import Attempt, TestDefinition
from lms.certificates.models import Certificate, CertificateEvent
from lms.clock import utcnow
from lms.curricula.models import Curriculum
from lms.extensions import db
from lms.identifiers import iin_or_none, make_bin, make_kg_pin
from lms.organisations.models import Organisation, OrganisationCurriculum
from lms.organisations.numbers import next_number, registry_number
from lms.profiles import get_profile
from lms.training.models import Course, Enrolment, TrainingRecord
from lms.util import local_today

EMAIL_DOMAIN = "bulk.osh-demo.kz"
SURNAMES = ("Ахметов", "Бекова", "Жумабаев", "Ким", "Иванова", "Сейткали", "Омарова", "Тулегенов", "Петров",
            "Абдрахманова", "Нургалиев", "Смагулова", "Исаев", "Калиева", "Мусин", "Ермекова", "Садыков",
            "Байжанова", "Токтаров", "Оспанова")
NAMES = ("Айгерим", "Ерлан", "Динара", "Нурлан", "Гульнара", "Сергей", "Асель", "Марат", "Жанар", "Алексей",
         "Бауыржан", "Сауле", "Тимур", "Мадина", "Данияр", "Ольга")
POSITIONS = ("Директор", "Инженер по охране труда", "Главный инженер", "Мастер участка", "Прораб",
             "Председатель производственного совета", "Технический инспектор", "Начальник цеха")
REASONS = ("Нарушение порядка тестирования", "Решение Центра по проверке обучения", "Ошибка в данных")


@dataclass
class Plan:
    curriculum_id: int
    version_id: int
    audience: str
    hours: int
    validity_months: int
    test_id: int
    test_size: int
    time_limit: int
    pass_mark: int
    attempts_allowed: int
    weight: float


def person_ids(start: int) -> Iterator[str]:
    """Valid, distinct identification numbers for generated people, from the ``start``-th on: born from 1960
    on, with serials 7000-9999 on KZ (the demo accounts and tests use lower ones) and 50000-99999 on KG."""
    kz = get_profile().code == "KZ"
    n = 0
    day = date(1960, 1, 1)
    while True:
        for sex in "MF":
            for serial in (range(7000, 10000) if kz else range(50000, 100000)):
                number = iin_or_none(day, sex, serial) if kz else make_kg_pin(day, sex, serial)
                if number is None:
                    continue
                if n >= start:
                    yield number
                n += 1
        day += timedelta(days=1)


def _org_id(serial: int) -> str:
    if get_profile().code == "KZ":
        return make_bin(date(2015, 3, 1), serial)
    return f"0{date(2015, 3, 1):%d%m%Y}{serial % 100000:05d}"


def _employers(count: int, taken: set[str]) -> list[tuple[str, str]]:
    """Distinct employer BINs (none of them a training organisation's) with their names."""
    employers, serial = [], 0
    while len(employers) < count:
        bin_ = _org_id(serial)
        serial += 1
        if bin_ not in taken:
            taken.add(bin_)
            employers.append((bin_, f"ТОО «Предприятие {len(employers) + 1}»"))
    return employers


def next_id(model: Any) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def write_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts of column values, all with the same keys): COPY on PostgreSQL, executemany else."""
    if not rows:
        return
    table = model.__table__
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        columns = list(rows[0])
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                                for v in (row[c] for c in columns)])
        return
    for offset in range(0, len(rows), 20000):
        connection.execute(insert(table), rows[offset:offset + 20000])


def _moment(day: date, rng: random.Random) -> datetime:
    """A working-hours moment on ``day`` in the profile's time zone, as UTC."""
    local = datetime(day.year, day.month, day.day, 9, tzinfo=get_profile().tz) + timedelta(minutes=rng.randrange(540))
    return local.astimezone(UTC)


def _plans() -> list[Plan]:
    country = get_profile().code
    weights = {"managers": 3.0, "osh_specialists": 2.0, "worker_representatives": 1.5, "hazardous_workers": 2.0,
               "workers": 2.0}
    plans = []
    for curriculum in db.session.scalars(select(Curriculum).where(Curriculum.status == "active")):
        version = curriculum.current
        test = db.session.scalar(select(TestDefinition).where(TestDefinition.curriculum_id == curriculum.id))
        if test is None or version.country not in (country, "BOTH"):
            continue
        plans.append(Plan(curriculum.id, version.id, version.audience, version.min_hours, version.validity_months,
                          test.id, test.size, test.time_limit_minutes, test.pass_mark_percent,
                          test.attempts_allowed, weights.get(version.audience, 1.0)))
    if not plans:
        raise RuntimeError("no active curriculum with a test: run `flask curricula load` and `flask banks import`")
    return plans


def bulk(people: int, seed: int = 1, first_year: int | None = None) -> dict[str, Any]:
    """Add ``people`` trained persons with everything that follows from their training; return counts."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - reproducible simulation data, not security
    profile = get_profile()
    today = local_today()
    first_year = first_year or today.year - 2
    plans = _plans()
    now = utcnow()
    already = db.session.scalar(select(func.count()).select_from(User)
                                .where(User.email.like(f"%@{EMAIL_DOMAIN}"))) or 0

    # organisations: one per 2,500 people (at least 5), in every region, each with its own quality
    n_orgs = max(5, people // 2500)
    org_start = next_id(Organisation)
    existing_bins = set(db.session.scalars(select(Organisation.bin)))
    orgs, links, quality, offered = [], [], {}, {}
    serial = 60000 + org_start
    for i in range(n_orgs):
        oid = org_start + i
        bin_ = _org_id(serial)
        while bin_ in existing_bins:
            serial += 1
            bin_ = _org_id(serial)
        existing_bins.add(bin_)
        serial += 1
        region = profile.regions[i % len(profile.regions)]
        year = 2020 + i % 5
        orgs.append({"id": oid, "bin": bin_, "name_state": f"«Қауіпсіз еңбек-{oid}» оқу орталығы",
                     "name_ru": f"Учебный центр «Безопасный труд-{oid}»", "region": region.code,
                     "created_at": datetime(year, 2, 1, 6, tzinfo=UTC), "status": "approved",
                     "registry_number": registry_number(year),
                     "address": f"{region.names['ru']}, ул. Абая, {1 + i % 150}", "email": f"org{oid}@{EMAIL_DOMAIN}",
                     "approved_at": datetime(year, 3, 1, 6, tzinfo=UTC)})
        quality[oid] = rng.uniform(-0.15, 0.12)
        offered[oid] = [p for p in plans if p.audience in ("managers", "osh_specialists") or rng.random() < 0.6]
        links += [{"organisation_id": oid, "curriculum_id": p.curriculum_id, "approved_at": orgs[-1]["approved_at"]}
                  for p in offered[oid]]
    write_rows(Organisation, orgs)
    write_rows(OrganisationCurriculum, links)

    state = {"courses": {}, "next_course": next_id(Course), "identifiers": person_ids(already),
             "employers": _employers(max(20, people // 50), existing_bins),
             "ids": {"user": next_id(User), "enrolment": next_id(Enrolment), "record": next_id(TrainingRecord),
                     "attempt": next_id(Attempt), "certificate": next_id(Certificate),
                     "event": next_id(CertificateEvent)},
             "org_ids": [o["id"] for o in orgs], "offered": offered, "quality": quality,
             "span_days": max((today - date(first_year, 1, 15)).days, 1), "today": today, "now": now}
    totals = {"people": people, "organisations": len(orgs), "courses": 0, "attempts": 0, "certificates": 0}
    for offset in range(0, people, CHUNK):
        written = _chunk(rng, already + offset, min(CHUNK, people - offset), state)
        for name, count in written.items():
            totals[name] += count
    reset_sequences(Organisation, Course, User, Enrolment, TrainingRecord, Attempt, Certificate, CertificateEvent)
    totals["seconds"] = round(time.perf_counter() - started, 1)
    return totals


CHUNK = 20000


def _chunk(rng: random.Random, first_person: int, count: int, state: dict[str, Any]) -> dict[str, int]:
    """Generate and write ``count`` people with their courses, records, attempts and certificates."""
    profile, today, now, ids = get_profile(), state["today"], state["now"], state["ids"]
    course_rows, users, enrolments, records, attempts, certificates, events = [], [], [], [], [], [], []
    issued_by_year: dict[int, list[dict[str, Any]]] = {}
    for person in range(first_person, first_person + count):
        iin = next(state["identifiers"])
        name = f"{rng.choice(SURNAMES)} {rng.choice(NAMES)}"
        oid = rng.choice(state["org_ids"])
        offered = state["offered"][oid]
        plan = rng.choices(offered, weights=[p.weight for p in offered])[0]
        end = today - timedelta(days=1 + rng.randrange(state["span_days"]))  # a course that ended by yesterday
        start = end - timedelta(days=max(2, plan.hours // 8))
        key = (oid, plan.curriculum_id, end.year, end.month)
        course = state["courses"].get(key)
        if course is None or course["enrolled"] >= course["capacity"]:
            course = {"id": state["next_course"], "organisation_id": oid, "curriculum_id": plan.curriculum_id,
                      "curriculum_version_id": plan.version_id,
                      "format": rng.choice(("in_person", "distance", "blended")), "place": "Учебный класс",
                      "starts_on": start, "ends_on": end, "hours": plan.hours, "capacity": 40, "status": "scheduled",
                      "created_at": _moment(start, rng), "enrolled": 0}
            state["courses"][key] = course
            course_rows.append(course)
            state["next_course"] += 1
        course["enrolled"] += 1
        start, end = course["starts_on"], course["ends_on"]
        employer_bin, employer_name = rng.choice(state["employers"])
        uid, eid, rid = ids["user"], ids["enrolment"], ids["record"]
        ids["user"], ids["enrolment"], ids["record"] = uid + 1, eid + 1, rid + 1
        completed_at = _moment(end, rng)
        email = f"person{person}@{EMAIL_DOMAIN}"
        users.append({"id": uid, "email": email, "full_name": name, "iin": iin, "is_active": True,
                      "created_at": completed_at})
        position = rng.choice(POSITIONS)
        enrolments.append({"id": eid, "course_id": course["id"], "iin": iin, "full_name": name, "email": email,
                           "employer_bin": employer_bin, "employer_name": employer_name, "position": position,
                           "audience": plan.audience, "user_id": uid, "status": "completed",
                           "created_at": completed_at, "completed_at": completed_at})
        invalid = rng.random() < 0.005  # the Centre invalidates it later: its certificates are suspended
        record = {"id": rid, "enrolment_id": eid, "iin": iin, "full_name": name, "user_id": uid,
                        "curriculum_id": plan.curriculum_id, "curriculum_version_id": plan.version_id,
                        "course_id": course["id"], "organisation_id": oid,
                        "lecturers": [{"id": None, "name": "Лектор центра", "certificate_number": None}],
                        "hours": plan.hours, "started_on": start, "completed_on": end,
                        "employer_bin": employer_bin, "employer_name": employer_name, "position": position,
                        "audience": plan.audience, "created_at": completed_at,
                        "status": "valid", "invalidated_at": None, "invalidation_reason": None}
        records.append(record)
        issued_here = len(certificates)
        if rng.random() < 0.1:
            if invalid:
                _invalidate(rng, record, [], completed_at, now, events, ids)
            continue  # trained, not (yet) tested
        # the test 1-40 days later; pass rates rise by year and differ by organisation; retakes after a failure
        day = end + timedelta(days=rng.randrange(1, 40))
        chance = 0.3 + 0.1 * (day.year - 2024) + state["quality"][oid]
        language = profile.state_language if rng.random() < 0.6 else "ru"
        need = -(-plan.test_size * plan.pass_mark // 100)
        last = completed_at
        for number in range(1, plan.attempts_allowed + 1):
            began = _moment(day, rng)
            finished = began + timedelta(minutes=rng.randint(min(8, max(1, plan.time_limit - 1)),
                                                             max(1, plan.time_limit - 1)))
            if finished > now:
                break
            annulled = rng.random() < 0.005
            correct = (rng.randint(need, plan.test_size) if rng.random() < chance
                       else rng.randint(plan.test_size // 3, max(plan.test_size // 3, need - 1)))
            pct = round(100 * correct / plan.test_size)
            passed = pct >= plan.pass_mark
            aid = ids["attempt"]
            ids["attempt"] += 1
            attempts.append({"id": aid, "test_id": plan.test_id, "candidate_id": uid, "training_record_id": rid,
                             "number": number, "language": language,
                             "status": "annulled" if annulled else "finished", "started_at": began,
                             "deadline_at": began + timedelta(minutes=plan.time_limit), "finished_at": finished,
                             "score": correct, "max_score": plan.test_size, "percent": pct,
                             "passed": None if annulled else passed, "device_hash": "bulk", "device_unlocked": False,
                             "annulled_reason": REASONS[0] if annulled else None})
            last = finished
            if passed and not annulled:
                _certificate(rng, plan, certificates, events, issued_by_year, ids, now, aid=aid, uid=uid, rid=rid,
                             name=name, iin=iin, oid=oid, course_id=course["id"], employer_bin=employer_bin,
                             finished=finished, pct=pct, language=language)
            if passed or annulled or rng.random() < 0.2:
                break  # passed, annulled, or gave up for now
            day += timedelta(days=rng.randint(2, 20))
            chance += 0.1
        if invalid:
            _invalidate(rng, record, certificates[issued_here:], last, now, events, ids)

    # numbers from the platform's own counters, so issuing carries on after the generated ones
    prefix = profile.certificate_prefix
    for year, issued in sorted(issued_by_year.items()):
        last = next_number(prefix, year, count=len(issued))
        for n, certificate in enumerate(sorted(issued, key=lambda c: c["issued_at"])):
            certificate["number"] = f"{prefix}-{year}-{last - len(issued) + n + 1:06d}"
    if certificates:
        last_index = next_number("STATUS", 0, count=len(certificates))
        for n, certificate in enumerate(certificates):
            certificate["status_index"] = last_index - len(certificates) + n
    new_courses = [{k: v for k, v in c.items() if k != "enrolled"} for c in course_rows]
    for model, rows in ((Course, new_courses), (User, users), (Enrolment, enrolments), (TrainingRecord, records),
                        (Attempt, attempts), (Certificate, certificates), (CertificateEvent, events)):
        write_rows(model, rows)
    return {"courses": len(course_rows), "attempts": len(attempts), "certificates": len(certificates)}


def _certificate(rng: random.Random, plan: Plan, certificates: list, events: list, issued_by_year: dict,
                 ids: dict[str, int], now: datetime, *, aid: int, uid: int, rid: int, name: str, iin: str, oid: int,
                 course_id: int, employer_bin: str, finished: datetime, pct: int, language: str) -> None:
    local_day = get_profile().local(finished).date()
    cid = ids["certificate"]
    ids["certificate"] += 1
    roll = rng.random()
    status = "revoked" if roll < 0.01 else "suspended" if roll < 0.03 else "valid"
    changed = finished + timedelta(days=rng.randint(1, 90)) if status != "valid" else None
    if changed is not None and changed > now:
        status, changed = "valid", None
    certificate = {
        "id": cid, "code": secrets.token_urlsafe(15), "attempt_id": aid, "holder_id": uid, "holder_name": name,
        "iin": iin, "training_record_id": rid, "curriculum_id": plan.curriculum_id,
        "curriculum_version_id": plan.version_id, "organisation_id": oid, "course_id": course_id,
        "employer_bin": employer_bin, "test_date": local_day, "score_percent": pct, "language": language,
        "issued_at": finished,
        "valid_until": local_day + relativedelta(months=plan.validity_months) - timedelta(days=1),
        "status": status, "status_reason": rng.choice(REASONS) if changed else None, "status_changed_at": changed}
    certificates.append(certificate)
    issued_by_year.setdefault(local_day.year, []).append(certificate)
    events.append({"id": ids["event"], "certificate_id": cid, "status": "valid", "reason": None, "at": finished})
    ids["event"] += 1
    if changed is not None:
        events.append({"id": ids["event"], "certificate_id": cid, "status": status,
                       "reason": certificate["status_reason"], "at": changed})
        ids["event"] += 1


def _invalidate(rng: random.Random, record: dict[str, Any], certificates: list[dict[str, Any]], after: datetime,
                now: datetime, events: list[dict[str, Any]], ids: dict[str, int]) -> None:
    """The Centre invalidates the record some days after its last test (if that day has come), suspending its
    certificates, as an invalidation for cause does: each suspension with its event in the certificate's
    history."""
    at = after + timedelta(days=rng.randint(1, 30))
    if at > now:
        return
    record.update(status="invalidated", invalidated_at=at, invalidation_reason=REASONS[1])
    for certificate in certificates:
        if certificate["status"] == "valid":
            certificate.update(status="suspended", status_reason=REASONS[1], status_changed_at=at)
            events.append({"id": ids["event"], "certificate_id": certificate["id"], "status": "suspended",
                           "reason": REASONS[1], "at": at})
            ids["event"] += 1


def reset_sequences(*models: Any) -> None:
    """After rows written with explicit ids, PostgreSQL's sequences must continue past them."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
