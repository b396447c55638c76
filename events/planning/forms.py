"""Shapes of the planning forms. Rules live in services; a form only parses input and turns
times entered in the event's own zone into UTC."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from events.bilingual import COLUMNS
from events.enums import Audience, Category, EventFormat, label
from events.planning.recurrence import Pattern
from events.planning.services import INVITABLE_ROLES
from events.planning.validation import (
    FIELDS,
    EventInvalid,
    is_known_zone,
    unknown_zone_message,
    wall_time_is_ambiguous,
)

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
TIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


FOLD_CHOICES = [("0", _l("Before the clocks change")), ("1", _l("After the clocks change"))]


def _fold_field():
    """Asked only when the wall time above it happens twice (the clocks go back)."""
    return RadioField(_l("Which one?"), choices=[], validators=[Optional()])


def _enum_choices(enum_cls):
    return [(member.value, label(member)) for member in enum_cls]


SUMMARY_HINT = _l("One or two sentences for the cards.")
DESCRIPTION_HINT = _l("Markdown: **bold**, *italic*, lists, links.")


class EventForm(FlaskForm):
    # The text in each language (events.bilingual); the template shows the reader's first.
    title_ru = StringField(_l("Title in Russian"))
    summary_ru = TextAreaField(_l("Summary in Russian"), description=SUMMARY_HINT)
    description_ru = TextAreaField(_l("Description in Russian"), description=DESCRIPTION_HINT)
    title_en = StringField(_l("Title in English"))
    summary_en = TextAreaField(_l("Summary in English"), description=SUMMARY_HINT)
    description_en = TextAreaField(_l("Description in English"), description=DESCRIPTION_HINT)
    category = SelectField(_l("Category"), choices=[])
    format = SelectField(_l("Format"), choices=[])
    venue = SelectField(_l("Room"), coerce=int, choices=[])
    online_url = URLField(_l("Link for online participants"))
    timezone = StringField(_l("Time zone"),
                           description=_l("Start and end are in this zone (IANA name)."))
    starts_at = DateTimeLocalField(_l("Starts"), format=LOCAL_FORMAT, validators=[Optional()])
    starts_at_fold = _fold_field()
    ends_at = DateTimeLocalField(_l("Ends"), format=LOCAL_FORMAT, validators=[Optional()])
    ends_at_fold = _fold_field()
    is_all_day = BooleanField(_l("All day"), description=_l(
        "From the start date to the end date, whole days; the times are ignored."))
    capacity = IntegerField(_l("Capacity"), validators=[Optional()],
                            description=_l("Leave empty for no limit."))
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), format=LOCAL_FORMAT,
                                               validators=[Optional()])
    registration_opens_at_fold = _fold_field()
    registration_closes_at = DateTimeLocalField(_l("Registration closes"),
                                                format=LOCAL_FORMAT, validators=[Optional()])
    registration_closes_at_fold = _fold_field()
    audience = SelectField(_l("Audience"), choices=[])
    programme = SelectField(_l("Programme"), coerce=int, choices=[])
    lead_partner = SelectField(_l("Lead partner"), coerce=int, choices=[])

    def setup(self, *, venues, programmes, partners=None, default_zone: str):
        """Fill the choices; `partners` only for admins creating an event (lead partner)."""
        self.category.choices = _enum_choices(Category)
        self.format.choices = _enum_choices(EventFormat)
        self.audience.choices = _enum_choices(Audience)
        for name in TIME_FIELDS:
            self._fields[f"{name}_fold"].choices = FOLD_CHOICES
        self.venue.choices = [(0, _l("— no room —"))] + [
            (v.id, f"{v.partner.local_short_name} · {v.name}, {v.building or v.site}"
                   + (f" ({v.capacity})" if v.capacity else ""))
            for v in venues
        ]
        self.programme.choices = [(0, _l("— none —"))] + [(p.id, p.title) for p in programmes]
        self._venues = {v.id: v for v in venues}
        self._programmes = {p.id: p for p in programmes}
        self._partners = {p.id: p for p in partners or []}
        if partners:
            self.lead_partner.choices = [(0, _l("— choose —"))] + [
                (p.id, p.local_name) for p in partners]
        else:
            del self.lead_partner
        if not self.is_submitted() and not self.timezone.data:
            self.timezone.data = default_zone
        return self

    def fill_from(self, event) -> None:
        """Prefill an edit form with the event's values, times in its own zone."""
        for name in FIELDS:
            if name in ("venue", "programme"):
                continue
            value = getattr(event, name)
            if name in TIME_FIELDS and value is not None:
                local = value.astimezone(event.zone)
                value = local.replace(tzinfo=None, fold=0)
                if name == "ends_at" and event.is_all_day:
                    value -= timedelta(days=1)  # shown as the last day, stored exclusive
                elif wall_time_is_ambiguous(value, event.zone):
                    self._fields[f"{name}_fold"].data = str(local.fold)
            getattr(self, name).data = value.value if hasattr(value, "value") else value
        self.venue.data = event.venue_id or 0
        self.programme.data = event.programme_id or 0

    def event_values(self) -> dict:
        """The service's keyword arguments; local times become aware UTC datetimes."""
        zone_name = (self.timezone.data or "").strip()
        if not is_known_zone(zone_name):
            # Without a zone the times mean nothing; the service words the message.
            raise EventInvalid({"timezone": unknown_zone_message()})
        zone = ZoneInfo(zone_name)
        all_day = bool(self.is_all_day.data)

        def aware(value: datetime | None, name: str):
            """A wall time in the zone; one that happens twice becomes the instant the
            person chose (without a choice the service asks for one)."""
            if value is None:
                return None
            chosen = self._fields[f"{name}_fold"].data
            if (chosen in ("0", "1") and not (all_day and name in ("starts_at", "ends_at"))
                    and wall_time_is_ambiguous(value, zone)):
                return value.replace(tzinfo=zone, fold=int(chosen)).astimezone(UTC)
            return value.replace(tzinfo=zone)

        starts, ends = self.starts_at.data, self.ends_at.data
        if self.is_all_day.data:
            # Whole days: the end date is the last day; stored as the midnight after it.
            starts = datetime.combine(starts.date(), time()) if starts else None
            ends = datetime.combine(ends.date() + timedelta(days=1), time()) if ends else None

        return {
            **{column: self._fields[column].data or "" for column in COLUMNS},
            "category": self.category.data,
            "format": self.format.data, "venue": self._venues.get(self.venue.data),
            "online_url": self.online_url.data, "timezone": zone_name,
            "starts_at": aware(starts, "starts_at"), "ends_at": aware(ends, "ends_at"),
            "is_all_day": bool(self.is_all_day.data),
            "capacity": self.capacity.data,
            "registration_opens_at": aware(self.registration_opens_at.data,
                                           "registration_opens_at"),
            "registration_closes_at": aware(self.registration_closes_at.data,
                                            "registration_closes_at"),
            "audience": self.audience.data, "programme": self._programmes.get(self.programme.data),
        }

    def asks_fold(self, name: str) -> bool:
        """Show "before or after the clocks change" under this time: it happens twice in
        the chosen zone."""
        value = self._fields[name].data
        zone_name = (self.timezone.data or "").strip()
        if not isinstance(value, datetime) or not is_known_zone(zone_name):
            return False
        if self.is_all_day.data and name in ("starts_at", "ends_at"):
            return False
        return wall_time_is_ambiguous(value, ZoneInfo(zone_name))

    def chosen_lead_partner(self):
        if "lead_partner" not in self._fields:
            return None
        return self._partners.get(self.lead_partner.data)


