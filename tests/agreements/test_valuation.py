"""The balance by value: rate cards changing mid-period, the most specific price winning,
official rates with comma decimals and nominals, several currencies, missing rates listed
(never zero) and withdrawn rows left out. Figures are worked out by hand in the comments."""

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from events.agreements.models import RateCard, RateLine
from events.agreements.queries import active_contributions, value_rows
from events.agreements.rates import import_cbr_daily
from events.agreements.valuation import RateBook, value_balance
from events.enums import ContributionStatus
from events.extensions import db
from events.planning.models import Event
from tests.agreements.conftest import DATA, ContributionKind, at, event_on, row

K = ContributionKind
ZONE = ZoneInfo("Europe/Moscow")


def card(title, start, end=None, *, agreement=None, partner=None, lines=()):
    item = RateCard(title=title, valid_from=start, valid_to=end, agreement=agreement,
                    partner=partner,
                    lines=[RateLine(kind=k, unit=u, price=Decimal(p), venue=v)
                           for k, u, p, v in lines])
    db.session.add(item)
    return item


@pytest.fixture
def priced(world):
    w = world
    card("Memorandum, January", date(2031, 1, 1), date(2031, 1, 31), agreement=w.memorandum,
         lines=[(K.STAFF_TIME, "hours", "2000", None), (K.VENUE, "hours", "10000", None),
                (K.EQUIPMENT, "", "5000", None)])
    card("Memorandum, from February", date(2031, 2, 1), agreement=w.memorandum,
         lines=[(K.STAFF_TIME, "hours", "2500", None)])
    card("North's hall", date(2030, 1, 1), partner=w.a,
         lines=[(K.VENUE, "hours", "15000", w.hall)])
    card("Programme rates", date(2031, 1, 1), agreement=w.additional,
         lines=[(K.STAFF_TIME, "hours", "3000", None)])
    for name in ("XML_daily_2031-01-15.xml", "XML_daily_2031-02-01.xml"):
        import_cbr_daily(None, (DATA / name).read_bytes())
    # 20 January (Moscow): January card, rates of 15 January.
    e1 = event_on(w.a, at(2031, 1, 20, 9), w.b, venue=w.hall)
    row(e1, w.a, K.STAFF_TIME, quantity="10", unit="hours")        # 10 × 2000 = 20 000
    row(e1, w.a, K.VENUE, quantity="3", unit="hours")              # hall: 3 × 15 000 = 45 000
    row(e1, w.a, K.EQUIPMENT)                                      # one row: 5 000
    row(e1, w.a, K.SPEAKERS, quantity="2", unit="people", agreed_value="1234.56")
    row(e1, w.b, K.FUNDING, amount="100", currency="EUR")          # 100 × 98.5432 = 9 854.32
    row(e1, w.b, K.FUNDING, amount="1000", currency="JPY")         # 1000 × 61.2345 / 100
    row(e1, w.b, K.CATERING, amount="5000")                        # 5 000 as it is
    row(e1, w.b, K.PROMOTION, amount="7000", status=ContributionStatus.WITHDRAWN)
    # 3 February: the February card and the rates of 1 February.
    e2 = event_on(w.a, at(2031, 2, 3, 9), w.b)
    row(e2, w.a, K.STAFF_TIME, quantity="10", unit="hours")        # 10 × 2500 = 25 000
    row(e2, w.b, K.FUNDING, amount="100", currency="EUR")          # 100 × 101 = 10 100
    row(e2, w.b, K.CONSULTING)                                     # no price: listed
    # 20 March: the last EUR/USD rate is 47 days old — too old to use.
    e3 = event_on(w.b, at(2031, 3, 20, 9), w.a)
    row(e3, w.b, K.FUNDING, amount="50", currency="USD")
    # 10 January: before the first recorded rate.
    e4 = event_on(w.b, at(2031, 1, 10, 9), w.a)
    row(e4, w.b, K.FUNDING, amount="10", currency="EUR")
    # The third partner is no party to the memorandum: its card does not price C's hours.
    e5 = event_on(w.c, at(2031, 1, 25, 9), w.b)
    row(e5, w.c, K.STAFF_TIME, quantity="5", unit="hours")
    row(e5, w.b, K.STAFF_TIME, quantity="2", unit="hours")         # B is: 2 × 2000 = 4 000
    # In the additional agreement's programme, its own card wins.
    e6 = event_on(w.a, at(2031, 1, 27, 9), w.b, programme_id=w.programme.id)
    row(e6, w.a, K.STAFF_TIME, quantity="1", unit="hours")         # 3 000
    db.session.commit()
    return w


