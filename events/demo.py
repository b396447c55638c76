"""Demo data: the two memorandum partners, their rooms, people and a season of joint events
(events.demo_season), with the trail of how each event came about.

Deterministic (a seeded generator, days counted from today) and idempotent: a second run
finds the partners already there and changes nothing.
"""

import random
import secrets
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from events.agreements.demo import seed_agreements
from events.audit.services import record
from events.auth.models import User
from events.contributions.models import Contribution
from events.db import utcnow
from events.demo_season import (
    ACCEPT_NOTES,
    ACCESSIBILITY,
    ADMIN,
    BIO,
    PARTNERS,
    PROGRAMME,
    RESIDENTS,
    SEASON,
    TECH,
    Spec,
)
from events.enums import (
    Audience,
    Category,
    ContributionKind,
    ContributionStatus,
    EventFormat,
    EventStatus,
    InvolvementRole,
    InvolvementState,
    RegistrationStatus,
    Role,
)
from events.extensions import db
from events.partners.models import Partner, Venue
from events.planning.models import Event, Involvement, Programme
from events.registrations.models import Feedback, Registration

DEMO_PASSWORD = "demo-password"  # noqa: S105 — documented demo accounts, README lists them
MOSCOW = ZoneInfo("Europe/Moscow")
PARTNER_FIELDS = ("slug", "name", "short_name", "name_ru", "short_name_ru", "description",
                  "website", "color")


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Partner)) == 0


def _user(email, name, role, *, partner=None, company="", site_partner=None, locale=None,
          password_hash: str):
    user = User(email=email, name=name, role=role, partner=partner, company=company,
                site_partner=site_partner, locale=locale, password_hash=password_hash)
    db.session.add(user)
    return user


class _Demo:
    """The people and places the season refers to, by partner slug."""

    def __init__(self, now: datetime):
        self.now = now
        self.today = now.astimezone(MOSCOW).date()
        self.rng = random.Random(2026)
        # Every demo account shares the documented password: hash it once (scrypt is slow
        # on purpose), not once per account.
        probe = User()
        probe.set_password(DEMO_PASSWORD)
        known = probe.password_hash
        self.admin = _user(*ADMIN, Role.ADMIN, password_hash=known)
        self.partners: dict[str, Partner] = {}
        self.venues: dict[str, list[Venue]] = {}
        self.staff: dict[str, list[User]] = {}  # [coordinator, staff member]
        for spec in PARTNERS:
            partner = Partner(**{k: spec[k] for k in PARTNER_FIELDS})
            db.session.add(partner)
            self.partners[spec["slug"]] = partner
            self.venues[spec["slug"]] = [
                Venue(partner=partner, site=site, building=building, name=room, capacity=cap,
                      address=address, latitude=lat, longitude=lon, accessibility=ACCESSIBILITY)
                for site, building, room, cap, address, lat, lon in spec["venues"]
            ]
            db.session.add_all(self.venues[spec["slug"]])
            self.staff[spec["slug"]] = [_user(e, n, r, partner=partner, password_hash=known)
                                        for e, n, r in spec["staff"]]
        partner_list = list(self.partners.values())
        self.residents = [
            _user(e, n, Role.RESIDENT, company=c, site_partner=partner_list[p], locale=loc,
                  password_hash=known)
            for e, n, c, p, loc in RESIDENTS
        ]
        self.programme = Programme(**PROGRAMME)
        db.session.add(self.programme)
        db.session.flush()


def seed_demo(now: datetime | None = None) -> bool:
    """Load the demo once. Returns False when it is already there."""
    if db.session.scalar(sa.select(Partner).where(Partner.slug == PARTNERS[0]["slug"])):
        return False
    from events.outbox.models import OutboxMessage

    before = db.session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0
    demo = _Demo(now or utcnow())
    _at(record(demo.admin, "demo.seed", next(iter(demo.partners.values())),
               {"partners": [None, len(demo.partners)]}), demo.now - timedelta(days=60))
    for index, spec in enumerate(SEASON):
        _demo_event(demo, index, spec)
    from events.residents.demo import seed_residency

    seed_residency()
    seed_agreements(demo.now)
    _demo_series(demo)
    # The demo tells a story that has already happened: the mails its steps queued (invitations,
    # confirmations…) are not owed to anyone, so the worker does not print them on first start.
    db.session.flush()
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.id > before))
    return True


def _at(entry, when: datetime):
    """Date an audit entry to when it happened in the demo's story."""
    entry.created_at = when
    return entry


