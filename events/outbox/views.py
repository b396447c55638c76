"""The admins' outbox page: queued, failed and dead messages with their errors, and
"send again"."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from events.enums import OutboxStatus
from events.extensions import db
from events.outbox import services
from events.outbox.models import OutboxMessage

bp = Blueprint("outbox", __name__, url_prefix="/outbox")
PAGE = 100
SHOWN = ("failed", "dead", "queued", "sending", "sent")


def _admin_only() -> None:
    if not current_user.is_admin:
        abort(403)


@bp.get("/")
@login_required
def index():
    _admin_only()
    shown = request.args.get("show", "failed")
    if shown not in SHOWN:
        shown = "failed"
    query = sa.select(OutboxMessage)
    if shown == "failed":
        query = query.where(OutboxMessage.status == OutboxStatus.QUEUED,
                            OutboxMessage.attempts > 0)
    else:
        query = query.where(OutboxMessage.status == OutboxStatus(shown))
    newest_first = shown in ("sent", "dead")
    order = OutboxMessage.id.desc() if newest_first else OutboxMessage.next_attempt_at
    messages = db.session.scalars(query.order_by(order).limit(PAGE)).all()
    return render_template("outbox/index.html", messages=messages, shown=shown,
                           counts=services.counts(), tabs=SHOWN, page_size=PAGE)


@bp.post("/send-again")
@login_required
def send_again():
    _admin_only()
    if request.form.get("all_dead"):
        ids = services.dead_ids()
    else:
        ids = [int(v) for v in request.form.getlist("message") if v.isdigit() and len(v) < 10]
    if not ids:
        flash(_("Choose the messages to send again."), "error")
        return redirect(url_for("outbox.index", show=request.form.get("show", "failed"))), 303
    number = services.send_again(current_user, ids)
    flash(ngettext("%(num)d message is queued again.", "%(num)d messages are queued again.",
                   number), "success")
    return redirect(url_for("outbox.index", show="queued")), 303
