from flask import Blueprint, render_template

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html")


@bp.get("/healthz")
def healthz():
    """A bare endpoint of the same stack: the ceiling the benchmarks compare with."""
    return {"status": "ok"}
