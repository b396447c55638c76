"""`flask seed-demo` loads a meaningful, idempotent demo."""

import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.auth.models import User
from events.contributions.models import Contribution
from events.demo import DEMO_PASSWORD, seed_demo
from events.enums import (
    Audience,
    Category,
    EventFormat,
    EventStatus,
    InvolvementRole,
    InvolvementState,
    Role,
)
from events.extensions import db
from events.partners.models import Partner, Venue
from events.planning.models import Event, Involvement
from events.registrations.models import Registration


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_demo_twice_changes_nothing_the_second_time(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert "demo data loaded" in first.output
    counts = {m: count(m) for m in (Partner, Venue, User, Event, Involvement, Contribution,
                                    Registration, AuditEntry)}
    second = runner.invoke(args=["seed-demo"])
    assert "already present" in second.output
    assert counts == {m: count(m) for m in counts}


def test_the_demo_owes_nobody_a_mail(app, runner):
    """Its story has already happened: no invitation or confirmation waits in the outbox."""
    from events.outbox.models import OutboxMessage

    assert "demo data loaded" in runner.invoke(args=["seed-demo"]).output
    assert count(OutboxMessage) == 0


def test_seed_demo_if_empty_skips_a_database_with_data(app, runner):
    from tests.factories import make_partner

    make_partner()
    db.session.commit()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in result.output
    assert count(Event) == 0


def test_demo_covers_every_screen(app):
    assert seed_demo()
    db.session.commit()
    assert count(Partner) == 2
    assert count(Venue) >= 6
    roles = set(db.session.scalars(sa.select(User.role)))
    assert roles == set(Role)
    residents = db.session.scalars(sa.select(User).where(User.role == Role.RESIDENT)).all()
    assert len(residents) >= 12
    assert len({r.company for r in residents}) >= 12
    assert 35 <= db.session.scalar(sa.select(sa.func.count(Event.id))
                                   .where(Event.series_id.is_(None))) <= 45
    assert set(db.session.scalars(sa.select(Event.status))) == set(EventStatus)
    assert set(db.session.scalars(sa.select(Event.audience))) == set(Audience)
    assert set(db.session.scalars(sa.select(Involvement.role))) == set(InvolvementRole)
    currencies = set(db.session.scalars(sa.select(Contribution.currency)))
    assert {"RUB", "EUR"} <= currencies
    assert count(Registration) > 50
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                             .where(Registration.checked_in_at.is_not(None))) > 0
    admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN))
    assert admin.check_password(DEMO_PASSWORD)


def test_demo_home_page_shows_both_partners(app, client):
    seed_demo()
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "BioPharmCluster" in page
    assert "Technopolis" in page


# ---- a season that looks like the partners' real plan ---------------------------------------

def _events():
    return db.session.scalars(sa.select(Event).order_by(Event.id)).all()


def test_demo_season_has_no_numbered_clones_and_is_written_in_both_languages(app):
    import re

    seed_demo()
    db.session.commit()
    events = _events()
    for language in ("ru", "en"):
        titles = [getattr(e, f"title_{language}") for e in events if e.series_id is None]
        assert len(set(titles)) == len(titles)  # a series' dates share one
        assert not [t for t in titles if re.search(r"#\s*\d|\(\d+\)$|\s\d+$", t)]
    cyrillic = re.compile(r"[А-Яа-яЁё]")
    for event in events:  # each text in its own alphabet, both languages in full
        assert cyrillic.search(event.title_ru + event.summary_ru + event.description_ru)
        assert all(cyrillic.search(t) for t in (event.title_ru, event.summary_ru,
                                                 event.description_ru)), event.title_ru
        assert not cyrillic.search(event.title_en + event.summary_en + event.description_en), \
            event.title_en
        assert event.title_en
        assert event.summary_en
        assert event.description_en
    assert {e.category for e in events} == set(Category)
    assert {e.format for e in events} == set(EventFormat)
    for venue in db.session.scalars(sa.select(Venue)):
        assert cyrillic.search(venue.name), venue.name
        assert cyrillic.search(venue.site), venue.site


