"""Calendar pages: Subscribe (every feed a person may use, their private feed token) and the
staff import of .ics files. The feeds themselves live in feeds.py on the same blueprint."""

from functools import partial

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.calendar import ical
from events.calendar.feeds import bp
from events.calendar.forms import ConfirmImportForm, FeedTokenForm, ImportForm, choices_from
from events.calendar.importer import MAX_IMPORT_BYTES, check_can_import, fetch_ics
from events.calendar.jobs import SHOWN, enqueue_import, job_for, preview_rows, start_import
from events.calendar.jobs import confirm_import as confirm_import_job
from events.calendar.tokens import feed_token_of, issue_feed_token, token_from_nonce
from events.enums import Category
from events.errors import DomainError, ValidationFailed
from events.extensions import limiter
from events.mail import absolute_url, site_root
from events.partners.queries import active_venues, all_partners
from events.security import user_limit_key
from events.transaction import after_commit
from events.ui import show_error

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
    """Every feed this person may subscribe to, with their private feed. The public feeds'
    addresses pin a language (`?feeds=ru|en`, default: the page's): calendar clients send no
    cookies, and events are written in either language."""
    lang = request.args.get("feeds")
    if lang not in current_app.config["LANGUAGES"]:
        lang = str(get_locale())
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
        private=private, token=token, form=FeedTokenForm(), feeds_language=lang,
        feed_languages=current_app.config["LANGUAGES"],
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
    flash(_("Your private feed has a new address; the old one no longer works.") if had_one
          else _("Your private feed is ready."), "success")
    return redirect(url_for("calendar.subscribe") + "#private")


def _read_upload(form: ImportForm) -> tuple[bytes, str]:
    """The uploaded or fetched file and where it came from."""
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        data = upload.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            raise ValidationFailed(_("The file is larger than %(size)d MB.",
                                     size=MAX_IMPORT_BYTES // 1_000_000), field="file")
        return data, upload.filename
    if form.url.data:
        return fetch_ics(form.url.data), form.url.data
    raise ValidationFailed(_("Choose a file or paste an address."), field="file")


@bp.route("/calendar/import", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["IMPORT_RATE_LIMIT"], key_func=user_limit_key,
               methods=["POST"])
def import_events_page():
    """Staff: an .ics file or URL → an import job, read in the background."""
    check_can_import(current_user)
    form = ImportForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("calendar/import.html", form=form), status
    try:
        data, source = _read_upload(form)
    except DomainError as error:
        show_error(form, error, fallback="file")
        return render_template("calendar/import.html", form=form), error.status
    job = start_import(current_user, data, source=source,
                       default_zone=current_app.config["DEFAULT_EVENT_TIMEZONE"])
    after_commit(partial(enqueue_import, job.id))
    return redirect(url_for("calendar.import_job", job_id=job.id), 303)


def _job_or_404(job_id: int):
    check_can_import(current_user)
    job = job_for(current_user, job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/calendar/import/<int:job_id>")
@login_required
def import_job(job_id: int):
    """Staff: an import's progress, its preview (with fixes) or its result."""
    job = _job_or_404(job_id)
    form = ConfirmImportForm()
    venues = active_venues()
    return render_template("calendar/import_preview.html", job=job, form=form,
                           rows=preview_rows(job), venues=venues,
                           more=max(0, len(job.preview or []) - SHOWN))


@bp.post("/calendar/import/<int:job_id>/confirm")
@login_required
def confirm_import(job_id: int):
    """Staff: create drafts for the events ticked in the preview, with the fixes chosen."""
    job = _job_or_404(job_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash(_("The import form was incomplete; please start again."), "error")
        return redirect(url_for("calendar.import_job", job_id=job.id), 303)
    confirm_import_job(current_user, job, choices_from(request.form, job))
    after_commit(partial(enqueue_import, job.id))
    return redirect(url_for("calendar.import_job", job_id=job.id), 303)