def balance(w, *extra):
    rows = value_rows([Event.id.is_not(None), *extra])
    return value_balance(rows, [w.a, w.b, w.c], ZONE), {p.partner.slug: p for p in
                                                         value_balance(rows, [w.a, w.b, w.c],
                                                                       ZONE).partners}


def test_values_follow_the_rate_in_force_on_each_event_date(priced):
    values, by = balance(priced, active_contributions())
    assert by["north"].value == Decimal("99234.56")  # 20 000 + 45 000 + 5 000 + 1 234.56
    #                                                  + 25 000 + 3 000
    assert by["techno"].value == Decimal("29566.67")  # 9 854.32 + 612.35 + 5 000 + 10 100
    #                                                   + 4 000
    assert by["third"].value == Decimal("0.00")
    assert values.total_value == Decimal("128801.23")
    assert by["north"].by_basis["agreed_value"] == Decimal("1234.56")
    assert by["techno"].by_basis["converted"] == Decimal("20566.67")


def test_converted_money_keeps_its_rate_and_date(priced):
    values, _by = balance(priced, active_contributions())
    seen = {(c.currency, c.rate_on): (c.value, c.nominal, c.amount, c.roubles)
            for c in values.conversions}
    assert seen == {
        ("EUR", date(2031, 1, 15)): (Decimal("98.5432"), 1, Decimal("100.00"),
                                     Decimal("9854.32")),
        ("JPY", date(2031, 1, 15)): (Decimal("61.2345"), 100, Decimal("1000.00"),
                                     Decimal("612.35")),
        ("EUR", date(2031, 2, 1)): (Decimal("101.0000"), 1, Decimal("100.00"),
                                    Decimal("10100.00")),
    }


def test_missing_rates_are_listed_never_zero(priced):
    values, by = balance(priced, active_contributions())
    reasons = sorted((m.partner.slug, m.kind.value, m.reason) for m in values.missing)
    assert reasons == [
        ("techno", "consulting", "no rate for one contribution of kind consulting on 2031-02-03"),
        ("techno", "funding", "no official EUR rate for 2031-01-10"),
        ("techno", "funding", "no official USD rate for 2031-03-20"),
        ("third", "staff_time", "no rate for staff time per hours on 2031-01-25"),
    ]
    assert by["techno"].missing == 3
    assert by["third"].missing == 1
    assert values.valued_rows == values.total_rows - 4


def test_withdrawn_rows_count_only_when_asked_for(priced):
    _values, by = balance(priced, active_contributions())
    assert by["techno"].rows == 8  # the withdrawn promotion is left out
    _values, by = balance(priced)
    assert by["techno"].rows == 9
    assert by["techno"].value == Decimal("36566.67")  # + 7 000


def test_shares_by_value_and_by_rows_sit_side_by_side(priced):
    values, by = balance(priced, active_contributions())
    assert values.value_share(by["north"]) == Decimal("77.0")  # 99 234.56 / 128 801.23
    assert values.row_share(by["north"]) == Decimal("40.0")    # 6 of 15 rows
    assert values.value_share(by["third"]) == Decimal("0.0")


def test_a_newer_card_replaces_an_older_one_from_its_first_day(priced):
    book = RateBook.load()
    common = {"venue_id": None, "partner_id": priced.a.id, "agreement_id": None}
    assert book.price(K.STAFF_TIME, "hours", day=date(2031, 1, 31), **common).price == 2000
    assert book.price(K.STAFF_TIME, "hours", day=date(2031, 2, 1), **common).price == 2500
    assert book.price(K.STAFF_TIME, "hours", day=date(2030, 12, 31), **common) is None


def test_rates_are_exact_decimals_on_every_database(priced):
    from events.agreements.models import ExchangeRate

    jpy = db.session.scalar(sa.select(ExchangeRate).where(ExchangeRate.currency == "JPY",
                                                          ExchangeRate.rate_on == date(2031, 1,
                                                                                       15)))
    assert jpy.value == Decimal("61.2345")
    assert jpy.nominal == 100
    assert jpy.per_unit == Decimal("0.612345")
