"""The ledger's rules: who records which partner's contributions, what a valid row is, and
the only status moves (pledged → delivered | withdrawn). Every change is audited."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import sqlalchemy as sa
from babel.core import get_global
from babel.numbers import get_territory_currencies
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from events import bilingual
from events.audit.services import apply_changes, record
from events.auth.permissions import (
    can_add_contribution,
    can_assign_programme,
    can_change_contribution,
    can_edit_programme,
    can_manage_programmes,
    can_view_agreement,
    is_admin,
)
from events.contributions.models import Contribution
from events.db import just_created, utcnow
from events.enums import ContributionKind, ContributionStatus, label
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from events.partners.models import Partner
from events.planning.models import Programme

DEFAULT_CURRENCY = "RUB"
MAX_DECIMAL = Decimal("9999999999.99")  # NUMERIC(12, 2)
HOURS = "hours"
# Spellings people type for hours; stored as "hours" so the reports can add them up.
UNIT_ALIASES = {
    "h": HOURS, "hr": HOURS, "hrs": HOURS, "hour": HOURS, "hours": HOURS,
    "ч": HOURS, "ч.": HOURS, "час": HOURS, "часа": HOURS, "часов": HOURS, "часы": HOURS,
    "day": "days", "дн": "days", "дн.": "days", "день": "days", "дня": "days", "дней": "days",
    "person": "people", "чел": "people", "чел.": "people", "человек": "people",
    "seat": "seats", "место": "seats", "места": "seats", "мест": "seats",
    "item": "items", "pcs": "items", "шт": "items", "шт.": "items",
}
UNIT_LABELS = {"hours": _l("h"), "days": _l("days"), "people": _l("people"),
               "seats": _l("seats"), "items": _l("pcs")}


def unit_label(unit: str) -> str:
    """The stored unit as the reader says it (free-text units are shown as typed)."""
    return str(UNIT_LABELS.get(unit, unit))
TRANSITIONS = {
    ContributionStatus.PLEDGED: {ContributionStatus.DELIVERED, ContributionStatus.WITHDRAWN},
    ContributionStatus.DELIVERED: set(),
    ContributionStatus.WITHDRAWN: set(),
}


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere today (from the CLDR data in babel)."""
    today = date(2025, 1, 1)  # a fixed day keeps the list stable between runs
    codes = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, today, tender=True))
    return frozenset(codes)


def _decimal(raw, field: str, label: str) -> Decimal | None:
    """Exact decimal from a form string ("1 250,50" is fine) or a number; None when empty."""
    if raw is None:
        return None
    if isinstance(raw, float):
        raise ValidationFailed(_("%(label)s must be an exact number.", label=label), field=field)
    text = re.sub(r"[\s\u00a0\u202f]", "", str(raw)).replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(
            _("%(label)s must be a number, for example 1250.50.", label=label), field=field
        ) from None
    if not value.is_finite():
        raise ValidationFailed(_("%(label)s must be a number.", label=label), field=field)
    if value < 0:
        raise ValidationFailed(_("%(label)s cannot be negative.", label=label), field=field)
    if value > MAX_DECIMAL:
        raise ValidationFailed(_("%(label)s is too large.", label=label), field=field)
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise ValidationFailed(
            _("%(label)s may have at most two decimal places.", label=label), field=field
        )
    return value.quantize(Decimal("0.01"))


def normalise_unit(unit: str | None) -> str:
    text = " ".join((unit or "").split()).lower()
    return UNIT_ALIASES.get(text, text)


