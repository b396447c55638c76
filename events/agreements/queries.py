"""Reused selects: the register, an agreement's events, and the rows the balance by value
reads (one query each, whatever the number of events)."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from events.agreements.models import Agreement, ExchangeRate, RateCard, Target
from events.agreements.valuation import contribution_columns
from events.audit.models import AuditEntry
from events.auth.permissions import is_admin
from events.contributions.models import Contribution
from events.enums import ContributionStatus, InvolvementState
from events.extensions import db
from events.planning.models import Event, Involvement, Programme


def visible_agreements(user) -> list[Agreement]:
    """The register as this person may see it: admins everything, staff their partner's."""
    stmt = (sa.select(Agreement).options(selectinload(Agreement.parties),
                                         selectinload(Agreement.programmes))
            .order_by(Agreement.starts_on, Agreement.id))
    agreements = list(db.session.scalars(stmt))
    if is_admin(user):
        return agreements
    return [a for a in agreements if user.partner_id in a.party_ids]


def get_agreement(agreement_id: int) -> Agreement | None:
    return db.session.scalar(
        sa.select(Agreement).where(Agreement.id == agreement_id)
        .options(selectinload(Agreement.parties), selectinload(Agreement.programmes)
                 .selectinload(Programme.partners)))


def agreement_event_clause(agreement: Agreement):
    """Events under an agreement: those of its programmes and, for the memorandum, every
    event that two or more of its parties take part in."""
    in_programmes = Event.programme_id.in_(
        sa.select(Programme.id).where(Programme.agreement_id == agreement.id))
    if not agreement.covers_all_joint_events:
        return in_programmes
    # One grouped subquery (materialised once), not a count per event.
    joint = (sa.select(Involvement.event_id)
             .where(Involvement.partner_id.in_(sorted(agreement.party_ids)),
                    Involvement.state != InvolvementState.DECLINED)
             .group_by(Involvement.event_id)
             .having(sa.func.count(Involvement.id) >= 2))
    return sa.or_(in_programmes, Event.id.in_(joint))


def targets_of(owner) -> list[Target]:
    column = Target.agreement_id if isinstance(owner, Agreement) else Target.programme_id
    return list(db.session.scalars(
        sa.select(Target).where(column == owner.id)
        .options(selectinload(Target.partner))
        .order_by(Target.partner_id.is_not(None), Target.partner_id, Target.metric,
                  Target.starts_on, Target.id)))


def targets_overlapping(start: date, end: date, *, programme_id=None,
                        agreement_ids=None) -> list[Target]:
    """Targets whose period meets [start, end] (a programme's, or those of agreements the
    reader may see and of their programmes)."""
    stmt = (sa.select(Target).where(Target.starts_on <= end, Target.ends_on >= start)
            .options(selectinload(Target.partner), selectinload(Target.programme),
                     selectinload(Target.agreement))
            .order_by(Target.partner_id.is_not(None), Target.partner_id, Target.metric,
                      Target.id))
    if programme_id is not None:
        stmt = stmt.where(Target.programme_id == programme_id)
    elif agreement_ids is not None:  # every programme's, and the visible agreements'
        stmt = stmt.where(sa.or_(Target.programme_id.is_not(None),
                                 Target.agreement_id.in_(sorted(agreement_ids))))
    return list(db.session.scalars(stmt))


def value_rows(conditions: list) -> list:
    """Contribution rows with what valuing them needs (event date, room, agreement)."""
    return list(db.session.execute(
        sa.select(*contribution_columns(), Programme.agreement_id)
        .select_from(Contribution)
        .join(Event, Event.id == Contribution.event_id)
        .outerjoin(Programme, Programme.id == Event.programme_id)
        .where(*conditions)
        .order_by(Contribution.id)))


def active_contributions():
    return Contribution.status != ContributionStatus.WITHDRAWN


def rate_cards() -> list[RateCard]:
    return list(db.session.scalars(
        sa.select(RateCard).options(selectinload(RateCard.lines),
                                    selectinload(RateCard.agreement),
                                    selectinload(RateCard.partner))
        .order_by(RateCard.valid_from.desc(), RateCard.id)))


def latest_exchange_rates(limit: int = 60) -> list[ExchangeRate]:
    return list(db.session.scalars(
        sa.select(ExchangeRate).order_by(ExchangeRate.rate_on.desc(), ExchangeRate.currency)
        .limit(limit)))


def agreement_trail(agreement: Agreement) -> list[AuditEntry]:
    """The agreement's history with its targets' and rate cards' changes, newest first."""
    target_ids = sa.select(Target.id).where(
        Target.agreement_id == agreement.id)
    card_ids = sa.select(RateCard.id).where(RateCard.agreement_id == agreement.id)
    return list(db.session.scalars(
        sa.select(AuditEntry)
        .where(sa.or_(
            sa.and_(AuditEntry.subject_type == "agreements",
                    AuditEntry.subject_id == agreement.id),
            sa.and_(AuditEntry.subject_type == "targets", AuditEntry.subject_id.in_(target_ids)),
            sa.and_(AuditEntry.subject_type == "rate_cards", AuditEntry.subject_id.in_(card_ids)),
        ))
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(200)))
