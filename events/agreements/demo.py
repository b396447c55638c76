"""Demo data of this area: the memorandum, one additional agreement with its programme and
targets for the current year, rate cards (with a price change mid-year) and official rates up
to today — so the report shows plan against fact and a balance by value at once.

It finds what the main demo made by stable properties (partner slugs, roles, the oldest
programme), never by titles, and adds nothing when an agreement exists already."""

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from events.agreements.enums import AgreementStatus, RateSource, TargetMetric
from events.agreements.models import Agreement, ExchangeRate, RateCard, RateLine, Target
from events.audit.services import record
from events.auth.models import User
from events.enums import Category, ContributionKind, Role
from events.extensions import db
from events.partners.models import Partner, Venue
from events.planning.models import Event, Involvement, Programme

MOSCOW = ZoneInfo("Europe/Moscow")
RATE_DAYS = 420
# Roubles for one unit around which the demo's official rates move.
RATE_LEVELS = {"EUR": (Decimal("98.0"), 1), "USD": (Decimal("90.0"), 1),
               "CNY": (Decimal("12.5"), 1)}


def seed_agreements(now: datetime) -> bool:
    """Add the agreements demo once (False when an agreement is there already)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)):
        return False
    partners = list(db.session.scalars(sa.select(Partner).order_by(Partner.id)))
    admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN).order_by(User.id))
    if len(partners) < 2 or admin is None:
        return False
    today = now.astimezone(MOSCOW).date()
    year_start, year_end = date(today.year, 1, 1), date(today.year, 12, 31)
    memorandum = Agreement(
        title="Меморандум о сотрудничестве · Memorandum of cooperation",
        number="М-01/2025", signed_on=date(today.year - 1, 3, 14),
        starts_on=date(today.year - 1, 3, 14), status=AgreementStatus.IN_FORCE,
        covers_all_joint_events=True, parties=partners,
        notes="Стороны совместно участвуют, проводят и поддерживают мероприятия для "
              "компаний-резидентов. The parties jointly take part in, conduct and support "
              "events for the companies residing on their sites.")
    additional = Agreement(
        title="Дополнительное соглашение № 1 · Additional agreement No. 1 (joint programme)",
        number="ДС-1", signed_on=year_start - timedelta(days=20), starts_on=year_start,
        ends_on=year_end, status=AgreementStatus.IN_FORCE, parties=partners,
        notes="Программа совместных мероприятий на год. The year's programme of joint events.")
    db.session.add_all([memorandum, additional])
    db.session.flush()
    programme = _programme(additional, partners)
    _targets(memorandum, programme, partners, year_start, year_end)
    _rate_cards(memorandum, partners, year_start)
    _exchange_rates(today)
    for agreement in (memorandum, additional):
        record(admin, "agreement.create", agreement, {"title": [None, agreement.title]})
    return True


def _programme(agreement: Agreement, partners: list[Partner]) -> Programme:
    programme = db.session.scalar(sa.select(Programme).order_by(Programme.id))
    if programme is None:
        programme = Programme(slug="joint-programme", title_ru="Программа совместных мероприятий",
                              title_en="Programme of joint events")
        db.session.add(programme)
    hosts = set(db.session.scalars(
        sa.select(Involvement.partner_id).join(Event, Event.id == Involvement.event_id)
        .where(Event.programme_id == programme.id, Involvement.role == "host")))
    programme.agreement = agreement
    programme.partners = [p for p in partners if p.id in hosts] or partners[:2]
    db.session.flush()
    return programme


def _targets(memorandum, programme, partners, start: date, end: date) -> None:
    first, second = partners[0], partners[1]
    period = {"starts_on": start, "ends_on": end}
    db.session.add_all([
        Target(agreement=memorandum, metric=TargetMetric.EVENTS, planned=Decimal(40), **period,
               note="Совместные мероприятия за год · joint events in the year"),
        Target(agreement=memorandum, metric=TargetMetric.CHECKINS, planned=Decimal(300),
               **period),
        Target(programme=programme, metric=TargetMetric.EVENTS, planned=Decimal(12), **period),
        Target(programme=programme, metric=TargetMetric.EVENTS, planned=Decimal(3),
               category=Category.WORKSHOP, **period),
        Target(programme=programme, metric=TargetMetric.REGISTRATIONS, planned=Decimal(150),
               **period),
        Target(programme=programme, metric=TargetMetric.STAFF_HOURS, planned=Decimal(120),
               partner=first, **period),
        Target(programme=programme, metric=TargetMetric.CONTRIBUTIONS, planned=Decimal(6),
               partner=first, kind=ContributionKind.VENUE, **period),
        Target(programme=programme, metric=TargetMetric.SPEAKERS, planned=Decimal(10),
               partner=second, **period),
        Target(programme=programme, metric=TargetMetric.MONEY, planned=Decimal(5000),
               partner=first, currency="EUR", kind=ContributionKind.FUNDING, **period),
    ])


def _rate_cards(memorandum, partners, year_start: date) -> None:
    def line(kind, unit, price, venue=None):
        return RateLine(kind=kind, unit=unit, price=Decimal(price), venue=venue)

    common = [line(ContributionKind.VENUE, "days", 150000), line(ContributionKind.VENUE,
              "hours", 12000), line(ContributionKind.SPEAKERS, "people", 30000),
              line(ContributionKind.EQUIPMENT, "", 20000),
              line(ContributionKind.CONSULTING, "", 15000),
              line(ContributionKind.OTHER, "", 5000)]
    middle = date(year_start.year, 7, 1)
    db.session.add_all([
        RateCard(title="Тарифы меморандума · Memorandum rates (first half)", agreement=memorandum,
                 valid_from=year_start - timedelta(days=365), valid_to=middle - timedelta(days=1),
                 lines=[*common, line(ContributionKind.STAFF_TIME, "hours", 2500)]),
        RateCard(title="Тарифы меморандума · Memorandum rates (from July)", agreement=memorandum,
                 valid_from=middle,
                 lines=[line(c.kind, c.unit, c.price) for c in common]
                 + [line(ContributionKind.STAFF_TIME, "hours", 2800)]),
    ])
    hall = db.session.scalar(sa.select(Venue).where(Venue.partner_id == partners[0].id)
                             .order_by(Venue.capacity.desc().nulls_last(), Venue.id))
    if hall is not None:
        db.session.add(RateCard(
            title=f"{partners[0].short_name}: большой зал · main hall", partner=partners[0],
            valid_from=year_start - timedelta(days=365),
            lines=[line(ContributionKind.VENUE, "hours", 18000, hall),
                   line(ContributionKind.VENUE, "days", 180000, hall)]))
    db.session.flush()


def _exchange_rates(today: date) -> None:
    """Weekday rates up to today (none for the future: those contributions wait for one)."""
    rows = []
    for offset in range(RATE_DAYS):
        day = today - timedelta(days=offset)
        if day.weekday() in (6, 0):  # the Bank sets no rate for Sunday and Monday
            continue
        for currency, (level, nominal) in RATE_LEVELS.items():
            swing = Decimal(str(round(math.sin(offset / 23) * 4 + math.cos(offset / 7), 4)))
            value = (level + level * swing / 100).quantize(Decimal("0.0001"))
            rows.append({"currency": currency, "rate_on": day, "nominal": nominal,
                         "value": value, "source": RateSource.CBR})
    db.session.execute(sa.insert(ExchangeRate), rows)