def test_demo_descriptions_name_only_the_events_real_partners(app):
    from events.demo_season import MENTIONS

    seed_demo()
    db.session.commit()
    partners = {p.id: p.slug for p in db.session.scalars(sa.select(Partner))}
    named = 0
    for event in _events():
        taking_part = {partners[i.partner_id] for i in event.involvements
                       if i.state != InvolvementState.DECLINED}
        text = " ".join((event.title, event.summary, event.description))
        for slug, spellings in MENTIONS.items():
            mentioned = any(s in text for s in spellings)
            assert not (mentioned and slug not in taking_part), (event.title, slug)
            named += mentioned
        for involvement in event.involvements:  # the role words match the involvement
            if involvement.role == InvolvementRole.SUPPORTER and \
                    involvement.state == InvolvementState.ACCEPTED:
                assert any(w in text for w in ("поддержк", "поддерживает", "Supported by")), \
                    event.title
    assert named > 20


def test_demo_partners_have_russian_names_shown_in_the_russian_interface(app, client):
    seed_demo()
    db.session.commit()
    for partner in db.session.scalars(sa.select(Partner)):
        assert partner.name_ru
        assert partner.short_name_ru
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Technopolis" in english
    client.post("/language", data={"language": "ru"})
    russian = client.get("/").get_data(as_text=True)
    assert "Технополис" in russian
    assert "Кластер «Северный»" in russian or "Кластер &laquo;Северный&raquo;" in russian
    assert "BioPharmCluster" not in russian.split("<main", 1)[1]
    partners_page = client.get("/partners/").get_data(as_text=True)
    assert "Биофармацевтический кластер «Северный» (МФТИ)" in partners_page


def test_demo_shows_the_next_steps(app):
    from events.planning.services import pending_invitations, ready_to_schedule

    seed_demo()
    db.session.commit()
    proposed = [e for e in _events() if e.status == EventStatus.PROPOSED]
    assert any(ready_to_schedule(e) for e in proposed)
    assert any(pending_invitations(e) for e in proposed)
    full = [e for e in _events() if e.audience == Audience.PUBLIC and any(
        r.status.value == "waitlisted" for r in db.session.scalars(
            sa.select(Registration).where(Registration.event_id == e.id)))]
    assert full


def test_demo_dates_follow_the_season_from_the_day_it_is_loaded(app):
    from datetime import UTC, datetime

    from events.demo import MOSCOW, spec_texts
    from events.demo_season import SEASON

    now = datetime(2031, 3, 10, 9, 0, tzinfo=UTC)
    seed_demo(now=now)
    db.session.commit()
    today = now.astimezone(MOSCOW).date()
    found = {(e.title_ru, e.title_en): (e.local_starts_at.date() - today).days
             for e in _events() if e.series_id is None}
    assert found == {(spec_texts(spec)["title_ru"], spec_texts(spec)["title_en"]): spec.day
                     for spec in SEASON}
    # The series starts on the Thursday of next week from that day, too.
    first = min(e.local_starts_at.date() for e in _events() if e.series_id is not None)
    assert first.weekday() == 3
    assert 7 <= (first - today).days <= 13


def test_demo_history_reads_in_words(app, client):
    from events.audit.display import SOME_CHANGE

    seed_demo()
    db.session.commit()
    coordinator = db.session.scalar(sa.select(User).where(
        User.email == "coordinator@northern.example"))
    from tests.conftest import login

    login(client, coordinator)
    for event in _events()[:12]:
        page = client.get(f"/events/{event.id}").get_data(as_text=True)
        if '<section class="card audit">' not in page:
            continue
        history = page.split('<section class="card audit">', 1)[1]
        assert str(SOME_CHANGE).split(" ", 1)[1] not in history
        assert "lead_partner" not in history
        assert "None" not in history


def test_demo_has_a_scheduled_weekly_series_with_residents_for_every_date(app):
    from events.planning.models import Series

    seed_demo()
    db.session.commit()
    (series,) = db.session.scalars(sa.select(Series)).all()
    dates = series.occurrences
    assert len(dates) == 6
    assert {e.status for e in dates} == {EventStatus.SCHEDULED}
    assert {len([i for i in e.involvements if i.state.value == "accepted"]) for e in dates} \
        == {2}
    assert db.session.scalar(sa.select(sa.func.count(Registration.id)).where(
        Registration.event_id.in_([e.id for e in dates]))) == 12