def spec_texts(spec) -> dict[str, str]:
    """A season event's text in the language it is written in and in the other one."""
    own, other = ("en", "ru") if spec.english else ("ru", "en")
    texts = {f"title_{own}": spec.title, f"summary_{own}": spec.summary,
             f"description_{own}": spec.description}
    if spec.other:
        texts |= dict(zip((f"title_{other}", f"summary_{other}", f"description_{other}"),
                          spec.other, strict=True))
    return texts


def _demo_event(demo: _Demo, index: int, spec: Spec) -> None:
    lead = demo.partners[spec.lead]
    coordinator, member = demo.staff[spec.lead]
    day = demo.today + timedelta(days=spec.day)
    starts = datetime.combine(day, time(spec.hour), MOSCOW)
    ends = starts + timedelta(minutes=spec.minutes)
    venue = None if spec.room is None or spec.format == EventFormat.ONLINE \
        else demo.venues[spec.lead][spec.room]
    created = min(demo.now, starts) - timedelta(days=40, minutes=-index * 17)
    status = spec.status
    was_scheduled = status == EventStatus.SCHEDULED or (
        status == EventStatus.CANCELLED and all(i.answer for i in spec.with_))
    published = created + timedelta(days=7) if was_scheduled else None
    cancelled = (min(demo.now, starts) - timedelta(days=2)) if status == EventStatus.CANCELLED \
        else None
    event = Event(
        **spec_texts(spec), category=spec.category, format=spec.format, venue=venue,
        online_url=f"https://meet.example.org/{spec.key}"
        if spec.format != EventFormat.IN_PERSON else None,
        starts_at=starts, ends_at=ends, timezone="Europe/Moscow", capacity=spec.capacity,
        registration_closes_at=starts if was_scheduled else None,
        audience=spec.audience, status=status, created_by=member,
        programme=demo.programme if spec.programme else None, published_at=published,
        cancel_reason=spec.cancel_reason or None, cancelled_at=cancelled,
        sequence={EventStatus.DRAFT: 0, EventStatus.PROPOSED: 1, EventStatus.SCHEDULED: 2,
                  EventStatus.CANCELLED: 3 if was_scheduled else 2}[status],
    )
    db.session.add(event)
    db.session.add(Involvement(event=event, partner=lead, role=InvolvementRole.HOST,
                               state=InvolvementState.ACCEPTED, invited_by=member,
                               invited_at=created, answered_by=member, answered_at=created))
    db.session.flush()
    _at(record(member, "event.create", event, {
        "title_ru": [None, event.title_ru], "title_en": [None, event.title_en],
        "category": [None, event.category],
        "format": [None, event.format], "venue": [None, venue.label if venue else None],
        "starts_at": [None, starts], "ends_at": [None, ends],
        "capacity": [None, event.capacity], "audience": [None, event.audience],
        "lead_partner": [None, lead.short_name], "status": [None, EventStatus.DRAFT],
    }), created)
    involvements = _demo_involvements(demo, event, spec, member, created)
    if status != EventStatus.DRAFT:
        _at(record(member, "event.propose", event,
                   {"status": [EventStatus.DRAFT, EventStatus.PROPOSED]}),
            created + timedelta(days=2))
    if was_scheduled:
        _at(record(coordinator, "event.schedule", event,
                   {"status": [EventStatus.PROPOSED, EventStatus.SCHEDULED],
                    "published_at": [None, published]}), published)
    if status != EventStatus.DRAFT:
        _demo_contributions(demo, event, spec.title, involvements, created + timedelta(days=8))
    if status == EventStatus.SCHEDULED and spec.audience != Audience.INTERNAL:
        _demo_registrations(demo, event, spec, coordinator)
    if cancelled is not None:
        before = EventStatus.SCHEDULED if was_scheduled else EventStatus.PROPOSED
        _at(record(coordinator, "event.cancel", event, {
            "status": [before, EventStatus.CANCELLED],
            "cancel_reason": [None, spec.cancel_reason], "cancelled_at": [None, cancelled],
        }), cancelled)


