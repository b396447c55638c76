"""One rule for every CSV: the reader's separator and decimal mark, a BOM, CRLF, quoting and
defused formulas — the same for the attendee list and the report tables."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from events.contributions import export as report_export
from events.registrations import export as attendee_export
from events.sheets import Sheet, dialect_for


def parse(text: str, delimiter: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


@pytest.mark.parametrize(("language", "expected"), [
    ("ru", (";", ",")), ("ru_RU", (";", ",")), ("en", (",", ".")), ("en_GB", (",", "."))])
def test_dialect_follows_the_language(language, expected):
    assert dialect_for(language) == expected


@pytest.mark.parametrize(("language", "delimiter", "money"), [
    ("ru", ";", "1250,50"), ("en", ",", "1250.50")])
def test_sheet_writes_numbers_text_and_defuses_formulas(language, delimiter, money):
    sheet = Sheet(language)
    sheet.row(["Name", "Amount", "Count", "Note"])
    sheet.row(["Анна; «Север»", Decimal("1250.5"), 3, "=HYPERLINK(1)"])
    sheet.row(["-2", Decimal(-2), -2, "@SUM(A1)"])
    text = sheet.text()
    assert "\r\n" in text
    rows = parse(text, delimiter)
    assert rows[1] == ["Анна; «Север»", money, "3", "'=HYPERLINK(1)"]
    # Text that looks like a formula is defused; real numbers stay numbers.
    assert rows[2][0] == "'-2"
    assert rows[2][1:3] == [f"-2{'.' if language == 'en' else ','}00", "-2"]
    assert rows[2][3] == "'@SUM(A1)"
    assert sheet.data() == text.encode("utf-8")


class _User:
    def __init__(self, name, company):
        self.name, self.email, self.company, self.site_partner = name, "a@b.example", company, None


class _Registration:
    def __init__(self, n, user, status):
        self.id, self.user, self.status = n, user, status
        self.registered_at = datetime(2031, 1, 5, 9, 0, tzinfo=UTC)
        self.checked_in_at = self.registered_at + timedelta(days=2) if n == 1 else None
        self.anonymised_at = None


class _Event:
    timezone = "Europe/Moscow"


@pytest.mark.parametrize(("language", "delimiter"), [("ru", ";"), ("en", ",")])
def test_attendee_list_and_reports_share_the_rule(app, language, delimiter):
    from flask_babel import force_locale

    from events.enums import RegistrationStatus

    regs = [_Registration(1, _User("Анна", "=cmd|x"), RegistrationStatus.CONFIRMED),
            _Registration(2, _User("Bob", "Acme, Inc."), RegistrationStatus.WAITLISTED)]
    with app.test_request_context(), force_locale(language):
        attendees = attendee_export.attendees_csv(_Event(), regs, {2: 1}, language)
        report = report_export.balance_csv(_Balance(), ["Jan 2031"], language)
    rows = parse(attendees.decode("utf-8"), delimiter)
    assert len(rows[0]) == 8
    assert rows[1][0] == "Анна"
    assert rows[1][2] == "'=cmd|x"
    assert rows[1][7] == "2031-01-07 12:00"  # in the event's zone
    assert rows[2][2] == "Acme, Inc."
    assert rows[2][5] == "1"
    assert rows[1][4] == ("Подтверждена" if language == "ru" else "Confirmed")
    balance = parse(report, delimiter)
    assert balance[1][0] == "Jan 2031"
    assert balance[1][-1] == ("12,50" if language == "ru" else "12.50")


class _Partner:
    id, name, short_name = 1, "Alpha", "A"
    local_name = local_short_name = "Alpha"


class _Balance:
    partners = [_Partner()]
    counts = {(0, 1): 4}

    def month_total(self, index):
        return 4

    def share(self, index, partner_id):
        return Decimal("12.5")
