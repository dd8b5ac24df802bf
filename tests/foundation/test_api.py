def test_profile(client):
    data = client.get("/api/v1/profile").get_json()
    assert data["country"] == "KZ" and data["state_language"] == "kk"
    assert data["languages"] == ["kk", "ru", "ky", "en"]


def test_list_envelope(client):
    data = client.get("/api/v1/regions").get_json()
    assert set(data) == {"items", "total", "page", "per_page"}
    assert data["total"] == len(data["items"]) == 20
    assert {"code", "names"} <= set(data["items"][0])


def test_errors_are_json_with_the_right_status(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert set(response.get_json()) == {"error"} and error["code"] == "not_found"
    assert isinstance(error["message"], str) and error["message"]
    response = client.post("/api/v1/profile")
    assert response.status_code == 405  # not a CSRF 400: no view would have run
    assert set(response.get_json()["error"]) == {"code", "message"}


def test_pagination_arguments_are_checked(app):
    from lms.api import ApiError, page_args

    for query in ("?page=0", "?per_page=0", "?per_page=5001", "?page=abc"):
        with app.test_request_context(f"/api/v1/x{query}"):
            try:
                page_args()
            except ApiError as err:
                assert err.status == 400
            else:  # pragma: no cover
                raise AssertionError(query)
    with app.test_request_context("/api/v1/x?page=2&per_page=10"):
        assert page_args() == (2, 10)


def test_paginated_helper(app, make_user):
    from sqlalchemy import select

    from lms.accounts.models import User
    from lms.api import paginated

    for _ in range(3):
        make_user()
    with app.test_request_context("/api/v1/x?page=2&per_page=2"):
        data = paginated(select(User).order_by(User.id), lambda u: {"id": u.id}).get_json()
    assert data["page"] == 2 and data["per_page"] == 2 and data["total"] >= 3 and len(data["items"]) >= 1


def test_public_api_is_rate_limited(app, client):
    app.config["LMS_RATELIMIT_PUBLIC"] = "3 per minute"
    try:
        codes = [client.get("/api/v1/profile").status_code for _ in range(4)]
    finally:
        app.config["LMS_RATELIMIT_PUBLIC"] = "120 per minute"
    assert codes == [200, 200, 200, 429]


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
