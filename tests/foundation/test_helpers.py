"""The shared helpers in lms.util and lms.forms that the domain packages build on."""

from datetime import UTC, date, datetime

import pytest
from flask import url_for

from lms.forms import whole_number
from lms.util import UnreadableFile, csv_response, external_url, local_today, read_csv


@pytest.mark.parametrize("base", ["https://osh.example.kz", "https://osh.example.kz/", "http://x.kz:8080/lms"])
def test_external_url_uses_the_public_address_whatever_host_served_the_request(app, monkeypatch, base):
    monkeypatch.setitem(app.config, "LMS_BASE_URL", base)
    with app.test_request_context(base_url=base):
        expected = url_for("verification.verify", code="Ab-_9", _external=True)
    assert expected.startswith(base.rstrip("/") + "/")
    assert external_url("verification.verify", code="Ab-_9") == expected  # no request at all
    with app.test_request_context(base_url="http://10.0.0.7:5000"):  # the app server's own address
        assert external_url("verification.verify", code="Ab-_9") == expected
        assert url_for("main.index") == "/"  # the surrounding request is left alone


def test_local_today_is_the_profile_date(app, frozen_clock):
    frozen_clock(datetime(2026, 3, 31, 19, 30, tzinfo=UTC))  # 00:30 on 1 April in Almaty (UTC+5)
    assert local_today() == date(2026, 4, 1)
    frozen_clock(datetime(2026, 3, 31, 18, 59, tzinfo=UTC))
    assert local_today() == date(2026, 3, 31)


@pytest.mark.parametrize(("data", "rows"), [
    ("\ufeffiin;name\n850702300001;Әлия\n\n".encode(), [["iin", "name"], ["850702300001", "Әлия"]]),
    ("iin,name\r\n850702300001,Иван\r\n ,  \r\n".encode("cp1251"), [["iin", "name"], ["850702300001", "Иван"]]),
    (b"a\tb\n1\t2\n", [["a", "b"], ["1", "2"]]),
])
def test_read_csv_encodings_and_separators(data, rows):
    assert read_csv(data) == rows


@pytest.mark.parametrize("data", [
    bytes([0x98, 0xFF, 0x81]) * 50,  # neither UTF-8 nor Windows-1251 (0x98 is undefined there)
    b"%PDF-1.7\n\x00\x01binary",
    "iin;name".encode("utf-16"),
    b"a;" + b"x" * 200_000,  # a field over the csv module's limit
])
def test_read_csv_refuses_what_is_not_a_text_csv_with_its_own_error(data):
    with pytest.raises(UnreadableFile):
        read_csv(data)


def test_csv_response_is_excel_friendly_and_defuses_formulas(app):
    response = csv_response("people.csv", ["name", "score", "note"],
                            [["Әлия", -3, "=HYPERLINK(\"http://evil\")"], ["+7 701", 2.5, "@SUM(A1)"]])
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="people.csv"'
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffname,score,note\r\n")
    assert "Әлия,-3,\"'=HYPERLINK(\"\"http://evil\"\")\"" in text  # numbers stay numbers
    assert "'+7 701,2.5,'@SUM(A1)" in text


@pytest.mark.parametrize(("value", "expected"), [
    ("12", 12), (" 7 ", 7), ("", None), (None, None), ("-1", None), ("1.5", None), ("²", None), ("٣", None),
])
def test_whole_number(value, expected):
    assert whole_number(value) == expected


def test_an_id_beyond_the_id_columns_is_a_404_not_an_overflow(client, make_user, login):
    login(make_user("centre_admin"))
    for url in ("/centre/certificates/99999999999999999999999", "/curricula/KZ-OSH-MGR?version=99999999999999999999",
                f"/centre/certificates/{2**63}", f"/centre/certificates/{2**31}", f"/attempts/{2**40}/q/1"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
    assert client.get(f"/centre/certificates/{2**31 - 1}").status_code == 404
