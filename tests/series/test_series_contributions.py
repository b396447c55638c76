"""Contributions recorded once for a whole series: an even share on every date, so per-date
rows, the series' totals and the cooperation report count the contribution exactly once."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from events.contributions.models import Contribution
from events.contributions.series import (
    add_series_contribution,
    deliver_series_contribution,
    series_contributions,
    series_totals,
    split_evenly,
    withdraw_series_contribution,
)
from events.contributions.services import add_contribution
from events.enums import ContributionStatus, EventStatus, InvolvementRole
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from events.planning.recurrence import WEEKLY, Pattern
from events.planning.series import (
    answer_series_invitation,
    create_series,
    invite_series,
    propose_series,
    schedule_series,
)
from tests.conftest import login


@pytest.fixture
def course(world, values):
    """Eight weekly lectures co-hosted by partner B."""
    series = create_series(world.staff_a, values, Pattern(WEEKLY, weekdays=(2,), count=8))
    invite_series(world.staff_a, series, world.b, InvolvementRole.CO_HOST)
    propose_series(world.staff_a, series)
    answer_series_invitation(world.coord_b, series, True)
    schedule_series(world.coord_a, series)
    return series


@pytest.mark.parametrize(("total", "parts", "shares"), [
    (Decimal("100.00"), 3, [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]),
    (Decimal("0.05"), 8, [Decimal("0.01")] * 5 + [Decimal("0.00")] * 3),
    (Decimal("16"), 8, [Decimal("2.00")] * 8),
    (None, 2, [None, None]),
])
def test_shares_add_up_to_the_total_exactly(total, parts, shares):
    assert split_evenly(total, parts) == shares
    if total is not None:
        assert sum(shares) == total


def test_a_room_for_the_whole_course_is_one_share_per_date(world, course):
    rows = add_series_contribution(
        world.staff_a, course, world.a, kind="venue", description="Lecture hall, whole course",
        quantity="16", unit="hours", amount="80000,01", currency="RUB")
    assert len(rows) == 8
    assert {r.event_id for r in rows} == {e.id for e in course.occurrences}
    assert [r.quantity for r in rows] == [2] * 8
    assert sum(Decimal(str(r.amount)) for r in rows) == Decimal("80000.01")
    assert len({r.series_share for r in rows}) == 1
    (share,) = series_contributions(course)
    assert share.total("amount") == Decimal("80000.01")
    assert share.total("quantity") == Decimal("16")
    # A per-date row beside it: the series' totals count each once.
    add_contribution(world.staff_b, course.occurrences[0], world.b, kind="speakers",
                     description="Guest lecturer", amount="5000", currency="RUB")
    totals = {t.partner.id: t for t in series_totals(course)}
    assert totals[world.a.id].money == {"RUB": Decimal("80000.01")}
    assert totals[world.a.id].hours == Decimal("16")
    assert totals[world.b.id].money == {"RUB": Decimal("5000")}


def test_the_cooperation_report_counts_a_series_contribution_once(client, world, course):
    add_series_contribution(world.staff_a, course, world.a, kind="funding",
                            description="Coffee for the course", amount="8000",
                            currency="RUB")
    total = db.session.scalar(sa.select(sa.func.sum(Contribution.amount)))
    assert Decimal(str(total)) == Decimal("8000")
    login(client, world.staff_a)
    csv = client.get("/reports/events.csv?start=2027-01-01&end=2027-12-31")
    assert csv.status_code == 200
    text = csv.get_data(as_text=True)
    assert text.count("1000") >= 8  # each date shows its share


def test_only_a_partner_taking_part_in_every_date_records_for_the_series(world, course):
    with pytest.raises(NotAllowed):
        add_series_contribution(world.staff_b, course, world.a, kind="venue",
                                description="Not mine", amount="10")
    with pytest.raises(ValidationFailed):
        add_series_contribution(world.staff_a, course, world.a, kind="venue",
                                description="", amount="10")
    assert db.session.scalar(sa.select(sa.func.count(Contribution.id))) == 0


def test_cancelled_dates_get_no_share(world, course):
    course.occurrences[3].status = EventStatus.CANCELLED
    rows = add_series_contribution(world.staff_a, course, world.a, kind="funding",
                                   description="Prizes", amount="700")
    assert len(rows) == 7
    assert course.occurrences[3].id not in {r.event_id for r in rows}


def test_deliver_and_withdraw_act_on_every_pledged_date(world, course):
    rows = add_series_contribution(world.staff_a, course, world.a, kind="staff_time",
                                   description="Mentors", quantity="8", unit="h")
    key = rows[0].series_share
    with pytest.raises(NotAllowed):
        withdraw_series_contribution(world.staff_b, course, key)
    assert deliver_series_contribution(world.staff_a, course, key) == 8
    with pytest.raises(Conflict):
        withdraw_series_contribution(world.staff_a, course, key)
    assert {r.status for r in rows} == {ContributionStatus.DELIVERED}
    other = add_series_contribution(world.staff_a, course, world.a, kind="funding",
                                    description="Prize", amount="80")
    assert withdraw_series_contribution(world.staff_a, course, other[0].series_share) == 8
    (mentors, prize) = series_contributions(course)
    assert mentors.total("quantity") == Decimal("8")
    assert prize.total("amount") is None  # withdrawn rows count for nothing


def test_series_page_offers_it_and_the_form_records_it(client, world, course):
    login(client, world.staff_a)  # reads English
    page = client.get(f"/series/{course.id}").get_data(as_text=True)
    assert "Add a contribution to the whole series" in page
    login(client, world.coord_b)
    form = client.get(f"/series/{course.id}/contributions/new")
    assert "(8)" in form.get_data(as_text=True)
    bad = client.post(f"/series/{course.id}/contributions/new",
                      data={"partner": str(world.b.id), "kind": "funding", "description": "Prize",
                            "amount": "lots", "currency": "RUB"})
    assert bad.status_code == 422
    done = client.post(f"/series/{course.id}/contributions/new",
                       data={"partner": str(world.b.id), "kind": "funding",
                             "description": "Prize fund", "amount": "800", "currency": "RUB"},
                       follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Вклад записан на все даты (8)" in text  # Boris reads Russian
    assert "Prize fund" in text
    (share,) = series_contributions(course)
    withdrawn = client.post(f"/series/{course.id}/contributions/{share.key}/withdraw",
                            follow_redirects=True)
    assert "Отозвано по датам: 8." in withdrawn.get_data(as_text=True)
    assert client.post(f"/series/{course.id}/contributions/nope/withdraw").status_code == 404
    login(client, world.resident)
    assert "Add a contribution to the whole series" not in client.get(
        f"/series/{course.id}").get_data(as_text=True)
    assert client.get(f"/series/{course.id}/contributions/new").status_code in (403, 404)


def test_the_series_panel_sums_only_the_dates_the_reader_may_see(world, course):
    from events.contributions.series import series_panel

    add_contribution(world.staff_a, course.occurrences[0], world.a, kind="funding",
                     description="Seen", amount="100", currency="RUB")
    hidden = course.occurrences[1]
    add_contribution(world.staff_a, hidden, world.a, kind="funding", description="Hidden",
                     amount="900", currency="RUB")
    hidden.status = EventStatus.DRAFT  # a date taken back to draft: partner B no longer sees it
    for involvement in hidden.involvements:
        if involvement.partner_id == world.b.id:
            db.session.delete(involvement)
    db.session.flush()
    db.session.expire_all()
    totals = {t.partner.id: t for t in series_panel(world.staff_b, course)["totals"]}
    assert totals[world.a.id].money == {"RUB": Decimal("100")}
    mine = {t.partner.id: t for t in series_panel(world.staff_a, course)["totals"]}
    assert mine[world.a.id].money == {"RUB": Decimal("1000")}
