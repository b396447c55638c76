"""Calendar pages: Subscribe (every feed a person may use, their private feed token) and the
staff import of .ics files. The feeds themselves live in feeds.py on the same blueprint."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.calendar import ical
from events.calendar.feeds import bp
from events.calendar.forms import ConfirmImportForm, FeedTokenForm, ImportForm
from events.calendar.importer import (
    MAX_IMPORT_BYTES,
    check_can_import,
    fetch_ics,
    import_events,
    pack,
    parse_ics,
    unpack,
)
from events.calendar.tokens import feed_token_of, issue_feed_token, token_from_nonce
from events.enums import Category
from events.errors import DomainError, ValidationFailed
from events.extensions import db, limiter
from events.mail import absolute_url, site_root
from events.partners.queries import all_partners
from events.security import user_limit_key

__all__ = ["bp"]


def absolute(endpoint: str, **values) -> dict[str, str]:
    """https:// and webcal:// forms of a feed address on the public site."""
    url = absolute_url(endpoint, **values)
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}


@bp.app_template_global()
def google_calendar_link(event) -> str:
    return ical.google_calendar_url(event, site_url=site_root())


@bp.get("/subscribe")
@login_required
def subscribe():
    """Every feed this person may subscribe to, with their private feed."""
    lang = str(get_locale())  # pins the feeds' language: calendar clients send no cookies
    token = feed_token_of(current_user)
    private = None
    if token is not None:
        secret = token_from_nonce(token.nonce, current_app.config["SECRET_KEY"])
        private = absolute("calendar.private_feed", token=secret)
    return render_template(
        "calendar/subscribe.html",
        public=absolute("calendar.public_feed", lang=lang),
        categories=[(c, absolute("calendar.public_feed", category=c.value, lang=lang))
                    for c in Category],
        partners=[(p, absolute("calendar.partner_feed", slug=p.slug, lang=lang))
                  for p in all_partners()],
        private=private, token=token, form=FeedTokenForm(),
    )


@bp.post("/subscribe/token")
@login_required
def regenerate_token():
    """Create the private feed token, or replace it (the old address stops working)."""
    form = FeedTokenForm()
    if not form.validate_on_submit():
        return redirect(url_for("calendar.subscribe"))
    had_one = feed_token_of(current_user) is not None
    issue_feed_token(current_user, secret_key=current_app.config["SECRET_KEY"])
    db.session.commit()
    flash(_("Your private feed has a new address; the old one no longer works.") if had_one
          else _("Your private feed is ready."), "success")
    return redirect(url_for("calendar.subscribe") + "#private")


def _import_settings() -> dict:
    return {"default_zone": current_app.config["DEFAULT_EVENT_TIMEZONE"],
            "domain": current_app.config["SITE_DOMAIN"]}


def _read_import(form: ImportForm):
    """The uploaded or fetched file, what it holds, and the file packed for confirmation."""
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        data = upload.read(MAX_IMPORT_BYTES + 1)
    elif form.url.data:
        data = fetch_ics(form.url.data)
    else:
        raise ValidationFailed(_("Choose a file or paste an address."), field="file")
    found = parse_ics(data, **_import_settings())
    payload = pack(data)
    # The preview carries the file to the confirmation; that form must stay postable.
    if len(payload) > (current_app.config.get("MAX_FORM_MEMORY_SIZE") or 500_000) - 10_000:
        raise ValidationFailed(_("The file is too large to import at once; "
                                 "split it into smaller files."), field="file")
    return found, payload


@bp.route("/calendar/import", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["IMPORT_RATE_LIMIT"], key_func=user_limit_key,
               methods=["POST"])
def import_events_page():
    """Staff: an .ics file or URL → a preview of what would be imported."""
    check_can_import(current_user)
    form = ImportForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("calendar/import.html", form=form), status
    try:
        found, payload = _read_import(form)
    except DomainError as error:
        getattr(form, error.field or "file").errors = [error.message]
        return render_template("calendar/import.html", form=form), error.status
    confirm = ConfirmImportForm(payload=payload, chosen=[e.index for e in found if e.importable])
    confirm.chosen.choices = [(e.index, e.title) for e in found]
    return render_template("calendar/import_preview.html", found=found, form=confirm)


@bp.post("/calendar/import/confirm")
@login_required
def confirm_import():
    """Staff: create drafts for the events ticked in the preview."""
    check_can_import(current_user)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash(_("The import form was incomplete; please start again."), "error")
        return redirect(url_for("calendar.import_events_page")), 303
    created, skipped = import_events(current_user, unpack(form.payload.data),
                                     set(form.chosen.data or []), **_import_settings())
    db.session.commit()
    flash(_("Drafts created: %(created)d. Skipped: %(skipped)d.",
            created=len(created), skipped=skipped), "success")
    return redirect(url_for("planning.dashboard"))
