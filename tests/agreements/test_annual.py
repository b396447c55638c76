"""The annual report of an agreement, opened back: the workbook with openpyxl (one sheet per
table, numbers as numbers, formulas defused) and the PDF's text with pypdf, in both languages."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from events.agreements.enums import TargetMetric
from events.agreements.models import RateCard, RateLine, Target
from events.agreements.rates import import_cbr_daily
from events.enums import ContributionStatus
from events.extensions import db
from tests.agreements.conftest import DATA, ContributionKind, at, event_on, row
from tests.conftest import login
from tests.factories import make_registration

K = ContributionKind
HOSTILE = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def year(world):
    w = world
    db.session.add(RateCard(title="Memorandum rates", agreement=w.memorandum,
                            valid_from=date(2031, 1, 1),
                            lines=[RateLine(kind=K.STAFF_TIME, unit="hours",
                                            price=Decimal("2000"))]))
    import_cbr_daily(None, (DATA / "XML_daily_2031-01-15.xml").read_bytes())
    e1 = event_on(w.a, at(2031, 1, 20, 9), w.b, title="Биотех-день")
    e2 = event_on(w.b, at(2031, 3, 5, 9), w.a, title=HOSTILE)
    row(e1, w.a, K.STAFF_TIME, quantity="10", unit="hours")              # 20 000
    row(e1, w.b, K.FUNDING, amount="100", currency="EUR")                # 9 854.32
    row(e2, w.b, K.CATERING, amount="15000")                             # 15 000
    row(e2, w.a, K.FUNDING, amount="10", currency="USD")                 # no rate in March
    row(e2, w.a, K.PROMOTION, amount="99999", status=ContributionStatus.WITHDRAWN)
    event_on(w.a, at(2030, 12, 20, 9), w.b, title="Last year's event")
    event_on(w.a, at(2031, 2, 1, 9), title="Only one party")  # not joint: not in the report
    make_registration(e1, checked_in_at=at(2031, 1, 20, 9, 5))
    make_registration(e1)
    make_registration(e2)
    db.session.add(Target(agreement=w.memorandum, metric=TargetMetric.EVENTS,
                          planned=Decimal(4), starts_on=date(2031, 1, 1),
                          ends_on=date(2031, 12, 31)))
    db.session.commit()
    return w


def test_the_report_page_sums_up_the_year(year, client):
    login(client, year.staff_b)
    page = client.get(f"/agreements/{year.memorandum.id}/report/2031").get_data(as_text=True)
    assert "Annual report 2031" in page
    assert "Биотех-день" in page
    assert "Last year" not in page
    assert "Only one party" not in page
    assert "RUB44,854.32" in page  # 20 000 + 9 854.32 + 15 000
    assert "no official USD rate for 2031-03-05" in page
    assert "98.5432 RUB for 1 EUR" in page
    login(client, year.staff_c)
    assert client.get(f"/agreements/{year.memorandum.id}/report/2031.xlsx").status_code == 404
    assert client.get(f"/agreements/{year.memorandum.id}/report/2031.pdf").status_code == 404


def test_the_workbook_has_a_sheet_per_table_with_real_numbers(year, client):
    login(client, year.staff_a)
    response = client.get(f"/agreements/{year.memorandum.id}/report/2031.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Summary", "Events", "Contributions", "Value",
                               "Plan against fact", "No rate yet", "Months"]
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r}
    assert summary["Events held"] == 2
    assert summary["People registered"] == 3
    assert summary["People checked in"] == 1
    assert summary["Total value, RUB"] == pytest.approx(44854.32)
    events = list(book["Events"].iter_rows(values_only=True))
    assert events[0][:2] == ("Date", "Event")
    assert [r[1] for r in events[1:]] == ["Биотех-день", HOSTILE]
    hostile = book["Events"]["B3"]
    assert hostile.data_type == "s"  # text, never a formula
    assert book["Events"]["A2"].is_date
    value = {r[0]: r for r in book["Value"].iter_rows(values_only=True) if r and r[0]}
    north = value["Кластер «Северный»"]
    assert north[1] == 2  # staff time, and the USD funding that has no rate
    assert north[3] == 20000
    assert book["Value"].cell(row=2, column=4).data_type == "n"
    plan = list(book["Plan against fact"].iter_rows(values_only=True))
    assert plan[1][4:6] == (4, 2)
    missing = list(book["No rate yet"].iter_rows(values_only=True))
    assert missing[1][4] == "no official USD rate for 2031-03-05"
    months = book["Months"]
    assert months["A2"].value == "Jan 2031"
    assert months._charts


def _pdf_text(client, agreement, language):
    response = client.get(f"/agreements/{agreement.id}/report/2031.pdf",
                          query_string={"lang": language})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_pdf_reads_in_russian_and_in_english(year, client):
    login(client, year.coord_a)
    russian = _pdf_text(client, year.memorandum, "ru")
    assert "Годовой отчёт за 2031 год" in russian
    assert "Меморандум" in russian
    assert "Биотех-день" in russian
    assert "Баланс по стоимости" in russian
    assert "Кластер «Северный»" in russian
    assert "нет официального курса USD на 2031-03-05" in russian
    english = _pdf_text(client, year.memorandum, "en")
    assert "Annual report 2031" in english
    assert "The balance by value" in english
    assert "Plan against fact" in english
    assert "RUB44,854.32" in english


def test_unknown_language_or_year_is_refused(year, client):
    login(client, year.coord_a)
    url = f"/agreements/{year.memorandum.id}/report"
    assert client.get(f"{url}/2031.pdf", query_string={"lang": "de"}).status_code == 400
    assert client.get(f"{url}/1900.xlsx").status_code == 404


def test_a_year_outside_the_period_is_an_empty_report(year, client):
    login(client, year.coord_a)
    response = client.get(f"/agreements/{year.additional.id}/report/2029.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r}
    assert summary["Events held"] == 0