def clean_values(values: dict, current: Contribution | None = None) -> dict:
    """Validate the fields of a contribution; returns only the fields that were given."""
    allowed = {"kind", "description", "quantity", "unit", "amount", "currency", "agreed_value"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationFailed(_("Unknown field: %(name)s", name=sorted(unknown)[0]))
    cleaned: dict = {}
    if "kind" in values or current is None:
        try:
            cleaned["kind"] = ContributionKind(values.get("kind"))
        except ValueError:
            raise ValidationFailed(_("Choose a kind of contribution."), field="kind") from None
    if "description" in values or current is None:
        description = " ".join(str(values.get("description") or "").split())
        if not description:
            raise ValidationFailed(_("Describe the contribution."), field="description")
        if len(description) > 500:
            raise ValidationFailed(
                _("The description is longer than 500 characters."), field="description"
            )
        cleaned["description"] = description
    if "quantity" in values:
        cleaned["quantity"] = _decimal(values["quantity"], "quantity", _l("Quantity"))
    if "unit" in values:
        cleaned["unit"] = normalise_unit(values["unit"])
        if len(cleaned["unit"]) > 32:
            raise ValidationFailed(_("The unit is longer than 32 characters."), field="unit")
    if "amount" in values:
        cleaned["amount"] = _decimal(values["amount"], "amount", _l("Money value"))
    if "agreed_value" in values:
        cleaned["agreed_value"] = _decimal(values["agreed_value"], "agreed_value",
                                           _l("Agreed value, RUB"))
    if "currency" in values or current is None:
        currency = str(values.get("currency") or DEFAULT_CURRENCY).strip().upper()
        if currency not in currency_codes():
            raise ValidationFailed(
                _("%(code)s is not an ISO 4217 currency code.", code=currency), field="currency"
            )
        cleaned["currency"] = currency
    quantity = cleaned.get("quantity", current.quantity if current else None)
    unit = cleaned.get("unit", current.unit if current else "")
    if quantity is not None and not unit:
        raise ValidationFailed(_("Give the unit of the quantity."), field="unit")
    if quantity is None and unit:
        raise ValidationFailed(_("Give the quantity for this unit."), field="quantity")
    return cleaned


def add_contribution(actor, event, partner, **values) -> Contribution:
    """Record what `partner` pledges to `event` (status pledged)."""
    if not can_add_contribution(actor, event, partner.id):
        raise NotAllowed(_("You cannot record contributions of this partner to this event."))
    cleaned = clean_values(values)
    item = Contribution(event=event, partner=partner, created_by_id=actor.id,
                        status=ContributionStatus.PLEDGED, **({"unit": ""} | cleaned))
    db.session.add(item)
    db.session.flush()
    changes = {"partner": [None, partner.id], "status": [None, item.status.value]}
    changes |= {field: [None, value] for field, value in cleaned.items()}
    record(actor, "contribution.create", item, changes, event=event)
    return item


def update_contribution(actor, contribution: Contribution, **values) -> dict:
    """Correct the fields of a pledged or delivered row; withdrawn rows stay as they were."""
    _check_change(actor, contribution)
    if contribution.status == ContributionStatus.WITHDRAWN:
        raise Conflict(_("A withdrawn contribution cannot be changed."))
    changes = apply_changes(contribution, clean_values(values, contribution))
    if changes:
        contribution.updated_at = utcnow()
        db.session.flush()
        record(actor, "contribution.update", contribution, changes, event=contribution.event)
    return changes


def deliver_contribution(actor, contribution: Contribution) -> Contribution:
    """Mark a pledge as delivered."""
    return _move(actor, contribution, ContributionStatus.DELIVERED, "delivered_at")


def withdraw_contribution(actor, contribution: Contribution) -> Contribution:
    """Take a pledge back; the row stays in the ledger, shown apart."""
    return _move(actor, contribution, ContributionStatus.WITHDRAWN, "withdrawn_at")


def _check_change(actor, contribution: Contribution) -> None:
    if not can_change_contribution(actor, contribution):
        raise NotAllowed(_("Only this partner's staff can change its contributions."))


def _move(actor, contribution, status: ContributionStatus, stamp: str) -> Contribution:
    _check_change(actor, contribution)
    if status not in TRANSITIONS[contribution.status]:
        raise Conflict(_("This contribution is already %(status)s.",
                         status=_status_word(contribution.status)))
    changes = apply_changes(contribution, {"status": status, stamp: utcnow()})
    db.session.flush()
    record(actor, f"contribution.{status.value}", contribution, changes,
           event=contribution.event)
    return contribution


def _status_word(status: ContributionStatus) -> str:
    return label(status).lower()


# ---- programmes ----------------------------------------------------------------------------

def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64]


def _programme_texts(values: dict, programme: Programme | None) -> dict:
    """The title and description in each language (events.bilingual): a plain `title` or
    `description` goes to the reader's language (or the one the programme is written in)."""
    values = bilingual.split(values, programme)
    texts = {}
    for language in bilingual.LANGUAGES:
        texts[f"title_{language}"] = " ".join(str(values.get(f"title_{language}") or "").split())
        texts[f"description_{language}"] = str(values.get(f"description_{language}") or "").strip()
    return texts


