"""Object-level access for organisations: loaders scoped to the caller, so a guessed id never reaches
another organisation's data."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from lms.accounts.roles import CENTRE_ADMIN, ORG_MANAGER
from lms.extensions import db
from lms.organisations.models import ApplicationDocument, Organisation


def can_manage(user, organisation: Organisation) -> bool:
    return user.is_authenticated and organisation.id in user.organisation_ids(ORG_MANAGER)


def can_read_document(user, document: ApplicationDocument) -> bool:
    return user.is_authenticated and (
        user.has_role(CENTRE_ADMIN) or document.organisation_id in user.organisation_ids(ORG_MANAGER))


def organisation_for_manager_or_404(organisation_id: int) -> Organisation:
    """404 (not 403) for an organisation the manager does not manage: nothing is disclosed."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not can_manage(current_user, organisation):
        abort(404)
    return organisation
