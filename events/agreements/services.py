"""The rules of agreements and their targets: who may change them, what a valid one is, and
the signed document kept on disk beside its checksum. Every change is audited."""

import hashlib
import os
import re
import tempfile
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _

from events.agreements.enums import COMMITMENT_METRICS, AgreementStatus, TargetMetric
from events.agreements.models import Agreement, Target
from events.audit.services import apply_changes, record
from events.auth.permissions import (
    can_create_agreement,
    can_edit_agreement,
    can_edit_programme,
    is_admin,
)
from events.contributions.services import _decimal as parse_decimal
from events.contributions.services import currency_codes
from events.db import utcnow
from events.enums import Category, ContributionKind, EventFormat
from events.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from events.extensions import db
from events.partners.models import Partner

PDF_MAGIC = b"%PDF-"
MAX_PERIOD_DAYS = 366 * 10
EVENT_METRICS = frozenset({TargetMetric.EVENTS, TargetMetric.REGISTRATIONS,
                           TargetMetric.CHECKINS})


def _text(values: dict, name: str, limit: int, *, required: bool = False,
          message: str = "") -> str:
    text = " ".join(str(values.get(name) or "").split())
    if required and not text:
        raise ValidationFailed(message, field=name)
    if len(text) > limit:
        raise ValidationFailed(_("This is longer than %(num)d characters.", num=limit),
                               field=name)
    return text


def _period(start, end, *, start_field: str, end_field: str, open_end: bool) -> None:
    if not isinstance(start, date):
        raise ValidationFailed(_("Give the first day."), field=start_field)
    if end is None and open_end:
        return
    if not isinstance(end, date):
        raise ValidationFailed(_("Give the last day."), field=end_field)
    if end < start:
        raise ValidationFailed(_("The last day is before the first."), field=end_field)
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed(_("Choose a period of at most ten years."), field=end_field)


# ---- agreements ----------------------------------------------------------------------------

def _parties(actor, raw_ids) -> list[Partner]:
    ids = sorted({int(i) for i in raw_ids or () if str(i).isdigit()})
    partners = list(db.session.scalars(sa.select(Partner).where(Partner.id.in_(ids))))
    if len(partners) < 2 or len(partners) != len(ids):
        raise ValidationFailed(_("Choose two or more partners."), field="parties")
    if not is_admin(actor) and actor.partner_id not in ids:
        raise ValidationFailed(_("The partner you work for must be a party."), field="parties")
    return sorted(partners, key=lambda p: p.id)


def _agreement_values(actor, values: dict) -> dict:
    cleaned = {
        "title": _text(values, "title", 200, required=True,
                       message=_("Give the agreement a title.")),
        "number": _text(values, "number", 64),
        "notes": str(values.get("notes") or "").strip()[:5000],
        "signed_on": values.get("signed_on"),
        "starts_on": values.get("starts_on"),
        "ends_on": values.get("ends_on"),
        "covers_all_joint_events": bool(values.get("covers_all_joint_events")),
    }
    _period(cleaned["starts_on"], cleaned["ends_on"], start_field="starts_on",
            end_field="ends_on", open_end=True)
    try:
        cleaned["status"] = AgreementStatus(values.get("status") or AgreementStatus.DRAFT)
    except ValueError:
        raise ValidationFailed(_("Choose a status from the list."), field="status") from None
    if cleaned["status"] != AgreementStatus.DRAFT and cleaned["signed_on"] is None:
        raise ValidationFailed(_("Give the date it was signed."), field="signed_on")
    return cleaned


def create_agreement(actor, *, parties, **values) -> Agreement:
    """Enter the memorandum or an additional agreement into the register."""
    if not can_create_agreement(actor):
        raise NotAllowed(_("Only administrators and coordinators enter agreements."))
    cleaned = _agreement_values(actor, values)
    agreement = Agreement(**cleaned, parties=_parties(actor, parties))
    db.session.add(agreement)
    db.session.flush()
    changes = {name: [None, value] for name, value in cleaned.items()}
    changes["parties"] = [None, ", ".join(p.short_name for p in agreement.parties)]
    record(actor, "agreement.create", agreement, changes)
    return agreement


def update_agreement(actor, agreement: Agreement, *, parties, **values) -> dict:
    if not can_edit_agreement(actor, agreement):
        raise NotAllowed(_("Only administrators and the parties' coordinators change it."))
    changes = apply_changes(agreement, _agreement_values(actor, values))
    chosen = _parties(actor, parties)
    if [p.id for p in chosen] != sorted(agreement.party_ids):
        changes["parties"] = [", ".join(p.short_name for p in agreement.parties),
                              ", ".join(p.short_name for p in chosen)]
        agreement.parties = chosen
    if changes:
        agreement.updated_at = utcnow()
        db.session.flush()
        record(actor, "agreement.update", agreement, changes)
    return changes


# ---- the signed document -------------------------------------------------------------------

def _safe_name(filename: str | None) -> str:
    name = os.path.basename(str(filename or "").replace("\\", "/"))
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()[:200]
    if not name.lower().endswith(".pdf"):
        name = (name or "agreement") + ".pdf"
    return name