def _programme_values(actor, values: dict, programme: Programme | None) -> dict:
    texts = _programme_texts(values, programme)
    titles = [texts[f"title_{language}"] for language in bilingual.preference()]
    if not any(titles):
        raise ValidationFailed(_("Give the programme a title in Russian or in English."),
                               field=f"title_{bilingual.reader_language()}")
    for language in bilingual.LANGUAGES:
        if len(texts[f"title_{language}"]) > 200:
            raise ValidationFailed(_("The title is longer than 200 characters."),
                                   field=f"title_{language}")
    slug = _slugify(str(values.get("slug") or "")) or (programme.slug if programme else "")
    slug = slug or _slugify(texts["title_en"]) or _slugify(texts["title_ru"]) or \
        f"programme-{utcnow():%Y%m%d%H%M%S}"
    clash = db.session.scalar(sa.select(Programme.id).where(
        Programme.slug == slug, Programme.id != (programme.id if programme else -1)))
    if clash is not None:
        raise ValidationFailed(_("Another programme uses this short name."), field="slug")
    cleaned = {**texts, "slug": slug}
    if "agreement_id" in values:
        cleaned["agreement_id"] = _programme_agreement(actor, values["agreement_id"])
    return cleaned


def _programme_just_created(values: dict) -> Programme | None:
    texts = _programme_texts(values, None)
    slug = _slugify(str(values.get("slug") or "")) or _slugify(texts["title_en"]) or \
        _slugify(texts["title_ru"])
    twin = db.session.scalar(sa.select(Programme).where(Programme.slug == slug)) if slug else None
    if twin is not None and just_created(twin) and bilingual.texts(twin) == texts:
        return twin
    return None


def _programme_agreement(actor, raw) -> int | None:
    """An agreement the actor may see (a programme cannot be put under a stranger's one)."""
    from events.agreements.models import Agreement

    if raw in (None, "", 0, "0"):
        return None
    agreement = db.session.get(Agreement, int(raw)) if str(raw).isdigit() else None
    if agreement is None or not can_view_agreement(actor, agreement):
        raise ValidationFailed(_("Choose an agreement from the list."), field="agreement_id")
    return agreement.id


def _programme_partners(actor, raw_ids, current: list | None) -> list[Partner]:
    """The partners running the programme: the actor's own partner stays among them (or an
    admin's choice, at least one)."""
    if raw_ids is None:
        if current is not None:
            return current
        raw_ids = [actor.partner_id] if actor.partner_id else []
    ids = {int(i) for i in raw_ids if str(i).isdigit()}
    if not ids and actor.partner_id:  # nothing ticked: the actor's own partner runs it
        ids = {actor.partner_id}
    partners = list(db.session.scalars(sa.select(Partner).where(Partner.id.in_(ids))
                                       .order_by(Partner.id)))
    if not partners or len(partners) != len(ids):
        raise ValidationFailed(_("Choose the partners running the programme."), field="partners")
    if not is_admin(actor) and actor.partner_id not in ids:
        raise ValidationFailed(_("The partner you work for must stay among those running it."),
                               field="partners")
    return partners


def create_programme(actor, *, partners=None, **values) -> Programme:
    """A new action programme that events can belong to, run by the actor's partner (and
    the partners chosen)."""
    if not can_manage_programmes(actor):
        raise NotAllowed(_("Only partner staff can create programmes."))
    twin = _programme_just_created(values)
    if twin is not None:
        return twin  # the same form sent twice: answer as the first one did
    cleaned = _programme_values(actor, values, None)
    programme = Programme(**cleaned, partners=_programme_partners(actor, partners, None))
    db.session.add(programme)
    db.session.flush()
    changes = {field: [None, value] for field, value in cleaned.items()}
    changes["partners"] = [None, ", ".join(p.short_name for p in programme.partners)]
    record(actor, "programme.create", programme, changes)
    return programme


def update_programme(actor, programme: Programme, *, partners=None, **values) -> dict:
    if not can_edit_programme(actor, programme):
        raise NotAllowed(_("Only the staff of the partners running it change a programme."))
    changes = apply_changes(programme, _programme_values(actor, values, programme))
    chosen = _programme_partners(actor, partners, list(programme.partners))
    if [p.id for p in chosen] != sorted(programme.partner_ids):
        changes["partners"] = [", ".join(p.short_name for p in programme.partners),
                               ", ".join(p.short_name for p in chosen)]
        programme.partners = chosen
    if changes:
        db.session.flush()
        record(actor, "programme.update", programme, changes)
    return changes


def assign_programme(actor, event, programme: Programme | None) -> dict:
    """Put an event into a programme (or take it out, with None)."""
    if not can_assign_programme(actor, event):
        raise NotAllowed(_("Only the lead partner's staff can put this event in a programme."))
    changes = apply_changes(event, {"programme_id": programme.id if programme else None})
    if changes:
        db.session.flush()
        record(actor, "event.programme", event, changes)
    return changes
