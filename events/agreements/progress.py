"""Plan against fact: what each target counts, on which events, and whether it is on track
for the share of its period that has gone by.

Facts count scheduled events (held or confirmed; drafts, proposals and cancelled events are
not facts yet) and their pledged or delivered contributions (withdrawn ones never count)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from events.agreements.enums import Pace, TargetMetric
from events.agreements.models import Target
from events.agreements.queries import agreement_event_clause
from events.agreements.valuation import exact_quantity
from events.contributions.models import Contribution
from events.contributions.services import HOURS
from events.enums import (
    ContributionKind,
    ContributionStatus,
    EventStatus,
    InvolvementState,
    RegistrationStatus,
)
from events.extensions import db
from events.i18n import report_zone
from events.planning.models import Event, Involvement
from events.registrations.models import Registration

PEOPLE_UNITS = ("people", "")
COUNTED = frozenset({TargetMetric.EVENTS, TargetMetric.REGISTRATIONS, TargetMetric.CHECKINS,
                     TargetMetric.SPEAKERS, TargetMetric.CONTRIBUTIONS})


def midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def elapsed_share(start: date, end: date, today: date) -> Decimal:
    """0 before the period, 1 after it, else the share of its days gone by (today counted)."""
    if today < start:
        return Decimal(0)
    if today >= end:
        return Decimal(1)
    return Decimal((today - start).days + 1) / Decimal((end - start).days + 1)


EVENTS_LISTED = 20  # a page lists the latest events behind a figure; the CSV lists all


@dataclass
class Progress:
    target: Target
    fact: Decimal
    elapsed: Decimal
    events: list = field(default_factory=list)  # [(event, figure)], latest first
    event_count: int = 0  # all events behind the figure (the list may hold fewer)

    @property
    def planned(self) -> Decimal:
        return self.target.planned

    @property
    def percent(self) -> int:
        """Whole percent of the plan done (rounded half up)."""
        return int((Decimal(100) * self.fact / self.planned).quantize(
            Decimal("1"), rounding=ROUND_HALF_UP))

    @property
    def expected(self) -> Decimal:
        """What the plan asks for by today, if the effort were spread evenly (whole numbers
        for what is counted)."""
        places = Decimal("1") if self.target.metric in COUNTED else Decimal("0.01")
        return (self.planned * self.elapsed).quantize(places, rounding=ROUND_HALF_UP)

    @property
    def pace(self) -> Pace:
        if self.fact >= self.planned:
            return Pace.MET
        if self.elapsed == 0:
            return Pace.NOT_STARTED
        return Pace.ON_TRACK if self.fact >= self.expected else Pace.BEHIND

    @property
    def bar(self) -> int:
        """Progress for a <meter>/bar, in whole percent capped at 100."""
        return min(self.percent, 100)


def _scope(target: Target, zone: ZoneInfo) -> list:
    conditions = [Event.status == EventStatus.SCHEDULED,
                  Event.starts_at >= midnight(target.starts_on, zone),
                  Event.starts_at < midnight(target.ends_on + timedelta(days=1), zone)]
    if target.programme_id is not None:
        conditions.append(Event.programme_id == target.programme_id)
    else:
        conditions.append(agreement_event_clause(target.agreement))
    return conditions


def _takes_part(partner_id: int):
    return sa.select(Involvement.id).where(
        Involvement.event_id == Event.id, Involvement.partner_id == partner_id,
        Involvement.state != InvolvementState.DECLINED).exists()


def _per_event(target: Target, zone: ZoneInfo):
    """SELECT (event id, start, figure) for the target's metric, one row per event."""
    metric, scope = target.metric, _scope(target, zone)
    if metric in (TargetMetric.EVENTS, TargetMetric.REGISTRATIONS, TargetMetric.CHECKINS):
        if target.category is not None:
            scope.append(Event.category == target.category)
        if target.format is not None:
            scope.append(Event.format == target.format)
        if target.partner_id is not None:
            scope.append(_takes_part(target.partner_id))
    if metric == TargetMetric.EVENTS:
        return sa.select(Event.id, Event.starts_at, sa.literal(1)).where(*scope)
    if metric in (TargetMetric.REGISTRATIONS, TargetMetric.CHECKINS):
        counted = Registration.id if metric == TargetMetric.REGISTRATIONS \
            else Registration.checked_in_at
        return (sa.select(Registration.event_id, Event.starts_at, sa.func.count(counted))
                .join(Event, Event.id == Registration.event_id)
                .where(Registration.status == RegistrationStatus.CONFIRMED, *scope)
                .group_by(Registration.event_id, Event.starts_at))
    rows = [Contribution.partner_id == target.partner_id,
            Contribution.status != ContributionStatus.WITHDRAWN, *scope]
    if metric == TargetMetric.ROOM_HOURS:
        figure = sa.func.sum(Contribution.quantity)
        rows += [Contribution.kind == ContributionKind.VENUE, Contribution.unit == HOURS]
    elif metric == TargetMetric.STAFF_HOURS:
        figure = sa.func.sum(Contribution.quantity)
        rows += [Contribution.kind == ContributionKind.STAFF_TIME, Contribution.unit == HOURS]
    elif metric == TargetMetric.SPEAKERS:  # a row without a head count is one speaker
        figure = sa.func.sum(sa.func.coalesce(Contribution.quantity, 1))
        rows += [Contribution.kind == ContributionKind.SPEAKERS,
                 Contribution.unit.in_(PEOPLE_UNITS)]
    elif metric == TargetMetric.CONTRIBUTIONS:
        figure = sa.func.count(Contribution.id)
        rows.append(Contribution.kind == target.kind)
    else:  # money, in the target's currency (never converted: it is a promise in it)
        figure = sa.func.sum(Contribution.amount)
        rows += [Contribution.currency == target.currency, Contribution.amount.is_not(None)]
        if target.kind is not None:
            rows.append(Contribution.kind == target.kind)
    return (sa.select(Contribution.event_id, Event.starts_at, figure)
            .join(Event, Event.id == Contribution.event_id)
            .where(*rows).group_by(Contribution.event_id, Event.starts_at))


