"""The balance by value: every contribution gets a value in roubles — its agreed value, its
money (converted at the Bank of Russia's rate on the event date), or its quantity × the rate
card in force on the event date — or is listed as having no rate yet (never a silent zero).

Rate cards and exchange rates are loaded once into a RateBook, so valuing 50,000 rows is a
loop in memory, not 50,000 queries."""

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from events.agreements.enums import ValueBasis
from events.agreements.models import Agreement, ExchangeRate, RateCard
from events.enums import ContributionKind, label
from events.extensions import db

RUB = "RUB"
CENT = Decimal("0.01")
# The Bank sets no rate on holidays: the last one stays official. After this many days
# without one we would rather say "no rate" than use a stale figure.
MAX_RATE_AGE_DAYS = 15
# Which rate card wins when several could price a row (more specific first).
RANK_PROGRAMME_AGREEMENT, RANK_PARTNER, RANK_JOINT_AGREEMENT = 3, 2, 1


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Price:
    card_id: int
    card_title: str
    agreement_id: int | None
    partner_id: int | None
    valid_from: date
    valid_to: date | None
    kind: ContributionKind
    unit: str
    venue_id: int | None
    price: Decimal


@dataclass(frozen=True)
class Rate:
    currency: str
    rate_on: date
    per_unit: Decimal  # roubles for one unit
    nominal: int
    value: Decimal


class RateBook:
    """Every rate card line and the exchange rates, in memory for one report."""

    def __init__(self, prices: list[Price], rates: dict[str, list[Rate]],
                 joint_parties: dict[int, set[int]]):
        self.by_kind: dict[ContributionKind, list[Price]] = defaultdict(list)
        for price in prices:
            self.by_kind[price.kind].append(price)
        self.rates = {c: sorted(rs, key=lambda r: r.rate_on) for c, rs in rates.items()}
        self.rate_days = {c: [r.rate_on for r in rs] for c, rs in self.rates.items()}
        self.joint_parties = joint_parties  # agreements covering every joint event
        # A report asks the same few questions thousands of times (a day, a kind, a partner).
        self._prices: dict = {}
        self._rates: dict = {}
        self._reasons: dict = {}

    def reason(self, *key) -> str:
        """Why a row has no value, in the reader's language (translated once per kind)."""
        if key not in self._reasons:
            what, kind, unit, day = key
            if what == "rate":
                text = _("no official %(currency)s rate for %(day)s", currency=unit,
                         day=day.isoformat())
            elif what == "unit":
                text = _("no rate for %(kind)s per %(unit)s on %(day)s",
                         kind=label(kind).lower(), unit=unit, day=day.isoformat())
            else:
                text = _("no rate for one contribution of kind %(kind)s on %(day)s",
                         kind=label(kind).lower(), day=day.isoformat())
            self._reasons[key] = text
        return self._reasons[key]

    @classmethod
    def load(cls, currencies=None) -> "RateBook":
        cards = db.session.scalars(sa.select(RateCard).options(selectinload(RateCard.lines)))
        prices = [Price(card.id, card.title, card.agreement_id, card.partner_id,
                        card.valid_from, card.valid_to, line.kind, line.unit, line.venue_id,
                        line.price) for card in cards for line in card.lines]
        stmt = sa.select(ExchangeRate.currency, ExchangeRate.rate_on, ExchangeRate.nominal,
                         ExchangeRate.value)
        if currencies is not None:
            stmt = stmt.where(ExchangeRate.currency.in_(sorted(currencies)))
        rates: dict[str, list[Rate]] = defaultdict(list)
        for currency, rate_on, nominal, value in db.session.execute(stmt):
            rates[currency].append(Rate(currency, rate_on, value / nominal, nominal, value))
        joint = {}
        for agreement in db.session.scalars(
                sa.select(Agreement).where(Agreement.covers_all_joint_events.is_(True))
                .options(selectinload(Agreement.parties))):
            joint[agreement.id] = agreement.party_ids
        return cls(prices, dict(rates), joint)

    def exchange(self, currency: str, day: date) -> Rate | None:
        """The official rate in force on `day`: the last one set on or before it."""
        key = (currency, day)
        if key not in self._rates:
            self._rates[key] = self._exchange(currency, day)
        return self._rates[key]

    def _exchange(self, currency: str, day: date) -> Rate | None:
        days = self.rate_days.get(currency)
        if not days:
            return None
        index = bisect.bisect_right(days, day) - 1
        if index < 0:
            return None
        rate = self.rates[currency][index]
        if day - rate.rate_on > timedelta(days=MAX_RATE_AGE_DAYS):
            return None
        return rate

    def price(self, kind, unit: str, *, venue_id, partner_id, agreement_id,
              day: date) -> Price | None:
        """The most specific price in force on `day` for this kind and unit."""
        key = (kind, unit, venue_id, partner_id, agreement_id, day)
        if key not in self._prices:
            self._prices[key] = self._price(kind, unit, venue_id, partner_id, agreement_id, day)
        return self._prices[key]

    def _price(self, kind, unit, venue_id, partner_id, agreement_id, day) -> Price | None:
        best, best_key = None, None
        for price in self.by_kind.get(kind, ()):
            if price.unit != unit or day < price.valid_from or (
                    price.valid_to is not None and day > price.valid_to):
                continue
            if price.venue_id is not None and price.venue_id != venue_id:
                continue
            if price.agreement_id is not None and price.agreement_id == agreement_id:
                rank = RANK_PROGRAMME_AGREEMENT
            elif price.partner_id is not None and price.partner_id == partner_id:
                rank = RANK_PARTNER
            elif partner_id in self.joint_parties.get(price.agreement_id, ()):
                rank = RANK_JOINT_AGREEMENT
            else:
                continue
            key = (price.venue_id is not None, rank, price.valid_from, price.card_id)
            if best_key is None or key > best_key:
                best, best_key = price, key
        return best


