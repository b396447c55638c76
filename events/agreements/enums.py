"""The words of the agreements area, with their labels added to the shared label table."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from events.enums import LABELS


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    IN_FORCE = "in_force"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class TargetMetric(StrEnum):
    EVENTS = "events"
    REGISTRATIONS = "registrations"
    CHECKINS = "checkins"
    ROOM_HOURS = "room_hours"
    STAFF_HOURS = "staff_hours"
    SPEAKERS = "speakers"
    CONTRIBUTIONS = "contributions"
    MONEY = "money"


class Pace(StrEnum):
    """How a target stands against the share of its period that has gone by."""

    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NOT_STARTED = "not_started"


class ValueBasis(StrEnum):
    """Where a contribution's value in roubles comes from."""

    # Values distinct from every other enum's: the shared label table is keyed by value.
    AGREED = "agreed_value"
    MONEY = "roubles"
    CONVERTED = "converted"
    RATE_CARD = "rate_card"
    MISSING = "no_rate"


class RateSource(StrEnum):
    CBR = "cbr"
    MANUAL = "manual"


# Metrics that are a partner's commitment (a partner is required) and what they add up.
COMMITMENT_METRICS = frozenset({TargetMetric.ROOM_HOURS, TargetMetric.STAFF_HOURS,
                                TargetMetric.SPEAKERS, TargetMetric.CONTRIBUTIONS,
                                TargetMetric.MONEY})

LABELS.update({
    AgreementStatus.DRAFT: _l("Draft"),
    AgreementStatus.IN_FORCE: _l("In force"),
    AgreementStatus.EXPIRED: _l("Expired"),
    AgreementStatus.TERMINATED: _l("Terminated"),
    TargetMetric.EVENTS: _l("Events"),
    TargetMetric.REGISTRATIONS: _l("People registered"),
    TargetMetric.CHECKINS: _l("People checked in"),
    TargetMetric.ROOM_HOURS: _l("Room hours"),
    TargetMetric.STAFF_HOURS: _l("Staff hours"),
    TargetMetric.SPEAKERS: _l("Speakers"),
    TargetMetric.CONTRIBUTIONS: _l("Contributions of a kind"),
    TargetMetric.MONEY: _l("Money"),
    Pace.MET: _l("Met"),
    Pace.ON_TRACK: _l("On track"),
    Pace.BEHIND: _l("Behind"),
    Pace.NOT_STARTED: _l("Not started"),
    ValueBasis.AGREED: _l("Agreed value"),
    ValueBasis.MONEY: _l("Money in roubles"),
    ValueBasis.CONVERTED: _l("Money converted at the CBR rate"),
    ValueBasis.RATE_CARD: _l("Quantity × rate card"),
    ValueBasis.MISSING: _l("No rate yet"),
    RateSource.CBR: _l("Central Bank of Russia"),
    RateSource.MANUAL: _l("Entered by hand"),
})