def store_document(actor, agreement: Agreement, stream, filename: str | None, *,
                   folder: str | Path, max_bytes: int) -> str:
    """Keep the signed PDF on disk under its SHA-256 and note name, size and checksum."""
    if not can_edit_agreement(actor, agreement):
        raise NotAllowed(_("Only administrators and the parties' coordinators change it."))
    data = stream.read(max_bytes + 1) if stream is not None else b""
    if not data:
        raise ValidationFailed(_("Choose the signed PDF file."), field="document")
    if len(data) > max_bytes:
        raise ValidationFailed(_("The file is larger than %(size)d MB.",
                                 size=max_bytes // 1_000_000), field="document")
    if not data.startswith(PDF_MAGIC) or b"%%EOF" not in data[-2048:]:
        raise ValidationFailed(_("This is not a PDF file."), field="document")
    checksum = hashlib.sha256(data).hexdigest()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{checksum}.pdf"
    if not target.exists():
        fd, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    changes = apply_changes(agreement, {
        "document_name": _safe_name(filename), "document_sha256": checksum,
        "document_size": len(data), "document_uploaded_at": utcnow()})
    db.session.flush()
    record(actor, "agreement.document", agreement, changes)
    return checksum


def read_document(agreement: Agreement, folder: str | Path) -> bytes:
    """The stored PDF, checked against its checksum (a changed file is never served)."""
    if not agreement.document_sha256:
        raise NotFound(_("No signed document has been uploaded yet."))
    path = Path(folder) / f"{agreement.document_sha256}.pdf"
    try:
        data = path.read_bytes()
    except OSError:
        raise NotFound(_("The signed document is missing from storage.")) from None
    if hashlib.sha256(data).hexdigest() != agreement.document_sha256:
        raise Conflict(_("The stored document does not match its checksum."))
    return data


# ---- targets -------------------------------------------------------------------------------

def _owner_partner_ids(owner) -> set[int]:
    return owner.party_ids if isinstance(owner, Agreement) else owner.partner_ids


def can_edit_targets(actor, owner) -> bool:
    if isinstance(owner, Agreement):
        return can_edit_agreement(actor, owner)
    return can_edit_programme(actor, owner)


def _enum(enum_cls, raw, field: str, *, required: bool = False):
    if raw in (None, ""):
        if required:
            raise ValidationFailed(_("Choose one from the list."), field=field)
        return None
    try:
        return enum_cls(raw)
    except ValueError:
        raise ValidationFailed(_("Choose one from the list."), field=field) from None


def _target_values(owner, values: dict) -> dict:
    metric = _enum(TargetMetric, values.get("metric"), "metric", required=True)
    planned = parse_decimal(values.get("planned"), "planned", _("Planned"))
    if planned is None or planned <= 0:
        raise ValidationFailed(_("Give a planned figure above zero."), field="planned")
    if metric not in (TargetMetric.MONEY,) and planned != planned.to_integral_value() and \
            metric not in (TargetMetric.ROOM_HOURS, TargetMetric.STAFF_HOURS):
        raise ValidationFailed(_("Give a whole number."), field="planned")
    cleaned = {"metric": metric, "planned": planned, "starts_on": values.get("starts_on"),
               "ends_on": values.get("ends_on"), "note": _text(values, "note", 300),
               "partner_id": None, "category": None, "format": None, "kind": None,
               "currency": None}
    _period(cleaned["starts_on"], cleaned["ends_on"], start_field="starts_on",
            end_field="ends_on", open_end=False)
    raw_partner = str(values.get("partner_id") or "")
    if raw_partner:
        if not raw_partner.isdigit() or int(raw_partner) not in _owner_partner_ids(owner):
            raise ValidationFailed(_("Choose one of the partners concerned."), field="partner_id")
        cleaned["partner_id"] = int(raw_partner)
    if metric in COMMITMENT_METRICS and cleaned["partner_id"] is None:
        raise ValidationFailed(_("Say which partner commits to this."), field="partner_id")
    if metric in EVENT_METRICS:
        cleaned["category"] = _enum(Category, values.get("category"), "category")
        cleaned["format"] = _enum(EventFormat, values.get("format"), "format")
    if metric in (TargetMetric.CONTRIBUTIONS, TargetMetric.MONEY):
        cleaned["kind"] = _enum(ContributionKind, values.get("kind"), "kind",
                                required=metric == TargetMetric.CONTRIBUTIONS)
    if metric == TargetMetric.MONEY:
        currency = str(values.get("currency") or "RUB").strip().upper()
        if currency not in currency_codes():
            raise ValidationFailed(_("%(code)s is not an ISO 4217 currency code.",
                                     code=currency), field="currency")
        cleaned["currency"] = currency
    return cleaned


def add_target(actor, owner, **values) -> Target:
    """A planned figure for a period, on a programme or an agreement."""
    if not can_edit_targets(actor, owner):
        raise NotAllowed(_("Only the partners running it set its targets."))
    cleaned = _target_values(owner, values)
    key = "agreement" if isinstance(owner, Agreement) else "programme"
    target = Target(**cleaned, **{key: owner})
    db.session.add(target)
    db.session.flush()
    record(actor, "target.create", target,
           {name: [None, value] for name, value in cleaned.items()} | {key: [None, owner.id]})
    return target


def remove_target(actor, target: Target) -> None:
    owner = target.agreement or target.programme
    if not can_edit_targets(actor, owner):
        raise NotAllowed(_("Only the partners running it set its targets."))
    record(actor, "target.delete", target, {
        "metric": [target.metric.value, None], "planned": [str(target.planned), None]})
    db.session.delete(target)
    db.session.flush()


def programme_agreement_choices(actor) -> list[Agreement]:
    """Agreements a programme may be put under by this person (those they may see)."""
    stmt = sa.select(Agreement).order_by(Agreement.starts_on.desc(), Agreement.id)
    agreements = list(db.session.scalars(stmt))
    return [a for a in agreements if is_admin(actor) or actor.partner_id in a.party_ids]