def _demo_involvements(demo: _Demo, event: Event, spec: Spec, inviter: User,
                       created: datetime) -> list[tuple[Partner, Involvement]]:
    """The lead partner first, then each partner invited, with its answer if it gave one."""
    lead = demo.partners[spec.lead]
    taking_part = [(lead, event.involvements[0])]
    for n, invited in enumerate(spec.with_):
        partner = demo.partners[invited.partner]
        role = InvolvementRole(invited.role)
        state = InvolvementState(invited.answer) if invited.answer else InvolvementState.INVITED
        answerer = demo.staff[invited.partner][0]
        answered_at = created + timedelta(days=4) if invited.answer else None
        note = invited.note or (ACCEPT_NOTES[(len(spec.title) + n) % len(ACCEPT_NOTES)]
                                if state == InvolvementState.ACCEPTED else "")
        involvement = Involvement(
            event=event, partner=partner, role=role, state=state, note=note,
            invited_by=inviter, invited_at=created + timedelta(days=1),
            answered_by=answerer if invited.answer else None, answered_at=answered_at)
        db.session.add(involvement)
        db.session.flush()
        _at(record(inviter, "involvement.invite", involvement, {
            "partner": [None, partner.short_name], "role": [None, role],
            "state": [None, InvolvementState.INVITED]}, event=event),
            created + timedelta(days=1))
        if invited.answer:
            action = "involvement.accept" if state == InvolvementState.ACCEPTED \
                else "involvement.decline"
            _at(record(answerer, action, involvement, {
                "state": [InvolvementState.INVITED, state], "note": ["", note]},
                event=event), answered_at)
        if state == InvolvementState.ACCEPTED:
            taking_part.append((partner, involvement))
    return taking_part


def _demo_contributions(demo: _Demo, event: Event, title: str, taking_part,
                        when: datetime) -> None:
    """What each partner that takes part gives, in the words its staff would write
    (`title`: the event's in the language it is written in)."""
    rng = demo.rng
    in_person = event.format != EventFormat.ONLINE
    rows = []
    (lead, _), others = taking_part[0], taking_part[1:]
    if in_person:
        rows.append((lead, ContributionKind.VENUE, "Зал, проектор и звук на весь день",
                     Decimal(1), "days", None, "RUB"))
        rows.append((lead, ContributionKind.CATERING, "Кофе-брейк для участников", None, "",
                     Decimal(rng.randint(10, 90) * 1000), "RUB"))
    else:
        rows.append((lead, ContributionKind.EQUIPMENT, "Платформа для трансляции и запись",
                     None, "", Decimal(rng.randint(5, 25) * 1000), "RUB"))
    rows.append((lead, ContributionKind.STAFF_TIME, "Подготовка и проведение",
                 Decimal(rng.randint(6, 40)), "hours", None, "RUB"))
    for partner, involvement in others:
        if involvement.role == InvolvementRole.CO_HOST:
            rows.append((partner, ContributionKind.SPEAKERS, "Два спикера от компаний-резидентов",
                         Decimal(2), "people", None, "RUB"))
        else:
            rows.append((partner, ContributionKind.CONSULTING, "Эксперты на консультации",
                         Decimal(rng.randint(4, 12)), "hours", None, "RUB"))
        rows.append((partner, ContributionKind.PROMOTION, "Анонс в рассылке и соцсетях", None,
                     "", Decimal(rng.randint(5, 30) * 1000), "RUB"))
        if title.isascii():  # international events: a travel grant in euros
            rows.append((partner, ContributionKind.FUNDING, "Грант на поездку зарубежного "
                         "спикера", None, "", Decimal("1250.00"), "EUR"))
    for n, (partner, kind, text, qty, unit, amount, currency) in enumerate(rows):
        status = ContributionStatus.DELIVERED if event.is_past else ContributionStatus.PLEDGED
        if kind == ContributionKind.CATERING and len(title) % 4 == 0:
            status = ContributionStatus.WITHDRAWN
        author = demo.staff[partner.slug][1]
        item = Contribution(event=event, partner=partner, kind=kind, description=text,
                            quantity=qty, unit=unit, amount=amount, currency=currency,
                            status=status, created_by=author)
        db.session.add(item)
        db.session.flush()
        _at(record(author, "contribution.create", item, {
            "partner": [None, partner.id], "kind": [None, kind], "description": [None, text],
            "status": [None, ContributionStatus.PLEDGED]}, event=event),
            when + timedelta(minutes=n))


# What some of the people who came wrote afterwards (in their language).
FEEDBACK_COMMENTS = (
    (5, "Very practical, thank you — the case studies were exactly what we needed."),
    (4, "Good speakers. The room was a little crowded."),
    (5, "Полезно и по делу, спасибо организаторам!"),
    (3, "Интересно, но хотелось бы больше времени на вопросы."),
    (4, ""),
    (5, ""),
)


