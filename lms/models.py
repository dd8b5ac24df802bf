"""Imports every model so that the metadata (and Alembic) sees the whole schema."""

from lms.accounts.models import RoleAssignment, User
from lms.audit.models import AuditEvent
from lms.curricula.models import Curriculum, CurriculumTopic, CurriculumVersion
from lms.jobs.models import Job
from lms.mail.models import OutboxMessage
from lms.organisations.models import Organisation

__all__ = ["AuditEvent", "Curriculum", "CurriculumTopic", "CurriculumVersion", "Job", "Organisation",
           "OutboxMessage", "RoleAssignment", "User"]