@dataclass(frozen=True)
class Valued:
    value: Decimal | None
    basis: ValueBasis
    rate: Rate | None = None
    price: Price | None = None
    quantity: Decimal | None = None
    reason: str = ""


def exact_quantity(quantity) -> Decimal | None:
    """Quantities come back as floats on SQLite; two decimals is what was stored."""
    if quantity is None:
        return None
    return Decimal(str(round(float(quantity), 2))).quantize(CENT)


def value_of(book: RateBook, *, kind, quantity, unit: str, amount, currency: str,
             agreed_value, partner_id: int, venue_id, agreement_id, day: date) -> Valued:
    """One contribution's value in roubles on the event's date, and how it was found."""
    if agreed_value is not None:
        return Valued(money(agreed_value), ValueBasis.AGREED)
    if amount is not None:
        if currency == RUB:
            return Valued(money(amount), ValueBasis.MONEY)
        rate = book.exchange(currency, day)
        if rate is None:
            return Valued(None, ValueBasis.MISSING,
                          reason=book.reason("rate", None, currency, day))
        return Valued(money(amount * rate.per_unit), ValueBasis.CONVERTED, rate=rate)
    quantity = exact_quantity(quantity)
    if quantity is not None and unit:
        price = book.price(kind, unit, venue_id=venue_id, partner_id=partner_id,
                           agreement_id=agreement_id, day=day)
        if price is not None:
            return Valued(money(quantity * price.price), ValueBasis.RATE_CARD, price=price,
                          quantity=quantity)
    price = book.price(kind, "", venue_id=venue_id, partner_id=partner_id,
                       agreement_id=agreement_id, day=day)
    if price is not None:
        return Valued(money(price.price), ValueBasis.RATE_CARD, price=price,
                      quantity=Decimal(1))
    if quantity is not None and unit:
        return Valued(None, ValueBasis.MISSING, reason=book.reason("unit", kind, unit, day))
    return Valued(None, ValueBasis.MISSING, reason=book.reason("row", kind, "", day))


# ---- a report's balance by value ------------------------------------------------------------

@dataclass
class PartnerValue:
    partner: object
    rows: int = 0
    value: Decimal = Decimal("0.00")
    by_basis: dict = field(default_factory=lambda: defaultdict(lambda: Decimal("0.00")))
    by_kind: dict = field(default_factory=lambda: defaultdict(lambda: Decimal("0.00")))
    missing: int = 0


@dataclass
class Missing:
    contribution_id: int
    event_id: int
    event_title: str
    day: date
    partner: object
    kind: ContributionKind
    reason: str


@dataclass
class Conversion:
    currency: str
    rate_on: date
    per_unit: Decimal
    nominal: int
    value: Decimal
    amount: Decimal = Decimal("0.00")
    roubles: Decimal = Decimal("0.00")
    rows: int = 0


