"""The report pages, their CSV, the public open data and its API, as the people who use them see them."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from lms.accounts.roles import ROLES
from lms.extensions import db
from lms.reports import queries
from lms.reports.models import ReportPeople, ReportSnapshot
from tests.conftest import LOGIN, assert_access, post_form

REPORTS = {"centre_admin": 200, "analyst": 200, "anonymous": LOGIN}
PAGES = [
    ("/centre/reports", REPORTS, 403),
    ("/centre/reports?format=csv", REPORTS, 403),
    ("/centre/reports/region", REPORTS, 403),
    ("/centre/reports/organisation?format=csv", REPORTS, 403),
    ("/open-data/", {}, 200),
    ("/open-data/region.csv", {}, 200),
    ("/open-data/sector.json", {}, 200),
    ("/open-data/indicator5.csv", {}, 200),
    ("/api/v1/open-data/indicator5", {}, 200),
]


@pytest.fixture
def people(role_users):
    return role_users()


@pytest.mark.parametrize("persona", [*ROLES, "anonymous"])
@pytest.mark.parametrize(("url", "expected", "default"), PAGES)
def test_access_matrix(client, login, people, persona, url, expected, default):
    if persona != "anonymous":
        login(people[persona])
    assert_access(client.get(url), expected.get(persona, default))


@pytest.mark.parametrize("persona", [*ROLES, "anonymous"])
def test_only_the_centre_and_analysts_rebuild(client, login, people, persona):
    if persona != "anonymous":
        login(people[persona])
    response = post_form(client, "/centre/reports/refresh")
    assert_access(response, {"centre_admin": 302, "analyst": 302, "anonymous": LOGIN}.get(persona, 403))
    rebuilt = db.session.get(ReportSnapshot, 1) is not None
    assert rebuilt == (persona in ("centre_admin", "analyst"))


def test_refresh_needs_the_csrf_token(client, login, people):
    login(people["analyst"])
    response = client.post("/centre/reports/refresh", data={})
    assert response.status_code in (302, 400)
    assert db.session.get(ReportSnapshot, 1) is None


def test_indicator_page_shows_figures_targets_and_an_accessible_chart(client, login, people, registry):
    login(people["analyst"])
    page = client.get("/centre/reports?lang=en").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'role="img"' in page
    assert "<title id=\"indicator-title\">" in page and "66.7%" in page and "+26.7" in page
    assert "<th scope=\"row\">2025</th><td>40.0%</td><td>3</td><td>2</td><td>66.7%</td>" in page
    assert "Passed ÷ tested" in page and "With a training record" in page  # both readings, explained
    ru = client.get("/centre/reports?lang=ru").get_data(as_text=True)
    assert "Сдавшие ÷ прошедшие тестирование" in ru and "Как считается" in ru


def test_csv_of_every_table(client, login, people, registry):
    login(people["centre_admin"])
    years = list(csv.reader(io.StringIO(client.get("/centre/reports?format=csv").get_data(as_text=True)[1:])))
    assert years[0][:4] == ["year", "target_percent", "tested", "passed"]
    assert ["2025", "40", "3", "2", "66.7", "5", "40.0"] in years
    categories = client.get("/centre/reports?year=2025&table=audiences&format=csv").get_data(as_text=True)
    assert "managers,2,1,50.0,3,33.3" in categories
    region = client.get("/centre/reports/region?year=2025&format=csv").get_data(as_text=True)
    assert "karaganda,Қарағанды облысы,4,3,2,50.0,1.33,73.8,4,2,1,0,1,1" in region.replace("\r", "")
    for dimension in ("sector", "curriculum", "organisation", "language", "audience"):
        response = client.get(f"/centre/reports/{dimension}?format=csv")
        assert response.mimetype == "text/csv" and response.status_code == 200
        html = client.get(f"/centre/reports/{dimension}")
        assert html.status_code == 200 and "<svg" in html.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/centre/reports?year=abc", "/centre/reports?year=99999999999999999999",
                                 "/centre/reports?audience=<script>", "/centre/reports/region?year=²"])
def test_odd_arguments_fall_back(client, login, people, url):
    login(people["analyst"])
    assert client.get(url).status_code == 200


def test_unknown_dimension_is_404(client, login, people):
    login(people["analyst"])
    assert client.get("/centre/reports/salary").status_code == 404


def test_open_data_files_and_api(client, app, registry, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_OPEN_DATA_MIN_CELL", 1)
    data = client.get("/open-data/region.json").get_json()
    assert data["as_of"].startswith("2026-06-15T12:00:00+05:00") and data["min_cell"] == 1
    row = next(i for i in data["items"] if i["year"] == 2025 and i["region"] == "karaganda")
    assert row == {"year": 2025, "region": "karaganda", "responsible_tested": 2, "responsible_passed": 2,
                   "indicator5_percent": 100.0, "tested": 3, "passed": 3, "certificates_issued": 4}
    text = client.get("/open-data/sector.csv").get_data(as_text=True)
    assert text.startswith("\ufeffyear,sector,responsible_tested")
    assert registry.people["P1"]["iin"] not in text and "Отчёт" not in text
    api = client.get("/api/v1/open-data/indicator5").get_json()
    assert api["as_of"] == data["as_of"]
    assert api["items"][0] == {"year": 2025, "target": 40, "value": 66.7, "passed": 2, "tested": 3}
    assert [i["year"] for i in api["items"]] == [2025, 2026, 2027, 2028, 2029, 2030]
    page = client.get("/open-data/").get_data(as_text=True)
    assert "Karaganda Region" in page or "Карагандинская" in page or "Қарағанды" in page
    indicator = client.get("/open-data/indicator5.csv").get_data(as_text=True)
    assert indicator.startswith("\ufeffyear,target_percent,value_percent,passed,tested,as_of")
    assert "2025,40,66.7,2,3,2026-06-15T12:00:00+05:00" in indicator
    assert client.get("/open-data/indicator5.json").status_code == 404  # the JSON is the API's
    assert client.get("/open-data/people.csv").status_code == 404
    assert client.get("/open-data/region.xml").status_code == 404


def test_api_before_any_refresh(client):
    data = client.get("/api/v1/open-data/indicator5").get_json()
    assert data["as_of"] is None
    assert [i["value"] for i in data["items"]] == [None] * 6 and data["items"][5]["target"] == 90


def test_public_endpoints_are_rate_limited(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_RATELIMIT_PUBLIC", "3 per minute")
    codes = [client.get("/api/v1/open-data/indicator5").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_worker_refreshes_when_due(app, registry, frozen_clock, monkeypatch):
    from datetime import timedelta

    from lms.reports.refresh import refresh_when_due
    from tests.reports.conftest import NOW

    assert refresh_when_due() is False  # the fixture just refreshed
    frozen_clock(NOW + timedelta(seconds=app.config["LMS_REPORTS_REFRESH_SECONDS"] + 1))
    assert refresh_when_due() is True
    assert db.session.scalar(select(func.count()).select_from(ReportPeople)) > 0


def test_chart_labels_are_escaped():
    from lms.reports.charts import bar_chart

    svg = str(bar_chart([("<script>alert(1)</script>", 50.0)], "t<", "d&"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "t&lt;" in svg and "d&amp;" in svg
    json.dumps(svg)


def test_demo_data_shows_indicator_5_against_the_targets(app, client, login):
    data = json.loads(app.test_cli_runner().invoke(args=["demo", "seed", "--json"]).output)
    assert data["history"]["people"] == 2000
    login(data["logins"]["analyst"]["login"], data["logins"]["analyst"]["password"])
    rows = {r.year: r for r in queries.indicator()}
    assert rows[2025].tested > 100 and rows[2025].value is not None and rows[2025].target == 40
    page = client.get("/centre/reports?lang=en").get_data(as_text=True)
    assert f"<th scope=\"row\">2025</th><td>40.0%</td><td>{rows[2025].tested:,}".replace(",", " ") in page
    again = json.loads(app.test_cli_runner().invoke(args=["demo", "seed", "--json"]).output)
    assert again["history"] == {"people": 2000, "added": 0}


@pytest.mark.parametrize(("next_", "lands"), [("/centre/reports/region?year=2025", "/centre/reports/region?year=2025"),
                                              ("https://evil.example/x", "/centre/reports")])
def test_rebuild_returns_to_the_page_it_was_asked_from(client, login, people, next_, lands):
    login(people["analyst"])
    response = post_form(client, "/centre/reports/refresh", {"next": next_})
    assert response.status_code == 302 and response.headers["Location"] == lands
