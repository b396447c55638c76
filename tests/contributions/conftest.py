"""A small cooperation for the ledger tests: partners with every kind of involvement."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from events.enums import (
    Category,
    ContributionKind,
    ContributionStatus,
    EventStatus,
    InvolvementRole,
    InvolvementState,
    RegistrationStatus,
    Role,
)
from events.extensions import db
from events.planning.models import Programme
from tests.factories import (
    make_contribution,
    make_event,
    make_involvement,
    make_partner,
    make_registration,
    make_user,
)


@pytest.fixture
def request_ctx(app):
    """Services speak the reader's language, which a request decides."""
    with app.test_request_context():
        yield


@pytest.fixture
def coop(app, request_ctx):
    """Event led by `host`; `cohost` accepted, `invited` not answered yet, `declined` said no,
    `outsider` not part of it. One staff member per partner, plus an admin and a resident."""
    host = make_partner(slug="host", name="Хост «Северный»", short_name="Host", color="#1b7f5b")
    cohost = make_partner(slug="cohost", name="Technopolis", short_name="Techno",
                          color="#2357b8")
    invited = make_partner(slug="invited", short_name="Inv")
    declined = make_partner(slug="declined", short_name="Dec")
    outsider = make_partner(slug="outsider", short_name="Out")
    event = make_event(lead=host)
    make_involvement(event, cohost, role=InvolvementRole.CO_HOST)
    make_involvement(event, invited, role=InvolvementRole.SUPPORTER,
                     state=InvolvementState.INVITED)
    make_involvement(event, declined, role=InvolvementRole.SUPPORTER,
                     state=InvolvementState.DECLINED)
    partners = {"host": host, "cohost": cohost, "invited": invited, "declined": declined,
                "outsider": outsider}
    staff = {name: make_user(Role.STAFF, partner) for name, partner in partners.items()}
    coordinators = {name: make_user(Role.COORDINATOR, partner)
                    for name, partner in partners.items()}
    return SimpleNamespace(event=event, partners=partners, staff=staff,
                           coordinators=coordinators, admin=make_user(Role.ADMIN),
                           resident=make_user(Role.RESIDENT), **partners)


K = ContributionKind
PLEDGED, DELIVERED, WITHDRAWN = (ContributionStatus.PLEDGED, ContributionStatus.DELIVERED,
                                 ContributionStatus.WITHDRAWN)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _event(lead, starts_at, **overrides):
    return make_event(lead=lead, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
                      **overrides)


def _row(event, partner, kind, status=PLEDGED, *, amount=None, currency="RUB", quantity=None,
         unit=""):
    return make_contribution(event, partner, kind=kind, status=status, currency=currency,
                             amount=None if amount is None else Decimal(amount),
                             quantity=None if quantity is None else Decimal(quantity),
                             unit=unit)


@pytest.fixture
def ledger(app):
    """Period 2031-01-01 … 2031-02-28 in Moscow time. Figures in the docstrings of tests."""
    a = make_partner(slug="north", name="Кластер «Северный»", short_name="Север",
                     color="#1b7f5b")
    b = make_partner(slug="techno", name="Technopolis Moscow", short_name="Techno",
                     color="#2357b8")
    programme = Programme(slug="p", title="Программа 2031")
    db.session.add(programme)
    db.session.flush()
    # e1: mid January; A hosts, B co-hosts.
    e1 = _event(a, at(2031, 1, 15, 10), programme_id=programme.id)
    make_involvement(e1, b, role=InvolvementRole.CO_HOST)
    _row(e1, a, K.VENUE, quantity="1", unit="days")
    _row(e1, a, K.STAFF_TIME, DELIVERED, quantity="10", unit="hours")
    _row(e1, a, K.CATERING, DELIVERED, amount="30000")
    _row(e1, b, K.FUNDING, amount="1250", currency="EUR")
    _row(e1, b, K.PROMOTION, WITHDRAWN, amount="5000")
    # e2: 21:00 UTC on 31 January is midnight of 1 February in Moscow → February.
    e2 = _event(b, at(2031, 1, 31, 21, 0), category=Category.WORKSHOP)
    make_involvement(e2, a, role=InvolvementRole.SUPPORTER)
    _row(e2, b, K.VENUE, DELIVERED, amount="20000")
    _row(e2, b, K.STAFF_TIME, quantity="4.5", unit="hours")
    _row(e2, a, K.SPEAKERS, quantity="2", unit="people", amount="100", currency="EUR")
    _row(e2, a, K.CATERING, WITHDRAWN, amount="7000.50")
    # e3: still 28 February in UTC, already 1 March in Moscow → outside the period.
    e3 = _event(a, at(2031, 2, 28, 21, 30))
    _row(e3, a, K.FUNDING, amount="999")
    # e4: 23:59 on 31 January in Moscow → January; A declined its invitation.
    e4 = _event(b, at(2031, 1, 31, 20, 59))
    make_involvement(e4, a, role=InvolvementRole.CO_HOST, state=InvolvementState.DECLINED)
    _row(e4, b, K.CATERING, amount="100", currency="USD")
    # e5 draft and e6 cancelled: left out of reports.
    e5 = _event(a, at(2031, 1, 20, 10), status=EventStatus.DRAFT)
    _row(e5, a, K.FUNDING, amount="500")
    e6 = _event(a, at(2031, 1, 21, 10), status=EventStatus.CANCELLED)
    _row(e6, a, K.FUNDING, amount="600")
    # e7: midnight of 1 January in Moscow (21:00 UTC on 31 December) → inside, January.
    e7 = _event(a, at(2030, 12, 31, 21, 0))
    _row(e7, a, K.OTHER, quantity="3", unit="hours")
    # e8: 23:59 on 31 December in Moscow → before the period.
    e8 = _event(a, at(2030, 12, 31, 20, 59))
    _row(e8, a, K.FUNDING, amount="1000000")
    # Reach: confirmed registrations and check-ins (cancelled and waitlisted do not count).
    checked = at(2031, 1, 15, 10, 5)
    for status, checked_in in [(RegistrationStatus.CONFIRMED, checked),
                               (RegistrationStatus.CONFIRMED, None),
                               (RegistrationStatus.CONFIRMED, None),
                               (RegistrationStatus.CANCELLED, None),
                               (RegistrationStatus.WAITLISTED, None)]:
        make_registration(e1, status=status, checked_in_at=checked_in)
    make_registration(e2, checked_in_at=checked)
    make_registration(e2, checked_in_at=checked)
    make_registration(e4)
    admin = make_user(Role.ADMIN)
    db.session.commit()
    return SimpleNamespace(a=a, b=b, programme=programme, e1=e1, e2=e2, e3=e3, e4=e4, e7=e7,
                           admin=admin, partners=[a, b])


