"""Demo data: the two memorandum partners, their rooms, people and a season of joint events.

Deterministic (a seeded generator, times relative to today) and idempotent: a second run
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
from events.registrations.models import Registration

DEMO_PASSWORD = "demo-password"  # noqa: S105 — documented demo accounts, README lists them
MOSCOW = ZoneInfo("Europe/Moscow")

PARTNERS = [
    {
        "slug": "biopharmcluster-northern",
        "name": "BioPharmCluster “Northern” (MIPT)",
        "short_name": "BioPharmCluster",
        "description": "Биофармацевтический кластер «Северный» на базе МФТИ: "
                       "a cluster of biotech and pharma companies on the MIPT campus.",
        "website": "https://mipt.ru",
        "color": "#1b7f5b",
        "venues": [
            ("MIPT campus, Dolgoprudny", "Laboratory building", "Conference hall", 120,
             "Institutsky per. 9, Dolgoprudny", 55.929, 37.518),
            ("MIPT campus, Dolgoprudny", "Laboratory building", "Room 2.14", 30,
             "Institutsky per. 9, Dolgoprudny", 55.929, 37.518),
            ("MIPT campus, Dolgoprudny", "Phystech.Bio", "Coworking", 60,
             "Institutsky per. 9, Dolgoprudny", 55.930, 37.520),
        ],
        "staff": [("coordinator@northern.example", "Anna Sokolova", Role.COORDINATOR),
                  ("staff@northern.example", "Pavel Orlov", Role.STAFF)],
    },
    {
        "slug": "technopolis-moscow",
        "name": "Technopolis Moscow",
        "short_name": "Technopolis",
        "description": "Технополис «Москва»: a special economic zone and technology park "
                       "hosting high-tech manufacturers.",
        "website": "https://technopolismoscow.ru",
        "color": "#2357b8",
        "venues": [
            ("Technopolis, Pechatniki", "Building 1", "Congress hall", 250,
             "Volgogradsky prospekt 42, Moscow", 55.706, 37.727),
            ("Technopolis, Pechatniki", "Building 5", "Meeting room A", 20,
             "Volgogradsky prospekt 42, Moscow", 55.706, 37.727),
            ("Technopolis, Zelenograd", "Alabushevo", "Exhibition space", 150,
             "Alabushevo site, Zelenograd", 56.004, 37.159),
        ],
        "staff": [("coordinator@technopolis.example", "Irina Volkova", Role.COORDINATOR),
                  ("staff@technopolis.example", "Dmitry Kuznetsov", Role.STAFF)],
    },
]

RESIDENTS = [
    ("maria@genotek.example", "Maria Ivanova", "Genotek Labs", 0, "ru"),
    ("oleg@biomatrix.example", "Oleg Petrov", "BioMatrix", 0, None),
    ("elena@pharmasyn.example", "Elena Smirnova", "PharmaSyn", 0, "en"),
    ("sergey@cellon.example", "Sergey Fedorov", "Cellon", 0, None),
    ("nina@immunotech.example", "Nina Morozova", "ImmunoTech", 0, "ru"),
    ("artem@molecula.example", "Artem Lebedev", "Molecula", 0, None),
    ("olga@microchip.example", "Olga Kozlova", "MicroChip Systems", 1, "ru"),
    ("ivan@robotics.example", "Ivan Novikov", "Robotics Lab", 1, None),
    ("tatiana@photonics.example", "Tatiana Popova", "Photonics Works", 1, "en"),
    ("alexey@composite.example", "Alexey Vasiliev", "Composite Materials", 1, None),
    ("yulia@medequip.example", "Yulia Pavlova", "MedEquip", 1, "ru"),
    ("mikhail@aeronav.example", "Mikhail Semenov", "AeroNav", 1, None),
]

TOPICS = [
    ("Biotech investment day", Category.DEMO_DAY),
    ("Clinical trials: from protocol to first patient", Category.SEMINAR),
    ("GMP for start-ups", Category.WORKSHOP),
    ("Import substitution in laboratory equipment", Category.CONFERENCE),
    ("Residents' networking breakfast", Category.NETWORKING),
    ("Patent strategy consulting day", Category.CONSULTING_DAY),
    ("Microelectronics for medical devices", Category.SEMINAR),
    ("Open lab tour and exhibition", Category.EXHIBITION),
    ("Grant applications clinic", Category.CONSULTING_DAY),
    ("Scaling up bioreactors", Category.WORKSHOP),
    ("Export support for technology companies", Category.SEMINAR),
    ("Joint cluster conference", Category.CONFERENCE),
    ("Pitch training for founders", Category.WORKSHOP),
    ("Industrial design and prototyping", Category.DEMO_DAY),
]


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Partner)) == 0


def _user(email, name, role, *, partner=None, company="", site_partner=None, locale=None):
    user = User(email=email, name=name, role=role, partner=partner, company=company,
                site_partner=site_partner, locale=locale)
    user.set_password(DEMO_PASSWORD)
    db.session.add(user)
    return user


def seed_demo(now: datetime | None = None) -> bool:
    """Load the demo once. Returns False when it is already there."""
    if db.session.scalar(sa.select(Partner).where(Partner.slug == PARTNERS[0]["slug"])):
        return False
    rng = random.Random(2026)
    now = now or utcnow()
    admin = _user("admin@joint-events.example", "Site Admin", Role.ADMIN)
    partners, venues, staff = [], {}, {}
    for spec in PARTNERS:
        partner = Partner(**{k: spec[k] for k in
                             ("slug", "name", "short_name", "description", "website", "color")})
        db.session.add(partner)
        partners.append(partner)
        venues[spec["slug"]] = [
            Venue(partner=partner, site=site, building=building, name=room, capacity=cap,
                  address=address, latitude=lat, longitude=lon,
                  accessibility="Step-free entrance; lift to all floors.")
            for site, building, room, cap, address, lat, lon in spec["venues"]
        ]
        db.session.add_all(venues[spec["slug"]])
        staff[spec["slug"]] = [_user(e, n, r, partner=partner) for e, n, r in spec["staff"]]
    residents = [
        _user(e, n, Role.RESIDENT, company=c, site_partner=partners[p], locale=loc)
        for e, n, c, p, loc in RESIDENTS
    ]
    programme = Programme(
        slug="programme-2026-2027", title="Joint action programme 2026–2027",
        description="Events agreed under the additional agreement to the memorandum.",
    )
    db.session.add(programme)
    db.session.flush()
    record(admin, "demo.seed", partners[0], {"partners": [None, len(partners)]})

    today = now.astimezone(MOSCOW).date()
    for index in range(40):
        _demo_event(rng, index, today, now, partners, venues, staff, residents, programme)
    seed_agreements(now)
    return True


def _demo_event(rng, index, today, now, partners, venues, staff, residents, programme):
    lead = partners[index % 2]
    other = partners[(index + 1) % 2]
    title, category = TOPICS[index % len(TOPICS)]
    day = today + timedelta(days=-30 + index * 3 + rng.randint(0, 2))
    start_hour = rng.choice([10, 11, 14, 15, 16])
    starts = datetime.combine(day, time(start_hour), MOSCOW)
    ends = starts + timedelta(hours=rng.choice([1, 2, 3, 4]))
    fmt = [EventFormat.IN_PERSON, EventFormat.IN_PERSON, EventFormat.HYBRID,
           EventFormat.ONLINE][index % 4]
    venue = None if fmt == EventFormat.ONLINE else rng.choice(venues[lead.slug])
    is_past = ends <= now
    if index % 13 == 5:
        status = EventStatus.CANCELLED
    elif not is_past and index % 7 == 3:
        status = EventStatus.DRAFT
    elif not is_past and index % 7 == 4:
        status = EventStatus.PROPOSED
    else:
        status = EventStatus.SCHEDULED
    audience = [Audience.PUBLIC, Audience.PUBLIC, Audience.RESIDENTS, Audience.PUBLIC,
                Audience.PUBLIC, Audience.RESIDENTS, Audience.PUBLIC, Audience.INTERNAL][index % 8]
    capacity = None if index % 9 == 0 else min(venue.capacity if venue else 100,
                                                rng.choice([8, 12, 20, 40, 80]))
    coordinator, member = staff[lead.slug]
    event = Event(
        title=f"{title} #{index + 1}" if index >= len(TOPICS) else title,
        summary=f"A joint event of {lead.short_name} and {other.short_name}.",
        description=(
            f"**{title}** — organised by *{lead.short_name}* together with "
            f"*{other.short_name}* under the cooperation memorandum.\n\n"
            "- talks by resident companies\n- questions and answers\n- networking"
        ),
        category=category, format=fmt, venue=venue,
        online_url="https://meet.example.org/joint-" + str(index + 1)
        if fmt != EventFormat.IN_PERSON else None,
        starts_at=starts, ends_at=ends, timezone="Europe/Moscow", capacity=capacity,
        registration_closes_at=starts if status == EventStatus.SCHEDULED else None,
        audience=audience, status=status, created_by=member,
        programme=programme if index % 3 == 0 else None,
        published_at=now - timedelta(days=40) if status in (
            EventStatus.SCHEDULED, EventStatus.CANCELLED) else None,
        cancel_reason="The speaker could not travel." if status == EventStatus.CANCELLED
        else None,
        cancelled_at=now - timedelta(days=1) if status == EventStatus.CANCELLED else None,
        sequence=1 if status in (EventStatus.SCHEDULED, EventStatus.CANCELLED) else 0,
    )
    db.session.add(event)
    db.session.add(Involvement(event=event, partner=lead, role=InvolvementRole.HOST,
                               state=InvolvementState.ACCEPTED, invited_by=member))
    if index % 5 != 2:
        answered = status not in (EventStatus.DRAFT, EventStatus.PROPOSED) or index % 2 == 0
        other_staff = staff[other.slug]
        db.session.add(Involvement(
            event=event, partner=other,
            role=InvolvementRole.CO_HOST if index % 4 in (0, 1) else InvolvementRole.SUPPORTER,
            state=InvolvementState.ACCEPTED if answered else InvolvementState.INVITED,
            invited_by=member, answered_by=other_staff[0] if answered else None,
            answered_at=now - timedelta(days=20) if answered else None,
            note="Happy to join." if answered else "",
        ))
    db.session.flush()
    record(member, "event.create", event, {"title": [None, event.title]})
    if status != EventStatus.DRAFT:
        _demo_contributions(rng, event, lead, other, index, member, staff)
    if status == EventStatus.SCHEDULED and audience != Audience.INTERNAL:
        _demo_registrations(rng, event, residents, is_past, coordinator)


def _demo_contributions(rng, event, lead, other, index, member, staff):
    kinds = [
        (lead, ContributionKind.VENUE, "Hall and equipment", Decimal(1), "days", None),
        (lead, ContributionKind.STAFF_TIME, "Organising team", Decimal(rng.randint(6, 40)),
         "hours", None),
        (lead, ContributionKind.CATERING, "Coffee break", None, "",
         Decimal(rng.randint(10, 90) * 1000)),
    ]
    if index % 5 != 2:
        kinds += [
            (other, ContributionKind.SPEAKERS, "Two speakers from resident companies",
             Decimal(2), "people", None),
            (other, ContributionKind.PROMOTION, "Newsletter and social media", None, "",
             Decimal(rng.randint(5, 30) * 1000)),
        ]
        if index % 4 == 1:
            kinds.append((other, ContributionKind.FUNDING, "Travel grant for a speaker",
                          None, "", Decimal("1250.00")))
    for n, (partner, kind, text, qty, unit, amount) in enumerate(kinds):
        status = ContributionStatus.PLEDGED
        if event.is_past:
            status = ContributionStatus.DELIVERED
        if n == 2 and index % 6 == 0:
            status = ContributionStatus.WITHDRAWN
        currency = "EUR" if kind == ContributionKind.FUNDING else "RUB"
        item = Contribution(event=event, partner=partner, kind=kind, description=text,
                            quantity=qty, unit=unit, amount=amount, currency=currency,
                            status=status, created_by=staff[partner.slug][1])
        db.session.add(item)
        db.session.flush()
        record(item.created_by, "contribution.create", item, {"kind": [None, kind.value]},
               event=event)


def _demo_registrations(rng, event, residents, is_past, checker):
    people = rng.sample(residents, k=rng.randint(3, len(residents)))
    if event.audience == Audience.PUBLIC and event.capacity and event.capacity <= 8:
        people = residents[:]  # a full event with a waitlist
    confirmed = 0
    for n, person in enumerate(people):
        full = event.capacity is not None and confirmed >= event.capacity
        registered = event.starts_at - timedelta(days=10, minutes=-n * 7)
        reg = Registration(
            event=event, user=person,
            status=RegistrationStatus.WAITLISTED if full else RegistrationStatus.CONFIRMED,
            registered_at=registered, confirmed_at=None if full else registered,
            cancel_token_hash=secrets.token_hex(32),
        )
        if not full:
            confirmed += 1
            if is_past and rng.random() < 0.75:
                reg.checked_in_at = event.starts_at + timedelta(minutes=rng.randint(0, 20))
                reg.checked_in_by = checker
        db.session.add(reg)
    db.session.flush()
