"""The attendee list as CSV for spreadsheets: UTF-8 with a BOM (so Excel reads Cyrillic), and
cells that a spreadsheet would run as formulas are defused."""

import csv
import io

from flask_babel import gettext as _

from events.enums import label
from events.i18n import local_datetime

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def attendees_csv(event, registrations, positions: dict[int, int]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Name"), _("Email"), _("Company"), _("Partner site"), _("Status"),
                     _("Waitlist position"), _("Registered at"), _("Checked in at")])
    for r in registrations:
        user = r.user
        anonymous = r.anonymised_at is not None  # retention or a deleted account: no names
        writer.writerow([_cell(v) for v in (
            _("Anonymised attendee") if anonymous else user.name,
            "" if anonymous else user.email, "" if anonymous else user.company,
            user.site_partner.name if user.site_partner and not anonymous else "",
            label(r.status), positions.get(r.id, ""),
            local_datetime(r.registered_at, event, "yyyy-MM-dd HH:mm"),
            local_datetime(r.checked_in_at, event, "yyyy-MM-dd HH:mm"),
        )])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
