"""The annual report of an agreement: the year's events, people reached and checked in,
contributions by partner and kind with their value, plan against fact and the monthly chart —
built once, then written as an XLSX workbook (openpyxl) or a PDF (WeasyPrint)."""

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from events.agreements.enums import ValueBasis
from events.agreements.models import Target
from events.agreements.progress import Progress, midnight, progress_of
from events.agreements.queries import (
    active_contributions,
    agreement_event_clause,
    value_rows,
)
from events.agreements.valuation import ValueBalance, money, value_balance
from events.contributions.charts import Series, share_chart
from events.enums import Category, ContributionKind, EventStatus, RegistrationStatus, label
from events.extensions import db
from events.i18n import report_zone
from events.planning.models import Event, Involvement, Programme
from events.registrations.models import Registration

STATIC = Path(__file__).resolve().parent.parent.parent / "static"
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass
class KindRow:
    partner: object
    kind: ContributionKind
    rows: int = 0
    value: Decimal = Decimal("0.00")
    missing: int = 0
    money: dict = field(default_factory=lambda: defaultdict(Decimal))


@dataclass
class AnnualReport:
    agreement: object
    year: int
    start: date
    end: date
    events: list
    reach: dict  # event id -> (registrations, check-ins)
    categories: dict
    kinds: list[KindRow]
    values: ValueBalance
    plan: list[Progress]
    months: list[date]
    month_values: dict  # (month index, partner id) -> roubles
    chart: str = ""
    zone: ZoneInfo | None = None  # whose calendar dates the report counts

    @property
    def registrations(self) -> int:
        return sum(r for r, _c in self.reach.values())

    @property
    def checkins(self) -> int:
        return sum(c for _r, c in self.reach.values())


def year_period(agreement, year: int) -> tuple[date, date]:
    """The calendar year, cut to the agreement's period in force."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    start = max(start, agreement.starts_on)
    if agreement.ends_on is not None:
        end = min(end, agreement.ends_on)
    return start, end


def build_annual(agreement, year: int, today: date,
                 zone: ZoneInfo | None = None) -> AnnualReport:
    """The year's report, its dates counted in `zone` (by default REPORT_TIMEZONE)."""
    zone = zone or report_zone()
    start, end = year_period(agreement, year)
    conditions = [Event.status == EventStatus.SCHEDULED, Event.starts_at >= midnight(start, zone),
                  Event.starts_at < midnight(end + timedelta(days=1), zone),
                  agreement_event_clause(agreement)]
    events = list(db.session.scalars(
        sa.select(Event).where(*conditions)
        .options(selectinload(Event.involvements).selectinload(Involvement.partner),
                 selectinload(Event.venue), selectinload(Event.programme))
        .order_by(Event.starts_at, Event.id))) if start <= end else []
    reach = {event_id: (int(registered or 0), int(checked or 0))
             for event_id, registered, checked in db.session.execute(
                 sa.select(Registration.event_id, sa.func.count(Registration.id),
                           sa.func.count(Registration.checked_in_at))
                 .join(Event, Event.id == Registration.event_id)
                 .where(Registration.status == RegistrationStatus.CONFIRMED, *conditions)
                 .group_by(Registration.event_id))} if events else {}
    categories = {c: 0 for c in Category}
    for event in events:
        categories[event.category] += 1
    rows = value_rows([*conditions, active_contributions()]) if events else []
    parties = agreement.parties
    kinds: dict = {}
    month_values: dict = defaultdict(Decimal)

    def tally(row, valued, day):  # by partner and kind, and per month, in the same pass
        item = kinds.setdefault((row.partner_id, row.kind),
                                KindRow(party_map[row.partner_id], row.kind))
        item.rows += 1
        if row.amount is not None:
            item.money[row.currency] += row.amount
        if valued.value is None:
            item.missing += 1
            return
        item.value += valued.value
        month_values[(day.month - start.month, row.partner_id)] += valued.value

    party_map = {p.id: p for p in parties}
    values = value_balance(rows, parties, zone, each=tally)
    order = list(ContributionKind)
    kind_rows = sorted(kinds.values(), key=lambda k: (k.partner.id, order.index(k.kind)))

    targets = list(db.session.scalars(
        sa.select(Target).where(
            sa.or_(Target.agreement_id == agreement.id,
                   Target.programme_id.in_(sa.select(Programme.id).where(
                       Programme.agreement_id == agreement.id))),
            Target.starts_on <= end, Target.ends_on >= start)
        .options(selectinload(Target.partner), selectinload(Target.programme))
        .order_by(Target.partner_id.is_not(None), Target.partner_id, Target.metric,
                  Target.id)))
    months = [date(year, m, 1) for m in range(start.month, end.month + 1)] \
        if start <= end else []
    report = AnnualReport(agreement, year, start, end, events, reach, categories, kind_rows,
                          values, progress_of(targets, today, zone=zone), months,
                          dict(month_values), zone=zone)
    report.chart = _chart(report)
    return report


