"""The words of DESIGN.md as enums: stored as their values, shown through the labels below."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext


class Role(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Residency(StrEnum):
    """A resident's standing with the partner whose site they named."""

    PENDING = "pending"  # a guest until that partner's staff confirm or refuse
    CONFIRMED = "confirmed"
    REFUSED = "refused"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Audience(StrEnum):
    PUBLIC = "public"
    RESIDENTS = "residents"
    INTERNAL = "internal"


class EventFormat(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class Category(StrEnum):
    CONFERENCE = "conference"
    WORKSHOP = "workshop"
    SEMINAR = "seminar"
    EXHIBITION = "exhibition"
    NETWORKING = "networking"
    DEMO_DAY = "demo_day"
    CONSULTING_DAY = "consulting_day"
    OTHER = "other"


class InvolvementRole(StrEnum):
    HOST = "host"
    CO_HOST = "co-host"
    SUPPORTER = "supporter"


class InvolvementState(StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ImportJobStatus(StrEnum):
    QUEUED = "queued"          # file stored, waiting to be read
    READING = "reading"
    READY = "ready"            # preview ready, waiting for the person's choices
    IMPORTING = "importing"    # creating the chosen events
    DONE = "done"
    FAILED = "failed"


class OutboxStatus(StrEnum):
    QUEUED = "queued"          # waiting for its next attempt (failed ones too, with an error)
    SENDING = "sending"        # claimed by a worker until its lease runs out
    SENT = "sent"
    DEAD = "dead"              # refused for good, or retries ran out: an admin may send again


class ContributionKind(StrEnum):
    VENUE = "venue"
    FUNDING = "funding"
    SPEAKERS = "speakers"
    CATERING = "catering"
    EQUIPMENT = "equipment"
    PROMOTION = "promotion"
    STAFF_TIME = "staff_time"
    CONSULTING = "consulting"
    OTHER = "other"


class ContributionStatus(StrEnum):
    PLEDGED = "pledged"
    DELIVERED = "delivered"
    WITHDRAWN = "withdrawn"


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    PENDING = "pending"        # the event needs approval: no seat until staff approve


class QuestionKind(StrEnum):
    """What a registration question asks for."""

    TEXT = "text"                  # one line
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    CONSENT = "consent"            # a yes/no checkbox


LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.STAFF: _l("Partner staff"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.ADMIN: _l("Administrator"),
    Residency.PENDING: _l("Guest, waiting for confirmation"),
    Residency.CONFIRMED: _l("Confirmed resident"),
    Residency.REFUSED: _l("Guest (not confirmed)"),
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PROPOSED: _l("Proposed"),
    EventStatus.SCHEDULED: _l("Scheduled"),
    EventStatus.CANCELLED: _l("Cancelled"),
    Audience.PUBLIC: _l("Public"),
    Audience.RESIDENTS: _l("Residents only"),
    Audience.INTERNAL: _l("Internal (staff only)"),
    EventFormat.IN_PERSON: _l("In person"),
    EventFormat.ONLINE: _l("Online"),
    EventFormat.HYBRID: _l("Hybrid"),
    Category.CONFERENCE: _l("Conference"),
    Category.WORKSHOP: _l("Workshop"),
    Category.SEMINAR: _l("Seminar"),
    Category.EXHIBITION: _l("Exhibition"),
    Category.NETWORKING: _l("Networking"),
    Category.DEMO_DAY: _l("Demo day"),
    Category.CONSULTING_DAY: _l("Consulting day"),
    Category.OTHER: _l("Other"),
    InvolvementRole.HOST: _l("Host"),
    InvolvementRole.CO_HOST: _l("Co-host"),
    InvolvementRole.SUPPORTER: _l("Supporter"),
    InvolvementState.INVITED: _l("Invited"),
    InvolvementState.ACCEPTED: _l("Accepted"),
    InvolvementState.DECLINED: _l("Declined"),
    ContributionKind.VENUE: _l("Venue"),
    ContributionKind.FUNDING: _l("Funding"),
    ContributionKind.SPEAKERS: _l("Speakers"),
    ContributionKind.CATERING: _l("Catering"),
    ContributionKind.EQUIPMENT: _l("Equipment"),
    ContributionKind.PROMOTION: _l("Promotion"),
    ContributionKind.STAFF_TIME: _l("Staff time"),
    ContributionKind.CONSULTING: _l("Consulting"),
    ContributionKind.OTHER: _l("Other"),
    ContributionStatus.PLEDGED: _l("Pledged"),
    ContributionStatus.DELIVERED: _l("Delivered"),
    ContributionStatus.WITHDRAWN: _l("Withdrawn"),
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("Waitlisted"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
    QuestionKind.TEXT: _l("Text (one line)"),
    QuestionKind.LONG_TEXT: _l("Long text"),
    QuestionKind.SINGLE_CHOICE: _l("Single choice"),
    QuestionKind.MULTIPLE_CHOICE: _l("Multiple choice"),
    QuestionKind.CONSENT: _l("Yes/no consent checkbox"),
}


# Members of different enums with the same value are equal dict keys above (StrEnum), so a
# label that must differ by enum lives here: in Russian a registration is cancelled in another
# grammatical gender than an event.
TYPED_LABELS = {
    (RegistrationStatus, RegistrationStatus.CANCELLED.value):
        lazy_pgettext("registration", "Cancelled"),
    # Residency has a "pending" too.
    (RegistrationStatus, RegistrationStatus.PENDING.value): _l("Waiting for approval"),
    (OutboxStatus, OutboxStatus.QUEUED.value): lazy_pgettext("mail", "Queued"),
    (OutboxStatus, OutboxStatus.SENDING.value): lazy_pgettext("mail", "Sending"),
    (OutboxStatus, OutboxStatus.SENT.value): lazy_pgettext("mail", "Sent"),
    (OutboxStatus, OutboxStatus.DEAD.value): lazy_pgettext("mail", "Dead"),
}


def label(value) -> str:
    """The translated label of an enum member (its value if it has none)."""
    typed = TYPED_LABELS.get((type(value), str(value)))
    if typed is not None:
        return str(typed)
    return str(LABELS.get(value, value))