def _figure(value, metric: TargetMetric) -> Decimal:
    if value is None:
        return Decimal(0)
    if metric == TargetMetric.MONEY:
        return Decimal(value).quantize(Decimal("0.01"))
    if isinstance(value, float):
        return exact_quantity(value)
    return Decimal(value)


def progress_of(targets: list[Target], today: date, *, listed: int | None = EVENTS_LISTED,
                zone: ZoneInfo | None = None) -> list[Progress]:
    """Each target's fact and the latest events behind it (`listed=None`: all of them),
    its period's dates counted in `zone` (by default the reports' zone, REPORT_TIMEZONE).
    One query per target, and one for the listed events' titles."""
    zone = zone or report_zone()
    found = []
    for target in targets:
        pairs = [(event_id, starts_at, _figure(value, target.metric))
                 for event_id, starts_at, value in db.session.execute(_per_event(target, zone))]
        pairs = [p for p in pairs if p[2]]
        pairs.sort(key=lambda p: (p[1], p[0]), reverse=True)
        found.append((target, pairs, pairs if listed is None else pairs[:listed]))
    ids = {event_id for _t, _all, chosen in found for event_id, _s, _v in chosen}
    events = {e.id: e for e in db.session.scalars(
        sa.select(Event).where(Event.id.in_(sorted(ids))))} if ids else {}
    return [Progress(target, sum((v for _e, _s, v in pairs), Decimal(0)),
                     elapsed_share(target.starts_on, target.ends_on, today),
                     [(events[e], v) for e, _s, v in chosen if e in events], len(pairs))
            for target, pairs, chosen in found]


def by_partner(progress: list[Progress]) -> list[tuple]:
    """[(partner or None for joint targets, [progress])], joint targets first."""
    groups: dict = {}
    for item in progress:
        groups.setdefault(item.target.partner_id, (item.target.partner, []))[1].append(item)
    return [groups[k] for k in sorted(groups, key=lambda k: (k is not None, k or 0))]
