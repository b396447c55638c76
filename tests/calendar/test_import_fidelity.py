"""What the file says is what the draft says: Windows zones, changed and cancelled dates of a
series, events without end, all-day exports, lenient reading, plain-text descriptions."""

from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from events.calendar.importer import parse_ics, plain_text_of, plain_to_markdown
from events.extensions import db
from events.planning.models import Event
from events.text import markdown_to_html, markdown_to_text
from tests.calendar.test_importer import confirm, last_job, preview
from tests.conftest import login
from tests.factories import make_partner, make_user

CORPUS = Path(__file__).parent / "corpus" / "written"
NOW = datetime(2026, 11, 27, tzinfo=UTC)


def read(app, name: str):
    with app.test_request_context():
        return parse_ics((CORPUS / name).read_bytes(), default_zone="Europe/Moscow",
                         domain="test.local", now=NOW)


def test_outlook_windows_zones_map_to_iana_and_custom_ones_are_refused(app):
    nz, seattle, moscow, party, holiday = read(app, "outlook_windows_zones.ics")
    assert nz.timezone == "Pacific/Auckland"
    assert nz.starts_at == datetime(2027, 3, 9, 20, 0, tzinfo=UTC)  # 9am NZDT Wednesday
    assert seattle.timezone == "America/Los_Angeles"
    assert seattle.starts_at == datetime(2027, 6, 15, 23, 0, tzinfo=UTC)
    assert moscow.starts_at == datetime(2027, 1, 20, 8, 0, tzinfo=UTC)
    assert party.problem == ("The event “Office party” (line 81) uses the unknown time zone "
                             "“Customized Time Zone 7”.")
    assert holiday.is_all_day
    assert not holiday.problem


def test_series_first_real_date_follows_exdate_and_changed_dates(app):
    seminar, standup, office = read(app, "google_overrides_exdate.ics")
    # 4 Jan deleted (EXDATE); 11 Jan moved to 14:00 and renamed: that is the first date.
    assert seminar.title == "Python seminar (afternoon)"
    assert seminar.starts_at == datetime(2027, 1, 11, 13, 0, tzinfo=UTC)
    assert seminar.description == "Moved to the afternoon this week."
    # Weekly on Mondays, COUNT=8: a series pattern here; 4 Jan deleted, another cancelled.
    assert "Imported as a series of 6 dates (1 changed, 2 deleted or cancelled in the file); " \
        "the row shows its first date." in seminar.notes
    assert seminar.series["pattern"]["weekdays"] == [0]
    assert seminar.series["title"] == "Python seminar"
    # The first date itself moved earlier and renamed.
    assert standup.title == "Standup (early, kick-off)"
    assert standup.starts_at == datetime(2027, 3, 1, 7, 30, tzinfo=UTC)
    # The first date cancelled by a changed date with STATUS:CANCELLED: the next one.
    assert office.starts_at == datetime(2027, 5, 17, 7, 0, tzinfo=UTC)
    assert office.timezone == "Europe/Berlin"  # the calendar's X-WR-TIMEZONE
    assert any("repeats without end" in note for note in office.notes)
    assert any("first date is cancelled" in note for note in office.notes)


def test_changed_dates_without_their_series_are_single_events(app):
    first, second = read(app, "google_changed_dates_only.ics")
    assert first.title == "Residents' club (moved to Thursday)"
    assert first.starts_at == datetime(2027, 9, 16, 12, 0, tzinfo=UTC)
    assert second.ends_at == datetime(2027, 10, 20, 14, 0, tzinfo=UTC)
    assert all(e.importable for e in (first, second))
    assert "as a single event" in first.notes[-1]


def test_no_end_and_all_day_exports_say_what_they_assume(app):
    timed, day, zero, floating = read(app, "no_end.ics")
    assert (timed.ends_at - timed.starts_at).total_seconds() == 3600
    assert "No end in the file: imported as lasting one hour." in timed.notes
    assert day.is_all_day
    assert (day.ends_at - day.starts_at).days == 1
    assert not day.notes
    assert "The file gives it no length: imported as lasting one hour." in zero.notes
    assert floating.starts_at == datetime(2027, 2, 17, 5, 0, tzinfo=UTC)  # Moscow wall time
    assert (floating.ends_at - floating.starts_at).total_seconds() == 45 * 60
    holidays = read(app, "holidays_all_day.ics")
    assert all(h.importable and h.is_all_day for h in holidays)
    assert all((h.ends_at - h.starts_at).days == 1 for h in holidays)  # DTEND == DTSTART


def test_two_calendars_odd_geo_and_a_date_rdate_in_a_zone_are_read(app):
    lunch, second = read(app, "two_calendars_lenient.ics")
    assert lunch.importable
    assert second.importable
    assert lunch.starts_at == datetime(2027, 3, 5, 9, 0, tzinfo=UTC)
    assert "Line 21 (this line is not a property) cannot be read and was skipped." \
        in lunch.notes


@pytest.mark.parametrize("text", [
    "C:\\Users\\lab\\*.csv (not *bold*)",
    "R&amp;D &lt;team&gt; &#169; 2027 & more",
    "# not a heading\n1. not a list\n2) nor this\n- not a bullet\n+ nor this\n> not a quote",
    "Indented:\n    four spaces in front\n\ttab in front",
    "[not a link](https://example.org) <https://example.org> `code` __u__ ~~s~~ a|b|c",
    "---\n===\nx_y_z 2*3*4 \\n stays\nline two",
    "Title\n=====\n\nPara one\n\n\n\nPara two",
])
def test_plain_text_survives_markdown_exactly(text):
    stored = plain_to_markdown(text)
    assert markdown_to_text(stored) == "\n".join(
        line.rstrip() for line in text.split("\n")).replace("\n\n\n\n", "\n\n")
    html = str(markdown_to_html(stored))
    assert "<h1" not in html
    assert "<li" not in html
    assert "<a " not in html
    assert "<code" not in html
    assert "<em" not in html
    assert "<strong" not in html


MARKDOWN_PIECES = st.sampled_from([
    *"ab1 \t\n\\*_`[]()<>#+-=.!|~&;:x0",
    "&amp;", "&#32;", "1.", "10)", "---", "```", "~~~", "    ", "http://x.y", "<b>"])


@settings(max_examples=500, deadline=None)
@given(st.lists(MARKDOWN_PIECES, max_size=30).map("".join))
def test_plain_text_survives_markdown_for_any_text(text):
    """Exact, but for what Markdown cannot keep: space around the whole text, spaces at line
    ends and more than one blank line in a row (plain_text_of)."""
    assert markdown_to_text(plain_to_markdown(text)) == plain_text_of(text).strip()


def test_exported_description_equals_the_files(app, client):
    staff = make_user("staff", make_partner(slug="bpc"))
    db.session.commit()
    login(client, staff)
    data = (CORPUS / "plain_text_description.ics").read_bytes()
    original = str(icalendar.Calendar.from_ical(data).walk("VEVENT")[0]["DESCRIPTION"])
    preview(client, data)
    job = last_job()
    confirm(client, job, picks=[0], **{"online-0": "1", "url-0": "https://meet.example/1"})
    event = db.session.scalar(sa.select(Event))
    assert event is not None
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "C:\\Users\\lab\\*.csv (not *bold*)" in page
    assert "R&amp;amp;D &amp;lt;team&amp;gt; &amp;#169; 2027" in page
    exported = icalendar.Calendar.from_ical(client.get(f"/events/{event.id}.ics").data)
    description = str(exported.walk("VEVENT")[0]["DESCRIPTION"])
    assert description.split("\n\nPartners:")[0] == original
