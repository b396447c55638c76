"""The residency rules: a verified address on a listed domain makes a person a resident of that
partner at once; everyone else waits for that partner's staff to confirm or refuse them."""

import csv
import io
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from events.audit.services import record
from events.auth.mails import SUBJECTS
from events.auth.models import User
from events.auth.permissions import can_manage_residents
from events.db import utcnow
from events.enums import Residency, Role
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from events.mail import queue_mail
from events.partners.models import Partner
from events.residents.models import CompanyDomain, ResidentCompany
from events.text import one_line

MAX_CSV_BYTES = 500_000
MAX_CSV_ROWS = 2000
MAX_DOMAINS = 20


def company_for_domain(domain: str) -> ResidentCompany | None:
    return db.session.scalar(
        sa.select(ResidentCompany).join(CompanyDomain).where(CompanyDomain.domain == domain))


def match_by_domain(user: User) -> ResidentCompany | None:
    """A verified resident whose address is on a listed domain: resident of that partner now."""
    from events.auth.emails import email_domain

    if user.role != Role.RESIDENT or not user.is_verified:
        return None
    if user.residency == Residency.CONFIRMED:
        return None
    company = company_for_domain(email_domain(user.email))
    if company is None:
        return None
    before = user.residency.value if user.residency else None
    user.residency = Residency.CONFIRMED
    user.site_partner_id = company.partner_id
    user.resident_company = company
    user.residency_decided_at = utcnow()
    record(user, "user.residency_by_domain", user,
           {"residency": [before, Residency.CONFIRMED.value],
            "resident_company_id": [None, company.id]})
    return company


def _check(actor, partner_id: int) -> None:
    if not can_manage_residents(actor, partner_id):
        raise NotAllowed(_("Only this partner's staff manage its residents."))


def decide_residency(actor, user: User, confirm: bool) -> None:
    """That partner's staff confirm (or refuse) a person who named their site; mail tells them."""
    if user.role != Role.RESIDENT or user.site_partner_id is None or user.deleted_at is not None:
        raise Conflict(_("This person is not waiting for a residency decision."))
    _check(actor, user.site_partner_id)
    new = Residency.CONFIRMED if confirm else Residency.REFUSED
    if user.residency == new:
        return
    before = user.residency.value if user.residency else None
    user.residency = new
    user.residency_decided_at = utcnow()
    record(actor, "user.residency_confirm" if confirm else "user.residency_refuse", user,
           {"residency": [before, new.value]})
    template = "residency_confirmed" if confirm else "residency_refused"
    queue_mail(user, SUBJECTS[template], template, user=user, partner=user.site_partner)


# ---- companies and domains -------------------------------------------------------------------

def clean_domain(raw: str) -> str:
    """A domain as stored: lower case, Unicode form, no @ or spaces; ValidationFailed if odd."""
    from events.auth.emails import normalise_email

    value = one_line(raw).lstrip("@").strip().lower()
    if not value or " " in value or "@" in value:
        raise ValidationFailed(_("“%(domain)s” is not a domain.", domain=value), field="domains")
    try:
        return normalise_email("postmaster@" + value).split("@", 1)[1]
    except ValidationFailed as error:
        raise ValidationFailed(_("“%(domain)s” is not a domain.", domain=value),
                               field="domains") from error


def split_domains(raw: str) -> list[str]:
    words = [w for w in raw.replace(",", " ").replace(";", " ").split() if w]
    if len(words) > MAX_DOMAINS:
        raise ValidationFailed(_("At most %(n)d domains per company.", n=MAX_DOMAINS), "domains")
    return list(dict.fromkeys(clean_domain(w) for w in words))


