"""CSV files of the report tables that spreadsheets open as they are: UTF-8 with a BOM (so
Cyrillic survives Excel), the reader's list separator and decimal mark (";" and "," in
Russian), proper quoting, and no cell that a spreadsheet would run as a formula."""

import csv
import io
from decimal import Decimal

from flask_babel import gettext as _

from events.enums import Category, ContributionKind, InvolvementRole, InvolvementState, label

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def dialect_for(language: str) -> tuple[str, str]:
    """(delimiter, decimal mark) that a spreadsheet in this language expects."""
    return (";", ",") if language == "ru" else (",", ".")


class Sheet:
    def __init__(self, language: str):
        self.delimiter, self.decimal_mark = dialect_for(language)
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, delimiter=self.delimiter,
                                 quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")

    def cell(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", self.decimal_mark)
        if isinstance(value, int):
            return str(value)
        text = str(value)
        return "'" + text if text.startswith(FORMULA_STARTS) else text

    def row(self, values) -> None:
        self.writer.writerow([self.cell(v) for v in values])

    def text(self) -> str:
        return BOM + self.buffer.getvalue()

    def take(self) -> bytes:
        """What was written since the last take, as UTF-8 (for streaming)."""
        data = self.buffer.getvalue().encode("utf-8")
        self.buffer.seek(0)
        self.buffer.truncate()
        return data


def partners_csv(rows, currencies, language) -> str:
    sheet = Sheet(language)
    sheet.row([_("Partner"), *(label(r) for r in InvolvementRole),
               _("Contributions"), *(label(k) for k in ContributionKind),
               *(_("Money, %(currency)s", currency=c) for c in currencies),
               _("Hours"), _("Registrations"), _("Check-ins")])
    for row in rows:
        sheet.row([row.partner.name, *(row.roles[r] for r in InvolvementRole),
                   row.contributions, *(row.kinds[k] for k in ContributionKind),
                   *(row.money.get(c) for c in currencies),
                   row.hours, row.registrations, row.checkins])
    return sheet.text()


def balance_csv(balance, month_labels, language) -> str:
    sheet = Sheet(language)
    sheet.row([_("Month"), *(p.name for p in balance.partners), _("Total"),
               *(_("Share of %(partner)s, %%", partner=p.short_name) for p in balance.partners)])
    for index, month in enumerate(month_labels):
        sheet.row([month, *(balance.counts.get((index, p.id), 0) for p in balance.partners),
                   balance.month_total(index),
                   *(balance.share(index, p.id) for p in balance.partners)])
    return sheet.text()


def events_csv_chunks(rows, partners, currencies, language, format_day, *, every: int = 500):
    """The per-event CSV as UTF-8 chunks of `every` rows (BOM and header first)."""
    sheet = Sheet(language)
    header = [_("Date"), _("Event"), _("Category"), _("Programme")]
    for partner in partners:
        header += [_("%(partner)s: role", partner=partner.short_name),
                   _("%(partner)s: contributions", partner=partner.short_name),
                   _("%(partner)s: hours", partner=partner.short_name),
                   *(_("%(partner)s: money, %(currency)s", partner=partner.short_name,
                       currency=c) for c in currencies)]
    sheet.row(header)
    yield BOM.encode("utf-8") + sheet.take()
    # Labels once, not per row: translating is the slow part of a 10,000-row export.
    categories = {c: label(c) for c in Category}
    role_names = {r: label(r) for r in InvolvementRole}
    empty = {"count": 0, "money": {}, "hours": Decimal(0)}
    for n, row in enumerate(rows, start=1):
        event = row.event
        roles = {i.partner_id: i.role for i in event.involvements
                 if i.state != InvolvementState.DECLINED}
        values = [format_day(event), event.title, categories[event.category],
                  event.programme.title if event.programme else ""]
        for partner in partners:
            cell = row.cells.get(partner.id, empty)
            role = roles.get(partner.id)
            values += [role_names[role] if role else "", cell["count"], cell["hours"],
                       *(cell["money"].get(c) for c in currencies)]
        sheet.row(values)
        if n % every == 0:
            yield sheet.take()
    yield sheet.take()


def events_csv(rows, partners, currencies, language, format_day) -> str:
    """The per-event CSV as one string (small exports, tests)."""
    return b"".join(events_csv_chunks(rows, partners, currencies, language,
                                      format_day)).decode("utf-8")
