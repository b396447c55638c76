"""Background .ics imports: an ImportJob is read into a preview (what each event would
become and what the planning rules refuse), the person fixes and chooses, then the chosen
events are created through planning.services.create_event — one path for every event, so
imported ones meet the same rules as the form — committing in batches with progress.

`enqueue_import` hands the committed job to the background worker (`flask worker`); the
job page refreshes itself until the job is done."""

import logging
import zlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from events import bilingual
from events.calendar.forms import SHOWN  # preview rows with controls of their own
from events.calendar.importer import (
    ImportedEvent,
    check_can_import,
    parse_ics,
    pattern_from_plan,
)
from events.calendar.models import ImportJob
from events.db import utcnow
from events.enums import Audience, EventFormat, ImportJobStatus
from events.errors import DomainError, NotAllowed, ValidationFailed
from events.extensions import db
from events.partners.models import Venue
from events.planning.series import create_series
from events.planning.services import create_event, update_event
from events.planning.validation import (
    EventInvalid,
    check_booking,
    drop_unused_place,
    normalise,
    validate,
)

BATCH = 200       # events created per commit (progress is visible between batches)
log = logging.getLogger(__name__)


def enqueue_import(job_id: int) -> None:
    """Hand the committed job to the background worker. If the task queue cannot be reached,
    the job runs here and now rather than wait for nobody."""
    from flask import current_app

    # The caller committed; end any read transaction since, so that a worker in this very
    # process (Huey's immediate mode) never waits behind this session's lock.
    db.session.rollback()
    try:
        current_app.extensions["worker_tasks"]["import"](job_id)
    except Exception:  # the queue is down: do the work in this request
        log.warning("task queue unreachable; running import job %s here", job_id,
                    exc_info=True)
        run_import_job(job_id)


def start_import(actor, data: bytes, *, source: str, default_zone: str) -> ImportJob:
    """Keep the file in a new job; reading it happens in run_import_job."""
    check_can_import(actor)
    job = ImportJob(created_by=actor, source=source[:300], data=zlib.compress(data, 6),
                    default_zone=default_zone, status=ImportJobStatus.QUEUED)
    db.session.add(job)
    db.session.flush()
    return job


def job_for(actor, job_id: int) -> ImportJob | None:
    """The job if this person started it (admins see every job)."""
    job = db.session.get(ImportJob, job_id)
    if job is None or (job.created_by_id != actor.id and not actor.is_admin):
        return None
    return job


def run_import_job(job_id: int) -> None:
    """Do what the job is waiting for: read the file, or create the chosen events."""
    job = db.session.get(ImportJob, job_id)
    if job is None:
        return
    try:
        if job.status == ImportJobStatus.QUEUED:
            _read(job)
        elif job.status == ImportJobStatus.IMPORTING:
            _create(job)
    except DomainError as error:
        _fail(job_id, error.message)
    except Exception:
        # Whatever went wrong, the job says so (batches already committed stay created).
        log.exception("import job %s failed", job_id)
        _fail(job_id, _("The import stopped unexpectedly; the drafts created before that "
                        "remain."))


def _fail(job_id: int, message: str) -> None:
    db.session.rollback()
    job = db.session.get(ImportJob, job_id)
    job.status, job.error, job.finished_at = ImportJobStatus.FAILED, message, utcnow()
    db.session.commit()


# ---- reading: the preview ----------------------------------------------------------------

def _venues_by_id() -> dict[int, Venue]:
    from sqlalchemy import select

    return {v.id: v for v in db.session.scalars(select(Venue).where(Venue.is_active))}


def event_values(item: ImportedEvent, fix: dict, venues: dict[int, Venue]) -> dict:
    """create_event's keyword arguments for one read event with the preview's fixes."""
    online = fix.get("online", item.format == EventFormat.ONLINE)
    language = bilingual.guess_language(item.title, item.description)
    return {
        **bilingual.written_in(language, title=item.title, description=item.description),
        "category": item.category,
        "format": EventFormat.ONLINE if online else EventFormat.IN_PERSON,
        "venue": None if online else venues.get(fix.get("venue") or 0),
        "online_url": (fix.get("url") or item.online_url) if online else None,
        "starts_at": item.starts_at, "ends_at": item.ends_at, "is_all_day": item.is_all_day,
        "timezone": item.timezone, "audience": Audience.PUBLIC, "uid": item.uid,
    }


