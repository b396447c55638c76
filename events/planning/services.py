"""The joint event workflow as plain functions: every caller (views, CLI, the calendar import,
tests) goes through them. Each checks who may act (events.auth.permissions), validates,
changes, flushes, writes an audit entry and queues mail; a refusal is a domain error."""


import sqlalchemy as sa
from flask_babel import gettext as _

from events import bilingual
from events.audit.services import apply_changes, record
from events.auth.models import User
from events.auth.permissions import (
    can_answer_involvement,
    can_create_event,
    can_edit_event,
    can_publish_event,
    is_admin,
)
from events.bilingual import read_later
from events.calendar.attachment import ics_attachment
from events.db import utcnow
from events.enums import (
    EventStatus,
    InvolvementRole,
    InvolvementState,
    Role,
)
from events.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from events.extensions import db
from events.i18n import N_
from events.mail import absolute_url, queue_mail
from events.partners.models import Partner
from events.planning import announce, hooks
from events.planning.models import Event, Involvement, new_uid
from events.planning.validation import (
    FIELDS,
    check_booking,
    clean_text,
    drop_unused_place,
    enum_or_none,
    normalise,
    validate,
)

NOTE_MAX = 2_000
REASON_MAX = 2_000
# A change to any of these matters to calendars: SEQUENCE grows (RFC 5545).
SEQUENCE_FIELDS = {"title_ru", "title_en", "starts_at", "ends_at", "is_all_day", "timezone",
                   "venue", "online_url", "format", "status"}
# A change to any of these moves the event for the people registered.
MOVE_FIELDS = {"starts_at", "ends_at", "is_all_day", "venue", "online_url", "format"}
INVITABLE_ROLES = (InvolvementRole.CO_HOST, InvolvementRole.SUPPORTER)
INVITATION_SUBJECT = "Invitation to “%(title)s”"  # the same msgid heads templates/mail/invitation
# Subjects are msgids that queue_mail translates in each recipient's language.
READY_SUBJECT = N_("Ready to schedule: “%(title)s”")
PARTNER_NEWS_SUBJECTS = {
    EventStatus.SCHEDULED: N_("Scheduled and published: “%(title)s”"),
    EventStatus.CANCELLED: N_("Cancelled: “%(title)s”"),
}


# ---- refusals: the same checks decide the buttons and the services ----------------------

def refusal_to_edit(user, event: Event) -> DomainError | None:
    if not can_edit_event(user, event):
        if event.status == EventStatus.CANCELLED:
            return Conflict(_("A cancelled event cannot be changed."))
        return NotAllowed(_("Only the lead partner's staff change this event."))
    return None


def refusal_to_propose(user, event: Event) -> DomainError | None:
    refusal = refusal_to_edit(user, event)
    if refusal is not None:
        return refusal
    if event.status != EventStatus.DRAFT:
        return Conflict(_("Only a draft can be proposed."))
    if event.starts_at < utcnow():
        return ValidationFailed(_("The event has already started; move it to a later date "
                                  "first."), field="starts_at")
    return None


def refusal_to_invite(user, event: Event) -> DomainError | None:
    refusal = refusal_to_edit(user, event)
    if refusal is None and event.is_past:
        refusal = Conflict(_("This event is over."))
    return refusal


def pending_invitations(event: Event) -> list[Involvement]:
    return [i for i in event.involvements
            if i.role != InvolvementRole.HOST and i.state == InvolvementState.INVITED]


def ready_to_schedule(event: Event) -> bool:
    """A proposal every invited partner has answered, still ahead: the lead partner's
    coordinators can schedule it now."""
    return (event.status == EventStatus.PROPOSED and not pending_invitations(event)
            and event.starts_at >= utcnow())


def refusal_to_schedule(user, event: Event) -> DomainError | None:
    if not can_publish_event(user, event):
        return NotAllowed(_("Only a coordinator of the lead partner schedules this event."))
    if event.status != EventStatus.PROPOSED:
        return Conflict(_("Only a proposed event can be scheduled."))
    pending = pending_invitations(event)
    if pending:
        return Conflict(_("Still waiting for an answer from %(partners)s.",
                          partners=", ".join(i.partner.local_short_name for i in pending)))
    if event.starts_at < utcnow():
        return ValidationFailed(_("The event has already started; move it to a later date "
                                  "first."), field="starts_at")
    return None


def refusal_to_cancel(user, event: Event) -> DomainError | None:
    if not can_publish_event(user, event):
        return NotAllowed(_("Only a coordinator of the lead partner cancels this event."))
    if event.status == EventStatus.CANCELLED:
        return Conflict(_("This event is already cancelled."))
    if event.is_past:
        return Conflict(_("This event is over."))
    return None


