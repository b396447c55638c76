"""Every real-world file in tests/calendar/corpus goes through the staff import as a person
uploads it; each previewed event (what create_event is given) is checked against the file as
an independent parser reads it: recurring-ical-events (with x-wr-timezone) gives the first
occurrence of each UID — changed dates and EXDATEs applied — and the test compares its
instants in UTC, zone, all-day flag, title and description. A file or event the import
refuses must say so in one clear sentence. The corpus table is printed (-s) and kept in
tests/calendar/corpus/README.md."""

import io
import re
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import sqlalchemy as sa
import x_wr_timezone
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from events.calendar.importer import plain_text_of
from events.calendar.models import ImportJob
from events.enums import ImportJobStatus
from events.extensions import db
from events.text import markdown_to_text, one_line
from tests.conftest import login
from tests.factories import make_partner, make_user

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(CORPUS.glob("*/*.ics"))
DEFAULT_ZONE = "Europe/Moscow"
# Words that betray parser output or a bytes dump instead of a sentence for a person.
NOT_A_SENTENCE = re.compile(r"Traceback|Error\b|b'|\\x[0-9a-f]{2}|Exception|<[a-z_.]+ object")
# Refusals that claim something about the dates: they must agree with the independent parser.
ABOUT_DATES = ("deleted", "cancelled")


def clear_sentence(message: str | None) -> bool:
    """One sentence for a person: short, one line, ends with a full stop, no parser output."""
    if not message or "\n" in message or len(message) > 400:
        return False
    body = message.rstrip(".")
    return message.endswith(".") and not re.search(r"\.\s+[A-ZА-Я]", body) \
        and not NOT_A_SENTENCE.search(message)


def upload(client, data: bytes):
    return client.post("/calendar/import", data={"file": (io.BytesIO(data), "corpus.ics")},
                       content_type="multipart/form-data", follow_redirects=True)


def last_job() -> ImportJob:
    db.session.expire_all()
    return db.session.scalar(sa.select(ImportJob).order_by(ImportJob.id.desc()))


# ---- the independent reading ---------------------------------------------------------------

def file_zone(calendar) -> str:
    raw = calendar.get("X-WR-TIMEZONE")
    try:
        if raw and ZoneInfo(str(raw)):
            return str(raw)
    except (KeyError, ValueError):
        pass
    return DEFAULT_ZONE


def groups(data: bytes):
    """(calendar, [components of one UID]) in file order: a series with its changed dates,
    changed dates whose series is missing on their own, events without UID alone."""
    calendars = icalendar.Calendar.from_ical(data, multiple=True)
    out = []
    for calendar in calendars:
        items = calendar.walk("VEVENT")
        masters = {str(i.get("UID")) for i in items if i.get("UID") is not None
                   and i.get("RECURRENCE-ID") is None}
        seen = set()
        for item in items:
            uid = str(item.get("UID")) if item.get("UID") is not None else None
            if uid is None or (item.get("RECURRENCE-ID") is not None and uid not in masters):
                out.append((calendar, [item]))
            elif item.get("RECURRENCE-ID") is None and uid not in seen:
                seen.add(uid)
                out.append((calendar, [i for i in items if str(i.get("UID")) == uid]))
    return out


def first_occurrence(calendar, components):
    """The first occurrence as recurring-ical-events reads it, or None if there is none."""
    one = icalendar.Calendar()
    for name in ("X-WR-TIMEZONE", "VERSION", "PRODID"):
        if calendar.get(name) is not None:
            one.add(name, calendar.get(name))
    for zone in calendar.walk("VTIMEZONE"):
        one.add_component(zone)
    for component in components:
        one.add_component(component)
    one = x_wr_timezone.to_standard(one)
    # .all() starts in 1970; a birthday series from 1965 starts earlier.
    for occurrence in islice(recurring_ical_events.of(one).after(date(1, 1, 1)), 10_000):
        if str(occurrence.get("STATUS", "")).upper() != "CANCELLED":
            return occurrence
    return None


