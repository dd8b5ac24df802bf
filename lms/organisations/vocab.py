from flask_babel import lazy_gettext as _l

ORG_STATUSES = {
    "applicant": _l("Applying"),
    "approved": _l("In the registry"),
    "suspended": _l("Suspended"),
    "revoked": _l("Revoked"),
}
EVENT_STATUSES = {
    "approved": _l("Entered in the registry"),
    "suspended": _l("Suspended"),
    "reinstated": _l("Reinstated"),
    "revoked": _l("Revoked"),
}
APPLICATION_STATUSES = {
    "draft": _l("Draft"),
    "submitted": _l("Waiting for the Centre's review"),
    "returned": _l("Returned for changes"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
}
LECTURER_STATUSES = {
    "uncertified": _l("Not certified"),
    "certified": _l("Certified"),
    "expired": _l("Certification expired"),
    "suspended": _l("Certification suspended"),
    "revoked": _l("Certification revoked"),
}
SECTION_LABELS = {
    "organisation": _l("Organisation"),
    "base": _l("Material and technical base"),
    "curricula": _l("Model curricula"),
    "lecturers": _l("Lecturers"),
    "documents": _l("Supporting documents"),
}
CHANGE_FIELDS = {
    "name_state": _l("Legal name in the state language"),
    "name_ru": _l("Legal name in Russian"),
    "bin": _l("Identification number of the organisation"),
    "base": _l("Material and technical base"),
    "curricula": _l("Model curricula"),
}
