from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, FileField, SelectField, StringField, TextAreaField

from lms.forms import BaseForm, choices, length, required


class CheckForm(BaseForm):
    number = StringField(_l("Certificate number"), validators=[required(), length(30)])
    surname = StringField(_l("Holder's surname"), validators=[required(), length(100)])


class StatusForm(BaseForm):
    action = SelectField(_l("Action"), choices=choices([("suspend", _l("Suspend")), ("reinstate", _l("Reinstate")),
                                                        ("revoke", _l("Revoke"))]))
    reason = TextAreaField(_l("Reason (shown on the verification page)"), validators=[required(), length(1000)])


class InvalidateForm(BaseForm):
    start = DateField(_l("Training completed from"), validators=[required()])
    end = DateField(_l("Training completed until"), validators=[required()])
    reason = TextAreaField(_l("Reason"), validators=[length(1000)])
    confirm = BooleanField(_l("I have checked the list: invalidate these records and suspend the certificates"))


class BulkCheckForm(BaseForm):
    file = FileField(_l("CSV file: number, surname"))


class KeyForm(BaseForm):
    name = StringField(_l("Name of the key (e.g. the system that uses it)"), validators=[required(), length(100)])
