"""After the event: the feedback form for the people who came, and the results with the
attendance for the staff of the event's partners. Same blueprint as the other registration
pages (events.registrations.views)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.errors import DomainError
from events.planning.access import visible_event
from events.registrations import feedback
from events.registrations.forms import FeedbackForm
from events.registrations.question_views import bp
from events.registrations.views import _staff_event_or_404
from events.ui import show_error

__all__ = ["bp"]


@bp.app_template_global()
def feedback_refusal(event):
    """The event page offers the form with the same predicate the service enforces."""
    return feedback.refusal_to_give_feedback(current_user, event)


def _form_page(event, form, status: int = 200, refusal=None):
    registration = feedback.attended(current_user, event)
    sent = feedback.given(registration) if registration is not None else None
    return render_template("registrations/feedback.html", event=event, form=form,
                           refusal=refusal, sent=sent), status


@bp.route("/events/<int:event_id>/feedback", methods=["GET", "POST"])
@login_required
def feedback_form(event_id: int):
    """A person who came rates the event once."""
    event = visible_event(event_id)
    form = FeedbackForm()
    refusal = feedback.refusal_to_give_feedback(current_user, event)
    if not form.is_submitted():
        # Reading one's own feedback back is a page like any other; other refusals say why.
        registration = feedback.attended(current_user, event)
        sent = registration is not None and feedback.given(registration) is not None
        status = 200 if refusal is None or sent else refusal.status
        return _form_page(event, form, status, refusal)
    if not form.validate_on_submit():
        return _form_page(event, form, 400, refusal)
    try:
        feedback.give_feedback(current_user, event, form.rating.data, form.comment.data)
    except DomainError as error:
        if error.field is None:  # refused as a whole (already sent, closed): said on the page
            return _form_page(event, form, error.status, error)
        show_error(form, error)
        return _form_page(event, form, error.status)
    flash(_("Thank you: your feedback is recorded."), "success")
    return redirect(url_for("planning.detail", event_id=event.id))


@bp.get("/events/<int:event_id>/feedback/results")
@login_required
def feedback_results(event_id: int):
    """Attendance and ratings for the staff of the event's partners; comments without names."""
    event = _staff_event_or_404(event_id)
    attendance, comments = feedback.event_results(event)
    return render_template("registrations/feedback_results.html", event=event,
                           attendance=attendance, comments=comments,
                           ratings=feedback.RATINGS)
