"""Prices and exchange rates: rate cards the partners agree, and the Bank of Russia's official
rates — read from its daily XML (XML_daily.asp: comma decimals, a Nominal per currency) or
entered by hand. Exact decimals throughout."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from flask_babel import gettext as _

from events.agreements.enums import RateSource
from events.agreements.models import Agreement, ExchangeRate, RateCard, RateLine
from events.audit.services import apply_changes, record
from events.auth.permissions import (
    can_edit_agreement,
    can_edit_rate_card,
    can_enter_exchange_rates,
    is_admin,
    is_coordinator_of,
)
from events.contributions.services import _decimal as parse_decimal
from events.contributions.services import currency_codes, normalise_unit
from events.db import utcnow
from events.enums import ContributionKind
from events.errors import NotAllowed, ValidationFailed
from events.extensions import db
from events.partners.models import Partner, Venue

MAX_XML_BYTES = 500_000
FETCH_TIMEOUT_SECONDS = 10


# ---- the Bank's daily file -----------------------------------------------------------------

@dataclass(frozen=True)
class DailyRate:
    currency: str
    nominal: int
    value: Decimal  # roubles for `nominal` units


def _cbr_decimal(text: str | None) -> Decimal:
    raw = re.sub(r"\s", "", text or "").replace(",", ".")
    value = Decimal(raw)  # InvalidOperation for junk
    if not value.is_finite() or value <= 0:
        raise InvalidOperation(raw)
    return value


def parse_cbr_daily(data: bytes) -> tuple[date, list[DailyRate]]:
    """The date and rates of one XML_daily.asp answer; a clear error for anything else."""
    if not data or len(data) > MAX_XML_BYTES:
        raise ValidationFailed(_("This is not the Bank of Russia's daily rates file."))
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as error:
        raise ValidationFailed(_("The rates file cannot be read: %(error)s",
                                 error=str(error)[:200])) from error
    if root.tag != "ValCurs":
        raise ValidationFailed(_("This is not the Bank of Russia's daily rates file."))
    try:
        day = datetime.strptime(root.get("Date", ""), "%d.%m.%Y").date()  # noqa: DTZ007 — a date
    except ValueError:
        raise ValidationFailed(_("The rates file has no valid date.")) from None
    rates = []
    for item in root.findall("Valute"):
        code = (item.findtext("CharCode") or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ValidationFailed(_("The rates file names a currency wrongly: %(code)s",
                                     code=code[:10]))
        try:
            nominal = int((item.findtext("Nominal") or "1").strip())
            value = _cbr_decimal(item.findtext("Value"))
        except (ValueError, InvalidOperation):
            raise ValidationFailed(_("The rate of %(code)s cannot be read.", code=code)) \
                from None
        if nominal <= 0 or value.as_tuple().exponent < -4:
            raise ValidationFailed(_("The rate of %(code)s cannot be read.", code=code))
        rates.append(DailyRate(code, nominal, value))
    if not rates:
        raise ValidationFailed(_("The rates file holds no rates."))
    return day, rates


def save_rate(actor, *, currency: str, rate_on: date, nominal: int, value: Decimal,
              source: RateSource) -> tuple[ExchangeRate, bool]:
    """Insert or correct the rate of one currency on one day; (rate, changed)."""
    existing = db.session.scalar(sa.select(ExchangeRate).where(
        ExchangeRate.currency == currency, ExchangeRate.rate_on == rate_on).with_for_update())
    values = {"nominal": nominal, "value": value, "source": source,
              "entered_by_id": actor.id if actor is not None else None}
    if existing is None:
        item = ExchangeRate(currency=currency, rate_on=rate_on, **values)
        db.session.add(item)
        db.session.flush()
        record(actor, "rate.create", item, {"currency": [None, currency],
                                           "rate_on": [None, rate_on.isoformat()],
                                           "nominal": [None, nominal],
                                           "value": [None, str(value)]})
        return item, True
    old = {"nominal": existing.nominal, "value": existing.value}
    if old == {"nominal": nominal, "value": value}:
        return existing, False
    changes = apply_changes(existing, values)
    db.session.flush()
    record(actor, "rate.update", existing, changes)
    return existing, True


def import_cbr_daily(actor, data: bytes, *, only: set[str] | None = None) -> tuple[date, int]:
    """Store every rate of one daily file (or only the given currencies); (day, changed)."""
    if actor is not None and not can_enter_exchange_rates(actor):
        raise NotAllowed(_("Only administrators and coordinators enter exchange rates."))
    day, rates = parse_cbr_daily(data)
    changed = 0
    for rate in rates:
        if only and rate.currency not in only:
            continue
        _item, did = save_rate(actor, currency=rate.currency, rate_on=day,
                               nominal=rate.nominal, value=rate.value, source=RateSource.CBR)
        changed += did
    return day, changed


def enter_rate(actor, *, currency, rate_on, nominal, value) -> ExchangeRate:
    """An official rate typed in from the Bank's site."""
    if not can_enter_exchange_rates(actor):
        raise NotAllowed(_("Only administrators and coordinators enter exchange rates."))
    code = str(currency or "").strip().upper()
    if code == "RUB" or code not in currency_codes():
        raise ValidationFailed(_("Choose a foreign currency."), field="currency")
    if not isinstance(rate_on, date):
        raise ValidationFailed(_("Give the day the rate is set for."), field="rate_on")
    try:
        nominal = int(nominal)
    except (TypeError, ValueError):
        nominal = 0
    if nominal not in (1, 10, 100, 1000, 10000, 100000):
        raise ValidationFailed(_("The nominal is 1, 10, 100, 1000, 10000 or 100000."),
                               field="nominal")
    text = re.sub(r"[\s\u00a0\u202f]", "", str(value or "")).replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal(0)
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -4 \
            or amount >= Decimal("100000000"):
        raise ValidationFailed(_("Give the rate in roubles with at most four decimals."),
                               field="value")
    item, _changed = save_rate(actor, currency=code, rate_on=rate_on, nominal=nominal,
                               value=amount, source=RateSource.MANUAL)
    return item


