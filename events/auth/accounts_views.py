"""/accounts: admins manage every account, coordinators their partner's staff; both see who is a
confirmed resident, a guest or unverified. Same blueprint as the sign-in pages."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.auth.emails import address_problem
from events.auth.forms import AccountForm, ActiveForm
from events.auth.models import User
from events.auth.permissions import can_manage_accounts
from events.auth.services import accounts_for, create_account, set_account_active
from events.auth.token_views import bp
from events.enums import Role, label
from events.errors import DomainError
from events.extensions import db
from events.partners.queries import all_partners
from events.transaction import roll_back
from events.ui import show_error

__all__ = ["bp"]


def _account_form(partners) -> AccountForm:
    form = AccountForm()
    if current_user.is_admin:
        form.role.choices = [(r.value, label(r)) for r in Role]
        form.partner.choices = [(0, "—")] + [(p.id, p.local_name) for p in partners.values()]
    else:
        form.role.choices = [(r.value, label(r)) for r in (Role.STAFF, Role.COORDINATOR)]
        form.partner.choices = [(current_user.partner_id, current_user.partner.local_name)]
    return form


@bp.route("/accounts", methods=["GET", "POST"])
@login_required
def accounts():
    """Accounts this person manages, and a form to invite someone."""
    if not can_manage_accounts(current_user):
        abort(403)
    partners = {p.id: p for p in all_partners()}
    form = _account_form(partners)
    status = 200
    if form.validate_on_submit():
        try:
            user = create_account(
                current_user, email=form.email.data, name=form.name.data,
                role=Role(form.role.data), partner=partners.get(form.partner.data),
            )
        except DomainError as error:
            roll_back()
            show_error(form, error, fallback="email")
            status = error.status
        else:
            flash(_("Account created; an invitation went to %(email)s.", email=user.email),
                  "success")
            return redirect(url_for("auth.accounts"))
    elif form.errors:
        status = 400
    users = accounts_for(current_user)
    undeliverable = {user.id for user in users if address_problem(user.email)}
    return render_template("auth/accounts.html", form=form, users=users,
                           undeliverable=undeliverable, active_form=ActiveForm()), status


@bp.post("/accounts/<int:user_id>/active")
@login_required
def set_active(user_id: int):
    """Disable or enable an account."""
    user = db.session.get(User, user_id) or abort(404)
    form = ActiveForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    set_account_active(current_user, user, form.active.data == "1")
    flash(_("Account updated."), "success")
    return redirect(url_for("auth.accounts"))
