"""Property: whatever mix of events exists, no internal, residents-only, draft or proposed
event ever appears in a public feed (the public calendar, its filters, partner feeds)."""

from datetime import timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.audit.models import AuditEntry
from events.db import utcnow
from events.enums import Audience, Category, EventStatus, InvolvementRole, InvolvementState
from events.extensions import db
from events.planning.models import Event, Involvement
from tests.calendar.conftest import parse_feed, uids
from tests.factories import make_event, make_involvement, make_partner

event_shapes = st.lists(
    st.fixed_dictionaries({
        "status": st.sampled_from(list(EventStatus)),
        "audience": st.sampled_from(list(Audience)),
        "category": st.sampled_from([Category.SEMINAR, Category.WORKSHOP]),
        "days": st.integers(min_value=-120, max_value=400),
        "cancelled_days_ago": st.integers(min_value=0, max_value=60),
        "supporter": st.sampled_from([None, *InvolvementState]),
    }),
    min_size=1, max_size=8,
)


def may_appear(shape) -> bool:
    if shape["audience"] != Audience.PUBLIC:
        return False
    if shape["status"] == EventStatus.SCHEDULED:
        return True
    return shape["status"] == EventStatus.CANCELLED and shape["cancelled_days_ago"] < 30


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(shapes=event_shapes)
def test_public_feeds_never_show_what_the_public_may_not_see(app, client, shapes):
    lead, supporter = make_partner(slug="lead"), make_partner(slug="supporter")
    now = utcnow()
    made = []
    for shape in shapes:
        starts = now + timedelta(days=shape["days"])
        event = make_event(
            lead, status=shape["status"], audience=shape["audience"],
            category=shape["category"], starts_at=starts, ends_at=starts + timedelta(hours=2),
            cancelled_at=now - timedelta(days=shape["cancelled_days_ago"], hours=1)
            if shape["status"] == EventStatus.CANCELLED else None)
        if shape["supporter"] is not None:
            make_involvement(event, supporter, role=InvolvementRole.SUPPORTER,
                             state=shape["supporter"])
        made.append((event, shape))
    db.session.commit()
    try:
        allowed = {e.uid for e, s in made if may_appear(s) and e.ends_at > now - timedelta(
            days=90)}
        forbidden = {e.uid for e, s in made if s["status"] in (
            EventStatus.DRAFT, EventStatus.PROPOSED) or s["audience"] != Audience.PUBLIC}
        everything = uids(parse_feed(client.get("/calendar.ics")))
        assert everything == allowed
        assert not everything & forbidden
        for category in ("seminar", "workshop"):
            shown = uids(parse_feed(client.get(f"/calendar.ics?category={category}")))
            assert shown <= allowed
            assert not shown & forbidden
        partner_feed = uids(parse_feed(client.get("/partners/supporter/calendar.ics")))
        assert not partner_feed & forbidden
        assert partner_feed == {e.uid for e, s in made if e.uid in allowed and s["supporter"]
                                not in (None, InvolvementState.DECLINED)}
        for event, shape in made:
            status = client.get(f"/events/{event.id}.ics").status_code
            assert (status == 200) == (shape["audience"] == Audience.PUBLIC and shape[
                "status"] in (EventStatus.SCHEDULED, EventStatus.CANCELLED))
    finally:
        db.session.rollback()
        db.session.execute(sa.delete(AuditEntry))
        db.session.execute(sa.delete(Involvement))
        db.session.execute(sa.delete(Event))
        db.session.execute(sa.text("DELETE FROM partners"))
        db.session.commit()
