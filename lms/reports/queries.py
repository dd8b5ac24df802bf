"""Reading the report tables: indicator 5 by year, breakdowns by a dimension, and the public open data.
Every function reads the snapshot tables only (a few hundred to a few thousand rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.curricula.models import Curriculum, CurriculumVersion, localized
from lms.curricula.vocab import AUDIENCES, SECTORS
from lms.extensions import db
from lms.i18n import LOCALE_NAMES
from lms.organisations.models import Organisation
from lms.profiles import get_profile
from lms.reports.models import ReportAttempts, ReportCertificates, ReportPeople, ReportSnapshot

# The Concept's target for indicator 5, percent of persons responsible for OSH who passed the test.
TARGETS = {2025: 40, 2026: 50, 2027: 60, 2028: 70, 2029: 80, 2030: 90}
DIMENSIONS = ("region", "sector", "curriculum", "organisation", "language", "audience")
CERTIFICATE_MEASURES = ("issued", "in_force", "expiring", "expired", "suspended", "revoked")


def percent(part: int | None, whole: int | None) -> float | None:
    """``part`` of ``whole`` in percent with one decimal; None when there is nothing to divide by."""
    if not whole or part is None:
        return None
    return round(100.0 * part / whole, 1)


def snapshot() -> ReportSnapshot | None:
    return db.session.get(ReportSnapshot, 1)


def as_of() -> str | None:
    """When the figures were computed, in the profile's time zone (ISO 8601); None before the first refresh."""
    current = snapshot()
    return None if current is None else get_profile().local(current.as_of).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------- indicator 5
@dataclass
class YearRow:
    year: int
    target: int | None
    tested: int = 0
    passed: int = 0
    population: int = 0

    @property
    def value(self) -> float | None:
        """passed ÷ tested: the reading the Concept's indicator uses."""
        return percent(self.passed, self.tested)

    @property
    def value_population(self) -> float | None:
        """passed ÷ everyone in the category with a training record that year."""
        return percent(self.passed, self.population)

    @property
    def gap(self) -> float | None:
        return None if self.value is None or self.target is None else round(self.value - self.target, 1)


def _people(scope: str = "all", audience_group: str = "responsible") -> list[ReportPeople]:
    return list(db.session.scalars(select(ReportPeople).where(
        ReportPeople.scope == scope, ReportPeople.audience_group == audience_group)))


def indicator(audience_group: str = "responsible") -> list[YearRow]:
    """One row per year from the first year with data (2025 at the latest) to 2030 (or a later year with
    data), the Concept's target beside each."""
    found = {p.year: p for p in _people("all", audience_group)}
    years = range(min([*found, 2025]), max([*found, 2030]) + 1)
    rows = []
    for year in years:
        row = YearRow(year, TARGETS.get(year))
        if year in found:
            row.tested, row.passed, row.population = found[year].tested, found[year].passed, found[year].population
        rows.append(row)
    return rows


def audience_groups() -> list[str]:
    return ["responsible", *AUDIENCES, "all"]


def audience_label(group: str) -> str:
    if group == "responsible":
        return _("Persons responsible for OSH (indicator 5)")
    if group == "all":
        return _("All categories")
    return str(AUDIENCES.get(group, group))


def by_audience(year: int) -> list[dict[str, Any]]:
    rows = {p.audience_group: p for p in db.session.scalars(select(ReportPeople).where(
        ReportPeople.scope == "all", ReportPeople.year == year))}
    out = []
    for group in audience_groups():
        p = rows.get(group)
        tested, passed, population = (p.tested, p.passed, p.population) if p else (0, 0, 0)
        out.append({"group": group, "label": audience_label(group), "tested": tested, "passed": passed,
                    "population": population, "value": percent(passed, tested),
                    "value_population": percent(passed, population)})
    return out


def data_years() -> list[int]:
    years = set(db.session.scalars(select(ReportAttempts.year).distinct()))
    years |= set(db.session.scalars(select(ReportCertificates.year).distinct()))
    return sorted(years)


# ---------------------------------------------------------------------------- breakdowns
@dataclass
class Group:
    key: Any
    label: str
    attempts: int = 0
    passes: int = 0
    first_attempts: int = 0
    first_passes: int = 0
    score_sum: int = 0
    certificates: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CERTIFICATE_MEASURES, 0))

    @property
    def first_pass_rate(self) -> float | None:
        return percent(self.first_passes, self.first_attempts)

    @property
    def attempts_per_pass(self) -> float | None:
        return round(self.attempts / self.passes, 2) if self.passes else None

    @property
    def mean_score(self) -> float | None:
        return round(self.score_sum / self.attempts, 1) if self.attempts else None


def _column(table: Any, dimension: str) -> Any:
    return getattr(table, {"curriculum": "curriculum_id", "organisation": "organisation_id"}.get(dimension, dimension))


