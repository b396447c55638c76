"""Report totals on a hand-computed ledger: several currencies, withdrawn rows, hours, reach,
and period/month boundaries in Moscow time (UTC+3), not UTC."""

from datetime import date
from decimal import Decimal

from events.contributions.reports import ReportFilters, balance, event_table, partner_table
from events.enums import Category, ContributionKind
from tests.contributions.conftest import at

K = ContributionKind

def _filters(**overrides):
    return ReportFilters(start=date(2031, 1, 1), end=date(2031, 2, 28), zone_name="Europe/Moscow",
                         **overrides)


def _rows(ledger, **overrides):
    rows = partner_table(_filters(**overrides), ledger.admin, ledger.partners)
    return {row.partner.slug: row for row in rows}


def test_period_bounds_are_moscow_midnights():
    filters = _filters()
    assert filters.starts_at == at(2030, 12, 31, 21, 0)
    assert filters.ends_at == at(2031, 2, 28, 21, 0)
    assert filters.months() == [date(2031, 1, 1), date(2031, 2, 1)]


def test_partner_totals_by_hand(ledger):
    """A: e1 host, e2 supporter, e7 host (e4 declined) — 5 active rows, 30 000 RUB + 100 EUR,
    10 + 3 = 13 hours, 3 + 2 confirmed registrations, 1 + 2 check-ins.
    B: e1 co-host, e2 and e4 host — 4 active rows, 20 000 RUB, 1 250 EUR, 100 USD, 4.5 hours,
    3 + 2 + 1 registrations, 3 check-ins."""
    rows = _rows(ledger)
    a, b = rows["north"], rows["techno"]
    assert (a.hosted, a.co_hosted, a.supported) == (2, 0, 1)
    assert (b.hosted, b.co_hosted, b.supported) == (2, 1, 0)
    assert a.contributions == 5
    assert {k: n for k, n in a.kinds.items() if n} == {
        K.VENUE: 1, K.STAFF_TIME: 1, K.CATERING: 1, K.SPEAKERS: 1, K.OTHER: 1}
    assert a.money == {"EUR": Decimal("100.00"), "RUB": Decimal("30000.00")}
    assert a.hours == Decimal("13.00")
    assert (a.registrations, a.checkins) == (5, 3)
    assert b.contributions == 4
    assert {k: n for k, n in b.kinds.items() if n} == {
        K.FUNDING: 1, K.VENUE: 1, K.STAFF_TIME: 1, K.CATERING: 1}
    assert b.money == {"EUR": Decimal("1250.00"), "RUB": Decimal("20000.00"),
                       "USD": Decimal("100.00")}
    assert b.hours == Decimal("4.50")
    assert (b.registrations, b.checkins) == (6, 3)


def test_withdrawn_rows_are_apart(ledger):
    rows = _rows(ledger, status="withdrawn")
    assert rows["north"].money == {"RUB": Decimal("7000.50")}
    assert rows["techno"].money == {"RUB": Decimal("5000.00")}
    assert rows["north"].contributions == rows["techno"].contributions == 1
    everything = _rows(ledger, status="all")
    assert everything["north"].money["RUB"] == Decimal("37000.50")
    assert everything["north"].contributions == 6
    delivered = _rows(ledger, status="delivered")
    assert delivered["north"].money == {"RUB": Decimal("30000.00")}
    assert delivered["north"].hours == Decimal("10.00")
    assert delivered["techno"].money == {"RUB": Decimal("20000.00")}


def test_filters_by_partner_category_and_programme(ledger):
    with_b = _rows(ledger, partner_id=ledger.b.id)  # events B takes part in: e1, e2, e4
    assert with_b["north"].contributions == 4
    assert with_b["north"].hours == Decimal("10.00")
    assert (with_b["north"].hosted, with_b["north"].supported) == (1, 1)
    workshops = _rows(ledger, category=Category.WORKSHOP)  # e2 only
    assert workshops["techno"].money == {"RUB": Decimal("20000.00")}
    assert workshops["north"].money == {"EUR": Decimal("100.00")}
    in_programme = _rows(ledger, programme_id=ledger.programme.id)  # e1 only
    assert in_programme["north"].contributions == 3
    assert in_programme["techno"].money == {"EUR": Decimal("1250.00")}
    assert in_programme["techno"].registrations == 3


def test_balance_per_moscow_month(ledger):
    """January: A e1×3 + e7×1 = 4, B e1×1 + e4×1 = 2. February: A 1, B 2."""
    shares = balance(_filters(), ledger.admin, ledger.partners)
    a, b = ledger.a.id, ledger.b.id
    assert shares.counts == {(0, a): 4, (0, b): 2, (1, a): 1, (1, b): 2}
    assert shares.share(0, a) == Decimal("66.7")
    assert shares.share(1, b) == Decimal("66.7")
    assert shares.total == 9


def test_event_rows_side_by_side(ledger):
    rows = event_table(_filters(), ledger.admin, page=1)
    assert [r.event.id for r in rows] == [ledger.e7.id, ledger.e1.id, ledger.e4.id,
                                          ledger.e2.id]
    e1 = rows[1].cells
    assert e1[ledger.a.id] == {"count": 3, "money": {"RUB": Decimal("30000.00")},
                               "hours": Decimal("10.00")}
    assert e1[ledger.b.id]["money"] == {"EUR": Decimal("1250.00")}
    assert e1[ledger.b.id]["count"] == 1  # the withdrawn promotion is not counted
    assert ledger.a.id not in rows[2].cells  # A declined e4 and gave nothing
