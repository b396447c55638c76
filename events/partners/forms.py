"""Shapes of the partner and venue forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class PartnerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[DataRequired(), Length(max=64)])
    name_ru = StringField(_l("Name in Russian"), validators=[Optional(), Length(max=200)])
    short_name_ru = StringField(_l("Short name in Russian"),
                                validators=[Optional(), Length(max=64)])
    slug = StringField(_l("Address in links"), validators=[DataRequired(), Length(max=64)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    color = StringField(_l("Brand colour"), default="#336699",
                        validators=[DataRequired(), Length(max=7)])
    embed_origins = TextAreaField(_l("Websites that may show the agenda widget"),
                                  validators=[Length(max=2000)])
    embed_background = StringField(_l("Widget background"), default="#ffffff",
                                   validators=[DataRequired(), Length(max=7)])
    embed_accent = StringField(_l("Widget link colour"), validators=[Optional(), Length(max=7)])


class VenueForm(FlaskForm):
    name = StringField(_l("Room"), validators=[DataRequired(), Length(max=200)])
    building = StringField(_l("Building"), validators=[Optional(), Length(max=200)])
    site = StringField(_l("Site"), validators=[DataRequired(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=0)])
    accessibility = TextAreaField(_l("Accessibility"), validators=[Length(max=2000)])
    latitude = DecimalField(_l("Latitude"), places=6, validators=[Optional()])
    longitude = DecimalField(_l("Longitude"), places=6, validators=[Optional()])
    is_active = BooleanField(_l("Open for bookings"), default=True)