def refusal_to_answer(user, involvement: Involvement) -> DomainError | None:
    if not can_answer_involvement(user, involvement):
        return NotAllowed(_("Only the invited partner's staff answer this invitation."))
    if involvement.role == InvolvementRole.HOST:
        return Conflict(_("The lead partner does not answer its own event."))
    status = involvement.event.status
    if status == EventStatus.DRAFT:
        return Conflict(_("The event is not proposed yet."))
    if status == EventStatus.CANCELLED:
        return Conflict(_("A cancelled event cannot be changed."))
    if involvement.state != InvolvementState.INVITED:
        return Conflict(_("This invitation is already answered."))
    return None


def available_actions(user, event: Event) -> dict[str, bool]:
    """Which buttons the event page shows: exactly the actions the services would accept."""
    return {
        "edit": refusal_to_edit(user, event) is None,
        "propose": refusal_to_propose(user, event) is None,
        "invite": refusal_to_invite(user, event) is None,
        "schedule": refusal_to_schedule(user, event) is None,
        "cancel": refusal_to_cancel(user, event) is None,
    }


def _raise_if(refusal: DomainError | None) -> None:
    if refusal is not None:
        raise refusal


# ---- helpers ----------------------------------------------------------------------------

def _lock(event: Event) -> None:
    """Re-read the event under a row lock (PostgreSQL) so checks and changes see one state."""
    if event.id is not None:
        db.session.refresh(event, with_for_update=True)
        db.session.refresh(event, ["involvements"])


def _lock_involvement(involvement: Involvement) -> None:
    """The event's lock first (as every other change takes it): two partners answering at once
    then see each other's answer, so exactly one of them is the last."""
    _lock(involvement.event)
    db.session.refresh(involvement, with_for_update=True)


def _lock_unless_refused(refusal_to, actor, thing, lock=_lock) -> None:
    """Refuse early without waiting for a lock, then take it and ask the same refusal again:
    another request may have changed the row while this one waited."""
    _raise_if(refusal_to(actor, thing))
    lock(thing)
    _raise_if(refusal_to(actor, thing))


def _shown(name: str, value):
    """Audit values people can read: rooms and programmes by name, enums by value."""
    if name == "venue":
        return value.label if value is not None else None
    if name == "programme":
        return value.title if value is not None else None
    return value


def _diff(event: Event, values: dict) -> dict[str, list]:
    before = {name: _shown(name, getattr(event, name)) for name in values}
    changes = apply_changes(event, values)
    for name in ("venue", "programme"):
        if name in changes:
            changes[name] = [before[name], _shown(name, values[name])]
    return changes


def _bump_sequence(event: Event, changes: dict) -> None:
    if changes.keys() & SEQUENCE_FIELDS:
        changes["sequence"] = [event.sequence, event.sequence + 1]
        event.sequence += 1


def _lead_partner_for(actor, lead_partner: Partner | None) -> Partner:
    if is_admin(actor):
        if lead_partner is None:
            raise ValidationFailed(_("Choose the lead partner."), field="lead_partner")
        return lead_partner
    if lead_partner is not None and lead_partner.id != actor.partner_id:
        raise NotAllowed(_("You create events led by %(partner)s.",
                           partner=actor.partner.local_name if actor.partner else "—"),
                         field="lead_partner")
    return actor.partner


def invitation_recipients(partner: Partner) -> list[User]:
    """A partner's coordinators answer invitations; without one, all its staff hear of it."""
    people = list(db.session.scalars(
        sa.select(User)
        .where(User.partner_id == partner.id, User.is_active.is_(True),
               User.role.in_([Role.COORDINATOR, Role.STAFF]))
        .order_by(User.id)
    ))
    coordinators = [p for p in people if p.role == Role.COORDINATOR]
    return coordinators or people


def _queue_ready_to_schedule(event: Event) -> None:
    """The last invited partner answered: the lead partner's coordinators hear it once."""
    answers = [i for i in event.involvements if i.role != InvolvementRole.HOST]
    for person in invitation_recipients(event.lead_partner):
        queue_mail(person, READY_SUBJECT, "ready_to_schedule", title=read_later(event), event=event,
                   answers=answers, lead=event.lead_partner,
                   event_url=absolute_url("planning.detail", event_id=event.id))


