"""CSRF stays on here: every POST route refuses a request without a valid token."""


from tests.conftest import login
from tests.factories import make_user
from tests.test_routes import sample_requests


def test_every_post_route_refuses_a_missing_token(csrf_app):
    client = csrf_app.test_client()
    login(client, make_user(role="admin"))
    from events.extensions import db

    db.session.commit()
    posts = [
        (endpoint, path)
        for endpoint, method, path in sample_requests(
            csrf_app, {"anyone", "signed-in", "staff", "admin", "token"})
        if method == "POST"
    ]
    assert posts, "no POST routes found"
    for endpoint, path in posts:
        response = client.post(path, data={"anything": "x"})
        assert response.status_code == 400, (endpoint, path, response.status_code)
        assert b"CSRF" in response.data or b"Bad request" in response.data


def test_signin_form_carries_a_token_and_works_with_it(csrf_app):
    client = csrf_app.test_client()
    page = client.get("/signin").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/signin", data={"csrf_token": token, "email": "x@example.org",
                                            "password": "wrong-password"})
    assert response.status_code == 401  # reached the form logic, not refused by CSRF
