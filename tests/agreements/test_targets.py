"""Plan against fact: what each target counts (and never counts), the pace against the share
of the period gone by, the events behind each figure, who sets targets, and the CSV."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from events.agreements.enums import Pace, TargetMetric
from events.agreements.models import Target
from events.agreements.progress import elapsed_share, progress_of
from events.agreements.queries import targets_of
from events.enums import Category, ContributionStatus, EventFormat, EventStatus
from events.extensions import db
from tests.agreements.conftest import TODAY, ContributionKind, at, event_on, row
from tests.conftest import login
from tests.factories import make_registration

K = ContributionKind
YEAR = {"starts_on": date(2031, 1, 1), "ends_on": date(2031, 12, 31)}


@pytest.fixture
def season(world):
    """Programme events: two workshops (one online) and a seminar; one draft and one cancelled
    event and one outside the programme, none of which count."""
    w, p = world, world.programme.id
    w.e1 = event_on(w.a, at(2031, 2, 10, 9), w.b, programme_id=p, category=Category.WORKSHOP)
    w.e2 = event_on(w.a, at(2031, 3, 10, 9), w.b, programme_id=p, category=Category.WORKSHOP,
                    format=EventFormat.ONLINE)
    w.e3 = event_on(w.b, at(2031, 4, 10, 9), w.a, programme_id=p, category=Category.SEMINAR)
    draft = event_on(w.a, at(2031, 4, 11, 9), programme_id=p, status=EventStatus.DRAFT)
    cancelled = event_on(w.a, at(2031, 4, 12, 9), programme_id=p,
                         status=EventStatus.CANCELLED)
    outside = event_on(w.a, at(2031, 4, 13, 9), w.b)
    for event in (draft, cancelled, outside):
        row(event, w.a, K.STAFF_TIME, quantity="100", unit="hours")
        make_registration(event)
    row(w.e1, w.a, K.STAFF_TIME, quantity="10", unit="hours")
    row(w.e2, w.a, K.STAFF_TIME, quantity="2.5", unit="hours", status=ContributionStatus.PLEDGED)
    row(w.e2, w.a, K.STAFF_TIME, quantity="50", unit="hours",
        status=ContributionStatus.WITHDRAWN)
    row(w.e1, w.a, K.VENUE, quantity="4", unit="hours")
    row(w.e3, w.b, K.SPEAKERS, quantity="3", unit="people")
    row(w.e3, w.b, K.SPEAKERS)  # no head count: one speaker
    row(w.e1, w.b, K.FUNDING, amount="1000.50", currency="EUR")
    row(w.e3, w.b, K.FUNDING, amount="999", currency="USD")  # another currency: not counted
    checked = at(2031, 2, 10, 9, 5)
    make_registration(w.e1, checked_in_at=checked)
    make_registration(w.e1)
    make_registration(w.e2, checked_in_at=checked)
    make_registration(w.e3, status="cancelled")
    make_registration(w.e3, status="waitlisted")
    db.session.commit()
    return w


def target(owner, metric, planned, **values):
    key = "programme" if owner.__tablename__ == "programmes" else "agreement"
    item = Target(**{key: owner}, metric=metric, planned=Decimal(planned), **(YEAR | values))
    db.session.add(item)
    db.session.flush()
    return item


def facts(season, **targets):
    found = progress_of(list(targets.values()), TODAY)
    return {name: item for name, item in zip(targets, found, strict=True)}


def test_each_metric_counts_only_what_happened(season):
    w, p = season, season.programme
    got = facts(
        season,
        events=target(p, TargetMetric.EVENTS, 12),
        workshops=target(p, TargetMetric.EVENTS, 2, category=Category.WORKSHOP),
        online=target(p, TargetMetric.EVENTS, 1, format=EventFormat.ONLINE),
        led_by_b=target(p, TargetMetric.EVENTS, 5, partner=w.b),
        registered=target(p, TargetMetric.REGISTRATIONS, 10),
        checked_in=target(p, TargetMetric.CHECKINS, 10),
        staff=target(p, TargetMetric.STAFF_HOURS, 20, partner=w.a),
        rooms=target(p, TargetMetric.ROOM_HOURS, 8, partner=w.a),
        speakers=target(p, TargetMetric.SPEAKERS, 4, partner=w.b),
        venues=target(p, TargetMetric.CONTRIBUTIONS, 2, partner=w.a, kind=K.VENUE),
        euros=target(p, TargetMetric.MONEY, 2000, partner=w.b, currency="EUR"),
    )
    assert {k: v.fact for k, v in got.items()} == {
        "events": 3, "workshops": 2, "online": 1, "led_by_b": 3, "registered": 3,
        "checked_in": 2, "staff": Decimal("12.50"), "rooms": 4, "speakers": 4, "venues": 1,
        "euros": Decimal("1000.50")}
    assert [e.id for e, _v in got["staff"].events] == [w.e2.id, w.e1.id]  # latest first
    assert [v for _e, v in got["staff"].events] == [Decimal("2.50"), Decimal("10.00")]
    assert got["staff"].event_count == 2


def test_pace_follows_the_share_of_the_period_gone_by(season):
    p = season.programme
    assert elapsed_share(date(2031, 1, 1), date(2031, 12, 31), TODAY) == Decimal(183) / 365
    got = facts(
        season,
        met=target(p, TargetMetric.EVENTS, 3),
        on_track=target(p, TargetMetric.EVENTS, 6),    # 3 ≥ 6 × 183/365 = 3.0 (rounded)
        behind=target(p, TargetMetric.EVENTS, 7),      # 3 < 3.5
        later=target(p, TargetMetric.EVENTS, 2, starts_on=date(2031, 9, 1)),
    )
    assert {k: v.pace for k, v in got.items()} == {
        "met": Pace.MET, "on_track": Pace.ON_TRACK, "behind": Pace.BEHIND,
        "later": Pace.NOT_STARTED}
    assert got["behind"].expected == 4  # 7 × 0.501 = 3.51 → 4 events expected by now
    assert got["behind"].percent == 43


def test_agreement_targets_count_its_programmes_or_every_joint_event(season):
    w = season
    got = facts(season, additional=target(w.additional, TargetMetric.EVENTS, 10),
                memorandum=target(w.memorandum, TargetMetric.EVENTS, 10))
    assert got["additional"].fact == 3  # its programme's
    assert got["memorandum"].fact == 4  # every scheduled event both parties take part in


def test_targets_are_checked(world):
    from events.agreements.services import add_target
    from events.errors import NotAllowed, ValidationFailed

    good = {"metric": "staff_hours", "planned": "10", "partner_id": str(world.a.id), **YEAR}
    for change, field in (({"metric": "nonsense"}, "metric"), ({"planned": "0"}, "planned"),
                          ({"planned": "1.5", "metric": "events"}, "planned"),
                          ({"partner_id": ""}, "partner_id"),
                          ({"partner_id": str(world.c.id)}, "partner_id"),
                          ({"ends_on": date(2030, 1, 1)}, "ends_on"),
                          ({"metric": "money", "currency": "XXX"}, "currency"),
                          ({"metric": "contributions", "kind": ""}, "kind")):
        with pytest.raises(ValidationFailed) as error:
            add_target(world.staff_a, world.programme, **(good | change))
        assert error.value.field == field, change
    with pytest.raises(NotAllowed):
        add_target(world.staff_b, world.programme, **good)  # B does not run the programme
    with pytest.raises(NotAllowed):
        add_target(world.staff_a, world.memorandum, **good)  # staff are not coordinators
    assert add_target(world.coord_b, world.memorandum, **good).partner_id == world.a.id


def test_running_partners_staff_add_and_remove_programme_targets(season, client):
    url = f"/programmes/{season.programme.id}/targets/new"
    data = {"metric": "events", "planned": "5", "starts_on": "2031-01-01",
            "ends_on": "2031-12-31", "category": "workshop"}
    login(client, season.staff_b)
    assert client.get(url).status_code == 403
    assert client.post(url, data=data).status_code == 403
    login(client, season.staff_a)
    response = client.post(url, data=data)
    assert response.status_code == 302
    page = client.get(f"/programmes/{season.programme.id}").get_data(as_text=True)
    assert "40 %" in page
    assert "workshop" in page.lower()
    assert season.e1.title in page  # the events behind the figure
    item = db.session.scalars(sa.select(Target)).one()
    login(client, season.staff_b)
    assert client.post(f"/targets/{item.id}/delete").status_code == 403
    login(client, season.staff_a)
    assert client.post(f"/targets/{item.id}/delete").status_code == 302
    assert targets_of(season.programme) == []
    from events.audit.models import AuditEntry

    assert [e.action for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.subject_type == "targets")
        .order_by(AuditEntry.id))] == ["target.create", "target.delete"]


def test_wrong_target_input_is_a_422_beside_the_field(season, client):
    login(client, season.coord_a)
    response = client.post(f"/agreements/{season.memorandum.id}/targets/new", data={
        "metric": "room_hours", "planned": "-3", "starts_on": "2031-01-01",
        "ends_on": "2031-12-31", "partner_id": str(season.a.id)})
    assert response.status_code == 422
    assert "cannot be negative" in response.get_data(as_text=True)


def test_plan_csv_reads_back(season, client):
    target(season.programme, TargetMetric.STAFF_HOURS, 20, partner=season.a)
    target(season.programme, TargetMetric.EVENTS, 6, note="=cmd|' /C calc'!A0")
    db.session.commit()
    login(client, season.staff_b)
    response = client.get(f"/programmes/{season.programme.id}/targets.csv",
                          headers={"Accept-Language": "ru"})
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Партнёр", "Цель", "С"]
    by_target = {r[1].split(" · ")[0]: r for r in rows[1:]}
    staff = by_target["Часы сотрудников"]
    assert staff[0] == "Кластер «Северный»"
    assert staff[4:7] == ["20,00", "12,50", "63"]  # 12.5 / 20 = 62.5 % → 63
    assert staff[8] == "По плану"  # 12.5 ≥ 20 × 183/365 = 10.03
    assert staff[9].startswith("2031-02-10 ")
    assert all(not cell.startswith("=") for r in rows for cell in r)