def create_imported_series(actor, item: ImportedEvent, values: dict):
    """The file's series as a series here (events.calendar.importer._series_plan): the
    pattern from its first date with the master's title and text, the deleted and cancelled
    dates left out, the changed ones moved and renamed through update_event. The first date
    keeps the file's UID, so importing the file again finds it."""
    plan = item.series
    zone = ZoneInfo(item.timezone)
    first = datetime.fromisoformat(plan["first"]).replace(tzinfo=zone)
    uid = values.pop("uid", None)
    title = plan["title"] or item.title
    for column in bilingual.COLUMNS:
        values.pop(column, None)
    # The file is one language: the series' text and every changed date's go into it.
    language = bilingual.guess_language(title, plan["description"])
    values.update(bilingual.written_in(language, title=title, description=plan["description"]),
                  starts_at=first, ends_at=first + timedelta(seconds=plan["length"]))
    skip = frozenset(datetime.fromisoformat(wall) for wall in plan["skip"])
    series = create_series(actor, values, pattern_from_plan(plan), skip=skip)
    for event in series.occurrences:
        change = plan["changes"].get(
            event.recurrence_start.astimezone(zone).replace(tzinfo=None).isoformat())
        if change is not None:
            update_event(actor, event, **bilingual.written_in(
                             language, title=change["title"] or title,
                             description=change["description"]),
                         starts_at=datetime.fromisoformat(change["starts_at"]),
                         ends_at=datetime.fromisoformat(change["ends_at"]))
    if uid and series.occurrences:
        series.occurrences[0].uid = uid
    return series


def refusals(actor, values: dict) -> dict[str, str]:
    """What the planning rules would say to create_event with these values (nothing is
    written): {field: message}."""
    checked = normalise({k: v for k, v in values.items() if k != "uid"}
                        | {"capacity": None, "programme": None,
                           "registration_opens_at": None, "registration_closes_at": None,
                           "_changed": {"venue"}})
    try:
        validate(checked, event=None)
        checked.pop("_changed")
        drop_unused_place(checked)
        check_booking(actor, checked, None)
    except EventInvalid as error:
        return dict(error.errors)
    except DomainError as error:
        return {error.field or "venue": error.message}
    return {}


def _read(job: ImportJob) -> None:
    job.status = ImportJobStatus.READING
    db.session.commit()
    actor = job.created_by
    found = parse_ics(zlib.decompress(job.data), default_zone=job.default_zone,
                      domain=_domain(), now=utcnow())
    venues = _venues_by_id()
    preview = []
    for item in found:
        row = item.to_json()
        row["refusals"] = refusals(actor, event_values(item, {}, venues)) \
            if item.importable else {}
        preview.append(row)
    job.preview, job.total, job.processed = preview, len(found), 0
    job.status = ImportJobStatus.READY
    db.session.commit()


def _domain() -> str:
    from flask import current_app

    return current_app.config["SITE_DOMAIN"]


def preview_rows(job: ImportJob, limit: int = SHOWN) -> list[dict]:
    """The first preview rows as the page shows them (times as datetimes again)."""
    rows = []
    for data in (job.preview or [])[:limit]:
        row = dict(data)
        for name in ("starts_at", "ends_at"):
            row[name] = datetime.fromisoformat(row[name]) if row[name] else None
        rows.append(row)
    return rows


# ---- confirming and creating --------------------------------------------------------------

def confirm_import(actor, job: ImportJob, choices: dict) -> None:
    """Keep the person's choices and queue the creation. `choices`: {"default_venue": id,
    "rows": {index: {"pick": bool, "venue": id, "online": bool, "url": str}}}."""
    check_can_import(actor)
    if job.created_by_id != actor.id:
        raise NotAllowed(_("Only the person who started this import confirms it."))
    if job.status != ImportJobStatus.READY:
        raise ValidationFailed(_("This import is not waiting for a confirmation."))
    job.choices = choices
    job.status = ImportJobStatus.IMPORTING
    job.processed = 0
    db.session.flush()


def chosen_rows(job: ImportJob):
    """(item, fix) for every event the person chose: the ticked preview rows, and beyond the
    rows shown, every importable future one, with the default room."""
    choices = job.choices or {}
    rows = choices.get("rows", {})
    default_venue = choices.get("default_venue")
    for position, data in enumerate(job.preview or []):
        item = ImportedEvent.from_json({k: v for k, v in data.items() if k != "refusals"})
        fix = dict(rows.get(str(item.index), {}))
        if not item.importable:
            continue
        if position < SHOWN:
            if not fix.get("pick"):
                continue
        elif item.is_past:
            continue
        if not fix.get("venue"):
            fix["venue"] = default_venue
        yield item, fix


def _create(job: ImportJob) -> None:
    actor = job.created_by
    venues = _venues_by_id()
    created, failed = 0, {}
    chosen = list(chosen_rows(job))
    job.total = len(chosen)
    for position, (item, fix) in enumerate(chosen, start=1):
        try:
            with db.session.begin_nested():
                if item.series:
                    create_imported_series(actor, item, event_values(item, fix, venues))
                else:
                    create_event(actor, **event_values(item, fix, venues))
            created += 1
        except DomainError as error:
            failed[str(item.index)] = f"{item.title}: {error.message}"
        if position % BATCH == 0:
            job.processed = position
            db.session.commit()
            venues = _venues_by_id()
    job.processed = len(chosen)
    job.result = {"created": created, "failed": failed}
    job.status, job.finished_at = ImportJobStatus.DONE, utcnow()
    db.session.commit()