def breakdown(dimension: str, year: int | None, locale: str) -> list[Group]:
    """Test results and certificates grouped by ``dimension`` (one of DIMENSIONS), for one year or all."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    groups: dict[Any, Group] = {}
    a_key = _column(ReportAttempts, dimension)
    a = select(a_key, func.sum(ReportAttempts.attempts), func.sum(ReportAttempts.passes),
               func.sum(ReportAttempts.first_attempts), func.sum(ReportAttempts.first_passes),
               func.sum(ReportAttempts.score_sum)).group_by(a_key)
    c_key = _column(ReportCertificates, dimension)
    c = select(c_key, *[func.sum(getattr(ReportCertificates, m)) for m in CERTIFICATE_MEASURES]).group_by(c_key)
    if year is not None:
        a, c = a.where(ReportAttempts.year == year), c.where(ReportCertificates.year == year)
    for key, attempts, passes, first_attempts, first_passes, score_sum in db.session.execute(a):
        groups[key] = Group(key, "", int(attempts), int(passes), int(first_attempts), int(first_passes),
                            int(score_sum))
    for key, *counts in db.session.execute(c):
        group = groups.setdefault(key, Group(key, ""))
        group.certificates = {m: int(v) for m, v in zip(CERTIFICATE_MEASURES, counts, strict=True)}
    labels = labeller(dimension, list(groups), locale)
    for group in groups.values():
        group.label = labels(group.key)
    return sorted(groups.values(), key=lambda g: (-g.attempts, -g.certificates["issued"], g.label))


def labeller(dimension: str, keys: list[Any], locale: str) -> Any:
    """A function giving the display name of a dimension's key in ``locale``."""
    if dimension == "region":
        profile = get_profile()
        return lambda key: profile.region(key).name(locale) if profile.region(key) else key
    if dimension == "sector":
        return lambda key: str(SECTORS.get(key, key))
    if dimension == "audience":
        return lambda key: str(AUDIENCES.get(key, key))
    if dimension == "language":
        return lambda key: LOCALE_NAMES.get(key, key)
    if dimension == "curriculum":
        titles = {}
        if keys:
            latest = (select(CurriculumVersion.curriculum_id, func.max(CurriculumVersion.version).label("v"))
                      .where(CurriculumVersion.curriculum_id.in_(keys)).group_by(CurriculumVersion.curriculum_id)
                      .subquery())
            for code, title, cid in db.session.execute(
                    select(Curriculum.code, CurriculumVersion.title, Curriculum.id)
                    .join(CurriculumVersion, CurriculumVersion.curriculum_id == Curriculum.id)
                    .join(latest, (latest.c.curriculum_id == Curriculum.id)
                          & (latest.c.v == CurriculumVersion.version))):
                titles[cid] = f"{code} · {localized(title, locale)}"
        return lambda key: titles.get(key, str(key))
    names = {}
    if keys:
        for oid, name_state, name_ru, number in db.session.execute(
                select(Organisation.id, Organisation.name_state, Organisation.name_ru, Organisation.registry_number)
                .where(Organisation.id.in_(keys))):
            names[oid] = f"{name_ru if locale in ('ru', 'en') else name_state} ({number or '—'})"
    return lambda key: names.get(key, str(key))


# ---------------------------------------------------------------------------- open data
def min_cell() -> int:
    return current_app.config["LMS_OPEN_DATA_MIN_CELL"]


def suppress(rows: list[dict[str, Any]], counts: tuple[str, ...], k: int, by: str = "year") -> None:
    """Withhold (set to None) every count from 1 to k-1, and a share whose denominator was withheld. Where a
    year has exactly one withheld cell of a measure, the next smallest is withheld too, so the national
    figure minus the published cells cannot reveal it."""
    for measure in counts:
        years: dict[Any, list[dict[str, Any]]] = {}
        for row in rows:
            years.setdefault(row[by], []).append(row)
        for cells in years.values():
            small = [r for r in cells if r[measure] is not None and 0 < r[measure] < k]
            for r in small:
                r[measure] = None
            if len(small) == 1:
                rest = sorted((r for r in cells if r[measure]), key=lambda r: r[measure])
                if rest:
                    rest[0][measure] = None


def open_data(scope: str) -> list[dict[str, Any]]:
    """Aggregates by ``scope`` ('region' or 'sector') and year: persons responsible for OSH tested and passed
    (indicator 5), all persons tested and passed, certificates issued. No cell under the minimum count."""
    if scope not in ("region", "sector"):
        raise ValueError(scope)
    cells: dict[tuple[int, str], dict[str, Any]] = {}

    def cell(year: int, value: str) -> dict[str, Any]:
        return cells.setdefault((year, value), {
            "year": year, scope: value, "responsible_tested": 0, "responsible_passed": 0, "tested": 0, "passed": 0,
            "certificates_issued": 0})

    for p in db.session.scalars(select(ReportPeople).where(ReportPeople.scope == scope,
                                                           ReportPeople.audience_group.in_(("responsible", "all")))):
        row = cell(p.year, p.scope_value)
        prefix = "responsible_" if p.audience_group == "responsible" else ""
        row[prefix + "tested"], row[prefix + "passed"] = p.tested, p.passed
    key = getattr(ReportCertificates, scope)
    for year, value, issued in db.session.execute(
            select(ReportCertificates.year, key, func.sum(ReportCertificates.issued))
            .group_by(ReportCertificates.year, key)):
        cell(year, value)["certificates_issued"] = int(issued)
    rows = [cells[k] for k in sorted(cells)]
    counts = ("responsible_tested", "responsible_passed", "tested", "passed", "certificates_issued")
    suppress(rows, counts, min_cell())
    for row in rows:
        row["indicator5_percent"] = percent(row["responsible_passed"], row["responsible_tested"])
    return rows


def indicator_items() -> list[dict[str, Any]]:
    """The public indicator 5 for 2025-2030; a count from 1 to the minimum cell size less one is withheld
    (null), and the value with it."""
    k = min_cell()
    items = []
    for row in indicator("responsible"):
        if row.year not in TARGETS:
            continue
        passed, tested = (None if 0 < n < k else n for n in (row.passed, row.tested))
        items.append({"year": row.year, "target": row.target, "passed": passed, "tested": tested,
                      "value": row.value if passed is not None and tested is not None else None})
    return items
