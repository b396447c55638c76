"""The report page, its CSV files and chart over HTTP; constant query counts; programmes."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from events.audit.models import AuditEntry
from events.contributions.charts import Series, share_chart
from events.enums import ContributionKind, EventStatus, InvolvementRole, Role
from events.extensions import db
from events.planning.models import Event, Programme
from tests.conftest import login
from tests.contributions.conftest import at
from tests.factories import (
    make_contribution,
    make_event,
    make_involvement,
    make_partner,
    make_user,
)

PERIOD = {"start": "2031-01-01", "end": "2031-02-28"}
SVG = "{http://www.w3.org/2000/svg}"


def _xml(data):
    """Parse our own SVG (strictly: any well-formedness error raises)."""
    return ET.fromstring(data)  # noqa: S314 — the app's own output, not untrusted input


def _get(client, path, **args):
    return client.get(path, query_string={**PERIOD, **args})


def test_reports_are_for_staff_and_admins(ledger, client):
    assert client.get("/reports").status_code == 302  # visitors sign in first
    login(client, make_user(Role.RESIDENT))
    assert client.get("/reports").status_code == 403
    assert client.get("/reports/partners.csv").status_code == 403
    login(client, make_user(Role.STAFF, ledger.b))
    assert client.get("/reports").status_code == 200


def test_report_page_shows_the_hand_computed_totals(ledger, client):
    login(client, ledger.admin)
    page = _get(client, "/reports").get_data(as_text=True)
    assert "Кластер «Северный»" in page
    assert "RUB30,000.00" in page
    assert "€1,250.00" in page
    assert "$100.00" in page
    assert "RUB50,000.00" in page  # RUB across partners: 30 000 + 20 000, never with EUR
    assert "€1,350.00" in page
    assert "4 events" in page
    assert "Nothing" not in page


def test_staff_reports_match_admin_reports_on_shared_events(ledger, client):
    """Staff see the same published events; the SQL for them adds visibility subqueries."""
    login(client, make_user(Role.STAFF, ledger.a))
    page = _get(client, "/reports").get_data(as_text=True)
    assert "RUB50,000.00" in page
    assert "4 events" in page


def test_wrong_filters_are_a_clear_422(ledger, client):
    login(client, ledger.admin)
    response = client.get("/reports", query_string={"start": "2031-03-01",
                                                    "end": "2031-01-01"})
    assert response.status_code == 422
    assert "before its start" in response.get_data(as_text=True)
    assert client.get("/reports", query_string={"start": "yesterday"}).status_code == 422
    assert client.get("/reports", query_string={"status": "stolen"}).status_code == 422
    assert client.get("/reports/events.csv", query_string={"partner": "x"}).status_code == 400


def _csv(response, delimiter):
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: spreadsheets detect the encoding
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_partner_csv_parses_back_with_cyrillic(ledger, client):
    login(client, ledger.admin)
    rows = _csv(_get(client, "/reports/partners.csv"), ",")
    header, north, techno = rows
    assert header[0] == "Partner"
    assert north[0] == "Кластер «Северный»"
    record = dict(zip(header, north, strict=True))
    assert record["Money, RUB"] == "30000.00"
    assert record["Money, EUR"] == "100.00"
    assert record["Money, USD"] == ""
    assert record["Hours"] == "13.00"
    assert (record["Host"], record["Supporter"], record["Registrations"]) == ("2", "1", "5")
    assert dict(zip(header, techno, strict=True))["Money, USD"] == "100.00"


def test_russian_csv_uses_semicolons_and_decimal_commas(ledger, client):
    login(client, ledger.admin)
    client.post("/language", data={"language": "ru"})
    rows = _csv(_get(client, "/reports/partners.csv"), ";")
    record = dict(zip(rows[0], rows[1], strict=True))
    assert "30000,00" in record.values()
    assert rows[1][0] == "Кластер «Северный»"


def test_events_csv_quotes_and_defuses_formulas(ledger, client):
    ledger.e1.title = '=HYPERLINK("x"), "цитата"; и точка'
    db.session.commit()
    login(client, ledger.admin)
    rows = _csv(_get(client, "/reports/events.csv"), ",")
    assert len(rows) == 1 + 4
    titles = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(\"x\"), \"цитата\"; и точка" in titles
    assert rows[2][0] == "2031-01-15"
    assert rows[3][0] == "2031-01-31"  # 20:59 UTC is still 31 January in Moscow
    assert rows[4][0] == "2031-02-01"  # 21:00 UTC is already 1 February


def test_balance_csv_and_chart(ledger, client):
    login(client, ledger.admin)
    rows = _csv(_get(client, "/reports/balance.csv"), ",")
    assert rows[1][:4] == ["Jan 2031", "4", "2", "6"]
    assert rows[2][:4] == ["Feb 2031", "1", "2", "3"]
    response = _get(client, "/reports/balance.svg")
    assert response.mimetype == "image/svg+xml"
    root = _xml(response.data)  # well-formed XML
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert "Share of the joint effort" in root.find(f"{SVG}title").text
    assert "Кластер «Северный»: 5 contributions" in root.find(f"{SVG}desc").text
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    for label in ("Север", "Techno", "Jan 2031", "Feb 2031", "67 %", "33 %", "100 %",
                  "Month of the event (Moscow time)", "Share of contributions"):
        assert label in texts, label
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert {"#1b7f5b", "#2357b8"} <= fills  # the partners' colours


def test_inline_chart_is_well_formed_and_has_a_table(ledger, client):
    login(client, ledger.admin)
    page = _get(client, "/reports").get_data(as_text=True)
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    root = _xml(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
    assert root.get("aria-labelledby") == "balance-title balance-desc"
    assert "The chart as a table" in page


def test_chart_escapes_names_and_survives_empty_months():
    chart = share_chart(title="<T>", description="d & e", columns=["Jan", "Feb"],
                        series=[Series("A & <B>", "#zzzzzz", [0, 3]),
                                Series("C", "#ffffff", [0, 1])],
                        x_title="x", y_title="y", empty_text="—", standalone=True)
    root = _xml(str(chart))
    assert root.find(f"{SVG}title").text == "<T>"
    assert "A & <B>" in [t.text for t in root.iter(f"{SVG}text")]


def _add_events(lead, other, count, start):
    for n in range(count):
        event = make_event(lead=lead, starts_at=start + timedelta(days=n),
                           ends_at=start + timedelta(days=n, hours=2))
        make_involvement(event, other, role=InvolvementRole.SUPPORTER)
        make_contribution(event, lead, kind=ContributionKind.VENUE)
        make_contribution(event, other, amount=100, currency="EUR")


@pytest.mark.parametrize("path", ["/reports", "/reports/events.csv", "/reports/partners.csv",
                                  "/reports/balance.svg"])
def test_report_queries_are_constant(app, client, count_queries, path):
    a, b = make_partner(), make_partner()
    admin = make_user(Role.ADMIN)
    programme = Programme(slug="q", title="Q")
    db.session.add(programme)
    _add_events(a, b, 2, at(2031, 1, 10, 9))
    db.session.flush()
    db.session.execute(Event.__table__.update().values(programme_id=programme.id))
    db.session.commit()
    login(client, admin)

    def measure():
        db.session.expire_all()
        with count_queries() as counter:
            assert _get(client, path).status_code == 200
        return counter.count

    few = measure()
    _add_events(b, a, 60, at(2031, 1, 2, 9))  # more than a page of the per-event table
    db.session.execute(Event.__table__.update().values(programme_id=programme.id))
    db.session.commit()
    assert measure() == few


def test_programmes_create_list_assign(ledger, client):
    staff_a, staff_b = make_user(Role.STAFF, ledger.a), make_user(Role.STAFF, ledger.b)
    db.session.commit()
    login(client, staff_b)
    response = client.post("/programmes/new", data={"title_ru": "Программа «Био» 2031",
                                                   "description_ru": "Про **био**"})
    assert response.status_code == 302
    programme = db.session.query(Programme).filter_by(title="Программа «Био» 2031").one()
    assert programme.slug  # made from the title
    assert "Программа «Био» 2031" in client.get("/programmes").get_data(as_text=True)
    # Only the lead partner's staff put an event in: e1 is led by A.
    url = f"/events/{ledger.e1.id}/programme"
    assert client.post(url, data={"programme_id": programme.id}).status_code == 403
    login(client, staff_a)
    assert client.post(url, data={"programme_id": programme.id}).status_code == 302
    db.session.expire_all()
    assert ledger.e1.programme_id == programme.id
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert ledger.e1.title in page
    assert client.post(url, data={"programme_id": "999999"}).status_code == 400
    assert client.post(url, data={"programme_id": ""}).status_code == 302
    db.session.expire_all()
    assert ledger.e1.programme_id is None
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-3:] == ["programme.create", "event.programme", "event.programme"]


def test_programme_titles_and_slugs_are_checked(ledger, client):
    staff = make_user(Role.STAFF, ledger.a)
    ledger.programme.partners = [ledger.a]  # A runs the ledger's programme
    db.session.commit()
    login(client, staff)
    assert client.post("/programmes/new", data={"title_ru": ""}).status_code == 422
    response = client.post("/programmes/new", data={"title_ru": "Другая", "slug": "p"})
    assert response.status_code == 422  # the ledger's programme uses "p"
    assert "short name" in response.get_data(as_text=True)
    response = client.post(f"/programmes/{ledger.programme.id}/edit",
                           data={"title_ru": "Программа 2031–2032", "slug": "p"})
    assert response.status_code == 302


def test_only_the_running_partners_staff_edit_a_programme(ledger, client):
    ledger.programme.partners = [ledger.a]
    outsider = make_user(Role.STAFF, ledger.b)
    db.session.commit()
    login(client, outsider)
    url = f"/programmes/{ledger.programme.id}/edit"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"title": "Taken over"}).status_code == 403
    db.session.expire_all()
    assert ledger.programme.title == "Программа 2031"
    assert "/edit" not in client.get(f"/programmes/{ledger.programme.id}").get_data(as_text=True)


def test_reports_leave_out_what_the_reader_may_not_see(ledger, client):
    """A proposal between A and a third partner is invisible to B's staff, so it is not in
    B's report either; A's staff and admins see it."""
    third = make_partner(slug="third", short_name="Third")
    hidden = make_event(lead=ledger.a, starts_at=at(2031, 1, 20, 9),
                        ends_at=at(2031, 1, 20, 11), status=EventStatus.PROPOSED)
    make_involvement(hidden, third, role=InvolvementRole.SUPPORTER)
    make_contribution(hidden, ledger.a, amount=777, currency="CHF")
    staff_a, staff_b = make_user(Role.STAFF, ledger.a), make_user(Role.STAFF, ledger.b)
    db.session.commit()
    login(client, staff_b)
    assert "CHF" not in _get(client, "/reports").get_data(as_text=True)
    assert "CHF" not in _get(client, "/reports/partners.csv").get_data(as_text=True)
    login(client, staff_a)
    assert "CHF777.00" in _get(client, "/reports").get_data(as_text=True)


def test_a_period_needs_only_one_end(ledger, client):
    login(client, ledger.admin)
    page = client.get("/reports", query_string={"start": "2031-01-01"}).get_data(as_text=True)
    assert 'value="2031-12-31"' in page
    page = client.get("/reports", query_string={"end": "2031-02-28"}).get_data(as_text=True)
    assert 'value="2030-03-01"' in page


def test_events_csv_streams_in_chunks_and_matches_the_table(ledger, client):
    from events.contributions import export
    from events.contributions.report_view import report_day
    from events.contributions.reports import ReportFilters, event_table, iter_event_rows
    from events.partners.queries import all_partners

    login(client, ledger.admin)
    response = _get(client, "/reports/events.csv")
    assert response.is_streamed
    rows = _csv(response, ",")
    assert len(rows) == 1 + 4
    filters = ReportFilters(start=date(2031, 1, 1), end=date(2031, 2, 28),
                            zone_name="Europe/Moscow")
    with client.application.test_request_context():
        whole = [r.event.id for r in event_table(filters, ledger.admin, page=None)]
        assert [r.event.id for r in iter_event_rows(filters, ledger.admin, chunk=1)] == whole
        chunks = list(export.events_csv_chunks(
            iter_event_rows(filters, ledger.admin, chunk=2), all_partners(), [], "en",
            lambda e: report_day(e, filters.zone), every=1))
    assert len(chunks) == 1 + 4 + 1  # header, one per row, the (empty) rest
