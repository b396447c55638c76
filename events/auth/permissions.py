"""Who may do what — the one place. Views, templates, services and feeds all ask here.

Each predicate takes the acting user (or None / an anonymous user for visitors) and the
thing; SQL versions exist where lists must be filtered in the database.
"""


from events.enums import (
    Audience,
    EventStatus,
    InvolvementRole,
    InvolvementState,
    Role,
)
from events.planning.models import Event, Involvement


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def is_admin(user) -> bool:
    return _signed_in(user) and user.is_admin


def is_staff(user) -> bool:
    """Partner staff or coordinator (admins are handled separately)."""
    return _signed_in(user) and user.is_staff


def is_staff_of(user, partner_id: int | None) -> bool:
    return is_staff(user) and partner_id is not None and user.partner_id == partner_id


def is_coordinator_of(user, partner_id: int | None) -> bool:
    return is_staff_of(user, partner_id) and user.is_coordinator


def can_manage_webhooks(user, partner_id: int | None) -> bool:
    """A partner's webhook endpoints: its coordinators, and admins."""
    return is_admin(user) or is_coordinator_of(user, partner_id)


def _involvement_of(user, event: Event) -> Involvement | None:
    if not is_staff(user):
        return None
    return next((i for i in event.involvements if i.partner_id == user.partner_id), None)


def is_involved(user, event: Event) -> bool:
    """Staff of a partner that is host, or invited/accepted as co-host or supporter."""
    involvement = _involvement_of(user, event)
    return involvement is not None and involvement.state != InvolvementState.DECLINED


def is_lead_staff(user, event: Event) -> bool:
    involvement = _involvement_of(user, event)
    return involvement is not None and involvement.role == InvolvementRole.HOST


def audiences_for(user) -> list[Audience]:
    """Which audiences of published events this person belongs to: guests (unverified, or not
    confirmed by a partner) see public events only."""
    audiences = [Audience.PUBLIC]
    if _signed_in(user):
        if user.is_staff or user.is_admin:
            audiences += [Audience.RESIDENTS, Audience.INTERNAL]
        elif user.is_confirmed_resident:
            audiences.append(Audience.RESIDENTS)
    return audiences


def can_view_event(user, event: Event) -> bool:
    if is_admin(user):
        return True
    if event.status == EventStatus.DRAFT:
        return is_lead_staff(user, event)
    if event.status == EventStatus.PROPOSED:
        return _involvement_of(user, event) is not None
    return event.audience in audiences_for(user)


def can_create_event(user) -> bool:
    return is_staff(user) or is_admin(user)


def can_edit_event(user, event: Event) -> bool:
    """The lead partner's staff (or an admin) edit and invite, until the event is cancelled."""
    if event.status == EventStatus.CANCELLED:
        return False
    return is_admin(user) or is_lead_staff(user, event)


def can_publish_event(user, event: Event) -> bool:
    """Scheduling and cancelling: a coordinator of the lead partner, or an admin."""
    if is_admin(user):
        return True
    return is_lead_staff(user, event) and user.is_coordinator


def can_answer_involvement(user, involvement: Involvement) -> bool:
    return is_admin(user) or is_staff_of(user, involvement.partner_id)


def can_view_contributions(user, event: Event) -> bool:
    """The record of cooperation is shared: every partner's staff (and admins) read every
    partner's contributions to any event they may see; changing them is can_change_contribution.
    The event page and the reports both ask here (reports filter with
    events.planning.queries.visible_events_clause)."""
    return (is_staff(user) or is_admin(user)) and can_view_event(user, event)


def can_manage_registration(user, event: Event) -> bool:
    """Registration questions, the approval setting, approving and declining: the lead
    partner's staff (or an admin); the other partners' staff see the answers only."""
    return is_admin(user) or is_lead_staff(user, event)


def can_see_staff_details(user, event: Event) -> bool:
    """Audit trail, attendee list, check-in, contributions: staff of involved partners."""
    return is_admin(user) or is_involved(user, event)


def can_record_contribution(user, event: Event, partner_id: int) -> bool:
    """A partner's staff record their own partner's contributions to events it is part of."""
    if is_admin(user):
        return any(i.partner_id == partner_id for i in event.involvements)
    return is_staff_of(user, partner_id) and is_involved(user, event)