def _chart(report: AnnualReport) -> Markup:
    labels = [format_date(m, "LLL yyyy") for m in report.months]
    if not labels:
        return Markup("")
    return share_chart(
        title=_("Share of the joint effort by value, per month"),
        description=_("Stacked columns, one per month of %(year)d: each column is 100 %% of "
                      "that month's contributions valued in roubles, split by partner.",
                      year=report.year),
        columns=labels,
        series=[Series(p.short_name, p.color,
                       [int(report.month_values.get((i, p.id), 0)) for i in range(len(labels))])
                for p in report.agreement.parties],
        x_title=_("Month of the event (Moscow time)"),
        y_title=_("Share of the value"),
        empty_text="—",
        element_id="annual-balance",
    )


# ---- XLSX ----------------------------------------------------------------------------------

def _sheet_title(text: str) -> str:
    for char in "[]:*?/\\":
        text = text.replace(char, " ")
    return text[:31]


def _put(sheet, values) -> None:
    """Append a row: numbers as numbers, dates as dates, and text never run as a formula."""
    sheet.append(list(values))
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell.value = value
            cell.data_type = "s"
        elif isinstance(value, Decimal):
            cell.number_format = "#,##0.00"
        elif isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"


def _header(sheet, values) -> None:
    from openpyxl.styles import Font

    _put(sheet, values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    if sheet.max_row == 1:  # a string, so no empty cell is created below the header
        sheet.freeze_panes = "A2"


def annual_xlsx(report: AnnualReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    book = Workbook()
    summary = book.active
    summary.title = _sheet_title(_("Summary"))
    agreement = report.agreement
    _put(summary, [_("Annual report"), agreement.title])
    _put(summary, [_("Number"), agreement.number])
    _put(summary, [_("Year"), report.year])
    _put(summary, [_("Period"), report.start, report.end])
    _put(summary, [_("Parties"), ", ".join(p.name for p in agreement.parties)])
    _put(summary, [_("Events held"), len(report.events)])
    _put(summary, [_("People registered"), report.registrations])
    _put(summary, [_("People checked in"), report.checkins])
    _put(summary, [_("Total value, RUB"), report.values.total_value])
    _put(summary, [_("Contributions without a rate"), len(report.values.missing)])
    _put(summary, [])
    _header(summary, [_("Category"), _("Events")])
    for category, count in report.categories.items():
        if count:
            _put(summary, [label(category), count])

    sheet = book.create_sheet(_sheet_title(_("Events")))
    _header(sheet, [_("Date"), _("Event"), _("Category"), _("Format"), _("Programme"),
                    _("Partners"), _("Registrations"), _("Check-ins")])
    for event in report.events:
        registered, checked = report.reach.get(event.id, (0, 0))
        _put(sheet, [event.starts_at.astimezone(report.zone).date(), event.title,
                     label(event.category),
                     label(event.format), event.programme.title if event.programme else "",
                     ", ".join(i.partner.short_name for i in event.involvements
                               if i.state.value != "declined"), registered, checked])

    currencies = sorted({c for k in report.kinds for c in k.money},
                        key=lambda c: (c != "RUB", c))
    sheet = book.create_sheet(_sheet_title(_("Contributions")))
    _header(sheet, [_("Partner"), _("Kind"), _("Contributions"), _("Value, RUB"),
                    _("Without a rate"),
                    *(_("Money, %(currency)s", currency=c) for c in currencies)])
    for row in report.kinds:
        _put(sheet, [row.partner.name, label(row.kind), row.rows, row.value, row.missing,
                     *(row.money.get(c) for c in currencies)])

    sheet = book.create_sheet(_sheet_title(_("Value")))
    _header(sheet, [_("Partner"), _("Contributions"), _("Share by rows, %"), _("Value, RUB"),
                    _("Share by value, %"), *(label(b) + ", RUB" for b in ValueBasis
                                              if b != ValueBasis.MISSING)])
    for row in report.values.partners:
        _put(sheet, [row.partner.name, row.rows, report.values.row_share(row), row.value,
                     report.values.value_share(row),
                     *(row.by_basis.get(b, Decimal("0.00")) for b in ValueBasis
                       if b != ValueBasis.MISSING)])
    _put(sheet, [])
    _put(sheet, [_("How the value is found"), valuation_basis_text()])
    _put(sheet, [])
    _header(sheet, [_("Currency"), _("Rate set on"), _("Nominal"), _("Roubles for the nominal"),
                    _("Amount"), _("Value, RUB"), _("Contributions")])
    for item in report.values.conversions:
        _put(sheet, [item.currency, item.rate_on, item.nominal, item.value, item.amount,
                     item.roubles, item.rows])

    sheet = book.create_sheet(_sheet_title(_("Plan against fact")))
    _header(sheet, [_("Partner"), _("Target"), _("From"), _("To"), _("Planned"), _("Fact"),
                    _("Progress, %"), _("Expected by now"), _("Pace"), _("Events")])
    for item in report.plan:
        target = item.target
        _put(sheet, [target.partner.name if target.partner else _("All partners together"),
                     target_text(target), target.starts_on, target.ends_on, target.planned,
                     item.fact, item.percent, item.expected, label(item.pace),
                     item.event_count])

    sheet = book.create_sheet(_sheet_title(_("No rate yet")))
    _header(sheet, [_("Date"), _("Event"), _("Partner"), _("Kind"), _("Why")])
    for item in report.values.missing:
        _put(sheet, [item.day, item.event_title, item.partner.name, label(item.kind),
                     item.reason])

    sheet = book.create_sheet(_sheet_title(_("Months")))
    parties = report.agreement.parties
    _header(sheet, [_("Month"), *(p.short_name for p in parties)])
    for index, month in enumerate(report.months):
        _put(sheet, [format_date(month, "LLL yyyy"),
                     *(money(report.month_values.get((index, p.id), Decimal(0)))
                       for p in parties)])
    if report.months and parties:
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "col", "percentStacked", 100
        chart.title = _("Share of the joint effort by value, per month")
        data = Reference(sheet, min_col=2, max_col=1 + len(parties), min_row=1,
                         max_row=1 + len(report.months))
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2,
                                       max_row=1 + len(report.months)))
        sheet.add_chart(chart, f"{chr(ord('B') + len(parties) + 1)}2")
    for ws in book.worksheets:
        for column in ws.columns:
            width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            ws.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- PDF -----------------------------------------------------------------------------------

