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


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, errors, CLI."""
    app = Flask(
        __name__, instance_relative_config=True, template_folder="templates",
        static_folder="static",
    )
    load_config(app, test_config)
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
    from events.auth.models import User
    from events.db import configure_sqlite
    from events.extensions import babel, csrf, db, limiter, login_manager, migrate
    from events.i18n import select_locale
    from events.mail import init_mail

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(app.root_path + "/events/migrations"),
                     render_as_batch=True, compare_type=compare_column_types)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    init_mail(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.signin"
    login_manager.login_message_category = "info"
    login_manager.login_message = _l("Sign in to see this page.")

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.is_active else None


def compare_column_types(context, inspected_column, metadata_column, inspected_type,
                         metadata_type):
    """Alembic type comparison that accepts our TypeDecorators as their database types."""
    import sqlalchemy as sa

    if isinstance(metadata_type, sa.types.TypeDecorator):
        return False
    return None  # alembic's own comparison


def register_blueprints(app: Flask) -> None:
    from events.agreements.views import bp as agreements_bp
    from events.auth.views import bp as auth_bp
    from events.calendar.views import bp as calendar_bp
    from events.contributions.views import bp as contributions_bp
    from events.partners.views import bp as partners_bp
    from events.planning.views import bp as planning_bp
    from events.registrations.views import bp as registrations_bp

    for bp in (auth_bp, partners_bp, planning_bp, contributions_bp, registrations_bp,
               calendar_bp, agreements_bp):
        app.register_blueprint(bp)
