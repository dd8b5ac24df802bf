"""Registry numbers such as TO-2026-00001: unique, increasing per year, never reused."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.organisations.models import RegistryCounter


def next_number(kind: str, year: int, session: object = None, count: int = 1) -> int:
    """Atomically take the next number (an UPDATE ... RETURNING, safe under concurrency on both databases);
    with ``count``, a block of that many numbers, returning the last of them."""
    session = session or db.session
    for _ in range(3):
        taken = session.execute(
            update(RegistryCounter)
            .where(RegistryCounter.kind == kind, RegistryCounter.year == year)
            .values(last=RegistryCounter.last + count)
            .returning(RegistryCounter.last)
        ).scalar()
        if taken is not None:
            return taken
        try:
            with session.begin_nested():
                session.add(RegistryCounter(kind=kind, year=year, last=0))
        except IntegrityError:
            pass  # another transaction created the year's counter first: take from it
    raise RuntimeError("could not allocate a registry number")  # pragma: no cover


def registry_number(year: int) -> str:
    return f"TO-{year}-{next_number('TO', year):05d}"
