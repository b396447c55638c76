"""The cooperation reports, aggregated in SQL: a fixed number of GROUP BY queries whatever
the number of events, so the page stays fast with tens of thousands of rows.

Periods are calendar dates in the reports' zone (REPORT_TIMEZONE): a date range becomes the UTC
instants of local midnights, and months are bucketed with the same boundaries, so an event at
00:30 Moscow time on the 1st belongs to that month even though it is still the 31st in UTC.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from events.contributions.models import Contribution
from events.contributions.services import HOURS
from events.enums import (
    Category,
    ContributionKind,
    ContributionStatus,
    EventStatus,
    InvolvementRole,
    InvolvementState,
    RegistrationStatus,
)
from events.extensions import db
from events.partners.models import Partner
from events.planning.models import Event, Involvement
from events.planning.queries import visible_events_clause
from events.registrations.models import Registration

# Drafts are not joint yet and cancelled events did not happen: the report covers the rest.
REPORTED_STATUSES = (EventStatus.PROPOSED, EventStatus.SCHEDULED)
EVENTS_PER_PAGE = 50


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def default_period(today: date) -> tuple[date, date]:
    """Five months back to six ahead: the recent past and what is pledged for the future."""
    first = add_months(today.replace(day=1), -5)
    return first, add_months(first, 12) - timedelta(days=1)


@dataclass(frozen=True)
class ReportFilters:
    start: date
    end: date  # inclusive
    zone_name: str  # the reports' zone (REPORT_TIMEZONE): its midnights bound the period
    partner_id: int | None = None
    category: Category | None = None
    status: str = "active"  # active | pledged | delivered | withdrawn | all
    programme_id: int | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.zone_name)

    def midnight(self, day: date) -> datetime:
        """The UTC instant of local midnight starting `day`."""
        return datetime.combine(day, time(0), self.zone).astimezone(ZoneInfo("UTC"))

    @property
    def starts_at(self) -> datetime:
        return self.midnight(self.start)

    @property
    def ends_at(self) -> datetime:
        return self.midnight(self.end + timedelta(days=1))

    def months(self) -> list[date]:
        first, months = self.start.replace(day=1), []
        while first <= self.end:
            months.append(first)
            first = add_months(first, 1)
        return months

    def query_args(self, **overrides) -> dict:
        args = {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "partner": self.partner_id or "", "category": self.category or "",
                "status": self.status, "programme": self.programme_id or ""}
        args.update(overrides)
        return {k: v for k, v in args.items() if v not in ("", None)}


def event_conditions(filters: ReportFilters, user) -> list:
    """Which events the report covers: the period, the filters, and what the reader may see."""
    conditions = [
        Event.starts_at >= filters.starts_at,
        Event.starts_at < filters.ends_at,
        Event.status.in_(REPORTED_STATUSES),
        visible_events_clause(user),
    ]
    if filters.category:
        conditions.append(Event.category == filters.category)
    if filters.programme_id:
        conditions.append(Event.programme_id == filters.programme_id)
    if filters.partner_id:
        takes_part = aliased(Involvement)
        conditions.append(
            sa.select(takes_part.id).where(
                takes_part.event_id == Event.id,
                takes_part.partner_id == filters.partner_id,
                takes_part.state != InvolvementState.DECLINED,
            ).exists()
        )
    return conditions


def status_conditions(filters: ReportFilters) -> list:
    if filters.status == "all":
        return []
    if filters.status == "active":
        return [Contribution.status != ContributionStatus.WITHDRAWN]
    return [Contribution.status == ContributionStatus(filters.status)]


def _contributions(filters, user, *columns):
    return (
        sa.select(*columns)
        .select_from(Contribution)
        .join(Event, Event.id == Contribution.event_id)
        .where(*event_conditions(filters, user), *status_conditions(filters))
    )


def _hours_sum():
    return sa.func.sum(sa.case((Contribution.unit == HOURS, Contribution.quantity), else_=None))


def _exact(value) -> Decimal:
    """Quantities come back as floats on SQLite; two decimals is what was stored."""
    return Decimal(str(round(float(value or 0), 2))).quantize(Decimal("0.01"))


@dataclass
class PartnerRow:
    partner: Partner
    roles: dict = field(default_factory=lambda: dict.fromkeys(InvolvementRole, 0))
    kinds: dict = field(default_factory=lambda: dict.fromkeys(ContributionKind, 0))
    money: dict = field(default_factory=dict)
    hours: Decimal = Decimal("0.00")
    registrations: int = 0
    checkins: int = 0

    @property
    def contributions(self) -> int:
        return sum(self.kinds.values())

    @property
    def hosted(self) -> int:
        return self.roles[InvolvementRole.HOST]

    @property
    def co_hosted(self) -> int:
        return self.roles[InvolvementRole.CO_HOST]

    @property
    def supported(self) -> int:
        return self.roles[InvolvementRole.SUPPORTER]


def contribution_cube(filters: ReportFilters, user) -> list[tuple]:
    """One scan of the ledger: (month index, partner, kind, currency, count, money, hours).

    Both the partner table and the balance chart are sums over this small cube, so the
    contributions are read once per report whatever their number.
    """
    months = filters.months()
    boundaries = [filters.midnight(add_months(m, 1)) for m in months]
    bucket = sa.case(
        *((Event.starts_at < boundary, index) for index, boundary in enumerate(boundaries)),
        else_=len(months) - 1,
    )
    # The bucket is labelled in a subquery: PostgreSQL cannot GROUP BY an expression whose
    # bind parameters differ from those in the SELECT list.
    rows = _contributions(
        filters, user, bucket.label("month"), Contribution.partner_id, Contribution.kind,
        Contribution.currency, Contribution.amount,
        sa.case((Contribution.unit == HOURS, Contribution.quantity), else_=None).label("hours"),
    ).subquery()
    return list(db.session.execute(
        sa.select(rows.c.month, rows.c.partner_id, rows.c.kind, rows.c.currency,
                  sa.func.count(), sa.func.sum(rows.c.amount), sa.func.sum(rows.c.hours))
        .group_by(rows.c.month, rows.c.partner_id, rows.c.kind, rows.c.currency)
    ))


def partner_table(filters: ReportFilters, user, partners: list[Partner],
                  cube: list[tuple] | None = None) -> list[PartnerRow]:
    """Per partner: events by role, contributions by kind, money by currency, hours, reach."""
    rows = {p.id: PartnerRow(p) for p in partners}
    events = event_conditions(filters, user)
    # An alias, so the EXISTS subqueries on involvements in the conditions do not correlate.
    inv = aliased(Involvement)
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    reach = (
        sa.select(Registration.event_id,
                  sa.func.count(Registration.id).label("registrations"),
                  sa.func.count(Registration.checked_in_at).label("checkins"))
        .join(Event, Event.id == Registration.event_id)
        .where(confirmed, *events)
        .group_by(Registration.event_id)
        .subquery()
    )
    for partner_id, role, count, registrations, checkins in db.session.execute(
        sa.select(inv.partner_id, inv.role, sa.func.count(),
                  sa.func.sum(reach.c.registrations), sa.func.sum(reach.c.checkins))
        .join(Event, Event.id == inv.event_id)
        .outerjoin(reach, reach.c.event_id == Event.id)
        .where(*events, inv.state != InvolvementState.DECLINED)
        .group_by(inv.partner_id, inv.role)
    ):
        if partner_id in rows:
            rows[partner_id].roles[role] = count
            rows[partner_id].registrations += int(registrations or 0)
            rows[partner_id].checkins += int(checkins or 0)
    money: dict = defaultdict(lambda: defaultdict(Decimal))
    for _month, partner_id, kind, currency, count, amount, hours in (
            contribution_cube(filters, user) if cube is None else cube):
        if partner_id not in rows:
            continue
        rows[partner_id].kinds[kind] += count
        rows[partner_id].hours += _exact(hours)
        if amount is not None:
            money[partner_id][currency] += amount
    for partner_id, totals in money.items():
        rows[partner_id].money = {c: totals[c] for c in
                                  sorted(totals, key=lambda code: (code != "RUB", code))}
    return list(rows.values())


@dataclass
class Balance:
    """Contributions per partner per month; `shares` in percent of each month's total."""

    months: list[date]
    partners: list[Partner]
    counts: dict  # (month index, partner id) -> count

    def month_total(self, index: int) -> int:
        return sum(self.counts.get((index, p.id), 0) for p in self.partners)

    def share(self, index: int, partner_id: int) -> Decimal:
        total = self.month_total(index)
        if not total:
            return Decimal(0)
        return (Decimal(100) * self.counts.get((index, partner_id), 0) / total).quantize(
            Decimal("0.1"))

    def partner_total(self, partner_id: int) -> int:
        return sum(self.counts.get((i, partner_id), 0) for i in range(len(self.months)))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def balance(filters: ReportFilters, user, partners: list[Partner],
            cube: list[tuple] | None = None) -> Balance:
    """Each partner's count of contributions per local month of the event's start."""
    counts: dict = defaultdict(int)
    for month, partner_id, _kind, _currency, count, _amount, _hours in (
            contribution_cube(filters, user) if cube is None else cube):
        counts[(month, partner_id)] += count
    return Balance(filters.months(), partners, dict(counts))