def iana(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError):
        return None
    return name


def named_zone(prop) -> str | None:
    """The IANA zone a TZID names (an IANA TZID, a Windows one through CLDR's table, the IANA
    name at the end of a vendor-prefixed one), or None."""
    tzid = str(prop.params.get("TZID") or "").strip('"')
    if not tzid:
        return None
    parts = tzid.strip("/").split("/")
    for name in [tzid, WINDOWS_TO_OLSON.get(tzid)] + [
            "/".join(parts[i:]) for i in range(len(parts))]:
        if name and not name.startswith("/") and iana(name):
            return None if name in ("UTC", "Etc/UTC", "GMT") else name
    return None


def expected_zone(prop, calendar) -> str:
    """The zone the file names: an IANA TZID, a Windows one through CLDR's table, the IANA
    name at the end of a vendor-prefixed one; UTC and floating times: the calendar's."""
    tzid = str(prop.params.get("TZID") or "").strip('"')
    if tzid:
        parts = tzid.strip("/").split("/")
        for name in [tzid, WINDOWS_TO_OLSON.get(tzid)] + [
                "/".join(parts[i:]) for i in range(len(parts))]:
            if name and not name.startswith("/") and iana(name):
                return file_zone(calendar) if name in ("UTC", "Etc/UTC", "GMT") else name
    return file_zone(calendar)


def utc(value, zone: str) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(UTC)


def compare(row: dict, occurrence, calendar) -> list[str]:
    """What differs between a preview row and the independent reading."""
    wrong = []
    start = occurrence["DTSTART"].dt
    end = occurrence["DTEND"].dt if occurrence.get("DTEND") is not None else start
    all_day = not isinstance(start, datetime)
    zone = expected_zone(occurrence["DTSTART"], calendar)
    if row["is_all_day"] != all_day:
        wrong.append(f"all-day {row['is_all_day']} != {all_day}")
    if not all_day and row["timezone"] != zone:
        wrong.append(f"zone {row['timezone']} != {zone}")
    starts_at = datetime.fromisoformat(row["starts_at"])
    ends_at = datetime.fromisoformat(row["ends_at"])
    # A TZID that names a known zone means the file's wall time in that zone, whatever
    # the file's own VTIMEZONE says (Outlook's are approximations of the real rules).
    for name in ("DTSTART", "DTEND"):
        prop = occurrence.get(name)
        if prop is not None and isinstance(prop.dt, datetime) and named_zone(prop):
            wall = prop.dt.replace(tzinfo=None).replace(tzinfo=ZoneInfo(named_zone(prop)))
            start, end = (wall, end) if name == "DTSTART" else (start, wall)
    if all_day:
        want_start = utc(start, row["timezone"])
        days = max(1, (end - start).days) if isinstance(end, date) else 1
        want_end = utc(start + timedelta(days=days), row["timezone"])
    else:
        want_start, want_end = utc(start, zone), utc(end, zone)
        if want_end == want_start:  # no length in the file: one hour, and the preview says so
            want_end = want_start + timedelta(hours=1)
            if not any("one hour" in note for note in row["notes"]):
                wrong.append("an assumed length without a note")
    if starts_at != want_start:
        wrong.append(f"start {starts_at} != {want_start}")
    if ends_at != want_end and ends_at - starts_at != want_end - want_start:
        wrong.append(f"end {ends_at} != {want_end}")
    title = one_line(str(occurrence.get("SUMMARY") or ""))[:200] or "Untitled event"
    if row["title"] != title:
        wrong.append(f"title {row['title']!r} != {title!r}")
    description = plain_text_of(str(occurrence.get("DESCRIPTION") or "")).strip()
    shown = markdown_to_text(row["description"])
    if not shown.startswith(description):
        wrong.append(f"description {shown[:60]!r} != {description[:60]!r}")
    return wrong


