"""What the cooperation report (/reports) shows of this area: the balance by value of the
filtered contributions, and plan against fact of the targets meeting the period — plus
their CSV files, written with the report's own CSV helper."""

from datetime import date

from flask_babel import gettext as _

from events.agreements.progress import EVENTS_LISTED, Progress, progress_of
from events.agreements.queries import targets_overlapping, value_rows, visible_agreements
from events.agreements.valuation import ValueBalance, value_balance
from events.auth.permissions import can_view_agreement
from events.contributions.export import Sheet
from events.contributions.reports import ReportFilters, event_conditions, status_conditions
from events.enums import label


def report_values(filters: ReportFilters, user, partners) -> ValueBalance:
    rows = value_rows([*event_conditions(filters, user), *status_conditions(filters)])
    return value_balance(rows, partners, filters.zone)


def report_plan(filters: ReportFilters, user, today: date, *,
                listed: int | None = EVENTS_LISTED) -> list[Progress]:
    agreements = visible_agreements(user)
    targets = targets_overlapping(filters.start, filters.end, programme_id=filters.programme_id,
                                  agreement_ids={a.id for a in agreements})
    targets = [t for t in targets if t.agreement is None or can_view_agreement(user, t.agreement)]
    return progress_of(targets, today, listed=listed, zone=filters.zone)


def values_csv(values: ValueBalance, language: str) -> str:
    sheet = Sheet(language)
    sheet.row([_("Partner"), _("Contributions"), _("Share by rows, %"), _("Value, RUB"),
               _("Share by value, %"), _("No rate yet")])
    for row in values.partners:
        sheet.row([row.partner.name, row.rows, values.row_share(row), row.value,
                   values.value_share(row), row.missing])
    sheet.row([])
    sheet.row([_("Currency"), _("Rate set on"), _("Nominal"), _("Roubles for the nominal"),
               _("Amount"), _("Value, RUB")])
    for item in values.conversions:
        sheet.row([item.currency, item.rate_on.isoformat(), item.nominal, item.value,
                   item.amount, item.roubles])
    sheet.row([])
    sheet.row([_("Date"), _("Event"), _("Partner"), _("Kind"), _("No rate yet")])
    for item in values.missing:
        sheet.row([item.day.isoformat(), item.event_title, item.partner.name, label(item.kind),
                   item.reason])
    return sheet.text()
