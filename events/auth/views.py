"""Sign in and out, resident sign-up and address verification, the password lifecycle, the
person's own account page (data download, deletion) and the language switch."""

import json
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from events.api.forms import ApiTokenForm, RevokeTokenForm
from events.api.tokens import tokens_of
from events.auth import services
from events.auth.cli import register_auth_cli
from events.auth.emails import lookup_form
from events.auth.forms import (
    ChangePasswordForm,
    ConfirmForm,
    DeleteAccountForm,
    EmailForm,
    LanguageForm,
    NewPasswordForm,
    SignInForm,
    SignUpForm,
)
from events.auth.permissions import can_change_account, can_manage_accounts
from events.auth.personal_data import delete_account, export_personal_data
from events.errors import DomainError
from events.extensions import limiter
from events.ops.metrics import SIGNIN_FAILURES
from events.partners.queries import all_partners
from events.security import user_limit_key
from events.transaction import roll_back
from events.ui import show_error

bp = Blueprint("auth", __name__)
bp.add_app_template_global(can_manage_accounts, "can_manage_accounts")
bp.add_app_template_global(can_change_account, "can_change_account")
register_auth_cli(bp)


def _config_limit(name: str):
    return lambda: current_app.config[name]


def _account_key() -> str:
    """Rate-limit bucket of the account a form names, whatever address the request comes from."""
    return "account:" + lookup_form(request.form.get("email", ""))[:320]


def safe_next(target: str | None, default: str = "planning.index") -> str:
    """Only redirect to paths on this site (no scheme, no host, no '//')."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for(default)


def form_error(form, error: DomainError, template: str, **context):
    """A refused service call: undo, show the message beside its field (or as a flash)."""
    roll_back()
    show_error(form, error, fallback="email")
    return render_template(template, form=form, **context), error.status


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(_config_limit("SIGNIN_RATE_LIMIT"), methods=["POST"])
@limiter.limit(_config_limit("SIGNIN_ACCOUNT_RATE_LIMIT"), key_func=_account_key,
               methods=["POST"])
def signin():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            roll_back()
            SIGNIN_FAILURES.inc()
            form.password.errors.append(_("Wrong email or password."))
            return render_template("auth/signin.html", form=form), 401
        login_user(user, remember=form.remember.data)
        flash(_("Welcome, %(name)s.", name=user.name), "success")
        return redirect(safe_next(request.args.get("next")))
    status = 400 if form.errors else 200
    return render_template("auth/signin.html", form=form), status


@bp.post("/signout")
@login_required
def signout():
    """Sign out on this device."""
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("planning.index"))


@bp.post("/signout/everywhere")
@login_required
def signout_everywhere():
    """End every session of this account, on every device."""
    services.sign_out_everywhere(current_user)
    logout_user()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("auth.signin"))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_config_limit("SIGNUP_RATE_LIMIT"), methods=["POST"])
def signup():
    """A resident creates an account; a mailed link verifies the address."""
    if current_user.is_authenticated:
        return redirect(url_for("planning.index"))
    form = SignUpForm()
    partners = {p.id: p for p in all_partners()}
    form.site_partner.choices = [(p.id, p.local_name) for p in partners.values()]
    if form.validate_on_submit():
        try:
            user = services.sign_up_resident(
                email=form.email.data, name=form.name.data, password=form.password.data,
                company=form.company.data, site_partner=partners.get(form.site_partner.data),
                locale=session.get("language"),
            )
        except DomainError as error:
            return form_error(form, error, "auth/signup.html")
        login_user(user)
        flash(_("Your account is ready. We sent a link to %(email)s: open it to confirm your "
                "address.", email=user.email), "success")
        return redirect(url_for("auth.account"))
    status = 400 if form.errors else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """The link from the verification mail: a button confirms the address (GET writes nothing,
    so a mail scanner that opens links changes nothing either)."""
    form = ConfirmForm()
    if request.method == "GET":
        try:
            services.user_for_verification(token)
        except DomainError as error:
            return render_template("auth/link_problem.html", message=error.message), error.status
        return render_template("auth/verify.html", form=form)
    if not form.validate_on_submit():
        abort(400)
    try:
        user = services.verify_email(token)
    except DomainError as error:
        roll_back()
        return render_template("auth/link_problem.html", message=error.message), error.status
    flash(_("Thank you: your address %(email)s is confirmed.", email=user.email), "success")
    return redirect(url_for("auth.account"))


@bp.post("/verify/resend")
@login_required
@limiter.limit(_config_limit("VERIFY_RESEND_RATE_LIMIT"), key_func=user_limit_key)
def resend_verification():
    """Send the verification link again."""
    if services.resend_verification(current_user):
        flash(_("We sent a new link to %(email)s.", email=current_user.email), "success")
    else:
        flash(_("Your address is confirmed already."), "info")
    return redirect(url_for("auth.account"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_config_limit("PASSWORD_RESET_RATE_LIMIT"), methods=["POST"])
@limiter.limit(_config_limit("PASSWORD_RESET_RATE_LIMIT"), key_func=_account_key,
               methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = EmailForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(_("If an account uses this address, a link to choose a new password is on its "
                "way. It works once, for one hour."), "info")
        return redirect(url_for("auth.signin"))
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


def _password_link_page(token: str, load, apply, title: str, done: str):
    """Reset link and invitation: check the link, ask for a password, set it, sign in."""
    try:
        user = load(token)
    except DomainError as error:
        return render_template("auth/link_problem.html", message=error.message), error.status
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = apply(token, form.password.data)
        except DomainError as error:
            return form_error(form, error, "auth/new_password.html", user=user, title=title)
        logout_user()
        login_user(user)
        flash(done, "success")
        return redirect(url_for("planning.index"))
    status = 400 if form.errors else 200
    return render_template("auth/new_password.html", form=form, user=user, title=title), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through the mailed link."""
    return _password_link_page(token, services.user_for_reset, services.reset_password,
                               _("Choose a new password"), _("Your new password is set."))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """A new staff member chooses their own password through the invitation link."""
    return _password_link_page(token, services.user_for_invitation, services.accept_invitation,
                               _("Welcome to Joint Events"), _("Your password is set."))


