"""The Centre's pages for people, roles, the audit log and (in development) the outbox."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from lms import audit
from lms.accounts import services
from lms.accounts.forms import CreateUserForm, GrantRoleForm
from lms.accounts.models import RoleAssignment, User
from lms.accounts.roles import CENTRE_ADMIN
from lms.audit.models import AuditEvent
from lms.authz import role_required
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.forms import form_view, whole_number
from lms.i18n import select_locale
from lms.mail.models import OutboxMessage
from lms.organisations.models import Organisation

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 50


def _organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name_ru)))


def _organisation(form) -> Organisation | None:
    value = form.organisation.data
    number = whole_number(value)
    return db.session.get(Organisation, number) if number is not None else None


@bp.get("/users")
@role_required(CENTRE_ADMIN)
def users():
    q = request.args.get("q", "").strip()
    query = select(User).order_by(User.full_name)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(User.email.like(like), User.full_name.ilike(f"%{q}%"), User.iin == q))
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, q=q)


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(CENTRE_ADMIN)
@form_view
def create_user():
    form = CreateUserForm(organisations=_organisations())
    if form.validate_on_submit():
        try:
            user = services.create_user(email=form.email.data, full_name=form.full_name.data,
                                        iin=form.iin.data or None, phone=form.phone.data or None,
                                        actor=current_user)
            services.grant_role(user, form.role.data, organisation=_organisation(form),
                                employer_bin=form.employer_bin.data or None, actor=current_user)
            services.send_activation(user, select_locale())
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            flash(_("The account has been created and an activation link sent to %(email)s.", email=user.email),
                  "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(CENTRE_ADMIN)
@form_view
def user(user_id: int):
    person = _user_or_404(user_id)
    form = GrantRoleForm(organisations=_organisations())
    if form.validate_on_submit():
        try:
            services.grant_role(person, form.role.data, organisation=_organisation(form),
                                employer_bin=form.employer_bin.data or None, actor=current_user)
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            flash(_("The role has been granted."), "success")
            return redirect(url_for("admin.user", user_id=person.id))
    events = audit.history(person)
    organisations = {o.id: o for o in _organisations()}
    return render_template("admin/user.html", person=person, form=form, events=events,
                           organisations=organisations)


@bp.post("/users/<int:user_id>/roles/<int:assignment_id>/revoke")
@role_required(CENTRE_ADMIN)
def revoke_role(user_id: int, assignment_id: int):
    person = _user_or_404(user_id)
    assignment = db.session.get(RoleAssignment, assignment_id)
    if assignment is None or assignment.user_id != person.id:
        abort(404)
    if person.id == current_user.id and assignment.role == CENTRE_ADMIN:
        flash(_("You cannot remove your own administrator role."), "error")
        return redirect(url_for("admin.user", user_id=person.id))
    services.revoke_role(assignment, actor=current_user)
    db.session.commit()
    flash(_("The role has been removed."), "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/active")
@role_required(CENTRE_ADMIN)
def set_active(user_id: int):
    person = _user_or_404(user_id)
    active = request.form.get("active") == "1"
    if person.id == current_user.id and not active:
        flash(_("You cannot deactivate your own account."), "error")
    else:
        services.set_active(person, active, actor=current_user)
        db.session.commit()
        flash(_("The account has been activated.") if active else _("The account has been deactivated."),
              "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/invite")
@role_required(CENTRE_ADMIN)
def resend_activation(user_id: int):
    person = _user_or_404(user_id)
    if person.password_hash is not None:
        flash(_("This account is already active."), "info")
    else:
        services.send_activation(person, select_locale())
        db.session.commit()
        flash(_("A new activation link has been sent to %(email)s.", email=person.email), "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.get("/audit")
@role_required(CENTRE_ADMIN)
def audit_log():
    action = request.args.get("action", "").strip()
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template("admin/audit.html", page=page, action=action)


@bp.get("/outbox")
@role_required(CENTRE_ADMIN)
def outbox():
    if not current_app.config["LMS_SHOW_OUTBOX"]:
        abort(404)
    page = db.paginate(select(OutboxMessage).order_by(OutboxMessage.id.desc()), per_page=PER_PAGE, error_out=False)
    return render_template("admin/outbox.html", page=page)
