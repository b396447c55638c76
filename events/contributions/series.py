"""Contributions recorded once for a whole series — a room for the whole course, a speaker
for every date. The ledger stays per event: each date of the series gets a row holding its
even share of the quantity, the money and the agreed value (the cents that do not divide go
to the first dates), all rows sharing one `series_share` key. A per-date report, a per-series
sum and the balance therefore count the contribution exactly once, and every rule of the
ledger (who records, status moves, history) applies to each row as it does to any other."""

import secrets
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from events.auth.permissions import (
    can_add_contribution,
    can_change_contribution,
    can_view_contributions,
)
from events.contributions.models import Contribution
from events.contributions.services import (
    add_contribution,
    clean_values,
    deliver_contribution,
    withdraw_contribution,
)
from events.enums import ContributionStatus, EventStatus
from events.errors import Conflict, NotAllowed, NotFound
from events.extensions import db
from events.planning.models import Event, Series

CENT = Decimal("0.01")
SPLIT_FIELDS = ("quantity", "amount", "agreed_value")


def split_evenly(total: Decimal | None, parts: int) -> list[Decimal | None]:
    """`total` in `parts` shares to the cent that add up to it exactly."""
    if total is None:
        return [None] * parts
    cents = int((Decimal(total) / CENT).to_integral_value())
    base, extra = divmod(cents, parts)
    return [(base + (1 if n < extra else 0)) * CENT for n in range(parts)]


def series_dates(series: Series) -> list[Event]:
    """The dates a contribution to the whole series is shared over: every date that is not
    cancelled, past ones included (the room was there for the whole course)."""
    return [e for e in series.occurrences if e.status != EventStatus.CANCELLED]


def partners_who_may_add(actor, series: Series) -> list:
    """Partners whose contribution the actor may record on every date of the series."""
    dates = series_dates(series)
    if not dates:
        return []
    found = {}
    for involvement in dates[0].involvements:
        if all(can_add_contribution(actor, e, involvement.partner_id) for e in dates):
            found[involvement.partner_id] = involvement.partner
    return list(found.values())


def add_series_contribution(actor, series: Series, partner, **values) -> list[Contribution]:
    """Record `partner`'s contribution to the whole series: one row per date with its share.
    Refused as a whole when the actor may not record it on some date."""
    dates = series_dates(series)
    if not dates:
        raise Conflict(_("No date of this series is open for contributions."))
    cleaned = clean_values(values)
    shares = {name: split_evenly(cleaned.get(name), len(dates)) for name in SPLIT_FIELDS}
    key = secrets.token_hex(16)
    rows = []
    for n, event in enumerate(dates):
        if not can_add_contribution(actor, event, partner.id):
            raise NotAllowed(_("You cannot record contributions of this partner to %(day)s.",
                               day=event.starts_at.date().isoformat()))
        one = dict(cleaned)
        for name in SPLIT_FIELDS:
            if name in cleaned:
                one[name] = shares[name][n]
        row = add_contribution(actor, event, partner, **one)
        row.series_share = key
        rows.append(row)
    db.session.flush()
    return rows


@dataclass
class SeriesShare:
    """One contribution to a whole series, summed over its dates."""

    key: str
    partner: object
    kind: object
    description: str
    unit: str
    currency: str
    rows: list = field(default_factory=list)

    def total(self, name: str) -> Decimal | None:
        values = [getattr(r, name) for r in self.rows
                  if r.status != ContributionStatus.WITHDRAWN and getattr(r, name) is not None]
        return sum((Decimal(str(v)) for v in values), Decimal(0)) if values else None

    @property
    def statuses(self) -> dict:
        counts: dict = {}
        for row in self.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts

    @property
    def pledged(self) -> int:
        return self.statuses.get(ContributionStatus.PLEDGED, 0)


def series_contributions(series: Series, dates: list | None = None) -> list[SeriesShare]:
    """The contributions recorded for the whole series (over `dates`, by default all of
    them), in the order they were recorded."""
    ids = [e.id for e in (series.occurrences if dates is None else dates)]
    if not ids:
        return []
    rows = db.session.scalars(
        sa.select(Contribution).where(Contribution.event_id.in_(ids),
                                      Contribution.series_share.is_not(None))
        .order_by(Contribution.id))
    found: dict[str, SeriesShare] = {}
    for row in rows:
        share = found.get(row.series_share)
        if share is None:
            share = found[row.series_share] = SeriesShare(
                row.series_share, row.partner, row.kind, row.description, row.unit,
                row.currency)
        share.rows.append(row)
    return list(found.values())


def _share(series: Series, key: str) -> SeriesShare:
    share = next((s for s in series_contributions(series) if s.key == key), None)
    if share is None:
        raise NotFound(_("There is no such contribution to this series."))
    return share


def may_change(actor, share: SeriesShare) -> bool:
    return all(can_change_contribution(actor, row) for row in share.rows)


def _move_pledged(actor, series: Series, key: str, move) -> int:
    share = _share(series, key)
    if not may_change(actor, share):
        raise NotAllowed(_("Only this partner's staff can change its contributions."))
    pledged = [r for r in share.rows if r.status == ContributionStatus.PLEDGED]
    if not pledged:
        raise Conflict(_("No date of this contribution is still pledged."))
    for row in pledged:
        move(actor, row)
    return len(pledged)


def deliver_series_contribution(actor, series: Series, key: str) -> int:
    """Mark every still pledged date of the contribution as delivered; returns how many."""
    return _move_pledged(actor, series, key, deliver_contribution)


def withdraw_series_contribution(actor, series: Series, key: str) -> int:
    """Take back every still pledged date of the contribution (delivered dates stay)."""
    return _move_pledged(actor, series, key, withdraw_contribution)


@dataclass
class PartnerTotal:
    partner: object
    rows: int = 0
    money: dict = field(default_factory=dict)  # currency → sum
    hours: Decimal = Decimal(0)


def series_totals(series: Series, dates: list | None = None) -> list[PartnerTotal]:
    """Each partner's contributions to the series' dates (`dates`, by default all of them;
    per-date rows and shares of whole-series ones alike, withdrawn ones left out): counted
    once, as the reports do."""
    ids = [e.id for e in (series.occurrences if dates is None else dates)]
    if not ids:
        return []
    totals: dict[int, PartnerTotal] = {}
    for row in db.session.scalars(
            sa.select(Contribution).where(Contribution.event_id.in_(ids),
                                          Contribution.status != ContributionStatus.WITHDRAWN)
            .order_by(Contribution.partner_id, Contribution.id)):
        total = totals.setdefault(row.partner_id, PartnerTotal(row.partner))
        total.rows += 1
        if row.amount is not None:
            total.money[row.currency] = total.money.get(row.currency, Decimal(0)) + \
                Decimal(str(row.amount))
        if row.unit == "hours" and row.quantity is not None:
            total.hours += Decimal(str(row.quantity))
    return list(totals.values())


def series_panel(actor, series: Series) -> dict:
    """What the series page shows of the ledger: each partner's totals over the dates, the
    whole-series contributions with the buttons the actor may use, and whether they may add;
    None for people who do not see the ledger (visitors and residents)."""
    seen = [e for e in series.occurrences if can_view_contributions(actor, e)]
    if not seen:
        return None
    found = series_contributions(series, seen)  # a date the actor may not see adds nothing
    return {
        "totals": series_totals(series, seen),
        "shares": found,
        "may_change": {s.key: may_change(actor, s) for s in found},
        "can_add": bool(partners_who_may_add(actor, series)),
        "dates": len(series_dates(series)),
    }