# ---- rate cards ----------------------------------------------------------------------------

@dataclass(frozen=True)
class LineSpec:
    """One price a rate card form asks for."""

    key: str
    kind: ContributionKind
    unit: str
    venue: Venue | None = None


def line_specs(venues: list[Venue]) -> list[LineSpec]:
    """Room hours per room and in general, staff hours, speakers, then a default per kind."""
    specs = [LineSpec(f"venue-hours-{v.id}", ContributionKind.VENUE, "hours", v)
             for v in venues]
    specs += [LineSpec("venue-hours", ContributionKind.VENUE, "hours"),
              LineSpec("venue-days", ContributionKind.VENUE, "days"),
              LineSpec("staff_time-hours", ContributionKind.STAFF_TIME, "hours"),
              LineSpec("speakers-people", ContributionKind.SPEAKERS, "people")]
    specs += [LineSpec(f"{kind.value}-row", kind, "") for kind in ContributionKind
              if kind != ContributionKind.FUNDING]
    return specs


def card_venues(agreement: Agreement | None, partner: Partner | None) -> list[Venue]:
    """Rooms a card may price: the partner's, or those of the agreement's parties."""
    ids = agreement.party_ids if agreement is not None else {partner.id}
    return list(db.session.scalars(sa.select(Venue).where(Venue.partner_id.in_(sorted(ids)))
                                   .order_by(Venue.partner_id, Venue.site, Venue.name)))


def can_create_card_for(actor, agreement: Agreement | None, partner: Partner | None) -> bool:
    if agreement is not None:
        return can_edit_agreement(actor, agreement)
    return partner is not None and (is_admin(actor) or is_coordinator_of(actor, partner.id))


def _card_values(values: dict, specs: list[LineSpec]) -> tuple[dict, list[RateLine]]:
    title = " ".join(str(values.get("title") or "").split())
    if not title or len(title) > 200:
        raise ValidationFailed(_("Give the rate card a title (up to 200 characters)."),
                               field="title")
    valid_from, valid_to = values.get("valid_from"), values.get("valid_to")
    if not isinstance(valid_from, date):
        raise ValidationFailed(_("Give the first day."), field="valid_from")
    if valid_to is not None and valid_to < valid_from:
        raise ValidationFailed(_("The last day is before the first."), field="valid_to")
    prices = values.get("prices") or {}
    lines = []
    for spec in specs:
        price = parse_decimal(prices.get(spec.key), spec.key, _("Price"))
        if price is not None:
            lines.append(RateLine(kind=spec.kind, unit=normalise_unit(spec.unit),
                                  venue_id=spec.venue.id if spec.venue else None, price=price))
    if not lines:
        raise ValidationFailed(_("Give at least one price."), field="title")
    return {"title": title, "valid_from": valid_from, "valid_to": valid_to}, lines


def _lines_text(lines) -> dict:
    return {f"{line.kind.value}/{line.unit or 'row'}"
            + (f"/room {line.venue_id}" if line.venue_id else ""): str(line.price)
            for line in lines}


def create_rate_card(actor, *, agreement=None, partner=None, **values) -> RateCard:
    """Prices agreed under an agreement, or one partner's own prices."""
    if not can_create_card_for(actor, agreement, partner):
        raise NotAllowed(_("Only administrators and the coordinators concerned set prices."))
    cleaned, lines = _card_values(values, line_specs(card_venues(agreement, partner)))
    card = RateCard(**cleaned, agreement=agreement, partner=None if agreement else partner,
                    lines=lines)
    db.session.add(card)
    db.session.flush()
    record(actor, "rate_card.create", card,
           {k: [None, v] for k, v in cleaned.items()} | {"prices": [None, _lines_text(lines)]})
    return card


def update_rate_card(actor, card: RateCard, **values) -> dict:
    if not can_edit_rate_card(actor, card):
        raise NotAllowed(_("Only administrators and the coordinators concerned set prices."))
    cleaned, lines = _card_values(values, line_specs(card_venues(card.agreement, card.partner)))
    before = _lines_text(card.lines)
    changes = apply_changes(card, cleaned)
    if _lines_text(lines) != before:
        card.lines = lines
        changes["prices"] = [before, _lines_text(lines)]
    if changes:
        card.updated_at = utcnow()
        db.session.flush()
        record(actor, "rate_card.update", card, changes)
    return changes
