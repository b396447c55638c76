"""Official rates: the Bank's daily file read exactly (comma decimals, Nominal), imported by
`flask rates import` from a recorded file or a URL under the outbound-address rules, and
entered by hand by coordinators — every change audited."""

import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from events.agreements.models import ExchangeRate
from events.agreements.rates import import_cbr_daily, parse_cbr_daily
from events.audit.models import AuditEntry
from events.errors import NotAllowed, ValidationFailed
from events.extensions import db
from tests.agreements.conftest import DATA
from tests.conftest import login

JANUARY = DATA / "XML_daily_2031-01-15.xml"


def rates():
    return {(r.currency, r.rate_on): (r.nominal, r.value, r.source.value)
            for r in db.session.scalars(sa.select(ExchangeRate))}


def test_the_daily_file_is_read_exactly():
    day, found = parse_cbr_daily(JANUARY.read_bytes())
    assert day == date(2031, 1, 15)
    assert [(r.currency, r.nominal, r.value) for r in found] == [
        ("USD", 1, Decimal("90.1234")), ("EUR", 1, Decimal("98.5432")),
        ("JPY", 100, Decimal("61.2345")), ("CNY", 1, Decimal("12.3456"))]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "not the Bank of Russia's daily rates file"),
    (b"<html><body>Moved</body></html>", "not the Bank of Russia's daily rates file"),
    (b"<ValCurs Date='1.1.31'><Valute/></ValCurs>", "no valid date"),
    (b"<ValCurs Date='15.01.2031'></ValCurs>", "holds no rates"),
    (b"<ValCurs Date='15.01.2031'><Valute><CharCode>EUR</CharCode><Nominal>1</Nominal>"
     b"<Value>abc</Value></Valute></ValCurs>", "rate of EUR cannot be read"),
    (b"<ValCurs Date='15.01.2031'><Valute><CharCode>EUR</CharCode><Nominal>1</Nominal>"
     b"<Value>-1,0</Value></Valute></ValCurs>", "rate of EUR cannot be read"),
    (b"<ValCurs Date='15.01.2031'><Valute><CharCode>EUR</CharCode><Nominal>1</Nominal>"
     b"<Value>1,123456</Value></Valute></ValCurs>", "rate of EUR cannot be read"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
     b"<ValCurs Date='15.01.2031'>&b;</ValCurs>", "cannot be read"),
    (b"<ValCurs", "cannot be read"),
])
def test_broken_or_hostile_files_are_refused_clearly(app, data, message):
    with pytest.raises(ValidationFailed) as error:
        parse_cbr_daily(data)
    assert message in error.value.message


def test_cli_imports_a_recorded_file_once_and_corrections_are_audited(world, runner, tmp_path):
    result = runner.invoke(args=["rates", "import", str(JANUARY)])
    assert result.exit_code == 0, result.output
    assert "rates of 2031-01-15: 4 stored" in result.output
    assert rates()[("EUR", date(2031, 1, 15))] == (1, Decimal("98.5432"), "cbr")
    again = runner.invoke(args=["rates", "import", str(JANUARY)])
    assert "0 stored or corrected" in again.output
    corrected = tmp_path / "corrected.xml"
    corrected.write_bytes(JANUARY.read_bytes().replace(b"98,5432", b"98,6000"))
    result = runner.invoke(args=["rates", "import", str(corrected), "--currency", "eur",
                                 "--as", world.coord_a.email])
    assert "1 stored or corrected" in result.output
    assert rates()[("EUR", date(2031, 1, 15))][1] == Decimal("98.6000")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "rate.update")
                               ).one()
    assert entry.changes["value"] == ["98.5432", "98.6000"]
    assert entry.actor_id == world.coord_a.id


def test_cli_explains_what_it_cannot_read(world, runner, tmp_path):
    assert "no such file" in runner.invoke(args=["rates", "import", "/no/such.xml"]).output
    junk = tmp_path / "junk.xml"
    junk.write_text("hello")
    result = runner.invoke(args=["rates", "import", str(junk)])
    assert result.exit_code != 0
    assert "cannot be read" in result.output
    result = runner.invoke(args=["rates", "import", str(JANUARY), "--as", world.staff_a.email])
    assert result.exit_code != 0
    assert "Only administrators and coordinators" in result.output
    result = runner.invoke(args=["rates", "import", "ftp://example.org/x.xml"])
    assert result.exit_code != 0  # neither a file nor an http(s) address


def test_staff_may_not_enter_rates(world):
    with pytest.raises(NotAllowed):
        import_cbr_daily(world.staff_a, JANUARY.read_bytes())


# ---- fetching under the outbound-address rules of events/net.py (tested in tests/test_net.py)

class _Bank(BaseHTTPRequestHandler):
    redirect_to = None

    def do_GET(self):
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", self.redirect_to)
            self.end_headers()
            return
        body = JANUARY.read_bytes() if self.path.startswith("/scripts") else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/xml")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def bank():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Bank)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_cli_reads_rates_from_an_allowed_address(world, runner, bank):
    runner.app.config["FETCH_ALLOWED_ADDRESSES"] = ["127.0.0.1"]
    result = runner.invoke(args=["rates", "import",
                                 bank + "/scripts/XML_daily.asp?date_req=15/01/2031"])
    assert result.exit_code == 0, result.output
    assert "rates of 2031-01-15" in result.output


def test_cli_refuses_a_loopback_url(world, runner, bank):
    result = runner.invoke(args=["rates", "import", bank + "/scripts/XML_daily.asp"])
    assert result.exit_code != 0
    assert "private networks are refused" in result.output
    assert rates() == {}


# ---- by hand ---------------------------------------------------------------------------------

def test_coordinators_enter_a_rate_by_hand(world, client):
    login(client, world.coord_b)
    response = client.post("/rates/exchange", data={"currency": "CNY", "rate_on": "2031-01-16",
                                                    "nominal": "1", "value": "12,40"})
    assert response.status_code == 302
    assert rates() == {("CNY", date(2031, 1, 16)): (1, Decimal("12.4000"), "manual")}
    page = client.get("/rates").get_data(as_text=True)
    assert "12.4000 RUB for 1 CNY" in page


@pytest.mark.parametrize(("form", "message"), [
    ({"currency": "RUB", "value": "1"}, "Not a valid choice"),
    ({"currency": "EUR", "value": "abc"}, "at most four decimals"),
    ({"currency": "EUR", "value": "1,123456"}, "at most four decimals"),
    ({"currency": "EUR", "value": "0"}, "at most four decimals"),
    ({"currency": "EUR", "value": "1", "nominal": "7"}, "Not a valid choice"),
])
def test_wrong_rates_are_refused_with_a_message(world, client, form, message):
    login(client, world.coord_a)
    data = {"rate_on": "2031-01-16", "nominal": "1"} | form
    response = client.post("/rates/exchange", data=data, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert rates() == {}


def test_staff_see_rates_but_cannot_enter_them(world, client):
    login(client, world.staff_a)
    assert client.get("/rates").status_code == 200
    assert client.post("/rates/exchange", data={"currency": "EUR", "rate_on": "2031-01-16",
                                                "nominal": "1", "value": "99"}).status_code == 403
