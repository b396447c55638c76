"""/reports shows the balance by value beside the balance by rows, and plan against fact;
both download as CSV with the report's own helper; constant queries whatever the rows."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from events.agreements.enums import TargetMetric
from events.agreements.models import RateCard, RateLine, Target
from events.agreements.rates import import_cbr_daily
from events.extensions import db
from tests.agreements.conftest import DATA, ContributionKind, at, event_on, row
from tests.conftest import login

K = ContributionKind
PERIOD = {"start": "2031-01-01", "end": "2031-06-30"}


@pytest.fixture
def report(world):
    w = world
    db.session.add(RateCard(title="Тарифы меморандума", agreement=w.memorandum,
                            valid_from=date(2031, 1, 1),
                            lines=[RateLine(kind=K.VENUE, unit="days", price=Decimal("150000"))]))
    import_cbr_daily(None, (DATA / "XML_daily_2031-01-15.xml").read_bytes())
    e1 = event_on(w.a, at(2031, 1, 20, 9), w.b, programme_id=w.programme.id)
    row(e1, w.a, K.VENUE, quantity="1", unit="days")           # 150 000
    row(e1, w.b, K.FUNDING, amount="200", currency="EUR")      # 19 708.64
    row(e1, w.b, K.CATERING, amount="5000")                    # 5 000
    row(e1, w.b, K.OTHER)                                      # no rate
    db.session.add(Target(programme=w.programme, metric=TargetMetric.EVENTS,
                          planned=Decimal(4), starts_on=date(2031, 1, 1),
                          ends_on=date(2031, 12, 31)))
    db.session.add(Target(agreement=w.memorandum, metric=TargetMetric.MONEY, partner=w.b,
                          currency="EUR", planned=Decimal(1000), starts_on=date(2031, 1, 1),
                          ends_on=date(2031, 12, 31)))
    db.session.commit()
    return w


def test_the_report_shows_value_beside_rows_and_the_plan(report, client):
    login(client, report.staff_b)
    page = client.get("/reports", query_string=PERIOD).get_data(as_text=True)
    assert "The balance by value" in page
    assert "RUB150,000.00" in page
    assert "RUB24,708.64" in page
    assert "85.9 %" in page  # 150 000 of 174 708.64
    assert "25 %" in page or "25.0 %" in page  # A's one row of four
    assert "98.5432 RUB for 1 EUR" in page
    assert "Jan 15, 2031" in page
    assert "1 contribution has no rate yet and is not counted" in page
    assert "Plan against fact" in page
    assert "Программа 2031" in page  # the programme target
    assert "€200.00" in page  # the money commitment's fact


def test_other_partners_staff_do_not_see_agreement_targets(report, client):
    login(client, report.staff_c)
    page = client.get("/reports", query_string=PERIOD).get_data(as_text=True)
    assert "€1,000.00" not in page  # the memorandum's target: C is no party
    assert "Программа 2031" in page  # programmes are open to every partner's staff


def test_value_and_plan_csv_read_back(report, client):
    login(client, report.admin)
    response = client.get("/reports/values.csv", query_string=PERIOD)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Partner", "Contributions", "Share by rows, %", "Value, RUB"]
    assert rows[1][:4] == ["Кластер «Северный»", "1", "25.00", "150000.00"]
    assert ["EUR", "2031-01-15", "1", "98.54", "200.00", "19708.64"] in rows
    assert rows[-1][-1].startswith("no rate for one contribution of kind other")
    response = client.get("/reports/targets.csv", query_string=PERIOD | {"programme":
                                                                          report.programme.id})
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2
    assert rows[1][4:6] == ["4.00", "1.00"]


def test_report_queries_do_not_grow_with_rows(report, client, count_queries):
    login(client, report.admin)
    client.get("/reports", query_string=PERIOD)
    with count_queries() as few:
        client.get("/reports", query_string=PERIOD)
    for n in range(20):
        event = event_on(report.a, at(2031, 2, 1 + n, 9), report.b)
        row(event, report.a, K.VENUE, quantity="1", unit="days")
        row(event, report.b, K.FUNDING, amount="10", currency="EUR")
    db.session.commit()
    client.get("/reports", query_string=PERIOD)  # the commit expired the signed-in user
    with count_queries() as many:
        client.get("/reports", query_string=PERIOD)
    assert many.count == few.count