@bp.get("/account")
@login_required
def account():
    """The person's own account: address, residency, password, sessions, their data."""
    return account_page()


def account_page(status: int = 200, *, token_form: ApiTokenForm | None = None,
                 new_secret: str | None = None, delete_form=None):
    """The account page, with the person's API tokens and whichever form just answered."""
    return render_template(
        "auth/account.html", form=ConfirmForm(),
        delete_form=delete_form or DeleteAccountForm(),
        token_form=token_form or ApiTokenForm(formdata=None),
        revoke_form=RevokeTokenForm(), api_tokens=tokens_of(current_user),
        new_secret=new_secret), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password (other devices are signed out)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except DomainError as error:
            return form_error(form, error, "auth/change_password.html")
        login_user(current_user._get_current_object())  # this device stays signed in
        flash(_("Your password is changed; other devices are signed out."), "success")
        return redirect(url_for("auth.account"))
    status = 400 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status


@bp.get("/account/data.json")
@login_required
def download_data():
    """Everything held about the person, as a JSON file."""
    body = json.dumps(export_personal_data(current_user), ensure_ascii=False, indent=2)
    return Response(body, content_type="application/json; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="joint-events-my-data.json"'})


@bp.post("/account/delete")
@login_required
def delete():
    """Delete the account: registrations anonymised, feed revoked, signed out."""
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        flash(_("Enter your password to delete the account."), "error")
        return redirect(url_for("auth.account")), 303
    try:
        delete_account(current_user, form.password.data)
    except DomainError as error:
        roll_back()
        flash(error.message, "error")
        return account_page(error.status, delete_form=form)
    logout_user()
    flash(_("Your account is deleted."), "info")
    return redirect(url_for("planning.index"))


@bp.post("/language")
def set_language():
    """Switch the interface language (remembered on the account when signed in)."""
    form = LanguageForm()
    if not form.validate_on_submit() or form.language.data not in current_app.config["LANGUAGES"]:
        abort(400, _("Unknown language."))
    session["language"] = form.language.data
    if current_user.is_authenticated:
        services.set_locale(current_user, form.language.data)
    return redirect(safe_next(form.next.data))
