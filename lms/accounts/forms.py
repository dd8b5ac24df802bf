from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, Optional

from lms.accounts.roles import ROLE_LABELS
from lms.forms import BaseForm, Email, OrgId, PersonId, Phone, choices, length, required


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[required(), length(254)])
    password = PasswordField(_l("Password"), validators=[required(), length(256)])
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


def _new_password_fields():
    new = PasswordField(_l("New password"), validators=[required(), length(256)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[required(), EqualTo("password", message=_l("The two passwords do not match."))],
    )
    return new, confirm


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[required(), length(256)])
    password, confirm = _new_password_fields()


class SetPasswordForm(BaseForm):
    password, confirm = _new_password_fields()


class ResetRequestForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[required(), length(254)])


class ProfileForm(BaseForm):
    full_name = StringField(_l("Full name"), validators=[required(), length(200)])
    phone = StringField(_l("Phone"), validators=[Optional(), length(30), Phone()])


class GrantRoleForm(BaseForm):
    role = SelectField(_l("Role"), choices=[])
    organisation = SelectField(_l("Organisation (for managers and lecturers)"), choices=[], validate_choice=False)
    employer_bin = StringField(_l("Employer identification number (for employers)"),
                               validators=[Optional(), OrgId()])

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = choices(ROLE_LABELS)
        self.organisation.choices = choices([("", "—")] + [(str(o.id), o.name_ru) for o in organisations])


class CreateUserForm(GrantRoleForm):
    email = EmailField(_l("E-mail"), validators=[required(), length(254), Email()])
    full_name = StringField(_l("Full name"), validators=[required(), length(200)])
    iin = StringField(_l("Personal identification number"), validators=[Optional(), PersonId()])
    phone = StringField(_l("Phone"), validators=[Optional(), length(30), Phone()])
