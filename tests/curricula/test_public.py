import base64
import re
import subprocess

import pytest

from lms.curricula import services
from lms.extensions import db
from lms.pdf import PdfError, render_pdf


def test_catalogue_lists_active_curricula_with_filters(client):
    page = client.get("/curricula/?lang=en").get_data(as_text=True)
    for code in ("KZ-OSH-MGR", "KG-OSH-MGR", "KZ-OSH-MINING"):
        assert code in page
    kg = client.get("/curricula/?country=KG").get_data(as_text=True)
    assert "KG-OSH-MGR" in kg and "KZ-OSH-MGR" not in kg
    mining = client.get("/curricula/?sector=mining_metallurgy&risk_level=high").get_data(as_text=True)
    assert "KZ-OSH-MINING" in mining and "KZ-FIRST-AID" not in mining
    reps = client.get("/curricula/?audience=worker_representatives").get_data(as_text=True)
    assert "KZ-OSH-WREP" in reps and "KZ-OSH-SPEC" not in reps


@pytest.mark.parametrize("locale", ["kk", "ru", "ky", "en"])
def test_curriculum_page_in_each_language(client, locale):
    curriculum = services.get_by_code("KZ-OSH-MINING")
    page = client.get(f"/curricula/KZ-OSH-MINING?lang={locale}").get_data(as_text=True)
    assert f'<html lang="{locale}">' in page
    assert curriculum.current.title[locale] in page
    assert curriculum.current.topics[0].title[locale] in page
    assert "003_3d7ce8b091c20ed4.txt" in page  # sources for reviewers


def test_draft_and_unknown_curricula_are_not_public(client, make_user):
    services.create({**services.document(services.get_by_code("KZ-FIRST-AID")), "code": "DRAFT-ONE",
                     "status": "draft"}, actor=make_user("centre_admin"))
    db.session.commit()
    assert client.get("/curricula/DRAFT-ONE").status_code == 404
    assert client.get("/curricula/NO-SUCH").status_code == 404
    assert client.get("/api/v1/curricula/DRAFT-ONE").status_code == 404
    assert "DRAFT-ONE" not in client.get("/curricula/").get_data(as_text=True)


def test_retired_curriculum_stays_readable_with_a_notice(client, make_user):
    curriculum = services.get_by_code("KZ-OSH-CONSTR")
    services.change_status(curriculum, "retired", actor=make_user("centre_admin"))
    db.session.commit()
    assert "KZ-OSH-CONSTR" not in client.get("/curricula/").get_data(as_text=True)
    page = client.get("/curricula/KZ-OSH-CONSTR?lang=en").get_data(as_text=True)
    assert "has been retired" in page


def test_older_versions_stay_viewable(client, make_user):
    curriculum = services.get_by_code("KZ-OSH-WREP")
    edited = services.document(curriculum)
    edited["title"]["en"] = "Worker representatives, revised"
    services.edit(curriculum, edited, actor=make_user("centre_admin"))
    db.session.commit()
    assert "revised" in client.get("/curricula/KZ-OSH-WREP?lang=en").get_data(as_text=True)
    old = client.get("/curricula/KZ-OSH-WREP?lang=en&version=1").get_data(as_text=True)
    assert "revised" not in old and "version 1" in old
    assert client.get("/curricula/KZ-OSH-WREP?version=9").status_code == 404
    assert client.get("/curricula/KZ-OSH-WREP?version=-1").status_code == 404


@pytest.mark.parametrize("number", ["²", "9" * 5000, "one", ""])
def test_a_version_that_is_not_a_whole_number_shows_the_current_one(client, number):
    response = client.get(f"/curricula/KZ-OSH-MGR?lang=en&version={number}")
    assert response.status_code == 200
    assert "You are looking at version" not in response.get_data(as_text=True)


def test_printable_pdf_in_kazakh(client, tmp_path):
    response = client.get("/curricula/KZ-OSH-MGR/pdf?lang=kk")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    title = services.get_by_code("KZ-OSH-MGR").current.title["kk"]
    assert title.split()[0] in text
    assert any(letter in text for letter in "әғқңөұүһі")
    assert re.search(r"^1 ?/ ?\d+$", text, re.MULTILINE)  # the page counter of pdf.css: its stylesheet applied


def test_pdf_fetcher_allows_only_static_files_and_data_uris():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
    pixel = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    assert render_pdf(f'<img src="{pixel}">').startswith(b"%PDF")
    assert render_pdf('<link rel="stylesheet" href="pdf.css"><p>ok</p>').startswith(b"%PDF")
    for url in ("http://127.0.0.1:9/x.png", "file:///etc/passwd", "../../instance/secret_key"):
        with pytest.raises(PdfError):
            render_pdf(f'<img src="{url}">')


def test_api_list_and_detail(client):
    data = client.get("/api/v1/curricula").get_json()
    assert set(data) == {"items", "total", "page", "per_page"}
    assert data["total"] >= 7
    item = next(i for i in data["items"] if i["code"] == "KZ-OSH-MGR")
    assert {"code", "version", "titles", "country", "audience", "sector", "risk_level", "hours",
            "validity_months", "topics"} <= set(item)
    assert set(item["titles"]) == {"kk", "ru", "ky", "en"}
    assert item["hours"] == sum(t["hours"] for t in item["topics"])
    kg = client.get("/api/v1/curricula?country=KG").get_json()
    assert [i["code"] for i in kg["items"]] == ["KG-OSH-MGR"]
    detail = client.get("/api/v1/curricula/KG-OSH-MGR")
    assert detail.get_json()["country"] == "KG"
    assert "эмгек" in detail.get_data(as_text=True).lower()  # UTF-8, not \\u escapes
    missing = client.get("/api/v1/curricula/NOPE")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_catalogue_does_not_query_per_curriculum(client, count_queries):
    client.get("/curricula/")
    with count_queries() as counted:
        client.get("/curricula/")
    assert counted.n <= 4, counted.statements


def test_api_list_does_not_query_per_curriculum(client, count_queries):
    client.get("/api/v1/curricula")
    with count_queries() as counted:
        body = client.get("/api/v1/curricula").get_json()
    assert len(body["items"]) >= 5 and all(item["topics"] for item in body["items"])
    assert counted.n <= 5, counted.statements


def test_a_curriculum_for_both_countries_shows_under_each(client, make_user):
    doc = services.document(services.get_by_code("KZ-FIRST-AID"))
    services.create({**doc, "code": "BOTH-FIRST-AID", "country": "BOTH", "status": "active"},
                    actor=make_user("centre_admin"))
    db.session.commit()
    for country in ("KZ", "KG", "BOTH"):
        assert "BOTH-FIRST-AID" in client.get(f"/curricula/?country={country}").get_data(as_text=True)
    codes = [i["code"] for i in client.get("/api/v1/curricula?country=KG").get_json()["items"]]
    assert codes == ["BOTH-FIRST-AID", "KG-OSH-MGR"]