def can_view_reports(user) -> bool:
    return is_staff(user) or is_admin(user)


def can_manage_accounts(user) -> bool:
    """Admins manage every account; coordinators manage their own partner's staff."""
    return is_admin(user) or (is_staff(user) and user.is_coordinator)


def can_create_account(actor, target) -> bool:
    """Create `target`: admins any account; coordinators staff and coordinators of their own
    partner."""
    if is_admin(actor):
        return True
    return (
        can_manage_accounts(actor)
        and target is not None
        and target.role in (Role.STAFF, Role.COORDINATOR)
        and target.partner_id == actor.partner_id
    )


def can_change_account(actor, target) -> bool:
    """Disable or enable `target`: never oneself; admins anyone; coordinators only plain staff
    of their own partner (only admins disable coordinators)."""
    if target is None or actor is None or getattr(target, "id", None) == actor.id:
        return False
    if getattr(target, "deleted_at", None) is not None:
        return False
    if is_admin(actor):
        return True
    return (
        can_manage_accounts(actor)
        and target.role == Role.STAFF
        and target.partner_id == actor.partner_id
    )


def can_manage_residents(user, partner_id: int | None) -> bool:
    """A partner's resident companies and its residency queue: that partner's staff, admins."""
    return is_admin(user) or is_staff_of(user, partner_id)


# ---- contributions and programmes ------------------------------------------------------------

def partner_takes_part(event: Event, partner_id: int | None) -> bool:
    """The partner hosts the event or is invited to it / accepted it (declined ones do not)."""
    return any(
        i.partner_id == partner_id and i.state != InvolvementState.DECLINED
        for i in event.involvements
    )


def can_add_contribution(user, event: Event, partner_id: int | None) -> bool:
    """New rows: for a partner taking part in an event that is not cancelled."""
    return (
        event.status != EventStatus.CANCELLED
        and partner_takes_part(event, partner_id)
        and can_record_contribution(user, event, partner_id)
    )


def can_change_contribution(user, contribution) -> bool:
    """Edit, deliver, withdraw: the partner's own staff while it takes part, or an admin."""
    event = contribution.event
    if is_admin(user):
        return True
    return partner_takes_part(event, contribution.partner_id) and can_record_contribution(
        user, event, contribution.partner_id
    )


def can_manage_programmes(user) -> bool:
    """Partner staff and admins see action programmes and create new ones."""
    return is_staff(user) or is_admin(user)


def can_edit_programme(user, programme) -> bool:
    """Only the staff of the partners running a programme (or an admin) change it and its
    targets."""
    return is_admin(user) or (is_staff(user) and user.partner_id in programme.partner_ids)


def can_assign_programme(user, event: Event) -> bool:
    """Putting an event into a programme: the lead partner's staff, or an admin."""
    return can_edit_event(user, event)


# ---- agreements, targets, rate cards and exchange rates -------------------------------------

def can_list_agreements(user) -> bool:
    """The register (each person sees the agreements their partner is party to)."""
    return is_staff(user) or is_admin(user)


def can_create_agreement(user) -> bool:
    return is_admin(user) or (is_staff(user) and user.is_coordinator)


def can_view_agreement(user, agreement) -> bool:
    """Staff of the parties, and admins, see an agreement and its signed document."""
    return is_admin(user) or (is_staff(user) and user.partner_id in agreement.party_ids)


def can_edit_agreement(user, agreement) -> bool:
    """Admins and the parties' coordinators change an agreement, its targets and rate card."""
    return is_admin(user) or (
        is_staff(user) and user.is_coordinator and user.partner_id in agreement.party_ids)


def can_edit_rate_card(user, card) -> bool:
    if card.agreement is not None:
        return can_edit_agreement(user, card.agreement)
    return is_admin(user) or is_coordinator_of(user, card.partner_id)


def can_enter_exchange_rates(user) -> bool:
    """Official rates by hand or from the Bank's file: admins and coordinators."""
    return is_admin(user) or (is_staff(user) and user.is_coordinator)


def can_copy_embed_snippet(user, partner) -> bool:
    """The agenda widget's copy-paste code on a partner's page: its staff and admins."""
    return is_admin(user) or is_staff_of(user, partner.id)
