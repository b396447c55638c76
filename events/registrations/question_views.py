"""Registration questions and approval: the form residents answer to register (and change until
the event starts), the lead partner's page of questions with the approval setting, and the
approve and decline buttons of the attendee list. Same blueprint as the other registration
pages; the rules are in events.registrations.questions and events.registrations.approval."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.auth.permissions import can_manage_registration
from events.enums import RegistrationStatus
from events.errors import NotAllowed, ValidationFailed
from events.planning.access import visible_event
from events.registrations import approval, questions
from events.registrations.forms import (
    ActionForm,
    ApprovalForm,
    DeclineForm,
    MoveForm,
    QuestionEditForm,
    QuestionForm,
)
from events.registrations.models import Registration
from events.registrations.services import own_registration
from events.registrations.staff_views import _checked, bp
from events.registrations.views import _staff_registration_or_404, answers_page

__all__ = ["bp"]

bp.add_app_template_global(approval.decision_refusal, "decision_refusal")
bp.add_app_template_global(can_manage_registration, "can_manage_registration")


@bp.get("/events/<int:event_id>/register")
@login_required
def register_form(event_id: int):
    """The event's questions, answered to register."""
    event = visible_event(event_id)
    return answers_page(event, None)


@bp.route("/registrations/<int:registration_id>/answers", methods=["GET", "POST"])
@login_required
def answers(registration_id: int):
    """Change my answers, until the event starts."""
    registration = own_registration(current_user, registration_id)
    if request.method == "POST":
        _checked(ActionForm())
        try:
            questions.edit_answers(current_user, registration, request.form.to_dict(flat=False))
        except ValidationFailed as error:
            if not (error.field or "").startswith("q"):
                raise
            return answers_page(registration.event, registration, error)
        flash(_("Your answers are saved."), "success")
        return redirect(url_for("registrations.mine"))
    return answers_page(registration.event, registration)


def _manager_event_or_404(event_id: int):
    event = visible_event(event_id)
    if not can_manage_registration(current_user, event):
        raise NotAllowed(_("Only the lead partner's staff set an event's registration "
                           "questions."))
    return event


def _back(event_id: int):
    return redirect(url_for("registrations.questions_page", event_id=event_id))


def _questions_page(event, new=None, edited=None):
    """The page of questions; after a refused change, that form again with its errors."""
    asked = questions.current_questions(event)
    edits = {q.id: QuestionEditForm(formdata=None, prefix=f"edit{q.id}", label=q.label,
                                    help_text=q.help_text, choices="\n".join(q.choices),
                                    is_required=q.is_required) for q in asked}
    if edited is not None:
        edits[edited[0]] = edited[1]
    page = render_template(
        "registrations/questions.html", event=event, questions=asked,
        new=new or QuestionForm(formdata=None), edits=edits, open_edit=edited and edited[0],
        approval_form=ApprovalForm(formdata=None,
                                   needs_approval=event.registration_needs_approval),
        action=ActionForm())
    return page, 422 if new is not None or edited is not None else 200


def _refused(form, error: ValidationFailed | None = None) -> bool:
    """Put the refusal beside its field; False when it belongs to no field of the form (a
    stale CSRF token: the caller lets it end in the error page)."""
    if error is None:
        return "csrf_token" not in form.errors
    if error.field and error.field in form:
        form[error.field].errors = [error.message]
        return True
    return False


def _submit_question(event, form, save, *, again, done: str):
    """A question form's POST: the field's message beside it (`again`, 422) when the form
    or the service refuses, else `save()`, the flash `done` and back to the list."""
    if not form.validate_on_submit():
        if _refused(form):
            return again()
        _checked(form)
    try:
        save()
    except ValidationFailed as error:
        if not _refused(form, error):
            raise
        return again()
    flash(done, "success")
    return _back(event.id)


@bp.get("/events/<int:event_id>/questions")
@login_required
def questions_page(event_id: int):
    """The questions asked at registration, and whether registrations need approval."""
    return _questions_page(_manager_event_or_404(event_id))


@bp.post("/events/<int:event_id>/questions")
@login_required
def add_question(event_id: int):
    """Ask one more question."""
    event = _manager_event_or_404(event_id)
    form = QuestionForm()
    return _submit_question(
        event, form,
        lambda: questions.add_question(
            current_user, event, kind=form.kind.data, label=form.label.data,
            help_text=form.help_text.data, choices=form.choices.data or "",
            is_required=form.is_required.data),
        again=lambda: _questions_page(event, new=form), done=_("The question is added."))


@bp.post("/events/<int:event_id>/questions/<int:question_id>/edit")
@login_required
def update_question(event_id: int, question_id: int):
    """Change a question's wording, options or whether it is required."""
    event = _manager_event_or_404(event_id)
    question = questions.question_of(event, question_id)
    form = QuestionEditForm(prefix=f"edit{question.id}")
    return _submit_question(
        event, form,
        lambda: questions.update_question(
            current_user, question, label=form.label.data, help_text=form.help_text.data,
            choices=form.choices.data or "", is_required=form.is_required.data),
        again=lambda: _questions_page(event, edited=(question.id, form)),
        done=_("The question is saved."))


@bp.post("/events/<int:event_id>/questions/<int:question_id>/remove")
@login_required
def remove_question(event_id: int, question_id: int):
    """Stop asking a question (the answers already given stay)."""
    event = _manager_event_or_404(event_id)
    question = questions.question_of(event, question_id)
    _checked(ActionForm())
    questions.remove_question(current_user, question)
    flash(_("The question is removed; the answers already given are kept."), "success")
    return _back(event.id)


@bp.post("/events/<int:event_id>/questions/<int:question_id>/move")
@login_required
def move_question(event_id: int, question_id: int):
    """Move a question up or down."""
    event = _manager_event_or_404(event_id)
    question = questions.question_of(event, question_id)
    form = _checked(MoveForm())
    questions.move_question(current_user, question, -1 if form.direction.data == "up" else 1)
    return _back(event.id)


@bp.post("/events/<int:event_id>/approval")
@login_required
def set_approval(event_id: int):
    """Turn approval of registrations on or off."""
    event = _manager_event_or_404(event_id)
    form = _checked(ApprovalForm())
    approval.set_needs_approval(current_user, event, form.needs_approval.data)
    flash(_("Registrations now need your approval.") if event.registration_needs_approval
          else _("Registrations no longer need approval."), "success")
    return _back(event.id)


def _to_attendees(registration: Registration):
    return redirect(url_for("registrations.attendees", event_id=registration.event_id))


@bp.post("/registrations/<int:registration_id>/approve")
@login_required
def approve(registration_id: int):
    """Approve a pending registration: a seat, or the waitlist when the event is full."""
    registration = _staff_registration_or_404(registration_id)
    _checked(ActionForm())
    approval.approve(current_user, registration)
    if registration.status == RegistrationStatus.CONFIRMED:
        flash(_("%(name)s is approved and has a seat.", name=registration.user.name), "success")
    else:
        flash(_("%(name)s is approved; the event is full, so they are on the waitlist.",
                name=registration.user.name), "warning")
    return _to_attendees(registration)


@bp.post("/registrations/<int:registration_id>/decline")
@login_required
def decline(registration_id: int):
    """Decline a pending registration, with an optional reason for the mail."""
    registration = _staff_registration_or_404(registration_id)
    form = _checked(DeclineForm())
    approval.decline(current_user, registration, form.reason.data or "")
    flash(_("The registration of %(name)s is declined.", name=registration.user.name),
          "success")
    return _to_attendees(registration)
