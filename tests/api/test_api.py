"""The JSON API: reads see exactly what the site shows the same person, writes go through
the workflow services with a staff token, errors are problem documents, pages walk every
event once, tokens revoke, reads answer 304 and carry CORS, cookies open nothing."""

from datetime import timedelta

import pytest
from openapi_spec_validator import validate

from events.api.models import ApiToken
from events.contributions.models import Contribution
from events.db import utcnow
from events.enums import EventStatus, InvolvementState
from events.extensions import db
from events.planning.models import Event
from tests.api.conftest import token_for
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    make_event,
    make_involvement,
    make_partner,
    make_user,
    make_venue,
)


@pytest.fixture
def two_partners():
    a, b = make_partner(slug="alpha"), make_partner(slug="beta")
    draft = make_event(lead=a, title="Alpha's secret draft", status=EventStatus.DRAFT)
    public = make_event(lead=a, title="Open day")
    db.session.commit()
    return a, b, draft, public


def test_api_openapi_document_validates_as_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.1")
    validate(spec)
    assert "/api/v1/events" in spec["paths"]
    assert "/api/v1/docs" not in spec["paths"]


def test_api_draft_is_seen_only_by_its_partners_staff_token(client, two_partners):
    a, b, draft, _public = two_partners
    staff_a, staff_b = make_user("staff", a), make_user("staff", b)
    as_a, as_b = token_for(staff_a), token_for(staff_b)

    def titles(headers=None):
        return {e["title"] for e in client.get("/api/v1/events", headers=headers)
                .get_json()["items"]}

    assert titles() == {"Open day"}
    assert titles(as_b) == {"Open day"}
    assert titles(as_a) == {"Open day", "Alpha's secret draft"}
    path = f"/api/v1/events/{draft.id}"
    assert client.get(path).status_code == 404
    assert client.get(path, headers=as_b).status_code == 404
    seen = client.get(path, headers=as_a)
    assert seen.status_code == 200
    assert seen.get_json()["status"] == "draft"
    assert seen.headers["Cache-Control"] == "private, no-cache"


def test_api_ignores_the_session_cookie(client, two_partners):
    a, _b, draft, _public = two_partners
    login(client, make_user("staff", a))
    assert client.get(f"/api/v1/events/{draft.id}").status_code == 404
    response = client.post(f"/api/v1/events/{draft.id}/propose")
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert db.session.get(type(draft), draft.id).status == EventStatus.DRAFT


def test_api_cookie_write_still_meets_the_csrf_check(csrf_app, two_partners):
    a, _b, draft, _public = two_partners
    client = csrf_app.test_client()
    login(client, make_user("staff", a))
    response = client.post(f"/api/v1/events/{draft.id}/propose", json={})
    assert response.status_code == 400
    assert "CSRF" in response.get_json()["detail"]


