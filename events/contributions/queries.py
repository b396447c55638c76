"""Reused contribution selects, and the event page's panel (constant queries per page)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from events.auth.permissions import (
    can_add_contribution,
    can_assign_programme,
    can_change_contribution,
    can_view_contributions,
    is_admin,
)
from events.contributions.models import Contribution
from events.enums import ContributionStatus, InvolvementState
from events.extensions import db
from events.planning.models import Event, Involvement, Programme
from events.planning.queries import visible_events


def contributions_for_event(event) -> list[Contribution]:
    return list(
        db.session.scalars(
            sa.select(Contribution)
            .where(Contribution.event_id == event.id)
            .options(selectinload(Contribution.partner), selectinload(Contribution.created_by))
            .order_by(Contribution.partner_id, Contribution.created_at, Contribution.id)
        )
    )


def get_contribution(event_id: int, contribution_id: int, *, for_update: bool = False):
    """One row of one event; locked for the rest of the transaction when it will change."""
    stmt = sa.select(Contribution).where(
        Contribution.id == contribution_id, Contribution.event_id == event_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    item = db.session.scalar(stmt)
    if item is not None:
        # event and its involvements, for the permission check
        db.session.scalar(sa.select(Event).where(Event.id == event_id).options(
            selectinload(Event.involvements).selectinload(Involvement.partner)))
    return item


def all_programmes() -> list[Programme]:
    return list(db.session.scalars(sa.select(Programme).order_by(Programme.title)))


@dataclass
class PartnerGroup:
    """One partner's rows on one event, with its totals (withdrawn rows left out of them)."""

    partner: object
    role: object = None
    state: object = None
    active: list = field(default_factory=list)
    withdrawn: list = field(default_factory=list)
    money: dict = field(default_factory=lambda: defaultdict(Decimal))
    kinds: dict = field(default_factory=dict)  # kind -> {"count", "money", "quantities"}
    can_add: bool = False

    def add(self, item: Contribution) -> None:
        if item.status == ContributionStatus.WITHDRAWN:
            self.withdrawn.append(item)
            return
        self.active.append(item)
        kind = self.kinds.setdefault(
            item.kind, {"count": 0, "money": defaultdict(Decimal),
                        "quantities": defaultdict(Decimal)})
        kind["count"] += 1
        if item.amount is not None:
            self.money[item.currency] += item.amount
            kind["money"][item.currency] += item.amount
        if item.quantity is not None and item.unit:
            kind["quantities"][item.unit] += Decimal(str(item.quantity))


def event_panel(event, user) -> dict:
    """Contributions grouped by partner with totals per currency and per kind: every partner's
    staff read them (the shared record); only the contributing partner and admins change them."""
    if not can_view_contributions(user, event):
        return {"visible": False}
    groups: dict[int, PartnerGroup] = {}
    for involvement in event.involvements:
        if involvement.state != InvolvementState.DECLINED:
            groups[involvement.partner_id] = PartnerGroup(
                involvement.partner, involvement.role, involvement.state,
                can_add=can_add_contribution(user, event, involvement.partner_id))
    items = contributions_for_event(event)
    for item in items:
        if item.partner_id not in groups:  # rows of a partner that declined later
            groups[item.partner_id] = PartnerGroup(item.partner, state=InvolvementState.DECLINED)
        groups[item.partner_id].add(item)
    can_assign = can_assign_programme(user, event)
    return {
        "visible": True,
        "event": event,
        "groups": list(groups.values()),
        "count": len(items),
        "can_add": any(g.can_add for g in groups.values()),
        "can_change": {item.id: can_change_contribution(user, item) for item in items},
        "is_admin": is_admin(user),
        "can_assign_programme": can_assign,
        "programmes": all_programmes() if can_assign else [],
    }


def programme_event_counts() -> dict[int, int]:
    """Events per programme (drafts included: the number is about planning, not publicity)."""
    return dict(db.session.execute(
        sa.select(Event.programme_id, sa.func.count())
        .where(Event.programme_id.is_not(None))
        .group_by(Event.programme_id)
    ).all())


def programme_events(programme, user) -> list[Event]:
    """The programme's events this person may see, with what an event card shows."""
    return list(db.session.scalars(
        visible_events(user).where(Event.programme_id == programme.id)
        .order_by(Event.starts_at, Event.id)))
