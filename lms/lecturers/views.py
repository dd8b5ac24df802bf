"""A lecturer's own page: the certification and the organisations they teach for."""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.roles import LECTURER
from lms.authz import role_required
from lms.extensions import db
from lms.lecturers.models import Lecturer
from lms.util import local_today

bp = Blueprint("lecturer", __name__, url_prefix="/lecturer")


@bp.get("/")
@role_required(LECTURER)
def home():
    lecturer = db.session.scalar(select(Lecturer).where(Lecturer.user_id == current_user.id))
    return render_template("lecturers/home.html", lecturer=lecturer, today=local_today())
