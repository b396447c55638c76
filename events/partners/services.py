"""Partners and venues are managed by admins; every change is audited."""

import re
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from events.audit.services import apply_changes, record
from events.auth.permissions import is_admin
from events.contrast import TEXT_CONTRAST, best_text_contrast, contrast
from events.db import just_created
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from events.partners.models import Partner, Venue
from events.partners.origins import clean_origins
from events.text import one_line

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_SLUGS = {"new"}  # /partners/new is a page of its own
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _require_admin(actor) -> None:
    if not is_admin(actor):
        raise NotAllowed(_("Only administrators manage partners and venues."))


def _clean_partner(values: dict) -> dict:
    slug = values["slug"].strip().lower()
    if not SLUG.match(slug) or slug in RESERVED_SLUGS:
        raise ValidationFailed(_("Use lowercase letters, digits and dashes."), field="slug")
    if not COLOUR.match(values["color"]):
        raise ValidationFailed(_("Use a colour like #1b7f5b."), field="color")
    if best_text_contrast(values["color"]) < TEXT_CONTRAST:
        raise ValidationFailed(_("Text on this colour would be hard to read: neither black nor "
                                 "white text reaches a contrast of 4.5:1. Choose a darker or a "
                                 "lighter shade."), field="color")
    website = (values.get("website") or "").strip() or None
    if website and not website.startswith(("http://", "https://")):
        raise ValidationFailed(_("Start the address with https://"), field="website")
    translated = {key: (values[key] or "").strip() for key in ("name_ru", "short_name_ru")
                  if key in values}  # left out: kept as they are
    return {
        "slug": slug, "name": one_line(values["name"]),
        "short_name": one_line(values["short_name"]),
        "description": (values.get("description") or "").strip(), "website": website,
        "color": values["color"].lower(), **translated, **_clean_embed(values),
    }


def _clean_embed(values: dict) -> dict:
    """The widget's settings, when given: the websites that may frame it, its background (the
    text on it is black or white, whichever reads better) and an accent for links that reads
    on that background."""
    cleaned = {}
    if "embed_origins" in values:
        cleaned["embed_origins"] = clean_origins(values["embed_origins"])
    background = (values.get("embed_background") or "#ffffff").strip().lower()
    accent = (values.get("embed_accent") or "").strip().lower()
    if "embed_background" in values:
        if not COLOUR.match(background):
            raise ValidationFailed(_("Use a colour like #1b7f5b."), field="embed_background")
        cleaned["embed_background"] = background
    if "embed_accent" in values:
        if accent and not COLOUR.match(accent):
            raise ValidationFailed(_("Use a colour like #1b7f5b."), field="embed_accent")
        if accent and contrast(accent, background) < TEXT_CONTRAST:
            raise ValidationFailed(_("Links in this colour would be hard to read on the "
                                     "widget's background (contrast below 4.5:1)."),
                                   field="embed_accent")
        cleaned["embed_accent"] = accent
    return cleaned


def _check_partner(values: dict, partner: Partner | None = None) -> dict:
    cleaned = _clean_partner(values)
    taken = db.session.scalar(sa.select(Partner.id).where(Partner.slug == cleaned["slug"]))
    if taken is not None and (partner is None or taken != partner.id):
        raise Conflict(_("Another partner uses this address."), field="slug")
    return cleaned


def _twin_just_created(cleaned: dict) -> Partner | None:
    """The partner these very values created moments ago: the same form sent twice."""
    twin = db.session.scalar(sa.select(Partner).where(Partner.slug == cleaned["slug"]))
    if twin is not None and just_created(twin) and all(
            getattr(twin, name) == value for name, value in cleaned.items()):
        return twin
    return None


def create_partner(actor, **values) -> Partner:
    """A new partner joins the memorandum (the same form sent twice answers as the first)."""
    _require_admin(actor)
    twin = _twin_just_created(_clean_partner(values))
    if twin is not None:
        return twin
    partner = Partner(**_check_partner(values))
    db.session.add(partner)
    record(actor, "partner.create", partner, {"slug": [None, partner.slug]})
    return partner


def update_partner(actor, partner: Partner, **values) -> dict:
    _require_admin(actor)
    changes = apply_changes(partner, _check_partner(values, partner))
    if changes:
        record(actor, "partner.update", partner, changes)
    return changes


def _check_venue(values: dict, venue: Venue | None = None) -> dict:
    """Validate the given fields (a partial update checks them against the stored rest)."""
    capacity = values.get("capacity")
    if capacity is not None and capacity < 0:
        raise ValidationFailed(_("Capacity cannot be negative."), field="capacity")
    lat = values.get("latitude", venue.latitude if venue else None)
    lon = values.get("longitude", venue.longitude if venue else None)
    if (lat is None) != (lon is None):
        raise ValidationFailed(_("Give both coordinates or neither."), field="latitude")
    if lat is not None and not (-90 <= Decimal(str(lat)) <= 90):
        raise ValidationFailed(_("Latitude is between -90 and 90."), field="latitude")
    if lon is not None and not (-180 <= Decimal(str(lon)) <= 180):
        raise ValidationFailed(_("Longitude is between -180 and 180."), field="longitude")
    # Every venue text is one line except the accessibility notes.
    clean = {k: (v.strip() if k == "accessibility" else one_line(v)) if isinstance(v, str) else v
             for k, v in values.items()}
    for key in ("latitude", "longitude"):
        if key in clean and clean[key] is not None:
            clean[key] = float(clean[key])
    return clean


def create_venue(actor, partner: Partner, **values) -> Venue:
    """A room on a partner's site."""
    _require_admin(actor)
    venue = Venue(partner=partner, **_check_venue(values))
    db.session.add(venue)
    record(actor, "venue.create", venue, {"name": [None, venue.name]})
    return venue


def update_venue(actor, venue: Venue, **values) -> dict:
    """Change a room; `is_active=False` retires it from new bookings (old events keep it)."""
    _require_admin(actor)
    changes = apply_changes(venue, _check_venue(values, venue))
    if changes:
        record(actor, "venue.update", venue, changes)
    return changes
