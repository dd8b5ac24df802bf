from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    FileField,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.forms import BaseForm, choices, length, number_or_text, required
from lms.organisations.documents import KINDS
from lms.organisations.registry import ORG_FIELDS
from lms.profiles import get_profile


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def region_choices() -> list:
    from flask_babel import get_locale

    locale = str(get_locale() or "ru")
    return choices([("", "—")] + [(r.code, r.name(locale)) for r in get_profile().regions])


def curriculum_choices(versions: list[Any], locale: str) -> list:
    return choices([(v.curriculum.code, f"{v.curriculum.code} — {v.text('title', locale)}") for v in versions])


class StartForm(BaseForm):
    full_name = StringField(_l("Your full name"), validators=[length(200)])
    email = EmailField(_l("Your e-mail"), validators=[length(254)])
    bin = StringField(_l("Identification number of the organisation"), validators=[required(), length(20)])
    name = StringField(_l("Name of the organisation"), validators=[required(), length(300)])
    region = SelectField(_l("Region"), validate_choice=False)


class LecturerEntry(Form):
    iin = StringField(_l("Personal identification number"))
    full_name = StringField(_l("Full name"))
    education = StringField(_l("Education"))
    qualification = StringField(_l("Qualification"))
    experience_years = StringField(_l("Years of experience"))
    certificate_number = StringField(_l("Lecturer certificate number, if any"))
    remove = BooleanField(_l("Remove this lecturer from the application"))


class ApplicationForm(BaseForm):
    org_name_state = StringField(_l("Legal name in the state language"))
    org_name_ru = StringField(_l("Legal name in Russian"))
    org_region = SelectField(_l("Region"), validate_choice=False)
    org_address = StringField(_l("Address"))
    org_phone = StringField(_l("Phone"))
    org_email = StringField(_l("E-mail"))
    org_website = StringField(_l("Website"))
    org_director = StringField(_l("Director (full name)"))
    base_classrooms = StringField(_l("Classrooms"))
    base_seats = StringField(_l("Seats in the classrooms"))
    base_computers = StringField(_l("Computers for testing"))
    base_av_equipment = TextAreaField(_l("Audio and video equipment"))
    base_distance_portal = BooleanField(_l("We have a distance-learning portal"))
    base_portal_url = StringField(_l("Address of the distance-learning portal"))
    base_visual_aids = TextAreaField(_l("Visual aids, stands, simulators"))
    curricula = MultiCheckboxField(_l("Model curricula you ask to deliver"), validate_choice=False)
    lecturers = FieldList(FormField(LecturerEntry), min_entries=1)
    document_kind = SelectField(_l("Kind of document"), choices=choices(KINDS), validate_choice=False)
    document = FileField(_l("Attach a file (PDF, JPEG or PNG)"))
    add_lecturer = SubmitField(_l("Add a lecturer"))
    save = SubmitField(_l("Save the draft"))
    submit_application = SubmitField(_l("Submit to the Centre"))


def to_data(form: ApplicationForm) -> dict[str, Any]:
    org = {name: (getattr(form, f"org_{name}").data or "").strip() for name in ORG_FIELDS}
    base = {name: number_or_text(getattr(form, f"base_{name}").data) for name in ("classrooms", "seats", "computers")}
    base.update({name: (getattr(form, f"base_{name}").data or "").strip() for name in
                 ("av_equipment", "portal_url", "visual_aids")})
    base["distance_portal"] = bool(form.base_distance_portal.data)
    lecturers = []
    for entry in form.lecturers.entries:
        sub = entry.form
        if sub.remove.data:
            continue
        values = {name: (getattr(sub, name).data or "").strip() for name in
                  ("iin", "full_name", "education", "qualification", "certificate_number")}
        values["experience_years"] = number_or_text(sub.experience_years.data)
        if any(v not in ("", None) for v in values.values()):
            lecturers.append(values)
    return {"organisation": org, "base": base, "curricula": list(form.curricula.data or []),
            "lecturers": lecturers}


def fill(form: ApplicationForm, data: dict[str, Any]) -> None:
    for name, value in (data.get("organisation") or {}).items():
        if hasattr(form, f"org_{name}"):
            getattr(form, f"org_{name}").data = value
    for name, value in (data.get("base") or {}).items():
        if hasattr(form, f"base_{name}"):
            getattr(form, f"base_{name}").data = value if isinstance(value, bool) else ("" if value is None
                                                                                          else str(value))
    form.curricula.data = list(data.get("curricula") or [])
    while form.lecturers.entries:
        form.lecturers.pop_entry()
    for lecturer in data.get("lecturers") or [{}]:
        entry = form.lecturers.append_entry()
        for name in ("iin", "full_name", "education", "qualification", "certificate_number", "experience_years"):
            value = lecturer.get(name)
            getattr(entry.form, name).data = "" if value is None else str(value)


