"""The Centre's and the Ministry's reports, and the public open data pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.accounts.roles import ANALYST, CENTRE_ADMIN
from lms.authz import role_required
from lms.extensions import db, limiter, public_limit
from lms.forms import BaseForm
from lms.reports import charts, queries
from lms.reports.refresh import refresh
from lms.util import csv_response, local_today, safe_next

bp = Blueprint("reports", __name__)

REPORT_ROLES = (CENTRE_ADMIN, ANALYST)


def _locale() -> str:
    return str(get_locale())


def _year_arg() -> int | None:
    """The ``year`` asked for, or None for all years (``all``) or none that makes sense."""
    raw = request.args.get("year", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100 else None


def _group_arg() -> str:
    group = request.args.get("audience", "responsible")
    return group if group in queries.audience_groups() else "responsible"


@bp.get("/centre/reports")
@role_required(*REPORT_ROLES)
def indicator():
    group = _group_arg()
    rows = queries.indicator(group)
    year = _year_arg() or local_today().year
    audiences = queries.by_audience(year)
    table = request.args.get("table")
    if request.args.get("format") == "csv" and table == "audiences":
        return csv_response(f"indicator5-categories-{year}.csv",
                            ["year", "category", "tested", "passed", "percent_of_tested", "population",
                             "percent_of_population"],
                            ([year, r["group"], r["tested"], r["passed"], r["value"], r["population"],
                              r["value_population"]] for r in audiences))
    if request.args.get("format") == "csv":
        return csv_response(f"indicator5-{group}.csv",
                            ["year", "target_percent", "tested", "passed", "percent_of_tested", "population",
                             "percent_of_population"],
                            ([r.year, r.target, r.tested, r.passed, r.value, r.population, r.value_population]
                             for r in rows))
    chart = charts.indicator_chart(
        [(r.year, r.value, r.target) for r in rows], _("Indicator 5 by year against the Concept's targets"),
        _("Columns: the share of persons tested who passed, per year. Red marks: the Concept's target."),
        _("Target"))
    return render_template("reports/indicator.html", texts=DIMENSION_TEXTS, rows=rows, group=group,
                           group_label=queries.audience_label(group),
                           groups=[(g, queries.audience_label(g)) for g in queries.audience_groups()],
                           audiences=audiences, year=year, years=sorted({*queries.data_years(), year}),
                           chart=chart, snapshot=queries.snapshot(), form=BaseForm())


# per dimension: the column heading, the menu entry and the page title (whole sentences, for translators)
DIMENSION_TEXTS = {
    "region": (_l("Region"), _l("By region"), _l("Test results and certificates by region")),
    "sector": (_l("Sector"), _l("By sector"), _l("Test results and certificates by sector")),
    "curriculum": (_l("Curriculum"), _l("By curriculum"), _l("Test results and certificates by curriculum")),
    "organisation": (_l("Training organisation"), _l("By training organisation"),
                     _l("Test results and certificates by training organisation")),
    "language": (_l("Test language"), _l("By test language"), _l("Test results and certificates by test language")),
    "audience": (_l("Category"), _l("By category"), _l("Test results and certificates by category")),
}


@bp.get("/centre/reports/<dimension>")
@role_required(*REPORT_ROLES)
def breakdown(dimension: str):
    if dimension not in queries.DIMENSIONS:
        abort(404)
    year = _year_arg()
    groups = queries.breakdown(dimension, year, _locale())
    if request.args.get("format") == "csv":
        return csv_response(
            f"results-by-{dimension}-{year or 'all'}.csv",
            [dimension, "name", "attempts", "passes", "first_attempts", "first_attempt_pass_rate", "attempts_per_pass",
             "mean_score", *[f"certificates_{m}" for m in queries.CERTIFICATE_MEASURES]],
            ([g.key, g.label, g.attempts, g.passes, g.first_attempts, g.first_pass_rate, g.attempts_per_pass,
              g.mean_score, *g.certificates.values()] for g in groups))
    column, _menu, title = DIMENSION_TEXTS[dimension]
    chart = charts.bar_chart([(g.label, g.first_pass_rate) for g in groups], f"{_('First-attempt pass rate')}: {title}",
                             _("One bar per group, the largest groups first; the table below has every group."))
    return render_template("reports/breakdown.html", dimension=dimension, groups=groups, year=year,
                           years=queries.data_years(), chart=chart, snapshot=queries.snapshot(), form=BaseForm(),
                           column=column, title=title, texts=DIMENSION_TEXTS)


@bp.post("/centre/reports/refresh")
@role_required(*REPORT_ROLES)
def refresh_now():
    form = BaseForm()
    if form.validate_on_submit():
        snapshot = refresh()
        db.session.commit()
        flash(_("The reports were rebuilt in %(s)s s.", s=snapshot.seconds), "success")
    return redirect(safe_next(request.form.get("next"), "reports.indicator"))


# ---------------------------------------------------------------------------- open data
OPEN_COLUMNS = ("year", "{scope}", "responsible_tested", "responsible_passed", "indicator5_percent", "tested",
                "passed", "certificates_issued")


@bp.get("/open-data/")
@limiter.limit(public_limit)
def open_data():
    tables = {scope: queries.open_data(scope) for scope in ("region", "sector")}
    labels = {scope: queries.labeller(scope, [], _locale()) for scope in tables}
    return render_template("reports/open_data.html", tables=tables, labels=labels,
                           indicator=queries.indicator_items(), as_of=queries.as_of(), min_cell=queries.min_cell())


@bp.get("/open-data/indicator5.csv")
@limiter.limit(public_limit)
def open_data_indicator():
    """The same as /api/v1/open-data/indicator5, as a table."""
    as_of = queries.as_of() or ""
    return csv_response(f"osh-indicator5-{as_of[:10] or 'none'}.csv",
                        ["year", "target_percent", "value_percent", "passed", "tested", "as_of"],
                        ([i["year"], i["target"], i["value"], i["passed"], i["tested"], as_of]
                         for i in queries.indicator_items()))


@bp.get("/open-data/<scope>.<fmt>")
@limiter.limit(public_limit)
def open_data_file(scope: str, fmt: str):
    if scope not in ("region", "sector") or fmt not in ("csv", "json"):
        abort(404)
    rows = queries.open_data(scope)
    columns = [c.format(scope=scope) for c in OPEN_COLUMNS]
    if fmt == "json":
        return jsonify({"as_of": queries.as_of(), "min_cell": queries.min_cell(), "columns": columns,
                        "items": [{c: row[c] for c in columns} for row in rows]})
    as_of = queries.as_of() or ""
    return csv_response(f"osh-open-data-{scope}-{as_of[:10] or 'none'}.csv", [*columns, "as_of"],
                        ([*(row[c] for c in columns), as_of] for row in rows))
