"""Read side of curricula: current versions for the catalogue and the API (no N+1)."""

from __future__ import annotations

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import contains_eager

from lms.curricula.models import Curriculum, CurriculumVersion

FILTERS = ("country", "audience", "sector", "risk_level")


def current_versions(filters: dict[str, str] | None = None, statuses: tuple[str, ...] = ("active",)) -> Select:
    """The current (latest) version of each curriculum in ``statuses``, filtered, ordered by code."""
    latest = (
        select(CurriculumVersion.curriculum_id, func.max(CurriculumVersion.version).label("number"))
        .group_by(CurriculumVersion.curriculum_id)
        .subquery()
    )
    query = (
        select(CurriculumVersion)
        .join(latest, and_(CurriculumVersion.curriculum_id == latest.c.curriculum_id,
                           CurriculumVersion.version == latest.c.number))
        .join(Curriculum, Curriculum.id == CurriculumVersion.curriculum_id)
        .options(contains_eager(CurriculumVersion.curriculum))
        .where(Curriculum.status.in_(statuses))
        .order_by(Curriculum.code)
    )
    for name in FILTERS:
        value = (filters or {}).get(name)
        if value and name == "country" and value != "BOTH":
            query = query.where(CurriculumVersion.country.in_((value, "BOTH")))  # "both" applies in each
        elif value:
            query = query.where(getattr(CurriculumVersion, name) == value)
    return query


def as_json(version: CurriculumVersion) -> dict:
    curriculum = version.curriculum
    return {
        "code": curriculum.code,
        "version": version.version,
        "status": curriculum.status,
        "titles": dict(version.title),
        "descriptions": dict(version.description),
        "country": version.country,
        "audience": version.audience,
        "sector": version.sector,
        "risk_level": version.risk_level,
        "hours": version.min_hours,
        "validity_months": version.validity_months,
        "topics": [
            {"position": t.position, "titles": dict(t.title), "hours": t.hours, "outcomes": list(t.outcomes),
             "sources": list(t.sources)}
            for t in version.topics
        ],
    }
