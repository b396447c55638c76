"""Sign in, sign out, resident sign-up and the language switch."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
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

from events.auth.forms import AccountForm, ActiveForm, LanguageForm, SignInForm, SignUpForm
from events.auth.models import User
from events.auth.permissions import can_manage_account, can_manage_accounts
from events.auth.services import (
    accounts_for,
    authenticate,
    create_account,
    set_account_active,
    set_locale,
    sign_up_resident,
)
from events.enums import Role, label
from events.errors import DomainError
from events.extensions import db, limiter
from events.partners.queries import all_partners

bp = Blueprint("auth", __name__)
bp.add_app_template_global(can_manage_accounts, "can_manage_accounts")
bp.add_app_template_global(can_manage_account, "can_manage_account")


def safe_next(target: str | None, default: str = "planning.index") -> str:
    """Only redirect to paths on this site (no scheme, no host, no '//')."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for(default)


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNIN_RATE_LIMIT"], methods=["POST"])
def signin():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.rollback()
            form.password.errors.append(_("Wrong email or password."))
            return render_template("auth/signin.html", form=form), 401
        login_user(user, remember=form.remember.data)
        db.session.commit()
        flash(_("Welcome, %(name)s.", name=user.name), "success")
        return redirect(safe_next(request.args.get("next")))
    status = 400 if form.errors else 200
    return render_template("auth/signin.html", form=form), status


@bp.post("/signout")
@login_required
def signout():
    """Sign out."""
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("planning.index"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """A resident creates an account."""
    if current_user.is_authenticated:
        return redirect(url_for("planning.index"))
    form = SignUpForm()
    partners = {p.id: p for p in all_partners()}
    form.site_partner.choices = [(p.id, p.local_name) for p in partners.values()]
    if form.validate_on_submit():
        try:
            user = sign_up_resident(
                email=form.email.data, name=form.name.data, password=form.password.data,
                company=form.company.data, site_partner=partners.get(form.site_partner.data),
                locale=session.get("language"),
            )
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field or "email").errors.append(error.message)
            return render_template("auth/signup.html", form=form), error.status
        db.session.commit()
        login_user(user)
        flash(_("Your account is ready."), "success")
        return redirect(url_for("planning.index"))
    status = 400 if form.errors else 200
    return render_template("auth/signup.html", form=form), status


@bp.post("/language")
def set_language():
    """Switch the interface language (remembered on the account when signed in)."""
    form = LanguageForm()
    if not form.validate_on_submit() or form.language.data not in current_app.config["LANGUAGES"]:
        abort(400, _("Unknown language."))
    session["language"] = form.language.data
    if current_user.is_authenticated:
        set_locale(current_user, form.language.data)
        db.session.commit()
    return redirect(safe_next(form.next.data))


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
    """Accounts this person manages, and a form to add one."""
    if not can_manage_accounts(current_user):
        abort(403)
    partners = {p.id: p for p in all_partners()}
    form = _account_form(partners)
    status = 200
    if form.validate_on_submit():
        try:
            user = create_account(
                current_user, email=form.email.data, name=form.name.data,
                password=form.password.data, role=Role(form.role.data),
                partner=partners.get(form.partner.data),
            )
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field or "email").errors.append(error.message)
            status = error.status
        else:
            db.session.commit()
            flash(_("Account created for %(email)s.", email=user.email), "success")
            return redirect(url_for("auth.accounts"))
    elif form.errors:
        status = 400
    return render_template("auth/accounts.html", form=form, users=accounts_for(current_user),
                           active_form=ActiveForm()), status


@bp.post("/accounts/<int:user_id>/active")
@login_required
def set_active(user_id: int):
    """Disable or enable an account."""
    user = db.session.get(User, user_id) or abort(404)
    form = ActiveForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    set_account_active(current_user, user, form.active.data == "1")
    db.session.commit()
    flash(_("Account updated."), "success")
    return redirect(url_for("auth.accounts"))
