"""Turns the query string into report filters, and the SQL aggregates into what the report
page, its CSV files and its chart show (labels in the reader's language)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from events.contributions.charts import Series, share_chart
from events.contributions.forms import ReportFilterForm
from events.contributions.queries import all_programmes
from events.contributions.reports import (
    EVENTS_PER_PAGE,
    ReportFilters,
    add_months,
    balance,
    contribution_cube,
    currencies_in,
    default_period,
    event_conditions,
    event_count,
    event_table,
    partner_table,
    totals_by_currency,
)
from events.enums import Category, InvolvementState, label
from events.i18n import report_zone
from events.partners.queries import all_partners
from events.planning.models import Event, Involvement
from events.registrations.feedback import attendance_by


def report_filters(args, user) -> tuple[ReportFilterForm, ReportFilters | None]:
    """The filter form bound to the query string; filters are None when the input is wrong."""
    partners, programmes = all_partners(), all_programmes()
    form = ReportFilterForm(args, partners=partners, programmes=programmes)
    # A missing end is a year after the start, a missing start a year before the end, and
    # with neither the period is the default one around today.
    zone = report_zone()
    start, end = default_period(datetime.now(zone).date())
    if form.start.data and not form.end.data and not form.end.process_errors:
        form.end.data = add_months(form.start.data, 12) - timedelta(days=1)
    elif form.end.data and not form.start.data and not form.start.process_errors:
        form.start.data = add_months(form.end.data + timedelta(days=1), -12)
    form.start.data = form.start.data or start
    form.end.data = form.end.data or end
    if not form.status.data:
        form.status.data = "active"
    if not form.validate():
        return form, None
    return form, ReportFilters(
        start=form.start.data,
        end=form.end.data,
        zone_name=zone.key,
        partner_id=int(form.partner.data) if form.partner.data else None,
        category=Category(form.category.data) if form.category.data else None,
        status=form.status.data,
        programme_id=int(form.programme.data) if form.programme.data else None,
    )


def report_day(event, zone) -> str:
    """The event's (first) day as ISO text: in the report's zone, or an all-day event's own."""
    if event.is_all_day:
        return event.first_day.isoformat()
    return event.starts_at.astimezone(zone).date().isoformat()


def month_label(month) -> str:
    return format_date(month, "LLL yyyy")


def report_context(filters: ReportFilters, user, *, page: int | None = 1,
                   with_events: bool = True, standalone_chart: bool = False) -> dict:
    partners = all_partners()
    cube = contribution_cube(filters, user)
    partner_rows = partner_table(filters, user, partners, cube)
    shares = balance(filters, user, partners, cube)
    labels = [month_label(m) for m in shares.months]
    chart = share_chart(
        title=_("Share of the joint effort per month"),
        description=_(
            "Stacked columns, one per month from %(start)s to %(end)s: each column is 100 %% "
            "of that month's contributions, split by partner. %(summary)s",
            start=labels[0], end=labels[-1],
            summary=" ".join(
                _("%(partner)s: %(count)d contributions.", partner=p.local_name,
                  count=shares.partner_total(p.id)) for p in partners),
        ),
        columns=labels,
        series=[Series(p.local_short_name, p.color, [shares.counts.get((i, p.id), 0)
                                               for i in range(len(labels))])
                for p in partners],
        x_title=_("Month of the event (Moscow time)"),
        y_title=_("Share of contributions"),
        empty_text="—",
        standalone=standalone_chart,
    )
    from events.agreements.annual import valuation_basis_text
    from events.agreements.progress import by_partner
    from events.agreements.reporting import report_plan, report_values

    context = {
        "attendance": attendance_tables(filters, user, partners),
        "values": report_values(filters, user, partners),
        "plan": by_partner(report_plan(filters, user, datetime.now(filters.zone).date())),
        "valuation_basis": valuation_basis_text(),
        "filters": filters,
        "partners": partners,
        "partner_rows": partner_rows,
        "currencies": currencies_in(partner_rows),
        "money_totals": totals_by_currency(partner_rows),
        "balance": shares,
        "month_labels": labels,
        "chart": chart,
        # ISO dates: unambiguous in both languages and sorted right by spreadsheets.
        "format_day": lambda event: report_day(event, filters.zone),
    }
    if with_events:
        rows = event_table(filters, user, page=page)
        total = event_count(filters, user) if page is not None else len(rows)
        context.update(
            event_rows=rows,
            event_total=total,
            event_currencies=currencies_in(rows),
            page=page or 1,
            pages=max(1, -(-total // EVENTS_PER_PAGE)),
        )
    return context


@dataclass
class AttendanceTable:
    """One of the report's attendance tables: rows of (label, Attendance), in display order."""

    title: str
    heading: str
    rows: list


def attendance_tables(filters: ReportFilters, user, partners) -> list[AttendanceTable]:
    """Attendance and feedback of the report's events that are over, per partner taking part,
    per category and per programme (events.registrations.feedback)."""
    conditions = event_conditions(filters, user)
    # Its own alias: the visibility clause has subqueries on involvements of its own.
    part = aliased(Involvement)
    taking_part = [part.event_id == Event.id, part.state == InvolvementState.ACCEPTED]
    by_partner = attendance_by(part.partner_id, [*conditions, *taking_part])
    by_category = attendance_by(Event.category, conditions)
    by_programme = attendance_by(Event.programme_id, conditions)
    programmes = {p.id: p.title for p in all_programmes()}
    return [
        AttendanceTable(_("Per partner"), _("Partner"),
                        [(p.local_name, by_partner[p.id]) for p in partners
                         if p.id in by_partner]),
        AttendanceTable(_("Per category"), _("Category"),
                        [(label(c), by_category[c]) for c in Category if c in by_category]),
        AttendanceTable(_("Per programme"), _("Programme"),
                        [(programmes.get(pid, _("No programme")), row)
                         for pid, row in sorted(by_programme.items(),
                                                key=lambda item: (item[0] is None,
                                                                  programmes.get(item[0], "")))]),
    ]