def without_lines(data: bytes, numbers: set[int]) -> bytes:
    """The file without the given physical lines (and their folded continuations)."""
    lines = re.split(rb"\r\n|\n|\r", data)
    kept, dropping = [], False
    for number, line in enumerate(lines, start=1):
        if line[:1] in (b" ", b"\t") and dropping:
            continue
        dropping = number in numbers
        if not dropping:
            kept.append(line)
    return b"\r\n".join(kept)


# ---- the run -------------------------------------------------------------------------------

def check_file(client, path: Path) -> tuple[str, list[str]]:
    """'right', 'refused', 'wrong' or '5xx' for one file, with what was wrong."""
    data = path.read_bytes()
    response = upload(client, data)
    if response.status_code >= 500:
        return "5xx", [str(response.status_code)]
    job = last_job()
    if job.status == ImportJobStatus.FAILED:
        return ("refused", []) if clear_sentence(job.error) else ("wrong", [job.error])
    if response.status_code != 200 or job.status != ImportJobStatus.READY:
        return "wrong", [f"status {response.status_code} {job.status}"]
    rows = job.preview
    try:
        expected = groups(data)
    except ValueError:
        # The import skipped lines it could not read (each named in a note): the independent
        # parser reads the file without them.
        skipped = {int(n) for row in rows for note in row["notes"]
                   for n in re.findall(r"^Line (\d+) \(", note)}
        # Lines outside every event that are no property at all are skipped without a note.
        skipped |= {number for number, line in enumerate(
            re.split(rb"\r\n|\n|\r", data), start=1)
            if line.strip() and line[:1] not in (b" ", b"\t") and b":" not in line}
        expected = groups(without_lines(data, skipped))
    if len(rows) != len(expected):
        return "wrong", [f"{len(rows)} rows for {len(expected)} events"]
    wrong, refused = [], 0
    for row, (calendar, components) in zip(rows, expected, strict=True):
        try:
            occurrence = first_occurrence(calendar, components)
        except Exception:  # the independent parser cannot read it either
            occurrence = "unreadable"
        if row["problem"]:
            refused += 1
            if not clear_sentence(row["problem"]):
                wrong.append(f"unclear: {row['problem']}")
            elif occurrence not in (None, "unreadable") and any(
                    word in row["problem"] for word in ABOUT_DATES):
                wrong.append(f"refused, yet the file has a date: {row['problem']}")
            continue
        if occurrence is None:
            wrong.append(f"imported {row['title']!r}, which has no date in the file")
            continue
        if occurrence == "unreadable":
            continue  # imported what the import could read; nothing independent to compare
        wrong += [f"{row['title']!r}: {w}" for w in compare(row, occurrence, calendar)]
    if wrong:
        return "wrong", wrong
    return ("refused" if refused == len(rows) else "right"), []


@pytest.fixture
def staff(app):
    user = make_user("staff", make_partner(slug="corpus"))
    db.session.commit()
    return user


def test_corpus_is_large_and_varied_enough():
    producers = {path.parent.name for path in FILES}
    assert len(FILES) >= 100
    assert len(producers) >= 4
    prodids = set()
    for path in FILES:
        found = re.search(rb"PRODID:([^\r\n]*)", path.read_bytes())
        if found:
            prodids.add(re.sub(rb"[0-9. ]", b"", found.group(1)).lower())
    assert len(prodids) >= 10  # many different exporting programs


def test_every_corpus_file_imports_right_or_is_refused_clearly(app, client, staff):
    login(client, staff)
    results: dict[str, list[str]] = {"right": [], "refused": [], "wrong": [], "5xx": []}
    details = {}
    for path in FILES:
        outcome, wrong = check_file(client, path)
        results[outcome].append(path.relative_to(CORPUS).as_posix())
        if wrong:
            details[path.relative_to(CORPUS).as_posix()] = wrong[:3]
    print("\n| files | imported right | refused with a clear message | imported wrong | 5xx |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| {len(FILES)} | {len(results['right'])} | {len(results['refused'])} "
          f"| {len(results['wrong'])} | {len(results['5xx'])} |")
    assert not results["5xx"], results["5xx"]
    assert not details, details
