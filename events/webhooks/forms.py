"""The shape of the webhook endpoint form (the rules are in services.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from events.webhooks.models import EVENT_TYPES

TYPE_LABELS = {
    "event.scheduled": _l("An event is scheduled (event.scheduled)"),
    "event.changed": _l("A scheduled event changes (event.changed)"),
    "event.cancelled": _l("An event is cancelled (event.cancelled)"),
    "registration.confirmed": _l("A seat is confirmed (registration.confirmed)"),
    "registration.cancelled": _l("A registration is cancelled (registration.cancelled)"),
}


class EndpointForm(FlaskForm):
    url = StringField(_l("Address (URL) to send to"), validators=[Length(max=500)])
    description = StringField(_l("Description"), validators=[Length(max=200)])
    event_types = SelectMultipleField(
        _l("Send these"), default=list(EVENT_TYPES), widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput())
    is_enabled = BooleanField(_l("Switched on"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_types.choices = [(t, TYPE_LABELS[t]) for t in EVENT_TYPES]

    def values(self) -> dict:
        return {"url": self.url.data, "description": self.description.data,
                "event_types": self.event_types.data or [], "is_enabled": self.is_enabled.data}
