"""Shapes of the agreement, document, target, rate card and exchange rate forms (the rules
live in services.py and rates.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from events.agreements.enums import AgreementStatus, TargetMetric
from events.contributions.forms import currency_choices
from events.enums import Category, ContributionKind, EventFormat, label


class AgreementForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    number = StringField(_l("Number"), validators=[Optional(), Length(max=64)])
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    starts_on = DateField(_l("In force from"), validators=[DataRequired()])
    ends_on = DateField(_l("In force until"), validators=[Optional()])
    status = SelectField(_l("Status"))
    parties = SelectMultipleField(_l("Parties"), coerce=int,
                                  widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput())
    covers_all_joint_events = BooleanField(
        _l("Covers every joint event of the parties (as the memorandum does)"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [(s.value, label(s)) for s in AgreementStatus]
        self.parties.choices = [(p.id, p.name) for p in partners]

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "title", "number", "signed_on", "starts_on", "ends_on", "status", "parties",
            "covers_all_joint_events", "notes")}


class DocumentForm(FlaskForm):
    document = FileField(_l("Signed copy (PDF)"))


class TargetForm(FlaskForm):
    metric = SelectField(_l("What is counted"))
    planned = StringField(_l("Planned"), validators=[DataRequired(), Length(max=20)])
    starts_on = DateField(_l("From"), validators=[DataRequired()])
    ends_on = DateField(_l("To"), validators=[DataRequired()])
    partner_id = SelectField(_l("Partner"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    format = SelectField(_l("Format"), validators=[Optional()])
    kind = SelectField(_l("Kind of contribution"), validators=[Optional()])
    currency = SelectField(_l("Currency"), default="RUB")
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        anything = ("", _l("Any"))
        self.metric.choices = [(m.value, label(m)) for m in TargetMetric]
        self.partner_id.choices = [("", _l("All partners together")),
                                   *((str(p.id), p.name) for p in partners)]
        self.category.choices = [anything, *((c.value, label(c)) for c in Category)]
        self.format.choices = [anything, *((f.value, label(f)) for f in EventFormat)]
        self.kind.choices = [anything, *((k.value, label(k)) for k in ContributionKind)]
        self.currency.choices = currency_choices()

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "metric", "planned", "starts_on", "ends_on", "partner_id", "category", "format",
            "kind", "currency", "note")}


class RateCardForm(FlaskForm):
    """Title and validity; the prices are one input per LineSpec, read by key."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    valid_to = DateField(_l("Valid until"), validators=[Optional()])


class ExchangeRateForm(FlaskForm):
    currency = SelectField(_l("Currency"))
    rate_on = DateField(_l("Day"), validators=[DataRequired()])
    nominal = SelectField(_l("Nominal"), default="1")
    value = StringField(_l("Roubles for the nominal"),
                        validators=[DataRequired(), Length(max=20)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency.choices = [c for c in currency_choices() if c[0] != "RUB"]
        self.nominal.choices = [(n, n) for n in ("1", "10", "100", "1000", "10000", "100000")]
