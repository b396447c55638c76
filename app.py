"""The application factory: `flask run` and `gunicorn 'app:create_app()'` both find it."""

from flask import Flask
from werkzeug.routing import IntegerConverter

from events.config import load_config


class DatabaseIntConverter(IntegerConverter):
    """`<int:id>` that only matches ids a 32-bit INTEGER column can hold: a larger number is a
    plain 404 on every database instead of an out-of-range error on PostgreSQL."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


class JointEvents(Flask):
    """Flask, plus the request's one transaction (`events.transaction`): a state-changing
    request commits once after its view, or rolls back with the mail it queued."""

    def dispatch_request(self):
        from events.transaction import run_in_transaction

        return run_in_transaction(super().dispatch_request, self.make_response)


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, errors, CLI. `instance_path`
    (default: instance/ beside app.py) holds config.py and the generated secret key."""
    app = JointEvents(
        __name__, instance_relative_config=True, template_folder="templates",
        static_folder="static", instance_path=instance_path,
    )
    load_config(app, test_config)
    hops = app.config.get("PROXY_FIX_HOPS") or 0
    if hops:
        # Behind that many trusted reverse proxies, the client address, scheme and host come from
        # their X-Forwarded-* headers (rate limits key on the real client, not the proxy).
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.url_map.converters["int"] = DatabaseIntConverter
    register_extensions(app)
    register_blueprints(app)
    from events.cli import register_cli
    from events.errors import register_error_handlers
    from events.i18n import register_template_helpers
    from events.security import register_security_headers

    register_error_handlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    import events.models  # noqa: F401 — every model on the metadata before migrations look
    from events.auth.models import Anonymous, User
    from events.db import configure_sqlite
    from events.extensions import babel, csrf, db, limiter, login_manager, migrate
    from events.i18n import select_locale
    from events.mail import init_mail

    db.init_app(app)
    register_rate_limit_alarm()
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(app.root_path + "/events/migrations"),
                     render_as_batch=True, compare_type=compare_column_types)
    from events.security import register_upload_limits

    register_upload_limits(app)  # before CSRF, whose check reads the body
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    init_mail(app)
    from events.outbox.worker import init_worker

    init_worker(app)
    from events.ops import init_ops

    init_ops(app)
    login_manager.init_app(app)
    login_manager.anonymous_user = Anonymous
    login_manager.login_view = "auth.signin"
    login_manager.login_message_category = "info"
    login_manager.login_message = _l("Sign in to see this page.")

    @login_manager.user_loader
    def load_user(session_id: str):
        # "<id>:<session token>" (User.get_id): a rotated token ends every old session.
        user_id, _, token = (session_id or "").partition(":")
        if not user_id.isdigit() or not token or int(user_id) > 2**31 - 1:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.is_active or not user.matches_session(token):
            return None
        return user


def register_rate_limit_alarm() -> None:
    """Flask-Limiter reports a lost storage (Redis down or hanging) on a logger it silences;
    say it loudly in the app's log: limits now count per process until Redis answers."""
    import logging

    from events.extensions import RateLimitStorageAlarm

    logger = logging.getLogger("flask-limiter")
    if not any(isinstance(h, RateLimitStorageAlarm) for h in logger.handlers):
        logger.addHandler(RateLimitStorageAlarm())
        logger.setLevel(logging.INFO)


def compare_column_types(context, inspected_column, metadata_column, inspected_type,
                         metadata_type):
    """Alembic type comparison that accepts our TypeDecorators as their database types."""
    import sqlalchemy as sa

    if isinstance(metadata_type, sa.types.TypeDecorator):
        return False
    return None  # alembic's own comparison


def register_blueprints(app: Flask) -> None:
    from events.registrations.notify import install_hooks

    install_hooks()  # planning reaches registrations through these (events/planning/hooks.py)
    from events.agreements.views import bp as agreements_bp
    from events.auth.accounts_views import bp as auth_bp
    from events.calendar.views import bp as calendar_bp
    from events.contributions.series_views import bp as contributions_bp
    from events.ops.views import bp as ops_bp
    from events.outbox.views import bp as outbox_bp
    from events.partners.views import bp as partners_bp
    from events.planning.series_views import bp as series_bp
    from events.planning.views import bp as planning_bp
    from events.publishing.views import bp as publishing_bp
    from events.registrations.feedback_views import bp as registrations_bp
    from events.residents.views import bp as residents_bp
    from events.webhooks.views import bp as webhooks_bp

    for bp in (auth_bp, partners_bp, planning_bp, contributions_bp, registrations_bp,
               calendar_bp, residents_bp, agreements_bp, outbox_bp, ops_bp, publishing_bp,
               series_bp, webhooks_bp):
        app.register_blueprint(bp)
    from events.api.views import register_api

    register_api(app)
