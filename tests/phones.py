"""The phone tests' helpers: which pages exist and how to fill their URLs from the demo data,
what sticks out of a 390 px screen, and axe's WCAG check.

The page list is derived from `app.url_map`: every GET route is either filled from demo
objects (one URL per event kind, partner, venue, programme, ...) or listed in NOT_PAGES with
the reason it is not a page a person reads. A new route whose arguments no provider knows
fails the suite until it gets a provider or a reason.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import url_for

from events.agreements.models import Agreement, RateCard
from events.auth.models import User
from events.auth.passwords import INVITE, RESET, VERIFY, make_link_token
from events.auth.services import create_user
from events.contributions.models import Contribution
from events.db import utcnow
from events.enums import Audience, Category, EventFormat, EventStatus, RegistrationStatus, Role
from events.extensions import db
from events.partners.models import Partner
from events.planning.models import Event, Programme
from events.planning.recurrence import WEEKLY, Pattern
from events.planning.series import create_series, propose_series, schedule_series
from events.registrations.models import Registration
from events.registrations.services import hash_token
from events.residents.models import ResidentCompany
from tests.conftest import ROOT

AXE = ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 1}
LANGUAGES = ("en", "ru")
DEMO_PASSWORD = "demo-password"

# Every GET route that is not an HTML page, with the reason.
NOT_PAGES = {
    "static": "static files (CSS, JavaScript, icons)",
    "partners.stylesheet": "CSS with the partners' colours",
    "calendar.public_feed": "iCalendar feed (text/calendar)",
    "calendar.partner_feed": "iCalendar feed (text/calendar)",
    "calendar.private_feed": "iCalendar feed (text/calendar)",
    "calendar.event_download": "iCalendar file (text/calendar)",
    "registrations.export": "CSV download",
    "registrations.counts": "JSON for the live counters",
    "contributions.export_csv": "CSV download",
    "contributions.balance_svg": "SVG chart image (shown inside /reports)",
    "auth.download_data": "JSON download of the person's data",
    "agreements.annual_pdf": "PDF download (the annual report)",
    "ops.healthz": "JSON for the load balancer",
    "ops.readyz": "JSON for the load balancer",
    "ops.metrics": "Prometheus text for the monitoring",
    "agreements.annual_xlsx": "XLSX download (the annual report)",
    "agreements.document": "PDF download (the signed agreement)",
    "agreements.targets_csv": "CSV download",
    "publishing.site_atom": "Atom feed (application/atom+xml)",
    "publishing.partner_atom": "Atom feed (application/atom+xml)",
    "publishing.programme_atom": "Atom feed (application/atom+xml)",
    "publishing.category_atom": "Atom feed (application/atom+xml)",
    "publishing.embed_stylesheet": "CSS with the partners' widget colours",
    "api.Events": "JSON API (events, cursor pages); tests/api",
    "api.Event": "JSON API (one event); tests/api",
    "api.Series": "JSON API (a series); tests/api",
    "api.partners": "JSON API (partners); tests/api",
    "api.venues": "JSON API (rooms); tests/api",
    "api.programmes": "JSON API (programmes); tests/api",
    "api.openapi": "the API's OpenAPI document (JSON)",
    "calendar.import_job": "an import's progress and preview; the demo holds no import, so "
                           "tests/calendar/test_e2e_calendar.py uploads a file and checks this "
                           "page at 390 px with axe",
}

# Who looks at the pages. A resident with a waitlisted seat is chosen at run time, so the
# "you are number N on the waitlist" panel is seen too.
STAFF_ROLES = {
    "staff": "staff@northern.example",
    "coordinator-northern": "coordinator@northern.example",
    "coordinator-technopolis": "coordinator@technopolis.example",
    "admin": "admin@joint-events.example",
}

# The raw cancel-link token given to one demo registration (only its hash is stored).
CANCEL_TOKEN = "phone-test-" + "x" * 32
# A secret in a URL means something different on each route: each route taking a token says
# which working one it gets (load_demo makes it work).
TOKENS = {"registrations.cancel_by_token": "a cancel link of the resident's next seat",
          "auth.reset_password": "a password-reset link of the resident",
          "auth.verify_email": "an address-verification link of the resident",
          "auth.accept_invitation": "an invitation link of a staff account without a password"}


@dataclass
class Demo:
    """The demo objects each URL argument is filled from."""

    events: list[Event]  # every kind of event page
    sample: list[Event]  # fewer, for the attendee lists
    per_partner: list[Event]  # one upcoming event led by each partner, for the forms
    partners: list[Partner]
    programmes: list[Programme]
    resident: User
    contributions: dict[int, list[Contribution]] = field(default_factory=dict)
    companies: list[ResidentCompany] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    rate_cards: list[RateCard] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)  # endpoint → a working secret
    tickets: list[int] = field(default_factory=list)  # the resident's confirmed seats
    series: list[int] = field(default_factory=list)  # a scheduled weekly series
    webhooks: dict[str, list[int]] = field(default_factory=dict)  # partner slug → endpoints


def _features(event: Event, now, seats: dict, waitlists: set, longest: dict) -> set[str]:
    """What makes one event page look different from another."""
    upcoming = event.ends_at > now
    found = {f"status {event.status.value}", f"format {event.format.value}",
             f"audience {event.audience.value}", "upcoming" if upcoming else "past"}
    if upcoming:
        found.add(f"upcoming {event.status.value}")
        if event.id in waitlists:
            found.add("upcoming with a waitlist")
        if event.id in seats:
            found.add(f"resident is {seats[event.id].value}")
    if event.capacity is None:
        found.add("unlimited")
    if event.programme_id is not None:
        found.add("in a programme")
    found.update(name for name, winner in longest.items() if winner == event.id)
    return found


def pick_events(resident: User) -> list[Event]:
    """The fewest events that together show every kind an event page takes: each status,
    format and audience, past and upcoming, with a waitlist, unlimited, in a programme, the
    resident's own confirmed and waitlisted seats, the longest title, summary and online
    address. A greedy set cover: the event adding most missing kinds first."""
    events = db.session.scalars(sa.select(Event).order_by(Event.id)).all()
    now = utcnow()
    seats = {r.event_id: r.status for r in db.session.scalars(
        sa.select(Registration).where(Registration.user_id == resident.id,
                                      Registration.status != RegistrationStatus.CANCELLED))}
    waitlists = set(db.session.scalars(sa.select(Registration.event_id).where(
        Registration.status == RegistrationStatus.WAITLISTED)))
    longest = {f"longest {name}": max(events, key=lambda e, n=name: len(getattr(e, n) or "")).id
               for name in ("title", "summary", "online_url")}
    features = {e.id: _features(e, now, seats, waitlists, longest) for e in events}
    missing = set().union(*features.values())
    chosen = []
    while missing:
        best = max(events, key=lambda e: len(features[e.id] & missing))
        chosen.append(best)
        missing -= features[best.id]
    return sorted(chosen, key=lambda e: e.id)


def pick_per_partner() -> list[Event]:
    """An upcoming event led by each partner: each coordinator has one to edit."""
    now = utcnow()
    events = db.session.scalars(sa.select(Event).where(Event.ends_at > now)
                                .order_by(Event.starts_at)).all()
    led = {}
    for event in events:
        if event.lead_partner and event.status != EventStatus.CANCELLED:
            led.setdefault(event.lead_partner.id, event)
    return list(led.values())


def pick_sample() -> list[Event]:
    """Attendee lists: the fullest upcoming event (check-in buttons, a waitlist), the fullest
    past one (check-ins done) and the longest title."""
    now = utcnow()
    events = db.session.scalars(sa.select(Event).order_by(Event.id)).all()
    counts = dict(db.session.execute(
        sa.select(Registration.event_id, sa.func.count()).group_by(Registration.event_id)).all())
    sample = {}
    for pool in ([e for e in events if e.ends_at > now], [e for e in events if e.ends_at <= now]):
        if pool:
            fullest = max(pool, key=lambda e: counts.get(e.id, 0))
            sample[fullest.id] = fullest
    title = max(events, key=lambda e: len(e.title))
    sample[title.id] = title
    return sorted(sample.values(), key=lambda e: e.id)


def pick_resident() -> User:
    """A demo resident holding an upcoming waitlisted seat (Maria when nobody does)."""
    waiting = db.session.scalar(
        sa.select(User).join(Registration, Registration.user_id == User.id)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.status == RegistrationStatus.WAITLISTED,
               Event.ends_at > utcnow() + timedelta(hours=1))
        .order_by(User.email).limit(1))
    return waiting or db.session.scalar(sa.select(User).where(
        User.email == "maria@genotek.example"))


def load_demo() -> Demo:
    resident = pick_resident()
    events = pick_events(resident)
    demo = Demo(
        events=events,
        sample=pick_sample(),
        per_partner=pick_per_partner(),
        partners=db.session.scalars(sa.select(Partner).order_by(Partner.id)).all(),
        programmes=db.session.scalars(sa.select(Programme).order_by(Programme.id)).all(),
        resident=resident,
    )
    for event in {*events, *demo.sample, *demo.per_partner}:
        by_partner = {}
        for item in db.session.scalars(sa.select(Contribution).where(
                Contribution.event_id == event.id).order_by(Contribution.id)):
            by_partner.setdefault(item.partner_id, item)
        demo.contributions[event.id] = list(by_partner.values())
    # A cancel link that works: give the resident's upcoming seat a known token.
    seat = db.session.scalar(
        sa.select(Registration).join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == resident.id,
               Registration.status != RegistrationStatus.CANCELLED,
               Event.starts_at > utcnow())
        .order_by(Event.starts_at).limit(1))
    if seat is not None:
        seat.cancel_token_hash = hash_token(CANCEL_TOKEN)
    demo.tokens["registrations.cancel_by_token"] = CANCEL_TOKEN
    demo.tickets = list(db.session.scalars(
        sa.select(Registration.id).join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == resident.id,
               Registration.status == RegistrationStatus.CONFIRMED, Event.ends_at > utcnow())
        .order_by(Event.starts_at)))
    demo.tokens["auth.reset_password"] = make_link_token(resident, RESET)
    demo.tokens["auth.verify_email"] = make_link_token(resident, VERIFY)
    invited = create_user(email="invited.colleague@northern.example", name="Новый сотрудник",
                          password=None, role=Role.STAFF, partner=demo.partners[0],
                          verified=True)
    db.session.flush()
    demo.tokens["auth.accept_invitation"] = make_link_token(invited, INVITE)
    demo.agreements = db.session.scalars(sa.select(Agreement).order_by(Agreement.id)).all()
    demo.rate_cards = db.session.scalars(sa.select(RateCard).order_by(RateCard.id)).all()
    demo.companies = db.session.scalars(
        sa.select(ResidentCompany).order_by(ResidentCompany.id).limit(2)).all()
    demo.series = [make_demo_series(demo.partners[0]).id]
    demo.webhooks = {demo.partners[0].slug: [make_demo_webhook(demo.partners[0]).id]}
    db.session.commit()
    return demo


def make_demo_webhook(partner: Partner):
    """An endpoint of `partner` with a long address, one delivered message and one dead after
    failed attempts (the demo data has no webhooks)."""
    from events.webhooks.models import (
        DeliveryStatus,
        WebhookAttempt,
        WebhookDelivery,
        WebhookEndpoint,
    )
    from events.webhooks.signing import new_message_id, new_secret

    endpoint = WebhookEndpoint(
        partner=partner, url="https://hooks.partner-intranet.example.org/joint-events/"
        "webhooks/receive-every-event-and-registration-0123456789",
        description="Partner CRM", event_types="event.scheduled event.changed",
        is_enabled=True, secret=new_secret())
    now = utcnow()
    delivered = WebhookDelivery(endpoint=endpoint, event_type="event.scheduled",
                                message_id=new_message_id(), payload="{}", attempts=1,
                                status=DeliveryStatus.DELIVERED, delivered_at=now)
    dead = WebhookDelivery(endpoint=endpoint, event_type="event.changed",
                           message_id=new_message_id(), payload="{}", attempts=2,
                           status=DeliveryStatus.DEAD, last_error="HTTP 500")
    delivered.attempt_log = [WebhookAttempt(status_code=200, duration_ms=85)]
    dead.attempt_log = [WebhookAttempt(status_code=500, error="HTTP 500", duration_ms=120),
                        WebhookAttempt(error="TimeoutError: timed out", duration_ms=10000)]
    db.session.add_all([endpoint, delivered, dead])
    db.session.flush()
    return endpoint


def make_demo_series(partner: Partner):
    """A scheduled weekly online series led by `partner` (the demo data has none)."""
    coordinator = db.session.scalar(sa.select(User).where(
        User.partner_id == partner.id, User.role == Role.COORDINATOR).order_by(User.id))
    day = (utcnow() + timedelta(days=60)).date()
    starts = datetime.combine(day, time(10), ZoneInfo("Europe/Moscow"))
    series = create_series(coordinator, {
        "title": "Mentor office hours", "summary": "Bring your questions",
        "category": Category.CONSULTING_DAY, "format": EventFormat.ONLINE,
        "online_url": "https://meet.example/office-hours", "starts_at": starts,
        "ends_at": starts + timedelta(hours=2), "timezone": "Europe/Moscow", "capacity": 20,
        "audience": Audience.PUBLIC,
    }, Pattern(WEEKLY, weekdays=(day.weekday(),), count=4), allow_series_registration=True)
    propose_series(coordinator, series)
    schedule_series(coordinator, series)
    return series


def _providers(demo: Demo, endpoint: str = "") -> dict:
    """URL argument → function(values so far) → the values to try. The event page gets every
    kind of event, attendee lists a sample, the forms around an event one per partner."""
    events = {"planning.detail": demo.events,
              "registrations.attendees": demo.sample,
              # The fullest past event has check-ins and the demo's feedback.
              "registrations.feedback_results": demo.sample,
              "registrations.feedback_form": demo.sample}.get(endpoint, demo.per_partner)
    return {
        "event_id": lambda v: [e.id for e in events],
        "contribution_id": lambda v: [c.id for c in demo.contributions.get(v["event_id"], [])],
        "slug": lambda v: [p.slug for p in demo.partners],
        "endpoint_id": lambda v: demo.webhooks.get(v["slug"], []),
        "venue_id": lambda v: [next((x.id for x in p.venues), None)
                               for p in demo.partners if p.slug == v["slug"]],
        "programme_id": lambda v: [p.id for p in demo.programmes],
        "company_id": lambda v: [c.id for c in demo.companies],
        "agreement_id": lambda v: [a.id for a in demo.agreements],
        "year": lambda v: [utcnow().year],
        "card_id": lambda v: [c.id for c in demo.rate_cards],
        "token": lambda v: [demo.tokens[endpoint]] if endpoint in demo.tokens else [],
        "category": lambda v: ["workshop"],
        "registration_id": lambda v: demo.tickets[:1],
        "series_id": lambda v: demo.series,
    }


def _fill(rule, providers) -> list[dict]:
    # Arguments are filled in the order the rule names them (event before contribution).
    order = [name for name in providers if name in rule.arguments]
    combos = [{}]
    for name in order:
        combos = [{**values, name: value} for values in combos
                  for value in providers[name](values) if value is not None]
    return combos


def unfillable(app) -> list[str]:
    """GET routes that are neither filled nor listed in NOT_PAGES."""
    known = set(_providers(Demo([], [], [], [], [], None)))
    return sorted(
        f"{rule.endpoint} {rule.rule}" for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in NOT_PAGES
        and (not set(rule.arguments) <= known
             or ("token" in rule.arguments and rule.endpoint not in TOKENS))
    )


@dataclass(frozen=True)
class Page:
    endpoint: str
    path: str
    event_id: int | None = None


def pages(app, demo: Demo) -> list[Page]:
    """Every page to look at: each GET route filled from the demo, plus the states a query
    string selects (week view, a search, a filtered report, page two)."""
    found: list[Page] = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
                continue
            for values in _fill(rule, _providers(demo, rule.endpoint)):
                found.append(Page(rule.endpoint, url_for(rule.endpoint, **values),
                                  values.get("event_id")))
        week = (utcnow() + timedelta(days=7)).date().isoformat()
        found += [
            Page("planning.calendar", url_for("planning.calendar", view="week", week=week)),
            Page("planning.index", url_for("planning.index", page=2)),
            Page("planning.index", url_for("planning.index", q="a", category="workshop")),
            Page("contributions.reports",
                 url_for("contributions.reports", partner=demo.partners[0].id)),
            Page("registrations.attendees",
                 url_for("registrations.attendees", event_id=demo.sample[-1].id, q="a")),
        ]
    return found


# Outermost and innermost elements sticking out past the right edge, ignoring what sits
# inside a scroll container (that scrolls on its own and does not widen the page).
OVERFLOW_JS = """() => {
  const root = document.documentElement, width = root.clientWidth;
  if (root.scrollWidth <= width) return null;
  // Inside a scroll container an element scrolls with it instead of widening the page; an
  // absolutely placed one only when the container is its containing block.
  const contained = el => {
    let position = getComputedStyle(el).position;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (position === 'fixed') return false;
      const style = getComputedStyle(p);
      if (position === 'absolute' && style.position === 'static') continue;
      if (style.overflowX !== 'visible') return true;
      position = style.position;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + [...el.classList].map(c => '.' + c).join('');
  const path = el => { const parts = [];
      for (let n = el; n && n !== document.body && parts.length < 4; n = n.parentElement)
        parts.unshift(name(n));
      return parts.join(' > '); };
  const right = el => Math.round(el.getBoundingClientRect().right);
  const out = [...document.body.querySelectorAll('*')].filter(el => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > width + 0.5 && el.checkVisibility() && !contained(el); });
  const outer = out.filter(el => !out.some(o => o !== el && o.contains(el)));
  const inner = out.filter(el => !out.some(o => o !== el && el.contains(o)))
      .sort((a, b) => right(b) - right(a));
  const text = el => (el.innerText || el.value || el.textContent || '').trim();
  const describe = el => path(el) + ' [right ' + right(el) + 'px] "'
      + text(el).replace(/\\s+/g, ' ').slice(0, 40) + '"';
  return {width: root.scrollWidth,
          culprits: [...new Set([...outer.slice(0, 2), ...inner.slice(0, 4)].map(describe))]};
}"""


def sign_in_wrongly(page, base: str) -> None:
    """The sign-in page answered with "wrong email or password": a state only a POST shows,
    which both browser sweeps check."""
    page.goto(base + "/signin")
    page.fill("input[name=email]", "nobody@example.org")
    page.fill("input[name=password]", "wrong password")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")


def overflow(page) -> dict | None:
    """None, or how wide the page is and which elements stick out."""
    return page.evaluate(OVERFLOW_JS)


WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def wcag_violations(page) -> list[str]:
    """Every WCAG 2.x A/AA violation axe-core finds on the page, whatever its impact."""
    if not AXE.exists():
        pytest.fail(f"axe-core missing at {AXE}: run `make browser`")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", WCAG)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"]]
