"""Shapes of the calendar forms: token (re)generation and .ics import."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import URLField
from wtforms.validators import Length, Optional

SHOWN = 200  # preview rows with controls of their own (events.calendar.jobs.SHOWN)


class FeedTokenForm(FlaskForm):
    """Create or regenerate the private feed token (only the CSRF token travels)."""


class ImportForm(FlaskForm):
    file = FileField(_l("An .ics file"))
    url = URLField(_l("…or the address of a calendar"),
                   validators=[Optional(), Length(max=2000)])


class ConfirmImportForm(FlaskForm):
    """The preview's confirmation: the CSRF token here, each row's choices read by
    choices_from() (one set of fields per previewed event)."""


def _int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def choices_from(form, job) -> dict:
    """The preview's per-row fields (pick-N, venue-N, online-N, url-N) and the default
    room, as ImportJob.choices; anything malformed is ignored."""
    rows = {}
    for row in (job.preview or [])[:SHOWN]:
        index = row["index"]
        rows[str(index)] = {
            "pick": form.get(f"pick-{index}") == "1",
            "venue": _int_or_none(form.get(f"venue-{index}")),
            "online": form.get(f"online-{index}") == "1",
            "url": (form.get(f"url-{index}") or "").strip()[:500] or None,
        } if f"row-{index}" in form else {}
    return {"default_venue": _int_or_none(form.get("default_venue")), "rows": rows}
