"""Two memorandum partners and a third one, the memorandum, an additional agreement with its
programme, and the Bank of Russia's recorded daily files (tests never use the network)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from events.agreements.enums import AgreementStatus
from events.agreements.models import Agreement
from events.enums import ContributionKind, ContributionStatus, InvolvementRole, Role
from events.extensions import db
from events.planning.models import Programme
from tests.factories import (
    make_contribution,
    make_event,
    make_involvement,
    make_partner,
    make_user,
    make_venue,
)

DATA = Path(__file__).parent / "data"
TODAY = date(2031, 7, 2)  # 183 of the year's 365 days have gone by
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def app(make_app, tmp_path):
    """The app with its signed documents in a temporary folder and a fixed today. A GET
    request context, as services speak the reader's language — and on SQLite its reads take
    no write lock, so a live server in another thread can write."""
    app = make_app(AGREEMENT_FILES=str(tmp_path / "agreement-files"), AGREEMENTS_TODAY=TODAY)
    with app.app_context(), app.test_request_context():
        yield app
        db.session.rollback()


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def event_on(lead, starts_at, partner=None, **overrides):
    """A scheduled event; `partner` co-hosts it."""
    event = make_event(lead=lead, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
                       **overrides)
    if partner is not None:
        make_involvement(event, partner, role=InvolvementRole.CO_HOST)
    return event


def row(event, partner, kind, *, status=ContributionStatus.DELIVERED, amount=None,
        currency="RUB", quantity=None, unit="", agreed_value=None):
    return make_contribution(
        event, partner, kind=kind, status=status, currency=currency, unit=unit,
        amount=None if amount is None else Decimal(amount),
        quantity=None if quantity is None else Decimal(quantity),
        agreed_value=None if agreed_value is None else Decimal(agreed_value))


@pytest.fixture
def world(app):
    a = make_partner(slug="north", name="Кластер «Северный»", short_name="Север",
                     color="#1b7f5b")
    b = make_partner(slug="techno", name="Technopolis Moscow", short_name="Techno",
                     color="#2357b8")
    c = make_partner(slug="third", name="Third Park", short_name="Third", color="#8a2be2")
    users = {f"{kind}_{name}": make_user(role, partner)
             for name, partner in (("a", a), ("b", b), ("c", c))
             for kind, role in (("staff", Role.STAFF), ("coord", Role.COORDINATOR))}
    memorandum = Agreement(title="Меморандум", number="M-1", signed_on=date(2030, 1, 10),
                           starts_on=date(2030, 1, 10), status=AgreementStatus.IN_FORCE,
                           covers_all_joint_events=True, parties=[a, b])
    additional = Agreement(title="Additional agreement No. 1", number="AA-1",
                           signed_on=date(2030, 12, 20), starts_on=date(2031, 1, 1),
                           ends_on=date(2031, 12, 31), status=AgreementStatus.IN_FORCE,
                           parties=[a, b])
    db.session.add_all([memorandum, additional])
    programme = Programme(slug="p2031", title="Программа 2031", agreement=additional,
                          partners=[a])
    db.session.add(programme)
    db.session.flush()
    world = SimpleNamespace(
        a=a, b=b, c=c, memorandum=memorandum, additional=additional, programme=programme,
        hall=make_venue(a, name="Hall"), room=make_venue(b, name="Room B"),
        admin=make_user(Role.ADMIN), resident=make_user(Role.RESIDENT), **users)
    db.session.commit()
    return world


__all__ = ["DATA", "PDF", "TODAY", "ContributionKind", "at", "event_on", "row"]
