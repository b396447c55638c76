"""The API's JSON shapes (marshmallow): what it answers, what it accepts, and the RFC 9457
problem document every error is. flask-smorest turns them into the OpenAPI 3.1 document."""

from datetime import UTC

import marshmallow as ma
from marshmallow import fields, validate

from events.bilingual import LANGUAGES
from events.enums import (
    Audience,
    Category,
    ContributionKind,
    EventFormat,
    EventStatus,
    InvolvementRole,
    InvolvementState,
)

PAGE_MAX = 100
DECIMAL = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"


def _choice(enum_cls):
    return validate.OneOf([m.value for m in enum_cls])


def _no_nul(value: str) -> None:
    # PostgreSQL cannot store NUL in text: refused at the door as a field error.
    if "\x00" in value:
        raise ma.ValidationError("Text may not contain NUL characters.")


def _text(*, validate=(), **kwargs):
    checks = [validate] if callable(validate) else list(validate)
    return fields.String(validate=[*checks, _no_nul], **kwargs)


class Instant(fields.AwareDateTime):
    """An RFC 3339 date-time with its offset, read as the UTC instant it names."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ma.ValidationError("This date is out of range.") from None


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


# ---- answers ------------------------------------------------------------------------------

class PartnerRef(ma.Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)


class Partner(PartnerRef):
    website = fields.String(allow_none=True, required=True)
    description = fields.String(required=True)


class Venue(ma.Schema):
    id = fields.Integer(required=True)
    partner = fields.String(required=True, attribute="partner.slug",
                            metadata={"description": "slug of the partner owning the room"})
    site = fields.String(required=True)
    building = fields.String(required=True)
    name = fields.String(required=True)
    address = fields.String(required=True)
    capacity = fields.Integer(allow_none=True, required=True)
    accessibility = fields.String(required=True)
    is_active = fields.Boolean(required=True)


class Programme(ma.Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    title = fields.String(required=True, metadata={
        "description": "in the response's language, else in the other"})
    description = fields.String(required=True, metadata={
        "description": "Markdown, in the response's language, else in the other"})
    title_ru = fields.String(required=True)
    title_en = fields.String(required=True)
    description_ru = fields.String(required=True)
    description_en = fields.String(required=True)
    partners = fields.List(fields.String(), required=True,
                           metadata={"description": "slugs of the partners running it"})


class Involvement(ma.Schema):
    id = fields.Integer(required=True)
    partner = fields.String(required=True, attribute="partner.slug")
    role = fields.String(required=True, validate=_choice(InvolvementRole))
    state = fields.String(required=True, validate=_choice(InvolvementState))


class Event(ma.Schema):
    id = fields.Integer(required=True)
    uid = fields.String(required=True)
    title = fields.String(required=True, metadata={
        "description": "in the response's language (`lang`), else in the other"})
    summary = fields.String(required=True, metadata={
        "description": "in the response's language, else in the other"})
    description = fields.String(required=True, metadata={
        "description": "Markdown, in the response's language, else in the other"})
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES), metadata={
        "description": "the language `title` is written in"})
    title_ru = fields.String(required=True, metadata={"description": "empty: not written"})
    title_en = fields.String(required=True, metadata={"description": "empty: not written"})
    summary_ru = fields.String(required=True)
    summary_en = fields.String(required=True)
    description_ru = fields.String(required=True, metadata={"description": "Markdown"})
    description_en = fields.String(required=True, metadata={"description": "Markdown"})
    category = fields.String(required=True, validate=_choice(Category))
    format = fields.String(required=True, validate=_choice(EventFormat))
    audience = fields.String(required=True, validate=_choice(Audience))
    status = fields.String(required=True, validate=_choice(EventStatus))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    timezone = fields.String(required=True)
    is_all_day = fields.Boolean(required=True)
    capacity = fields.Integer(allow_none=True, required=True)
    online_url = fields.String(allow_none=True, required=True)
    venue_id = fields.Integer(allow_none=True, required=True)
    programme = fields.String(allow_none=True, required=True, attribute="programme_slug")
    series_id = fields.Integer(allow_none=True, required=True)
    lead_partner = fields.String(allow_none=True, required=True, attribute="lead_partner_slug")
    involvements = fields.List(fields.Nested(Involvement), required=True)
    sequence = fields.Integer(required=True)
    updated_at = fields.AwareDateTime(required=True)
    url = fields.String(required=True, metadata={"description": "the event's page"})


class EventPage(ma.Schema):
    items = fields.List(fields.Nested(Event), required=True)
    next_cursor = fields.String(allow_none=True, required=True, metadata={
        "description": "pass as `cursor` for the next page; null on the last page"})


class Series(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    title_ru = fields.String(required=True)
    title_en = fields.String(required=True)
    lead_partner = fields.String(required=True, attribute="lead_partner.slug")
    timezone = fields.String(required=True)
    frequency = fields.String(required=True)
    interval = fields.Integer(required=True)
    occurrences = fields.List(fields.Nested(Event), required=True, metadata={
        "description": "the dates this caller may see, soonest first"})


class Contribution(ma.Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    partner = fields.String(required=True, attribute="partner.slug")
    kind = fields.String(required=True, validate=_choice(ContributionKind))
    description = fields.String(required=True)
    quantity = fields.String(allow_none=True, required=True,
                             metadata={"description": "an exact decimal, as text"})
    unit = fields.String(required=True)
    amount = fields.String(allow_none=True, required=True,
                           metadata={"description": "an exact decimal, as text"})
    currency = fields.String(required=True)
    status = fields.String(required=True)


class Problem(ma.Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True, metadata={"description": "always about:blank"})
    title = fields.String(required=True, metadata={"description": "the HTTP status phrase"})
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={
        "description": "what went wrong, in the caller's language"})
    errors = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "field name → what is wrong with it"})


# ---- questions ----------------------------------------------------------------------------

class EventQuery(Strict):
    class Meta:
        unknown = ma.EXCLUDE

    partner = _text(metadata={"description": "a partner's slug: events it takes part in"})
    programme = _text(metadata={"description": "a programme's slug"})
    category = fields.String(validate=_choice(Category))
    audience = fields.String(validate=_choice(Audience))
    format = fields.String(validate=_choice(EventFormat))
    status = fields.String(validate=_choice(EventStatus))
    q = _text(validate=[validate.Length(max=100), _no_nul],
              metadata={"description": "words in the title or summary"})
    starts_after = Instant(data_key="from", metadata={
        "description": "events ending after this instant"})
    ends_before = Instant(data_key="to", metadata={
        "description": "events starting before this instant"})
    cursor = _text(validate=[validate.Length(max=500)], metadata={
        "description": "opaque: the `next_cursor` of the previous page (same filters)"})
    limit = fields.Integer(load_default=20, validate=validate.Range(1, PAGE_MAX),
                           metadata={"description": "events per page"})
    lang = fields.String(validate=validate.OneOf(LANGUAGES), metadata={
        "description": "the language of `title`, `summary` and `description` (any endpoint "
                       "takes it; default: the token owner's language, else Accept-Language)"})


class EventFields(Strict):
    """The fields of an event a client writes (as the event form)."""

    title = _text(validate=[validate.Length(max=200)], metadata={
        "description": "in the request's language (`lang`, else the token owner's, else "
                       "Accept-Language); an event with no text in it: in its own language"})
    summary = _text(validate=[validate.Length(max=500)], metadata={
        "description": "in the request's language"})
    description = _text(validate=[validate.Length(max=20_000)], metadata={
        "description": "Markdown, in the request's language"})
    title_ru = _text(validate=[validate.Length(max=200)])
    title_en = _text(validate=[validate.Length(max=200)])
    summary_ru = _text(validate=[validate.Length(max=500)])
    summary_en = _text(validate=[validate.Length(max=500)])
    description_ru = _text(validate=[validate.Length(max=20_000)])
    description_en = _text(validate=[validate.Length(max=20_000)])
    category = fields.String(validate=_choice(Category))
    format = fields.String(validate=_choice(EventFormat))
    audience = fields.String(validate=_choice(Audience))
    starts_at = Instant()
    ends_at = Instant()
    timezone = _text(validate=[validate.Length(max=64), _no_nul],
                     metadata={"description": "IANA zone, for example Europe/Moscow"})
    is_all_day = fields.Boolean()
    capacity = fields.Integer(allow_none=True, validate=validate.Range(1, 100_000))
    online_url = _text(allow_none=True, validate=[validate.Length(max=500)])
    venue_id = fields.Integer(allow_none=True, validate=validate.Range(1, 2**31 - 1))
    programme = _text(allow_none=True, validate=[validate.Length(max=64), _no_nul],
                      metadata={"description": "a programme's slug"})
    registration_opens_at = Instant(allow_none=True)
    registration_closes_at = Instant(allow_none=True)


class EventCreate(EventFields):
    """A title in at least one language (`title`, `title_ru` or `title_en`)."""

    category = fields.String(required=True, validate=_choice(Category))
    format = fields.String(required=True, validate=_choice(EventFormat))
    audience = fields.String(required=True, validate=_choice(Audience))
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    timezone = _text(required=True, validate=[validate.Length(max=64)])
    lead_partner = _text(validate=[validate.Length(max=64), _no_nul], metadata={
        "description": "administrators only: the lead partner's slug"})


class Answer(Strict):
    accept = fields.Boolean(required=True)
    note = _text(load_default="", validate=[validate.Length(max=2000)])


class ContributionCreate(Strict):
    partner = _text(validate=[validate.Length(max=64), _no_nul], metadata={
        "description": "the contributing partner's slug; default: the caller's partner"})
    kind = fields.String(required=True, validate=_choice(ContributionKind))
    description = _text(required=True, validate=[validate.Length(min=1, max=500)])
    quantity = fields.String(allow_none=True, validate=validate.Regexp(DECIMAL), metadata={
        "description": "an exact decimal as text, for example \"12.5\""})
    unit = _text(validate=[validate.Length(max=32)])
    amount = fields.String(allow_none=True, validate=validate.Regexp(DECIMAL), metadata={
        "description": "an exact decimal as text, for example \"1250.50\""})
    currency = _text(validate=[validate.Length(equal=3)])
