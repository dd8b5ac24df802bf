from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, FileField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from lms.curricula.vocab import AUDIENCES
from lms.forms import BaseForm, choices, length, required
from lms.organisations.forms import MultiCheckboxField

FORMAT_LABELS = {"in_person": _l("In person"), "distance": _l("Distance"), "blended": _l("Blended")}


class CourseForm(BaseForm):
    curriculum = SelectField(_l("Model curriculum"), validate_choice=False)
    format = SelectField(_l("Format"), choices=choices(FORMAT_LABELS))
    place = StringField(_l("Place (address, or the portal for distance learning)"), validators=[length(300)])
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    hours = StringField(_l("Hours"), validators=[length(5)])
    capacity = StringField(_l("Places"), validators=[length(5)])
    lecturers = MultiCheckboxField(_l("Lecturers"), validate_choice=False)


class EnrolForm(BaseForm):
    iin = StringField(_l("Personal identification number"), validators=[required(), length(20)])
    full_name = StringField(_l("Full name"), validators=[required(), length(200)])
    email = EmailField(_l("E-mail"), validators=[required(), length(254)])
    employer_bin = StringField(_l("Employer's identification number"), validators=[length(20)])
    employer_name = StringField(_l("Employer"), validators=[length(300)])
    position = StringField(_l("Position"), validators=[length(200)])
    audience = SelectField(_l("Category"), choices=choices(AUDIENCES))


class UploadForm(BaseForm):
    file = FileField(_l("CSV or XLSX file"))


class ApiKeyForm(BaseForm):
    name = StringField(_l("Name of the key (e.g. the system that uses it)"), validators=[required(), length(100)])


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[required(), length(1000)])
