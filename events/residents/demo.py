"""Demo residency: the demo residents' companies listed with their e-mail domains, every demo
address verified, and each demo resident a confirmed resident of the site they named.

Kept apart from events/demo.py, which calls it once at the end of seeding; it reads the people
already seeded, so it holds whatever the demo's list of residents is."""

import sqlalchemy as sa

from events.auth.emails import email_domain
from events.auth.models import User
from events.db import utcnow
from events.enums import Residency, Role
from events.extensions import db
from events.residents.models import CompanyDomain, ResidentCompany


def seed_residency() -> None:
    now = utcnow()
    companies: dict[tuple[int, str], ResidentCompany] = {}
    taken = set(db.session.scalars(sa.select(CompanyDomain.domain)))
    for user in db.session.scalars(sa.select(User).order_by(User.id)):
        if user.email_verified_at is None:
            user.email_verified_at = now
        if user.role != Role.RESIDENT or user.site_partner_id is None:
            continue
        key = (user.site_partner_id, user.company or email_domain(user.email))
        company = companies.get(key)
        if company is None:
            company = ResidentCompany(partner_id=key[0], name=key[1])
            db.session.add(company)
            companies[key] = company
        domain = email_domain(user.email)
        if domain not in taken:
            company.domains.append(CompanyDomain(domain=domain))
            taken.add(domain)
        user.resident_company = company
        user.residency = Residency.CONFIRMED
        user.residency_decided_at = now
    db.session.flush()