@dataclass
class ValueBalance:
    partners: list[PartnerValue]
    missing: list[Missing]
    conversions: list[Conversion]
    card_titles: list[str]

    @property
    def total_value(self) -> Decimal:
        return sum((p.value for p in self.partners), Decimal("0.00"))

    def by_currency(self) -> list[dict]:
        """Per currency: amount, roubles, rows, the lowest and highest rate and their days."""
        found: dict = {}
        for item in self.conversions:
            entry = found.setdefault(item.currency, {
                "currency": item.currency, "amount": Decimal("0.00"),
                "roubles": Decimal("0.00"), "rows": 0, "first": item.rate_on,
                "last": item.rate_on, "low": item.per_unit, "high": item.per_unit})
            entry["amount"] += item.amount
            entry["roubles"] += item.roubles
            entry["rows"] += item.rows
            entry["first"] = min(entry["first"], item.rate_on)
            entry["last"] = max(entry["last"], item.rate_on)
            entry["low"] = min(entry["low"], item.per_unit)
            entry["high"] = max(entry["high"], item.per_unit)
        return list(found.values())

    @property
    def total_rows(self) -> int:
        return sum(p.rows for p in self.partners)

    @property
    def valued_rows(self) -> int:
        return self.total_rows - len(self.missing)

    def value_share(self, row: PartnerValue) -> Decimal:
        total = self.total_value
        return (Decimal(100) * row.value / total).quantize(Decimal("0.1")) if total else \
            Decimal(0)

    def row_share(self, row: PartnerValue) -> Decimal:
        total = self.total_rows
        return (Decimal(100) * row.rows / total).quantize(Decimal("0.1")) if total else \
            Decimal(0)


def contribution_columns():
    from events.contributions.models import Contribution
    from events.planning.models import Event

    return (Contribution.id, Contribution.partner_id, Contribution.kind, Contribution.quantity,
            Contribution.unit, Contribution.amount, Contribution.currency,
            Contribution.agreed_value, Contribution.event_id, Event.title, Event.starts_at,
            Event.venue_id)


def value_balance(rows, partners, zone, book: RateBook | None = None,
                  each=None) -> ValueBalance:
    """Sum the valued rows per partner. `rows` are contribution_columns() plus the agreement
    of the event's programme; `each(row, valued, day)` sees every row of a partner."""
    rows = list(rows)
    if book is None:
        book = RateBook.load({r.currency for r in rows if r.currency != RUB})
    by_partner = {p.id: PartnerValue(p) for p in partners}
    missing: list[Missing] = []
    conversions: dict[tuple, Conversion] = {}
    titles: set[str] = set()
    days: dict = {}
    for row in rows:
        target = by_partner.get(row.partner_id)
        if target is None:
            continue
        day = days.get(row.event_id)
        if day is None:
            day = days[row.event_id] = row.starts_at.astimezone(zone).date()
        valued = value_of(book, kind=row.kind, quantity=row.quantity, unit=row.unit,
                          amount=row.amount, currency=row.currency,
                          agreed_value=row.agreed_value, partner_id=row.partner_id,
                          venue_id=row.venue_id, agreement_id=row.agreement_id, day=day)
        if each is not None:
            each(row, valued, day)
        target.rows += 1
        if valued.value is None:
            target.missing += 1
            missing.append(Missing(row.id, row.event_id, row.title, day, target.partner,
                                   row.kind, valued.reason))
            continue
        target.value += valued.value
        target.by_basis[valued.basis] += valued.value
        target.by_kind[row.kind] += valued.value
        if valued.rate is not None:
            rate = valued.rate
            key = (rate.currency, rate.rate_on)
            item = conversions.setdefault(key, Conversion(rate.currency, rate.rate_on,
                                                          rate.per_unit, rate.nominal,
                                                          rate.value))
            item.amount += row.amount
            item.roubles += valued.value
            item.rows += 1
        if valued.price is not None:
            titles.add(valued.price.card_title)
    missing.sort(key=lambda m: (m.day, m.event_id, m.contribution_id))
    return ValueBalance(list(by_partner.values()), missing,
                        sorted(conversions.values(), key=lambda c: (c.currency, c.rate_on)),
                        sorted(titles))
