import io
from datetime import date

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.identifiers import make_bin
from lms.organisations import applications, documents
from lms.organisations.models import ApplicationDocument
from lms.storage import storage
from tests.conftest import post_form
from tests.registry.conftest import JPEG, PDF, PNG


@pytest.fixture
def draft(make_user, make_application, login, client):
    manager = make_user()
    application = make_application("draft", manager=manager)
    login(manager)
    return application


def upload(client, application, data: bytes, filename: str, kind: str = "registration"):
    url = f"/org/{application.organisation_id}/application"
    return post_form(client, f"{url}?lang=en",
                     {"save": "1", "document_kind": kind, "document": (io.BytesIO(data), filename)}, token_from=url,
                     content_type="multipart/form-data", follow_redirects=True)


@pytest.mark.parametrize(("data", "name", "content_type"), [
    (PDF, "licence.pdf", "application/pdf"), (PNG, "scan.png", "image/png"), (JPEG, "photo.JPG", "image/jpeg"),
])
def test_pdf_png_jpeg_are_accepted_by_content(client, draft, data, name, content_type):
    page = upload(client, draft, data, name).get_data(as_text=True)
    assert "The draft has been saved." in page
    document = db.session.scalars(select(ApplicationDocument)).one()
    assert document.content_type == content_type and document.filename == name
    assert storage().get(document.storage_key) == data
    assert not document.storage_key.startswith(("static", "/"))


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"MZ\x90\x00 executable", "report.pdf", "Only PDF, JPEG and PNG"),
    (b"<html><script>", "page.png", "Only PDF, JPEG and PNG"),
    (PDF, "../../etc/passwd.pdf", "must not contain a folder path"),
    (b"", "empty.pdf", "empty"),
])
def test_bad_files_are_refused_with_a_clear_message(client, draft, data, name, message):
    page = upload(client, draft, data, name).get_data(as_text=True)
    assert message in page
    assert db.session.scalars(select(ApplicationDocument)).all() == []


def test_a_windows_path_never_reaches_storage(draft):
    # Called directly: the test client's multipart encoder drops backslashes from a file name.
    with pytest.raises(documents.ValidationFailed) as err:
        documents.add_document(draft, io.BytesIO(PDF), "C:\\Users\\x\\scan.pdf", "registration")
    assert "document" in err.value.errors
    assert db.session.scalars(select(ApplicationDocument)).all() == []


def test_oversized_document_gets_a_message_not_an_error_page(app, client, draft, monkeypatch):
    import gc
    import warnings

    monkeypatch.setitem(app.config, "LMS_DOCUMENT_MAX_MB", 1)
    with warnings.catch_warnings():
        # Werkzeug's test client spools a body over 500 KB to a temporary file it never closes.
        warnings.simplefilter("ignore", ResourceWarning)
        response = upload(client, draft, PDF + b"0" * (1024 * 1024 + 10), "big.pdf")
        assert response.status_code == 200
        assert "larger than 1 MB" in response.get_data(as_text=True)
        del response
        gc.collect()


def test_count_limit(app, client, draft, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_DOCUMENTS_MAX", 2)
    for n in range(2):
        upload(client, draft, PDF, f"d{n}.pdf")
    assert "At most 2 documents" in upload(client, draft, PDF, "d3.pdf").get_data(as_text=True)


def test_a_refused_file_keeps_the_draft_typed(client, draft):
    url = f"/org/{draft.organisation_id}/application"
    response = post_form(client, f"{url}?lang=en", {"save": "1", "org_name_ru": "Набранное имя",
                                                   "document_kind": "registration",
                                                   "document": (io.BytesIO(b"MZ exe"), "evil.pdf")},
                         token_from=url, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert 'value="Набранное имя"' in page and "Only PDF, JPEG and PNG" in page
    assert 'id="document-error"' in page
    db.session.refresh(draft)
    assert draft.data["organisation"]["name_ru"] == "Набранное имя"


def test_storage_failure_saves_nothing(client, draft, monkeypatch):
    from lms.storage import LocalStorage, StorageError

    def broken(self, key, data, content_type="x"):
        raise StorageError("disk full")

    monkeypatch.setattr(LocalStorage, "put", broken)
    assert "could not be stored" in upload(client, draft, PDF, "a.pdf").get_data(as_text=True)
    assert db.session.scalars(select(ApplicationDocument)).all() == []


def test_documents_are_served_only_to_the_centre_and_their_organisation(app, client, draft, make_user, login):
    upload(client, draft, PDF, "a.pdf")
    document = db.session.scalars(select(ApplicationDocument)).one()
    response = client.get(f"/documents/{document.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    others = {
        "centre_admin": 200, "examiner": 404, "analyst": 404, "candidate": 404,
    }
    for role, expected in others.items():
        c = app.test_client()
        login(make_user(role), target=c)
        assert c.get(f"/documents/{document.id}").status_code == expected, role
    stranger = app.test_client()
    other_manager = make_user()
    applications.start(bin_=make_bin(date(2017, 1, 1), 31), name="Другой", region="astana", manager=other_manager)
    db.session.commit()
    login(other_manager, target=stranger)
    assert stranger.get(f"/documents/{document.id}").status_code == 404
    assert app.test_client().get(f"/documents/{document.id}").status_code == 302  # anonymous: sign in first


def test_a_submitted_document_cannot_be_removed(make_application):
    application = make_application("submitted")
    document = application.documents[0]
    assert documents.is_frozen(document)
    with pytest.raises(documents.ValidationFailed):
        documents.remove_document(document)


def test_a_draft_document_can_be_removed(client, draft):
    upload(client, draft, PDF, "a.pdf")
    document = db.session.scalars(select(ApplicationDocument)).one()
    key = document.storage_key
    url = f"/org/{draft.organisation_id}/application"
    post_form(client, f"{url}/documents/{document.id}/remove", token_from=url)
    assert db.session.scalars(select(ApplicationDocument)).all() == []
    assert not storage().exists(key)
