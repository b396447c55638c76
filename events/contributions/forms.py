"""Shapes of the contribution, programme and report-filter forms (rules live in services)."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from events.contributions.services import DEFAULT_CURRENCY, currency_codes
from events.enums import Category, ContributionKind, ContributionStatus, label

FIRST_CURRENCIES = ("RUB", "EUR", "USD", "CNY")


def currency_choices() -> list[tuple[str, str]]:
    """Common currencies first, then every current ISO 4217 code by name, in the reader's
    language."""
    from babel.numbers import get_currency_name

    locale = get_locale()
    rest = sorted(currency_codes() - set(FIRST_CURRENCIES))
    return [(code, f"{code} — {get_currency_name(code, locale=locale)}")
            for code in (*FIRST_CURRENCIES, *rest)]


class ContributionForm(FlaskForm):
    partner = SelectField(_l("Partner"), coerce=int)
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    description = StringField(_l("Description"), validators=[DataRequired(), Length(max=500)])
    quantity = StringField(_l("Quantity"), validators=[Optional(), Length(max=20)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=32)])
    amount = StringField(_l("Money value"), validators=[Optional(), Length(max=20)])
    currency = SelectField(_l("Currency"), default=DEFAULT_CURRENCY)
    agreed_value = StringField(_l("Agreed value, RUB"), validators=[Optional(), Length(max=20)])

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, label(k)) for k in ContributionKind]
        self.currency.choices = currency_choices()
        self.partner.choices = [(p.id, p.local_name) for p in partners]

    def values(self) -> dict:
        return {name: getattr(self, name).data
                for name in ("kind", "description", "quantity", "unit", "amount", "currency",
                             "agreed_value")}


class ProgrammeForm(FlaskForm):
    # A title in Russian, in English or both (the service asks for one); the template shows
    # the reader's language first.
    title_ru = StringField(_l("Title in Russian"), validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=200)])
    slug = StringField(_l("Short name for links"), validators=[Optional(), Length(max=64)])
    description_ru = TextAreaField(_l("Description in Russian"),
                                   validators=[Optional(), Length(max=5000)])
    description_en = TextAreaField(_l("Description in English"),
                                   validators=[Optional(), Length(max=5000)])
    # Checked by the service (an agreement the person may see); absent means none.
    agreement_id = SelectField(_l("Agreement"), coerce=int, default=0, validate_choice=False)
    partners = SelectMultipleField(_l("Partners running it"), coerce=int,
                                   widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput())

    def __init__(self, *args, agreements=(), partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement_id.choices = [(0, _l("— none —"))] + [(a.id, a.title) for a in agreements]
        self.partners.choices = [(p.id, p.name) for p in partners]

    def values(self) -> dict:
        return {"title_ru": self.title_ru.data, "title_en": self.title_en.data,
                "description_ru": self.description_ru.data,
                "description_en": self.description_en.data, "slug": self.slug.data,
                "agreement_id": self.agreement_id.data,
                "partners": self.partners.data}


class ReportFilterForm(FlaskForm):
    """The report's filters, read from the query string (a GET form, so no CSRF token)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    partner = SelectField(_l("Partner"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    status = SelectField(_l("Contributions"), default="active", validators=[Optional()])
    programme = SelectField(_l("Programme"), validators=[Optional()])

    def __init__(self, *args, partners=(), programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        anything = ("", _l("All"))
        self.partner.choices = [anything, *((str(p.id), p.local_name) for p in partners)]
        self.category.choices = [anything, *((c.value, label(c)) for c in Category)]
        self.programme.choices = [anything, *((str(p.id), p.title) for p in programmes)]
        self.status.choices = [
            ("active", _l("Pledged and delivered")),
            (ContributionStatus.PLEDGED.value, label(ContributionStatus.PLEDGED)),
            (ContributionStatus.DELIVERED.value, label(ContributionStatus.DELIVERED)),
            (ContributionStatus.WITHDRAWN.value, label(ContributionStatus.WITHDRAWN)),
            ("all", _l("All, withdrawn included")),
        ]

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end of the period is before its start."))
        if field.data and self.start.data and (field.data - self.start.data).days > 366 * 5:
            raise ValidationError(_l("Choose a period of at most five years."))