def save_company(actor, partner: Partner, name: str, domains: list[str],
                 company: ResidentCompany | None = None) -> ResidentCompany:
    """Add a company (or change one) with its domains. A domain belongs to one company only.
    Verified people waiting with an address on a new domain become residents at once."""
    _check(actor, partner.id)
    name = one_line(name)
    if not name:
        raise ValidationFailed(_("Name the company."), field="name")
    same_name = db.session.scalar(sa.select(ResidentCompany).where(
        ResidentCompany.partner_id == partner.id, sa.func.lower(ResidentCompany.name) ==
        name.lower()))
    merging = False
    if same_name is not None and same_name is not company:
        if company is not None:
            raise Conflict(_("%(name)s is listed already.", name=name), field="name")
        company, merging = same_name, True  # adding a known company again adds its domains
    for domain in domains:
        owner = company_for_domain(domain)
        if owner is not None and owner is not company:
            raise Conflict(_("%(domain)s belongs to %(company)s already.", domain=domain,
                             company=owner.name), field="domains")
    created = company is None
    if created:
        company = ResidentCompany(partner=partner, name=name)
        db.session.add(company)
    before = {"name": company.name, "domains": sorted(company.domain_names)}
    if not merging:
        company.name = name
    if not created and not merging:  # an edit: the form lists every domain the company keeps
        for row in list(company.domains):
            if row.domain not in domains:
                company.domains.remove(row)
    for domain in domains:
        if domain not in company.domain_names:
            company.domains.append(CompanyDomain(domain=domain))
    db.session.flush()
    after = {"name": company.name, "domains": sorted(company.domain_names)}
    record(actor, "resident_company.create" if created else "resident_company.update", company,
           {k: [None if created else before[k], after[k]] for k in after if
            created or before[k] != after[k]})
    _confirm_waiting_on(company)
    return company


def _confirm_waiting_on(company: ResidentCompany) -> None:
    from events.auth.emails import email_domain

    domains = set(company.domain_names)
    waiting = db.session.scalars(sa.select(User).where(
        User.role == Role.RESIDENT, User.email_verified_at.is_not(None),
        User.residency == Residency.PENDING, User.deleted_at.is_(None)))
    for user in waiting:
        if email_domain(user.email) in domains:
            match_by_domain(user)


def delete_company(actor, company: ResidentCompany) -> None:
    """Remove a company from the list; people it confirmed stay residents."""
    _check(actor, company.partner_id)
    record(actor, "resident_company.delete", company,
           {"name": [company.name, None], "domains": [company.domain_names, None]})
    db.session.execute(sa.update(User).where(User.resident_company_id == company.id)
                       .values(resident_company_id=None))
    db.session.delete(company)


@dataclass
class ImportResult:
    saved: int = 0
    problems: list[str] = field(default_factory=list)


def import_companies_csv(actor, partner: Partner, data: bytes) -> ImportResult:
    """Rows of `company, domain[, domain…]` (a header row is optional; domains may also share
    one cell, separated by spaces or semicolons). Each row is saved or reported on its own."""
    _check(actor, partner.id)
    if not data or not data.strip():
        raise ValidationFailed(_("The file is empty."), field="file")
    if len(data) > MAX_CSV_BYTES:
        raise ValidationFailed(_("The file is larger than %(size)d kB.",
                                 size=MAX_CSV_BYTES // 1000), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251", errors="replace")
    # Spreadsheets write ";" in Russian locales and "," elsewhere: the commonest one wins.
    sample = text[:2000]
    delimiter = max(",;\t", key=sample.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if len(rows) > MAX_CSV_ROWS:
        raise ValidationFailed(_("The file holds more than %(count)d rows.", count=MAX_CSV_ROWS),
                               field="file")
    result = ImportResult()
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row if c and c.strip()]
        if not cells or (number == 1 and cells[0].lower() in ("company", "компания", "name")):
            continue
        try:
            with db.session.begin_nested():
                domains = split_domains(" ".join(cells[1:]))
                if not domains:
                    raise ValidationFailed(_("no domain given"), field="domains")
                save_company(actor, partner, cells[0], domains)
        except (ValidationFailed, Conflict) as error:
            result.problems.append(_("Row %(n)d: %(problem)s", n=number, problem=error.message))
        else:
            result.saved += 1
    return result
