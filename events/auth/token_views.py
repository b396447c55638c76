"""The account page's personal API tokens: make one (its secret is shown once, on the page
that answers the form, never in a cookie or a flash) and revoke one. Same blueprint as the
account page."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.api.forms import ApiTokenForm, RevokeTokenForm
from events.api.tokens import issue_api_token, revoke_api_token
from events.auth.views import account_page, bp
from events.errors import DomainError
from events.transaction import roll_back
from events.ui import show_error

__all__ = ["bp"]


@bp.post("/account/api-tokens")
@login_required
def create_api_token():
    """Make a named personal API token; the page shows its secret once."""
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return account_page(400, token_form=form)
    try:
        _row, secret = issue_api_token(current_user, form.name.data)
    except DomainError as error:
        roll_back()
        show_error(form, error, fallback="name")
        return account_page(error.status, token_form=form)
    return account_page(new_secret=secret)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the person's tokens: it stops working at once."""
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    row = revoke_api_token(current_user, token_id)
    flash(_("The token “%(name)s” is revoked.", name=row.name), "success")
    return redirect(url_for("auth.account") + "#api-tokens")
