"""The attendee list as CSV for spreadsheets, written by the one CSV rule in events.sheets
(the reader's separator, BOM, defused formulas)."""

from flask_babel import gettext as _

from events.enums import label
from events.i18n import local_datetime
from events.sheets import Sheet


def attendees_csv(event, registrations, positions: dict[int, int], language: str,
                  columns=(), answers: dict[int, dict[int, str]] | None = None) -> bytes:
    """`columns`: one per registration question (events.registrations.questions.answer_columns)
    with `answers` {registration_id: {question_id: text}} filling them."""
    answers = answers or {}
    sheet = Sheet(language)
    sheet.row([_("Name"), _("Email"), _("Company"), _("Partner site"), _("Status"),
               _("Waitlist position"), _("Registered at"), _("Checked in at"),
               *(column.heading for column in columns)])
    for r in registrations:
        user = r.user
        anonymous = r.anonymised_at is not None  # retention or a deleted account: no names
        sheet.row([
            _("Anonymised attendee") if anonymous else user.name,
            "" if anonymous else user.email, "" if anonymous else user.company,
            user.site_partner.local_name if user.site_partner and not anonymous else "",
            label(r.status), positions.get(r.id),
            local_datetime(r.registered_at, event, "yyyy-MM-dd HH:mm"),
            local_datetime(r.checked_in_at, event, "yyyy-MM-dd HH:mm"),
            *(("" if anonymous else answers.get(r.id, {}).get(column.question_id, ""))
              for column in columns),
        ])
    return sheet.data()
