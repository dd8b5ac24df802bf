"""`flask demo bulk`: realistic, valid, repeatable data; and the reports on it against a plain recount."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.assessments.models import Attempt
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.identifiers import validate_iin
from lms.organisations.models import Organisation, RegistryCounter
from lms.profiles import get_profile
from lms.reports import queries
from lms.reports.refresh import RESPONSIBLE
from lms.training.models import TrainingRecord
from lms.util import local_today


def test_bulk_generates_valid_data_in_every_status(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "bulk", "--people", "1500", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "people: 1500" in result.output and "reports rebuilt" in result.output
    users = db.session.scalars(select(User).where(User.email.like("%@bulk.osh-demo.kz"))).all()
    assert len(users) == 1500 and all(validate_iin(u.iin) == u.iin for u in users)
    assert db.session.scalar(select(func.count()).select_from(TrainingRecord)) == 1500
    today = local_today()
    statuses = {c.effective_status(today) for c in db.session.scalars(select(Certificate))}
    assert statuses == {"valid", "expired", "suspended", "revoked"}
    regions = set(db.session.scalars(select(Organisation.region).distinct()))
    assert len(regions) >= 5
    # certificate numbers came from the counters: the platform's next number follows the generated ones
    prefix = get_profile().certificate_prefix
    for year, last in db.session.execute(select(RegistryCounter.year, RegistryCounter.last)
                                         .where(RegistryCounter.kind == prefix)):
        top = db.session.scalar(select(func.max(Certificate.number))
                                .where(Certificate.number.like(f"{prefix}-{year}-%")))
        assert int(top.rsplit("-", 1)[1]) == last
    # every certificate belongs to a passed attempt on a valid record
    bad = db.session.scalar(select(func.count()).select_from(Certificate)
                            .join(Attempt, Attempt.id == Certificate.attempt_id).where(Attempt.passed.is_not(True)))
    assert bad == 0
    # nothing is dated after now; an invalidated record's certificates are suspended, as the Centre's action does
    from lms.clock import utcnow

    now = utcnow()
    for column in (Attempt.finished_at, Certificate.issued_at, Certificate.status_changed_at,
                   TrainingRecord.created_at, TrainingRecord.invalidated_at, User.created_at):
        assert (db.session.scalar(select(func.max(column))) or now) <= now, column
    invalidated = db.session.scalars(select(Certificate).join(
        TrainingRecord, TrainingRecord.id == Certificate.training_record_id)
        .where(TrainingRecord.status == "invalidated")).all()
    assert invalidated and all(c.status in ("suspended", "revoked") for c in invalidated)
    # each certificate's history ends in its status (a suspension by invalidation has its event too)
    from lms.certificates.models import CertificateEvent

    latest = dict(db.session.execute(select(CertificateEvent.certificate_id, CertificateEvent.status)
                                     .order_by(CertificateEvent.at, CertificateEvent.id)).all())
    assert all(latest[c.id] == c.status for c in db.session.scalars(select(Certificate)))
    # a second run adds more people without colliding
    again = runner.invoke(args=["demo", "bulk", "--people", "200", "--seed", "4", "--no-refresh"])
    assert again.exit_code == 0, again.output
    assert db.session.scalar(select(func.count(func.distinct(User.iin))).where(
        User.email.like("%@bulk.osh-demo.kz"))) == 1700


def test_reports_on_bulk_data_match_a_plain_recount(app):
    result = app.test_cli_runner().invoke(args=["demo", "bulk", "--people", "800", "--seed", "7"])
    assert result.exit_code == 0, result.output
    tz = get_profile().tz
    tested, passed, population = defaultdict(set), defaultdict(set), defaultdict(set)
    first = defaultdict(lambda: [0, 0])
    rows = db.session.execute(select(Attempt, TrainingRecord).join(
        TrainingRecord, TrainingRecord.id == Attempt.training_record_id)).all()
    for attempt, record in rows:
        if attempt.status != "finished" or record.status != "valid":
            continue
        year = attempt.finished_at.astimezone(tz).year
        if attempt.number == 1:
            first[year][0] += 1
            first[year][1] += int(attempt.passed)
        if record.audience in RESPONSIBLE:
            tested[year].add(record.iin)
            population[year].add(record.iin)
            if attempt.passed:
                passed[year].add(record.iin)
    for record in db.session.scalars(select(TrainingRecord).where(TrainingRecord.status == "valid",
                                                                  TrainingRecord.audience.in_(RESPONSIBLE))):
        population[record.completed_on.year].add(record.iin)
    for row in queries.indicator():
        assert (row.tested, row.passed, row.population) == (len(tested[row.year]), len(passed[row.year]),
                                                             len(population[row.year])), row.year
    assert any(row.tested for row in queries.indicator())
    for year, (n, p) in first.items():
        groups = queries.breakdown("language", year, "en")
        assert sum(g.first_attempts for g in groups) == n and sum(g.first_passes for g in groups) == p
