"""The roles a person can hold, and which of them are scoped."""

from flask_babel import lazy_gettext as _l

CENTRE_ADMIN = "centre_admin"
EXAMINER = "examiner"
ANALYST = "analyst"
ORG_MANAGER = "org_manager"
LECTURER = "lecturer"
CANDIDATE = "candidate"
EMPLOYER = "employer"

ROLES = (CENTRE_ADMIN, EXAMINER, ANALYST, ORG_MANAGER, LECTURER, CANDIDATE, EMPLOYER)
ORG_SCOPED = (ORG_MANAGER, LECTURER)
CENTRE_ROLES = (CENTRE_ADMIN, EXAMINER, ANALYST)

ROLE_LABELS = {
    CENTRE_ADMIN: _l("Centre administrator"),
    EXAMINER: _l("Centre examiner"),
    ANALYST: _l("Analyst (Ministry)"),
    ORG_MANAGER: _l("Training organisation manager"),
    LECTURER: _l("Lecturer"),
    CANDIDATE: _l("Candidate"),
    EMPLOYER: _l("Employer"),
}
