"""Imports every model so that the metadata (and Alembic) sees the whole schema."""

from lms.accounts.models import RoleAssignment, User
from lms.assessments.models import (
    Attempt,
    AttemptAnswer,
    AttemptEvent,
    AttemptItem,
    OptionStat,
    Question,
    QuestionStat,
    QuestionVersion,
    Sitting,
    TestDefinition,
)
from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate, CertificateEvent, SigningKey, VerificationCheck
from lms.curricula.models import Curriculum, CurriculumTopic, CurriculumVersion
from lms.jobs.models import Job
from lms.lecturers.models import Lecturer, LecturerCurriculum, OrganisationLecturer
from lms.mail.models import OutboxMessage
from lms.organisations.models import (
    Application,
    ApplicationDocument,
    ApplicationVersion,
    ChangeRequest,
    Organisation,
    OrganisationCurriculum,
    OrganisationStatusEvent,
    RegistryCounter,
)
from lms.reports.models import ReportAttempts, ReportCertificates, ReportPeople, ReportSnapshot
from lms.training.models import (
    ApiKey,
    Attendance,
    Course,
    CourseLecturer,
    Enrolment,
    TopicProgress,
    TrainingRecord,
)

__all__ = ["ApiKey", "Application", "ApplicationDocument", "ApplicationVersion", "Attempt", "AttemptAnswer",
           "AttemptEvent", "AttemptItem", "Attendance", "AuditEvent", "Certificate", "CertificateEvent",
           "ChangeRequest", "Course", "CourseLecturer", "Curriculum", "CurriculumTopic", "CurriculumVersion",
           "Enrolment", "Job", "Lecturer", "LecturerCurriculum", "OptionStat", "Organisation",
           "OrganisationCurriculum", "OrganisationLecturer", "OrganisationStatusEvent", "OutboxMessage",
           "Question", "QuestionStat", "QuestionVersion", "RegistryCounter", "ReportAttempts",
           "ReportCertificates", "ReportPeople", "ReportSnapshot", "RoleAssignment", "SigningKey",
           "Sitting", "TestDefinition", "TopicProgress", "TrainingRecord", "User", "VerificationCheck"]