def _demo_feedback(event: Event, reg: Registration) -> None:
    """Two in three of the people who came rated the event (own random stream, so the rest of
    the demo stays as it was)."""
    rng = random.Random(reg.id)
    if rng.random() < 2 / 3:
        rating, comment = rng.choice(FEEDBACK_COMMENTS)
        db.session.add(Feedback(registration=reg, event=event, rating=rating, comment=comment,
                                created_at=event.ends_at + timedelta(hours=rng.randint(3, 40))))


def _demo_series(demo: _Demo) -> None:
    """A weekly series planned the way staff plan one: Technopolis creates six online office
    hours, invites BioPharmCluster as co-host, proposes; BioPharmCluster accepts every date;
    it is scheduled, and two residents hold a seat on every date."""
    from events.planning.recurrence import WEEKLY, Pattern
    from events.planning.series import (
        answer_series_invitation,
        create_series,
        invite_series,
        propose_series,
        schedule_series,
    )

    lead, guest = demo.staff[TECH][0], demo.staff[BIO][0]  # the coordinators
    day = demo.today + timedelta(days=(3 - demo.today.weekday()) % 7 + 7)  # a Thursday
    starts = datetime.combine(day, time(16, 0), MOSCOW)
    series = create_series(lead, {
        "title_ru": "Часы наставников: консультации для резидентов",
        "summary_ru": "Еженедельные онлайн-консультации наставников обоих кластеров.",
        "description_ru": "Приходите с вопросами о грантах, выходе на рынок и пилотных "
                          "проектах: каждый четверг отвечают наставники «Технополиса» и "
                          "БиоФармКластера «Северный».",
        "title_en": "Mentor hours: consultations for residents",
        "summary_en": "Weekly online consultations with mentors from both clusters.",
        "description_en": "Bring your questions about grants, going to market and pilot "
                          "projects: every Thursday, mentors of Technopolis Moscow and "
                          "BioPharmCluster “Northern” answer them.",
        "category": Category.CONSULTING_DAY, "format": EventFormat.ONLINE,
        "online_url": "https://meet.technopolis.example/office-hours",
        "starts_at": starts, "ends_at": starts + timedelta(hours=1, minutes=30),
        "timezone": "Europe/Moscow", "capacity": 25, "audience": Audience.RESIDENTS,
    }, Pattern(WEEKLY, weekdays=(day.weekday(),), count=6), allow_series_registration=True)
    invite_series(lead, series, demo.partners[BIO], InvolvementRole.CO_HOST)
    propose_series(lead, series)
    answer_series_invitation(guest, series, True, "Наставники БФК будут каждую неделю.")
    schedule_series(lead, series)
    # Two residents took a seat on every date (rows as the rest of the demo writes them: the
    # demo may be loaded inside any request, and register() decides only in a POST).
    for resident in demo.residents[:2]:
        for event in series.occurrences:
            registered = min(demo.now, event.starts_at) - timedelta(days=1)
            reg = Registration(event=event, user=resident, status=RegistrationStatus.CONFIRMED,
                               registered_at=registered, confirmed_at=registered,
                               cancel_token_hash=secrets.token_hex(32))
            db.session.add(reg)
            db.session.flush()
            _at(record(resident, "registration.create", reg,
                       {"status": [None, reg.status]}, event=event), registered)


def _demo_registrations(demo: _Demo, event: Event, spec: Spec, checker: User) -> None:
    rng = demo.rng
    people = demo.residents[:] if spec.full else \
        rng.sample(demo.residents, k=rng.randint(4, len(demo.residents)))
    confirmed = 0
    for n, person in enumerate(people):
        full = event.capacity is not None and confirmed >= event.capacity
        registered = event.starts_at - timedelta(days=10, minutes=-n * 7)
        status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.CONFIRMED
        reg = Registration(
            event=event, user=person, status=status, registered_at=registered,
            confirmed_at=None if full else registered, cancel_token_hash=secrets.token_hex(32),
        )
        db.session.add(reg)
        db.session.flush()
        _at(record(person, "registration.create", reg, {"status": [None, status]},
                   event=event), registered)
        if not full:
            confirmed += 1
            if event.is_past and rng.random() < 0.75:
                reg.checked_in_at = event.starts_at + timedelta(minutes=rng.randint(0, 20))
                reg.checked_in_by = checker
                _at(record(checker, "registration.check_in", reg,
                           {"checked_in_at": [None, reg.checked_in_at]}, event=event),
                    reg.checked_in_at)
                _demo_feedback(event, reg)