@dataclass
class EventRow:
    event: Event
    cells: dict = field(default_factory=dict)  # partner id -> {"count", "money", "hours"}


def _event_select(filters, user):
    return sa.select(Event).where(*event_conditions(filters, user))


def event_count(filters: ReportFilters, user) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Event).where(*event_conditions(filters, user)))


def event_table(filters: ReportFilters, user, *, page: int | None = 1) -> list[EventRow]:
    """One row per event with each partner's contribution side by side (a page of them, or all
    of them with page=None for the CSV)."""
    stmt = (_event_select(filters, user)
            .options(selectinload(Event.involvements), selectinload(Event.programme))
            .order_by(Event.starts_at, Event.id))
    if page is not None:
        stmt = stmt.limit(EVENTS_PER_PAGE).offset((page - 1) * EVENTS_PER_PAGE)
    rows = {e.id: EventRow(e) for e in db.session.scalars(stmt)}
    if not rows:
        return []
    columns = (Contribution.event_id, Contribution.partner_id, Contribution.currency,
               sa.func.count(), sa.func.sum(Contribution.amount), _hours_sum())
    if page is None:
        stmt = _contributions(filters, user, *columns)
    else:  # the page's events are known: fetch their rows by id (index), not by filters
        stmt = (sa.select(*columns)
                .where(Contribution.event_id.in_(list(rows)), *status_conditions(filters)))
    stmt = stmt.group_by(Contribution.event_id, Contribution.partner_id, Contribution.currency)
    for event_id, partner_id, currency, count, amount, hours in db.session.execute(stmt):
        row = rows.get(event_id)
        if row is None:
            continue
        cell = row.cells.setdefault(partner_id, {"count": 0, "money": {}, "hours": Decimal(0)})
        cell["count"] += count
        cell["hours"] += _exact(hours)
        if amount is not None:
            cell["money"][currency] = amount
    return list(rows.values())


