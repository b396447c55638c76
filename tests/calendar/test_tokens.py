"""Private feeds: token creation and regeneration, what a database copy reveals, and what
each person's feed holds."""

import hashlib

import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.calendar.models import FeedToken
from events.calendar.tokens import token_from_nonce
from events.db import utcnow
from events.enums import (
    Audience,
    EventStatus,
    InvolvementRole,
    InvolvementState,
    RegistrationStatus,
)
from events.extensions import db
from tests.calendar.conftest import by_uid, parse_feed, uids
from tests.conftest import login
from tests.factories import (
    make_event,
    make_involvement,
    make_partner,
    make_registration,
    make_user,
)


def feed_path(client) -> str:
    """Create the token through the Subscribe page and read the https:// address back."""
    response = client.post("/subscribe/token")
    assert response.status_code == 302
    page = client.get("/subscribe").get_data(as_text=True)
    start = page.index("http://localhost/feeds/")
    url = page[start:page.index('"', start)]
    assert f'value="{url}"' in page
    assert "webcal://localhost/feeds/" in page
    return url.removeprefix("http://localhost")


def test_token_is_long_random_and_only_its_hash_is_stored(app, client):
    user = make_user()
    db.session.commit()
    login(client, user)
    path = feed_path(client)
    token = path.removeprefix("/feeds/").removesuffix(".ics")
    assert len(token) == 64  # 256 bits, hex
    row = db.session.scalar(sa.select(FeedToken).where(FeedToken.user_id == user.id))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.nonce, row.token_hash)
    assert len(row.nonce) == 64
    # A copy of the database without the secret key opens nothing:
    assert token_from_nonce(row.nonce, "some-other-key") != token
    assert client.get(f"/feeds/{row.token_hash}.ics").status_code == 404
    assert client.get(f"/feeds/{row.nonce}.ics").status_code == 404
    assert client.get(path).status_code == 200
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.subject_type == "feed_tokens"))
    assert entry.action == "feed_token.create"
    assert token not in str(entry.changes)


def test_regenerated_token_kills_the_old_address_at_once(client):
    user = make_user()
    db.session.commit()
    login(client, user)
    old = feed_path(client)
    new = feed_path(client)
    assert new != old
    client.get("/signout")
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(FeedToken.id))) == 1
    actions = list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["feed_token.create", "feed_token.regenerate"]


def test_feed_get_writes_nothing(client):
    user = make_user()
    db.session.commit()
    login(client, user)
    path = feed_path(client)
    client.get(path)
    db.session.expire_all()
    row = db.session.scalar(sa.select(FeedToken))
    assert row.last_used_at is None


def test_wrong_tokens_answer_404(client):
    for token in ("x", "0" * 64, "../../etc/passwd", "A" * 64, "0" * 65):
        assert client.get(f"/feeds/{token}.ics").status_code == 404


def test_inactive_person_feed_is_closed(client):
    user = make_user()
    db.session.commit()
    login(client, user)
    path = feed_path(client)
    user.is_active = False
    db.session.commit()
    assert client.get(path).status_code == 404


def test_resident_feed_holds_registrations_with_waitlist_marked(client):
    lead = make_partner()
    resident = make_user()
    confirmed = make_event(lead, title="Confirmed one")
    waiting = make_event(lead, title="Full one")
    dropped = make_event(lead, title="Dropped one")
    cancelled_event = make_event(lead, status=EventStatus.CANCELLED, cancelled_at=utcnow())
    make_event(lead, title="Not mine")
    make_registration(confirmed, resident)
    make_registration(waiting, resident, status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    make_registration(dropped, resident, status=RegistrationStatus.CANCELLED,
                      cancelled_at=utcnow())
    make_registration(cancelled_event, resident)
    db.session.commit()
    login(client, resident)
    path = feed_path(client)
    cal = parse_feed(client.get(path))
    assert uids(cal) == {confirmed.uid, waiting.uid, cancelled_event.uid}
    assert str(by_uid(cal, confirmed)["STATUS"]) == "CONFIRMED"
    assert str(by_uid(cal, waiting)["STATUS"]) == "TENTATIVE"
    assert str(by_uid(cal, waiting)["SUMMARY"]) == "[Waitlist] Full one"
    assert str(by_uid(cal, cancelled_event)["STATUS"]) == "CANCELLED"
    response = client.get(path)
    assert "Content-Disposition" not in response.headers
    assert response.headers["Cache-Control"].startswith("private")


def test_waitlist_promotion_changes_the_private_feed(client):
    resident = make_user()
    event = make_event(make_partner())
    registration = make_registration(event, resident, status=RegistrationStatus.WAITLISTED,
                                     confirmed_at=None)
    db.session.commit()
    login(client, resident)
    path = feed_path(client)
    first = client.get(path)
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = utcnow()
    db.session.commit()
    second = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert str(by_uid(parse_feed(second), event)["STATUS"]) == "CONFIRMED"


def test_staff_feed_holds_every_event_of_their_partner_drafts_included(client):
    ours, theirs = make_partner(), make_partner()
    staff = make_user("staff", ours)
    led_draft = make_event(ours, status=EventStatus.DRAFT)
    led_proposed = make_event(ours, status=EventStatus.PROPOSED)
    internal = make_event(ours, audience=Audience.INTERNAL)
    invited = make_event(theirs, status=EventStatus.PROPOSED)
    make_involvement(invited, ours, role=InvolvementRole.CO_HOST,
                     state=InvolvementState.INVITED)
    supported = make_event(theirs)
    make_involvement(supported, ours, role=InvolvementRole.SUPPORTER)
    declined = make_event(theirs)
    make_involvement(declined, ours, state=InvolvementState.DECLINED)
    their_draft = make_event(theirs, status=EventStatus.DRAFT)
    make_involvement(their_draft, ours)  # drafts are the lead partner's alone
    make_event(theirs)
    db.session.commit()
    login(client, staff)
    cal = parse_feed(client.get(feed_path(client)))
    assert uids(cal) == {led_draft.uid, led_proposed.uid, internal.uid, invited.uid,
                         supported.uid}
    assert str(by_uid(cal, led_draft)["STATUS"]) == "TENTATIVE"
    assert str(by_uid(cal, led_draft)["SUMMARY"]).startswith("[Draft] ")
    assert str(by_uid(cal, led_proposed)["STATUS"]) == "TENTATIVE"


def test_private_feed_uses_the_owner_language(client):
    resident = make_user(locale="ru")
    event = make_event(make_partner())
    make_registration(event, resident, status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    db.session.commit()
    login(client, resident)
    path = feed_path(client)
    client.get("/signout")
    cal = parse_feed(client.get(path))
    assert str(by_uid(cal, event)["SUMMARY"]).startswith("[Лист ожидания]")


def test_subscribe_page_lists_every_feed(client):
    partner = make_partner(slug="tech", name="Technopolis Moscow")
    user = make_user()
    db.session.commit()
    login(client, user)
    page = client.get("/subscribe").get_data(as_text=True)
    assert "webcal://localhost/calendar.ics" in page
    assert "http://localhost/calendar.ics" in page
    assert f"webcal://localhost/partners/{partner.slug}/calendar.ics" in page
    assert "category=workshop" in page
    for client_name in ("Google", "Outlook", "Apple"):
        assert client_name in page
    assert "Create my private feed" in page
