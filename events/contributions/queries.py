"""Reused contribution selects."""

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from events.auth.permissions import can_see_staff_details
from events.contributions.models import Contribution
from events.enums import ContributionStatus
from events.extensions import db


def contributions_for_event(event) -> list[Contribution]:
    return list(
        db.session.scalars(
            sa.select(Contribution)
            .where(Contribution.event_id == event.id)
            .options(selectinload(Contribution.partner))
            .order_by(Contribution.partner_id, Contribution.id)
        )
    )


def event_panel(event, user) -> dict:
    """Contributions grouped by partner with totals per currency, for staff of the event."""
    if not can_see_staff_details(user, event):
        return {"visible": False}
    groups: dict = defaultdict(
        lambda: {"active": [], "withdrawn": [], "money": defaultdict(Decimal)}
    )
    for item in contributions_for_event(event):
        group = groups[item.partner]
        if item.status == ContributionStatus.WITHDRAWN:
            group["withdrawn"].append(item)
            continue
        group["active"].append(item)
        if item.amount is not None:
            group["money"][item.currency] += item.amount
    return {"visible": True, "groups": dict(groups)}