def _queue_partner_news(actor, event: Event) -> None:
    """Scheduled or cancelled: the partners that accepted to co-host or support hear of it,
    with the event's calendar file (CONFIRMED or CANCELLED)."""
    for involvement in event.involvements:
        if involvement.role == InvolvementRole.HOST or \
                involvement.state != InvolvementState.ACCEPTED:
            continue
        for person in invitation_recipients(involvement.partner):
            if person.id == getattr(actor, "id", None):
                continue
            queue_mail(person, PARTNER_NEWS_SUBJECTS[event.status], f"partner_{event.status}",
                       attachments=[ics_attachment(event, person)], title=read_later(event),
                       event=event, involvement=involvement, actor=actor,
                       lead=event.lead_partner,
                       event_url=absolute_url("planning.detail", event_id=event.id))


def _queue_invitation(actor, involvement: Involvement) -> None:
    event = involvement.event
    for person in invitation_recipients(involvement.partner):
        queue_mail(
            person, INVITATION_SUBJECT, "invitation", attachments=[ics_attachment(event, person)],
            title=read_later(event), event=event,
            involvement=involvement, inviter=actor, lead=event.lead_partner,
            url=absolute_url("planning.detail", event_id=event.id),
        )


# ---- the workflow -----------------------------------------------------------------------

def create_event(
    actor, *, category, format, venue=None,
    online_url=None, starts_at, ends_at, is_all_day=False, timezone,
    capacity=None, audience,
    registration_opens_at=None, registration_closes_at=None, programme=None,
    lead_partner=None, uid=None, **texts,
) -> Event:
    """A new draft led by the actor's partner (admins name the lead partner). `texts`: the
    title, summary and description by language (`title_ru=`, `title_en=`, ...), or
    `title=` etc. in the reader's language (events.bilingual)."""
    if not can_create_event(actor):
        raise NotAllowed(_("Only partner staff create events."))
    texts = bilingual.split(texts)
    unknown = set(texts) - set(bilingual.COLUMNS)
    if unknown:
        raise TypeError(f"create_event got unknown fields: {sorted(unknown)}")
    lead = _lead_partner_for(actor, lead_partner)
    values = normalise({
        **{column: texts.get(column, "") for column in bilingual.COLUMNS},
        "category": category,
        "format": format, "venue": venue, "online_url": online_url, "starts_at": starts_at,
        "ends_at": ends_at, "is_all_day": is_all_day, "timezone": timezone,
        "capacity": capacity, "audience": audience,
        "registration_opens_at": registration_opens_at,
        "registration_closes_at": registration_closes_at, "programme": programme,
        "_changed": set(FIELDS),
    })
    validate(values, event=None)
    values.pop("_changed")
    drop_unused_place(values)
    check_booking(actor, values, None)
    if uid is not None and db.session.scalar(sa.select(Event.id).where(Event.uid == uid)):
        raise Conflict(_("An event with this identifier already exists."), field="uid")
    event = Event(**values, uid=uid or new_uid(), status=EventStatus.DRAFT, sequence=0,
                  created_by=actor)
    db.session.add(event)
    now = utcnow()
    db.session.add(Involvement(
        event=event, partner=lead, role=InvolvementRole.HOST, state=InvolvementState.ACCEPTED,
        invited_by=actor, invited_at=now, answered_by=actor, answered_at=now,
    ))
    db.session.flush()
    changes = {name: [None, _shown(name, value)] for name, value in values.items()
               if value not in (None, "")}
    changes["lead_partner"] = [None, lead.short_name]
    changes["status"] = [None, EventStatus.DRAFT]
    record(actor, "event.create", event, changes)
    return event


def update_event(actor, event: Event, **values) -> dict[str, list]:
    """Change fields of an event; returns {field: [before, after]} of what changed. Text goes
    by language (`title_en=`), or as `title=` in the reader's language."""
    values = bilingual.split(values, event)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"update_event got unknown fields: {sorted(unknown)}")
    _lock_unless_refused(refusal_to_edit, actor, event)
    values = normalise(values)
    merged = {name: getattr(event, name) for name in FIELDS} | values
    merged["_changed"] = {n for n in values if values[n] != getattr(event, n)}
    validate(merged, event=event)
    merged.pop("_changed")
    drop_unused_place(merged)
    values = {name: merged[name] for name in FIELDS if name in values
              or name in ("venue", "online_url")}
    check_booking(actor, merged, event)
    old_capacity = event.capacity
    changes = _diff(event, values)
    if not changes:
        return {}
    _bump_sequence(event, changes)
    db.session.flush()
    record(actor, "event.update", event, changes)
    moved = {name: pair for name, pair in changes.items() if name in MOVE_FIELDS}
    if moved and event.status != EventStatus.DRAFT:
        hooks.event_changed(actor, event, "moved", moved)
    if event.status == EventStatus.SCHEDULED:
        announce.changed(event, changes)
    if "capacity" in changes and old_capacity is not None and (
            event.capacity is None or event.capacity > old_capacity):
        hooks.capacity_changed(actor, event)
    return changes