def test_api_token_write_needs_no_csrf_token(csrf_app, two_partners):
    a, _b, draft, _public = two_partners
    headers = token_for(make_user("staff", a))
    client = csrf_app.test_client()
    response = client.post(f"/api/v1/events/{draft.id}/propose", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "proposed"


def test_api_revoked_token_stops_working(client, two_partners):
    a, _b, draft, _public = two_partners
    staff = make_user("staff", a)
    headers = token_for(staff)
    assert client.get(f"/api/v1/events/{draft.id}", headers=headers).status_code == 200
    login(client, staff)
    row = db.session.scalars(db.select(ApiToken)).one()
    page = client.post(f"/account/api-tokens/{row.id}/revoke")
    assert page.status_code == 302
    response = client.get(f"/api/v1/events/{draft.id}", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_api_token_is_shown_once_and_stored_hashed(client):
    user = make_user()
    login(client, user)
    page = client.post("/account/api-tokens", data={"name": "My script"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    secret = html.split('id="new-token"')[1].split('value="')[1].split('"')[0]
    assert secret.startswith("je_")
    row = db.session.scalars(db.select(ApiToken)).one()
    assert row.name == "My script"
    assert secret not in (row.token_hash, row.prefix)
    again = client.get("/account").get_data(as_text=True)
    assert "My script" in again
    assert secret not in again
    assert client.get("/api/v1/events", headers={"Authorization": f"Bearer {secret}"}
                      ).status_code == 200


def test_api_someone_elses_token_cannot_be_revoked(client):
    owner, other = make_user(), make_user()
    token_for(owner)
    row = db.session.scalars(db.select(ApiToken)).one()
    login(client, other)
    assert client.post(f"/account/api-tokens/{row.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, row.id).revoked_at is None


@pytest.mark.parametrize(("query", "field"), [
    ("limit=0", "limit"), ("limit=abc", "limit"), ("category=party", "category"),
    ("partner=nobody", "partner"), ("cursor=made-up", "cursor"), ("from=yesterday", "from"),
    ("to=9999-12-31T23:59:59-05:00", "to"), ("from=0001-01-01T00:00:00%2B01:00", "from"),
])
def test_api_bad_query_is_a_problem_document_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/events?{query}")
    assert 400 <= response.status_code < 500
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == response.status_code
    assert {"type", "title", "detail"} <= set(body)
    assert field in body["errors"]


def test_api_unknown_path_and_method_are_problems(client):
    for response in (client.get("/api/v1/nothing"), client.put("/api/v1/partners")):
        assert response.mimetype == "application/problem+json"
        assert response.status_code in (404, 405)


def test_api_pagination_walks_every_event_exactly_once(client):
    host = make_partner()
    start = utcnow().replace(microsecond=0) + timedelta(days=3)
    made = [make_event(lead=host, starts_at=start + timedelta(hours=i // 3),
                       ends_at=start + timedelta(hours=i // 3 + 1)).id for i in range(23)]
    db.session.commit()
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/events?limit=5" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).get_json()
        seen += [e["id"] for e in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))
    assert pages == 5


def test_api_filters_match_the_agenda(client):
    a, b = make_partner(slug="alpha"), make_partner(slug="beta")
    mine = make_event(lead=a, title="Robotics workshop", category="workshop")
    make_event(lead=b, title="Robotics talk")
    make_involvement(mine, b, state=InvolvementState.DECLINED)
    db.session.commit()

    def ids(query):
        return [e["id"] for e in client.get(f"/api/v1/events?{query}").get_json()["items"]]

    assert ids("partner=alpha") == [mine.id]
    assert len(ids("partner=beta")) == 1
    assert mine.id not in ids("partner=beta")
    assert ids("category=workshop&q=robot") == [mine.id]
    later = (utcnow() + timedelta(days=30)).isoformat()
    assert ids(f"from={later.replace('+', '%2B')}") == []


def test_api_get_answers_304_and_cors_for_reads_only(client, two_partners):
    _a, _b, _draft, public = two_partners
    first = client.get(f"/api/v1/events/{public.id}")
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in first.headers
    again = client.get(f"/api/v1/events/{public.id}",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    write = client.post("/api/v1/events", json={})
    assert "Access-Control-Allow-Origin" not in write.headers
    preflight = {"Origin": "https://partner.example", "Access-Control-Request-Headers":
                 "authorization"}
    read = client.options("/api/v1/events", headers={
        **preflight, "Access-Control-Request-Method": "GET"})
    assert read.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in read.headers["Access-Control-Allow-Headers"]
    post = client.options("/api/v1/events", headers={
        **preflight, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in post.headers


def test_api_staff_create_edit_propose_answer_and_contribute(client):
    a, b = make_partner(slug="alpha"), make_partner(slug="beta")
    room = make_venue(a)
    staff_a, staff_b = make_user("staff", a), make_user("staff", b)
    as_a, as_b = token_for(staff_a), token_for(staff_b)
    starts = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    created = client.post("/api/v1/events", headers=as_a, json={
        "title": "API day", "category": "seminar", "format": "in_person",
        "audience": "public", "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(), "timezone": "Europe/Moscow",
        "venue_id": room.id})
    assert created.status_code == 201, created.get_data(as_text=True)
    event = created.get_json()
    assert event["status"] == "draft"
    assert event["lead_partner"] == "alpha"
    assert created.headers["Location"].endswith(f"/api/v1/events/{event['id']}")
    path = f"/api/v1/events/{event['id']}"
    edited = client.patch(path, headers=as_a, json={"summary": "All about the API"})
    assert edited.status_code == 200
    assert edited.get_json()["summary"] == "All about the API"
    assert client.patch(path, headers=as_b, json={"summary": "x"}).status_code == 404

    from events.planning.services import invite_partner
    invite_partner(staff_a, db.session.get(Event, event["id"]), b, "co-host")
    db.session.commit()
    proposed = client.post(f"{path}/propose", headers=as_a)
    assert proposed.status_code == 200
    assert proposed.get_json()["status"] == "proposed"
    invitation = next(i for i in proposed.get_json()["involvements"] if i["partner"] == "beta")
    answer = f"/api/v1/involvements/{invitation['id']}/answer"
    assert client.post(answer, headers=as_a, json={"accept": True}).status_code == 403
    answered = client.post(answer, headers=as_b, json={"accept": True, "note": "Gladly"})
    assert answered.status_code == 200
    states = {i["partner"]: i["state"] for i in answered.get_json()["involvements"]}
    assert states["beta"] == "accepted"

    pledged = client.post(f"{path}/contributions", headers=as_b, json={
        "kind": "catering", "description": "Coffee for 40", "amount": "12500.50"})
    assert pledged.status_code == 201, pledged.get_data(as_text=True)
    assert pledged.get_json()["partner"] == "beta"
    assert pledged.get_json()["amount"] == "12500.50"
    assert db.session.scalars(db.select(Contribution)).one().description == "Coffee for 40"


def test_api_refusals_are_problem_documents_with_field_errors(client):
    a = make_partner(slug="alpha")
    headers = token_for(make_user("staff", a))
    past = (utcnow() - timedelta(days=1)).isoformat()
    response = client.post("/api/v1/events", headers=headers, json={
        "title": "Late", "category": "seminar", "format": "online", "audience": "public",
        "starts_at": past, "ends_at": past, "timezone": "Mars/Olympus"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"timezone", "online_url"} <= set(errors)
    unknown = client.post("/api/v1/events", headers=headers, json={"title": "x", "colour": 1})
    assert unknown.status_code == 422
    assert "colour" in unknown.get_json()["errors"]
    assert not db.session.scalars(db.select(Event).where(Event.title == "Late")).all()


def test_api_residents_token_cannot_write(client, two_partners):
    _a, _b, _draft, public = two_partners
    resident = make_user()
    headers = token_for(resident)
    pledge = client.post(f"/api/v1/events/{public.id}/contributions", headers=headers,
                         json={"kind": "catering", "description": "Tea"})
    assert pledge.status_code == 403
    response = client.post("/api/v1/events", headers=headers, json={
        "title": "Mine", "category": "seminar", "format": "online", "audience": "public",
        "starts_at": (utcnow() + timedelta(days=2)).isoformat(),
        "ends_at": (utcnow() + timedelta(days=2, hours=1)).isoformat(),
        "timezone": "Europe/Moscow", "online_url": "https://meet.example/x"})
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_api_series_shows_only_visible_dates_and_lists_read(client):
    from tests.phones import make_demo_series

    partner = make_partner()
    make_user("coordinator", partner)
    series = make_demo_series(partner)
    db.session.commit()
    body = client.get(f"/api/v1/series/{series.id}").get_json()
    assert len(body["occurrences"]) == 4
    assert body["frequency"] == "weekly"
    assert client.get("/api/v1/series/999999").status_code == 404
    assert [p["slug"] for p in client.get("/api/v1/partners").get_json()] == [partner.slug]
    assert client.get("/api/v1/venues").get_json() == []
    assert client.get("/api/v1/programmes").status_code == 200


def test_api_is_rate_limited_per_token_with_a_problem_document(make_app):
    app = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    with app.app_context():
        client = app.test_client()
        codes = [client.get("/api/v1/partners").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = client.get("/api/v1/partners")
        assert refused.mimetype == "application/problem+json"
        assert "Retry-After" in refused.headers
        headers = token_for(make_user())
        assert client.get("/api/v1/partners", headers=headers).status_code == 200


def test_api_deleted_account_loses_its_tokens_and_export_lists_them(client):
    from events.auth.personal_data import delete_account, export_personal_data

    resident = make_user()
    headers = token_for(resident)
    exported = export_personal_data(resident)["api_tokens"]
    assert [t["name"] for t in exported] == ["tests"]
    assert "je_" not in str(exported)
    delete_account(resident, PASSWORD)
    db.session.commit()
    assert client.get("/api/v1/events", headers=headers).status_code == 401
    assert db.session.scalars(db.select(ApiToken)).all() == []


def test_api_event_list_issues_a_constant_number_of_queries(client, count_queries):
    host, other = make_partner(), make_partner()
    headers = token_for(make_user("staff", host))
    make_involvement(make_event(lead=host, venue=make_venue(host)), other)
    db.session.commit()
    with count_queries() as few:
        assert client.get("/api/v1/events", headers=headers).status_code == 200
    for _ in range(15):
        make_involvement(make_event(lead=host, venue=make_venue(host)), other)
    db.session.commit()
    with count_queries() as many:
        assert len(client.get("/api/v1/events", headers=headers).get_json()["items"]) == 16
    assert many.count == few.count
