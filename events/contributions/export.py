"""CSV files of the report tables; how a CSV is written (separator, decimal mark, BOM,
defused formulas) is the one rule in events.sheets."""

from decimal import Decimal

from flask_babel import gettext as _

from events.enums import Category, ContributionKind, InvolvementRole, InvolvementState, label
from events.sheets import BOM, Sheet


def partners_csv(rows, currencies, language) -> str:
    sheet = Sheet(language)
    sheet.row([_("Partner"), *(label(r) for r in InvolvementRole),
               _("Contributions"), *(label(k) for k in ContributionKind),
               *(_("Money, %(currency)s", currency=c) for c in currencies),
               _("Hours"), _("Registrations"), _("Check-ins")])
    for row in rows:
        sheet.row([row.partner.local_name, *(row.roles[r] for r in InvolvementRole),
                   row.contributions, *(row.kinds[k] for k in ContributionKind),
                   *(row.money.get(c) for c in currencies),
                   row.hours, row.registrations, row.checkins])
    return sheet.text()


def balance_csv(balance, month_labels, language) -> str:
    sheet = Sheet(language)
    sheet.row([_("Month"), *(p.local_name for p in balance.partners), _("Total"),
               *(_("Share of %(partner)s, %%", partner=p.local_short_name)
                 for p in balance.partners)])
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
        header += [_("%(partner)s: role", partner=partner.local_short_name),
                   _("%(partner)s: contributions", partner=partner.local_short_name),
                   _("%(partner)s: hours", partner=partner.local_short_name),
                   *(_("%(partner)s: money, %(currency)s", partner=partner.local_short_name,
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