def _set_status(actor, event: Event, action: str, status: EventStatus, **extra) -> dict:
    changes = _diff(event, {"status": status, **extra})
    _bump_sequence(event, changes)
    db.session.flush()
    record(actor, action, event, changes)
    return changes


def propose_event(actor, event: Event) -> Event:
    """Draft → proposed: the invited partners now see it and hear of their invitations."""
    _lock_unless_refused(refusal_to_propose, actor, event)
    _set_status(actor, event, "event.propose", EventStatus.PROPOSED)
    for involvement in pending_invitations(event):
        _queue_invitation(actor, involvement)
    return event


def invite_partner(actor, event: Event, partner: Partner | None, role) -> Involvement:
    """Ask another partner to co-host or support; its coordinators get a mail."""
    _lock_unless_refused(refusal_to_invite, actor, event)
    role = enum_or_none(InvolvementRole, role)
    if role not in INVITABLE_ROLES:
        raise ValidationFailed(_("Invite a partner as co-host or supporter."), field="role")
    if partner is None:
        raise ValidationFailed(_("Choose a partner."), field="partner")
    involvement = next((i for i in event.involvements if i.partner_id == partner.id), None)
    if involvement is not None and involvement.state != InvolvementState.DECLINED:
        raise Conflict(_("%(partner)s is already part of this event.",
                         partner=partner.local_short_name), field="partner")
    now = utcnow()
    values = {"role": role, "state": InvolvementState.INVITED, "note": "",
              "invited_by": actor, "invited_at": now, "answered_by": None, "answered_at": None}
    if involvement is None:
        involvement = Involvement(event=event, partner=partner, **values)
        db.session.add(involvement)
        changes = {"partner": [None, partner.short_name], "role": [None, role],
                   "state": [None, InvolvementState.INVITED]}
    else:
        before = {"role": involvement.role, "state": involvement.state}
        apply_changes(involvement, values)
        changes = {"partner": [partner.short_name, partner.short_name],
                   **{k: [v, values[k]] for k, v in before.items()}}
    db.session.flush()
    record(actor, "involvement.invite", involvement, changes, event=event)
    if event.status != EventStatus.DRAFT:
        _queue_invitation(actor, involvement)
    return involvement


def answer_invitation(actor, involvement: Involvement, accept: bool, note: str = "") -> Involvement:
    """The invited partner accepts or declines, with an optional note. The last answer tells
    the lead partner's coordinators that the event is ready to schedule."""
    _lock_unless_refused(refusal_to_answer, actor, involvement, lock=_lock_involvement)
    note = clean_text(note)
    if len(note) > NOTE_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=NOTE_MAX), field="note")
    state = InvolvementState.ACCEPTED if accept else InvolvementState.DECLINED
    changes = apply_changes(involvement, {"state": state, "note": note})
    involvement.answered_by = actor
    involvement.answered_at = utcnow()
    changes["partner"] = [involvement.partner.short_name, involvement.partner.short_name]
    db.session.flush()
    action = "involvement.accept" if accept else "involvement.decline"
    record(actor, action, involvement, changes, event=involvement.event)
    if ready_to_schedule(involvement.event):
        _queue_ready_to_schedule(involvement.event)
    return involvement


def schedule_event(actor, event: Event) -> Event:
    """Proposed → scheduled: published to its audience once every invitation is answered."""
    _lock_unless_refused(refusal_to_schedule, actor, event)
    extra = {} if event.published_at else {"published_at": utcnow()}
    _set_status(actor, event, "event.schedule", EventStatus.SCHEDULED, **extra)
    _queue_partner_news(actor, event)
    announce.scheduled(event)
    return event


def cancel_event(actor, event: Event, reason: str) -> Event:
    """Cancelled with a reason: kept visible (struck through), registrants are told."""
    _lock_unless_refused(refusal_to_cancel, actor, event)
    reason = clean_text(reason)
    if not reason:
        raise ValidationFailed(_("Give a reason; the people registered will read it."),
                               field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=REASON_MAX), field="reason")
    changes = _set_status(actor, event, "event.cancel", EventStatus.CANCELLED,
                          cancel_reason=reason, cancelled_at=utcnow())
    hooks.event_changed(actor, event, "cancelled", changes)
    _queue_partner_news(actor, event)
    if event.published_at is not None:  # receivers heard of it being scheduled
        announce.cancelled(event)
    return event
