"""The audit trail as people read it: who did what, in words, in the reader's language.

Entries store field names and raw values (ids, enum values, ISO times, and for some fields a
name as it was then). Here each becomes what a person understands: the field's label, a
partner's, room's or programme's name, an enum's translated word, a time in the event's own
zone, yes/no, and the thing an entry is about (the partner answering, the person checked in).
Everything a page needs is loaded in a fixed number of queries, however long the trail.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from events.enums import (
    Audience,
    Category,
    ContributionKind,
    ContributionStatus,
    EventFormat,
    EventStatus,
    InvolvementRole,
    InvolvementState,
    QuestionKind,
    RegistrationStatus,
    label,
)
from events.extensions import db
from events.i18n import local_datetime

# One sentence per action, with the actor (and what the entry is about) as placeholders, so
# each language words and orders it itself (Russian: "Имя: мероприятие создано", no guessing
# of the actor's grammatical gender).
ACTIONS = {
    "event.create": _l("%(actor)s created the event"),
    "event.import": _l("%(actor)s imported the event from a calendar file"),
    "event.update": _l("%(actor)s changed the event"),
    "event.programme": _l("%(actor)s changed the event's programme"),
    "event.propose": _l("%(actor)s proposed the event"),
    "event.schedule": _l("%(actor)s scheduled the event"),
    "event.cancel": _l("%(actor)s cancelled the event"),
    "involvement.invite": _l("%(actor)s invited %(subject)s"),
    "involvement.accept": _l("%(actor)s accepted the invitation for %(subject)s"),
    "involvement.decline": _l("%(actor)s declined the invitation for %(subject)s"),
    "contribution.create": _l("%(actor)s recorded a contribution: %(subject)s"),
    "contribution.update": _l("%(actor)s changed a contribution: %(subject)s"),
    "contribution.delivered": _l("%(actor)s marked a contribution as delivered: %(subject)s"),
    "contribution.withdrawn": _l("%(actor)s withdrew a contribution: %(subject)s"),
    "registration.create": _l("%(actor)s registered"),
    "registration.cancel": _l("%(actor)s cancelled the registration of %(subject)s"),
    "registration.promote": _l("%(subject)s got a freed seat from the waitlist "
                               "(after a change by %(actor)s)"),
    "registration.check_in": _l("%(actor)s checked in %(subject)s"),
    "registration.resend_link": _l("%(actor)s had the confirmation of %(subject)s sent again "
                                   "with a new cancel link"),
    "registration.undo_check_in": _l("%(actor)s took back the check-in of %(subject)s"),
    "registration.add": _l("%(actor)s added %(subject)s to the list"),
    "registration.move_ahead": _l("%(actor)s moved %(subject)s to the head of the waitlist"),
    "event.message": _l("%(actor)s sent a message to the attendees"),
    "series.update": _l("%(actor)s changed dates of the series"),
    "registration.approve": _l("%(actor)s approved the registration of %(subject)s"),
    "registration.decline": _l("%(actor)s declined the registration of %(subject)s"),
    "registration.answers": _l("%(actor)s changed the answers of %(subject)s"),
    "registration_question.add": _l("%(actor)s added a registration question"),
    "registration_question.update": _l("%(actor)s changed a registration question"),
    "registration_question.remove": _l("%(actor)s removed a registration question"),
    "event.registration_approval": _l("%(actor)s changed whether registrations need "
                                      "approval"),
}
SOME_CHANGE = _l("%(actor)s made a change")
# When the person acts on their own registration.
OWN_ACTIONS = {
    "registration.cancel": _l("%(actor)s cancelled their registration"),
    "registration.resend_link": _l("%(actor)s had their confirmation sent again with a new "
                                   "cancel link"),
    "registration.answers": _l("%(actor)s changed their answers"),
}
# Entries that bring a thing into being: their fields have no "before".
FIRST_ACTIONS = {"event.create", "event.import", "contribution.create", "registration.create",
                 "involvement.invite", "registration.add", "event.message",
                 "registration_question.add"}

FIELD_NAMES = {
    "title": _l("Title"), "summary": _l("Summary"), "description": _l("Description"),
    "title_ru": _l("Title in Russian"), "title_en": _l("Title in English"),
    "summary_ru": _l("Summary in Russian"), "summary_en": _l("Summary in English"),
    "description_ru": _l("Description in Russian"),
    "description_en": _l("Description in English"),
    "category": _l("Category"), "format": _l("Format"), "venue": _l("Room"),
    "online_url": _l("Link for online participants"), "starts_at": _l("Starts"),
    "ends_at": _l("Ends"), "is_all_day": _l("All day"), "timezone": _l("Time zone"),
    "capacity": _l("Capacity"),
    "audience": _l("Audience"), "registration_opens_at": _l("Registration opens"),
    "registration_closes_at": _l("Registration closes"), "programme": _l("Programme"),
    "programme_id": _l("Programme"), "status": _l("Status"),
    "lead_partner": _l("Lead partner"), "partner": _l("Partner"), "role": _l("Role"),
    "state": _l("Answer"), "note": _l("Note"), "cancel_reason": _l("Reason"),
    "cancelled_at": _l("Cancelled at"), "published_at": _l("Published at"),
    "kind": _l("Kind"), "quantity": _l("Quantity"), "unit": _l("Unit"), "amount": _l("Amount"),
    "currency": _l("Currency"), "delivered_at": _l("Delivered at"),
    "withdrawn_at": _l("Withdrawn at"), "checked_in_at": _l("Checked in at"),
    "reason": _l("Reason"), "registered_at": _l("Place in the queue"),
    "group": _l("Sent to"), "subject": _l("Subject"),
    "scope": _l("Change which dates?"), "fields": _l("Changed"),
    "question": _l("Question"), "answer_kind": _l("Kind of answer"),
    "help_text": _l("Help text"), "choices": _l("Options"), "is_required": _l("Answer required"),
    "registration_needs_approval": _l("Registrations need approval"),
}
# The edit scope of a series (events.planning.series.SCOPES), as the edit form words it.
SCOPE_WORDS = {"this": _l("This date only"),
               "this_and_following": _l("This and the following dates"),
               "all": _l("Every coming date of the series")}
# Bookkeeping that means nothing to a reader: the calendar revision and the iCalendar UID.
HIDDEN_FIELDS = {"sequence", "uid"}

# Which enum a field's values belong to, by the kind of thing the entry is about.
_ENUMS = {
    "category": Category, "format": EventFormat, "audience": Audience, "role": InvolvementRole,
    "state": InvolvementState, "kind": ContributionKind, "answer_kind": QuestionKind,
}
_STATUS_ENUMS = {
    "events": EventStatus, "contributions": ContributionStatus,
    "registrations": RegistrationStatus, "involvements": InvolvementState,
}
_PARTNER_FIELDS = {"partner", "lead_partner"}
_PROGRAMME_FIELDS = {"programme", "programme_id"}
_NUMBER_FIELDS = {"quantity", "amount"}
LONG_TEXT = 120


@dataclass
class TrailRow:
    entry: object
    sentence: Markup  # who did what, the actor's name in bold
    changes: list[tuple[str, str | None, str]]  # (label, before or None when first set, after)


@dataclass
class _Names:
    """What ids and old spellings stand for, loaded once per trail."""

    partners: dict
    spellings: dict
    programmes: dict
    venues: dict
    subjects: dict


def trail_rows(entries, event) -> list[TrailRow]:
    """The rows of an event's History, in the reader's language."""
    entries = list(entries)
    names = _load_names(entries)
    return [_row(entry, event, names) for entry in entries]


def _ids(entries, fields) -> set[int]:
    found = set()
    for entry in entries:
        for name, pair in (entry.changes or {}).items():
            if name in fields and isinstance(pair, list | tuple):
                found.update(v for v in pair if isinstance(v, int) and not isinstance(v, bool))
    return found


def _load_names(entries) -> _Names:
    from events.contributions.models import Contribution
    from events.partners.models import Partner, Venue
    from events.planning.models import Involvement, Programme
    from events.registrations.models import Registration

    by_type: dict[str, set[int]] = {}
    for entry in entries:
        if entry.subject_id is not None:
            by_type.setdefault(entry.subject_type, set()).add(entry.subject_id)
    needs_partners = any(e.subject_type in ("involvements", "contributions")
                         or _PARTNER_FIELDS & set(e.changes or {}) for e in entries)
    partners = {p.id: p for p in db.session.scalars(sa.select(Partner))} \
        if needs_partners else {}
    spellings = {text: p for p in partners.values() for text in p.spellings()}
    programme_ids = _ids(entries, _PROGRAMME_FIELDS)
    programmes = {p.id: p.title for p in db.session.scalars(
        sa.select(Programme).where(Programme.id.in_(programme_ids)))} if programme_ids else {}
    venue_ids = _ids(entries, {"venue"})
    venues = {v.id: v.label for v in db.session.scalars(
        sa.select(Venue).where(Venue.id.in_(venue_ids)))} if venue_ids else {}
    subjects: dict[tuple[str, int], object] = {}
    for table, model, options in (
        ("registrations", Registration, (selectinload(Registration.user),)),
        ("contributions", Contribution, ()),
        ("involvements", Involvement, ()),
    ):
        if by_type.get(table):
            rows = db.session.scalars(
                sa.select(model).where(model.id.in_(by_type[table])).options(*options))
            subjects.update({(table, row.id): row for row in rows})
    return _Names(partners, spellings, programmes, venues, subjects)


def _row(entry, event, names: _Names) -> TrailRow:
    actor = entry.actor.name if entry.actor is not None else _("System")
    thing = names.subjects.get((entry.subject_type, entry.subject_id))
    own = entry.action in OWN_ACTIONS and getattr(thing, "user_id", None) == entry.actor_id
    words = OWN_ACTIONS[entry.action] if own else ACTIONS.get(entry.action, SOME_CHANGE)
    template = Markup.escape(str(words))
    sentence = template % {"actor": Markup("<strong class=\"actor\">{}</strong>").format(actor),
                           "subject": _subject(entry, names) or "—"}
    changes = []
    for name, pair in (entry.changes or {}).items():
        if name in HIDDEN_FIELDS or not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        before, after = pair
        if name == "partner" and entry.subject_type in ("involvements", "contributions"):
            continue  # whose answer or contribution: the entry's subject names the partner
        if entry.action in FIRST_ACTIONS and after in (None, ""):
            continue  # not set when it was made
        first = entry.action in FIRST_ACTIONS or (
            before in (None, "") and not (name == "capacity" and before is None))
        shown_before = None if first else _value(name, before, entry, event, names)
        changes.append((str(FIELD_NAMES.get(name, _("Other detail"))), shown_before,
                        _value(name, after, entry, event, names)))
    return TrailRow(entry, sentence, changes)


def _subject(entry, names: _Names) -> str:
    """What the entry is about when that is not the event itself."""
    thing = names.subjects.get((entry.subject_type, entry.subject_id))
    if thing is None:
        return ""
    if entry.subject_type == "registrations":
        return thing.user.name if thing.user else ""
    partner = names.partners.get(thing.partner_id)
    partner_name = partner.local_short_name if partner else ""
    if entry.subject_type == "involvements":
        return partner_name
    return " · ".join(p for p in (partner_name, label(thing.kind), _short(thing.description))
                      if p)


def _short(text: str) -> str:
    return text if len(text) <= LONG_TEXT else text[:LONG_TEXT - 1] + "…"


def _value(name: str, value, entry, event, names: _Names) -> str:
    if name == "capacity" and value is None:
        return _("no limit")
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "scope":
        return str(SCOPE_WORDS.get(value, value))
    if name == "fields":
        return ", ".join(str(FIELD_NAMES.get(f, f)) for f in str(value).split(", "))
    if name in _PARTNER_FIELDS:
        partner = names.partners.get(value) if isinstance(value, int) else \
            names.spellings.get(value)
        return partner.local_short_name if partner is not None else str(value)
    if name in _PROGRAMME_FIELDS:
        return names.programmes.get(value, "—") if isinstance(value, int) else str(value)
    if name == "venue" and isinstance(value, int):
        return names.venues.get(value, "—")
    if name.endswith("_at") and isinstance(value, str):
        try:
            return local_datetime(datetime.fromisoformat(value), event, "short")
        except ValueError:
            return value
    enum_cls = _STATUS_ENUMS.get(entry.subject_type) if name == "status" else _ENUMS.get(name)
    if enum_cls is not None:
        try:
            return label(enum_cls(value))
        except ValueError:
            return str(value)
    if name in _NUMBER_FIELDS:
        try:
            return format_decimal(Decimal(str(value)), format="#,##0.##")
        except InvalidOperation:
            return str(value)
    if name == "unit":
        from events.contributions.services import unit_label

        return unit_label(value)
    return _short(str(value))