def apply_errors(form: ApplicationForm, errors: dict[str, list[Any]]) -> None:
    kept = [i for i, e in enumerate(form.lecturers.entries) if not e.form.remove.data]
    for path, messages in errors.items():
        target = None
        if path.startswith("organisation."):
            target = getattr(form, "org_" + path.split(".", 1)[1], None)
        elif path.startswith("base."):
            target = getattr(form, "base_" + path.split(".", 1)[1], None)
        elif path == "curricula":
            target = form.curricula
        elif path.startswith("lecturers["):
            position = int(path[len("lecturers["):path.index("]")]) - 1
            name = path.split(".", 1)[1] if "." in path else ""
            if 0 <= position < len(kept) and name:
                target = getattr(form.lecturers.entries[kept[position]].form, name, None)
        elif path == "document":
            target = form.document
        if target is None:
            form.form_errors.extend(messages)
            continue
        if isinstance(target.errors, tuple):
            target.errors = list(target.errors)
        target.errors.extend(messages)


class ContactsForm(BaseForm):
    address = StringField(_l("Address"), validators=[length(500)])
    phone = StringField(_l("Phone"), validators=[length(30)])
    email = StringField(_l("E-mail"), validators=[length(254)])
    website = StringField(_l("Website"), validators=[length(300)])
    director = StringField(_l("Director (full name)"), validators=[length(200)])
    save_contacts = SubmitField(_l("Save the contacts"))


class ChangeRequestForm(BaseForm):
    name_state = StringField(_l("Legal name in the state language"), validators=[length(300)])
    name_ru = StringField(_l("Legal name in Russian"), validators=[length(300)])
    bin = StringField(_l("Identification number of the organisation"), validators=[length(20)])
    curricula = MultiCheckboxField(_l("Model curricula you deliver"), validate_choice=False)
    send_request = SubmitField(_l("Send the change request to the Centre"))


class LinkLecturerForm(BaseForm):
    iin = StringField(_l("Personal identification number"), validators=[required(), length(20)])
    full_name = StringField(_l("Full name (for a lecturer new to the registry)"), validators=[length(200)])
    education = StringField(_l("Education"), validators=[length(300)])
    qualification = StringField(_l("Qualification"), validators=[length(300)])
    experience_years = StringField(_l("Years of experience"), validators=[length(3)])


class ReviewForm(BaseForm):
    decision = SelectField(_l("Decision"), choices=choices([("approve", _l("Approve")),
                                                            ("return", _l("Return for changes")),
                                                            ("reject", _l("Reject"))]))
    curricula = MultiCheckboxField(_l("Curricula to approve"), validate_choice=False)
    reason = TextAreaField(_l("Reason (for a rejection)"), validators=[length(1000)])
    comment_organisation = TextAreaField(_l("Comment on the organisation's details"), validators=[length(1000)])
    comment_base = TextAreaField(_l("Comment on the material and technical base"), validators=[length(1000)])
    comment_curricula = TextAreaField(_l("Comment on the curricula"), validators=[length(1000)])
    comment_lecturers = TextAreaField(_l("Comment on the lecturers"), validators=[length(1000)])
    comment_documents = TextAreaField(_l("Comment on the documents"), validators=[length(1000)])


class StatusForm(BaseForm):
    action = SelectField(_l("Action"), choices=choices([("suspend", _l("Suspend")), ("reinstate", _l("Reinstate")),
                                                        ("revoke", _l("Revoke"))]))
    reason = TextAreaField(_l("Reason"), validators=[length(1000)])
    start = DateField(_l("Suspended from"), validators=[Optional()])
    until = DateField(_l("Suspended until (optional)"), validators=[Optional()])
    for_cause = BooleanField(_l("Revoked for cause (fraud, training not given, certificates without testing)"))


class LecturerForm(BaseForm):
    iin = StringField(_l("Personal identification number"), validators=[required(), length(20)])
    full_name = StringField(_l("Full name"), validators=[required(), length(200)])
    email = StringField(_l("E-mail"), validators=[length(254)])
    education = StringField(_l("Education"), validators=[length(300)])
    qualification = StringField(_l("Qualification"), validators=[length(300)])
    experience_years = StringField(_l("Years of experience"), validators=[length(3)])


class CertificationForm(BaseForm):
    action = SelectField(_l("Action"), choices=choices([
        ("certify", _l("Certify")), ("renew", _l("Renew")), ("suspend", _l("Suspend")),
        ("reinstate", _l("Reinstate")), ("revoke", _l("Revoke")), ("invite", _l("Invite to the platform"))]))
    certificate_number = StringField(_l("Lecturer certificate number"), validators=[length(40)])
    curricula = MultiCheckboxField(_l("Curricula the lecturer may teach"), validate_choice=False)
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[length(1000)])
    email = StringField(_l("E-mail for the account"), validators=[length(254)])