class InviteForm(FlaskForm):
    partner = SelectField(_l("Partner"), coerce=int, choices=[])
    role = SelectField(_l("As"), choices=[])

    def setup(self, partners):
        self.partner.choices = [(p.id, p.local_name) for p in partners]
        self.role.choices = [(r.value, label(r)) for r in INVITABLE_ROLES]
        self._partners = {p.id: p for p in partners}
        return self

    def chosen_partner(self):
        return self._partners.get(self.partner.data)


class AnswerForm(FlaskForm):
    note = TextAreaField(_l("Note (optional)"))
    accept = SubmitField(_l("Accept"))
    decline = SubmitField(_l("Decline"))


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), description=_l("People registered will read it."))


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


WEEKDAY_CHOICES = [(0, _l("Monday")), (1, _l("Tuesday")), (2, _l("Wednesday")),
                   (3, _l("Thursday")), (4, _l("Friday")), (5, _l("Saturday")),
                   (6, _l("Sunday"))]
NTH_CHOICES = [("", _l("— on a day of the month —")), ("1", _l("first")), ("2", _l("second")),
               ("3", _l("third")), ("4", _l("fourth")), ("5", _l("fifth")),
               ("-1", _l("last"))]
FREQUENCY_CHOICES = [("weekly", _l("Weekly")), ("daily", _l("Daily")),
                     ("monthly", _l("Monthly"))]
SCOPE_CHOICES = [("this", _l("This date only")),
                 ("this_and_following", _l("This and the following dates")),
                 ("all", _l("Every coming date of the series"))]


class SeriesForm(EventForm):
    """The event form with a pattern: the first date is the event's start."""

    frequency = SelectField(_l("Repeat"), choices=[])
    interval = IntegerField(_l("Every"), default=1, validators=[Optional()],
                            description=_l("1 for every day/week/month, 2 for every other."))
    weekdays = SelectMultipleField(_l("On"), coerce=int, choices=[],
                                   widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput(), validators=[Optional()])
    month_day = IntegerField(_l("Day of the month"), validators=[Optional()],
                             description=_l("Monthly: a date such as 15; months without it "
                                            "are skipped."))
    nth = SelectField(_l("Or on the"), choices=[], validators=[Optional()])
    nth_weekday = SelectField(_l("Weekday"), coerce=int, choices=[],
                              validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()],
                      description=_l("The last possible date; or give a number of dates."))
    count = IntegerField(_l("Number of dates"), validators=[Optional()])
    allow_series_registration = BooleanField(_l("Residents may register for the whole series"))
    preview = SubmitField(_l("Show the dates"))
    create = SubmitField(_l("Create the series"))

    def setup(self, **kwargs):
        super().setup(**kwargs)
        self.frequency.choices = FREQUENCY_CHOICES
        self.weekdays.choices = WEEKDAY_CHOICES
        self.nth.choices = NTH_CHOICES
        self.nth_weekday.choices = WEEKDAY_CHOICES
        return self

    def pattern(self) -> Pattern:
        frequency = self.frequency.data
        by_nth = frequency == "monthly" and self.nth.data not in (None, "")
        return Pattern(
            frequency=frequency,
            interval=self.interval.data if self.interval.data is not None else 1,
            weekdays=tuple(self.weekdays.data or ()) if frequency == "weekly" else (),
            month_day=self.month_day.data if frequency == "monthly" and not by_nth else None,
            nth=int(self.nth.data) if by_nth else None,
            nth_weekday=self.nth_weekday.data if by_nth else None,
            until=self.until.data, count=self.count.data,
        )


class ScopeForm(FlaskForm):
    scope = RadioField(_l("Change which dates?"), choices=[], default="this")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope.choices = SCOPE_CHOICES


class SeriesAnswerForm(FlaskForm):
    note = TextAreaField(_l("Note (optional)"))
    accept = SubmitField(_l("Accept every date"))
    decline = SubmitField(_l("Decline every date"))