def _refuse_fetch(url: str, *args, **kwargs):
    """WeasyPrint reads nothing from outside: the page and its stylesheet are given to it."""
    raise ValueError(f"external resource refused: {url[:80]}")


def annual_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML

    stylesheet = CSS(filename=str(STATIC / "css" / "agreements-print.css"),
                     url_fetcher=_refuse_fetch)
    return HTML(string=html, url_fetcher=_refuse_fetch,
                base_url=str(STATIC)).write_pdf(stylesheets=[stylesheet])


# ---- words ---------------------------------------------------------------------------------

def valuation_basis_text() -> str:
    return _(
        "Each contribution is valued in roubles on the date of its event: an agreed value "
        "recorded on the contribution comes first; money in roubles counts as it is; money in "
        "another currency is converted at the Central Bank of Russia's official rate in force "
        "on that date (the rate and its date are shown); rooms, staff time, speakers and other "
        "help in kind are quantity × the price of the rate card in force on that date (a "
        "room's own price before the general one; the agreement's card before the partner's). "
        "Contributions with no rate are listed, never counted as zero. Withdrawn contributions "
        "do not count.")


def target_text(target) -> str:
    """'Events · workshop · in person' — what a target counts, in words."""
    parts = [label(target.metric)]
    for value in (target.category, target.format, target.kind):
        if value is not None:
            parts.append(label(value).lower())
    if target.currency:
        parts.append(target.currency)
    if target.programme is not None:
        parts.append(target.programme.title)
    return " · ".join(parts)


def target_details(target) -> str:
    """What narrows a target ('workshop · in person · programme title — note')."""
    parts = [label(v).lower() if i < 3 else v for i, v in enumerate(
        (target.category, target.format, target.kind, target.currency)) if v is not None]
    if target.programme is not None:
        parts.append(target.programme.title)
    text = " · ".join(str(p) for p in parts)
    return f"{text} — {target.note}" if target.note else text


def generated_at() -> str:
    return format_date(datetime.now(report_zone()).date(), "long")