def iter_event_rows(filters: ReportFilters, user, *, chunk: int = 500):
    """Every event's row, as event_table(page=None) gives them, a chunk at a time: the CSV of
    10,000 events streams instead of holding every row (and its ORM objects) at once."""
    ids = list(db.session.scalars(
        _event_select(filters, user).with_only_columns(Event.id)
        .order_by(Event.starts_at, Event.id)))
    columns = (Contribution.event_id, Contribution.partner_id, Contribution.currency,
               sa.func.count(), sa.func.sum(Contribution.amount), _hours_sum())
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        events = list(db.session.scalars(
            sa.select(Event).where(Event.id.in_(part))
            .options(selectinload(Event.involvements), selectinload(Event.programme))
            .order_by(Event.starts_at, Event.id)))
        rows = {e.id: EventRow(e) for e in events}
        for event_id, partner_id, currency, count, amount, hours in db.session.execute(
                sa.select(*columns)
                .where(Contribution.event_id.in_(part), *status_conditions(filters))
                .group_by(Contribution.event_id, Contribution.partner_id,
                          Contribution.currency)):
            cell = rows[event_id].cells.setdefault(
                partner_id, {"count": 0, "money": {}, "hours": Decimal(0)})
            cell["count"] += count
            cell["hours"] += _exact(hours)
            if amount is not None:
                cell["money"][currency] = amount
        yield from rows.values()
        for event in events:
            db.session.expunge(event)  # its involvements go with it (cascade)


def event_currencies(filters: ReportFilters, user) -> list[str]:
    """Currencies with money in the events' cells (the per-event CSV's columns), sorted."""
    found = db.session.scalars(
        sa.select(Contribution.currency).distinct()
        .where(Contribution.event_id.in_(
            _event_select(filters, user).with_only_columns(Event.id)),
               Contribution.amount.is_not(None), *status_conditions(filters)))
    return sorted(found, key=lambda code: (code != "RUB", code))


def currencies_in(rows) -> list[str]:
    """Currencies that occur in partner rows or event cells, sorted (RUB first)."""
    found: set[str] = set()
    for row in rows:
        if isinstance(row, PartnerRow):
            found.update(row.money)
        else:
            for cell in row.cells.values():
                found.update(cell["money"])
    return sorted(found, key=lambda code: (code != "RUB", code))


def totals_by_currency(rows: list[PartnerRow]) -> dict:
    """Per currency, across partners — the only money sum the report makes."""
    totals: dict = defaultdict(Decimal)
    for row in rows:
        for currency, amount in row.money.items():
            totals[currency] += amount
    return dict(totals)
