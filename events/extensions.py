"""Every Flask extension, created unbound; create_app() binds them to the app."""

import logging

from flask import current_app, has_app_context
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names, so migrations match on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class RateLimitStorageAlarm(logging.Handler):
    """Repeats Flask-Limiter's storage news in the app's log, loudly: the storage is gone
    (limits now count in this process's memory) or back (shared limits again)."""

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if not has_app_context() or "storage" not in text.lower():
            return
        uri = current_app.config.get("RATELIMIT_STORAGE_URI", "")
        if "unreachable" in text:
            current_app.logger.error(
                "RATE-LIMIT STORAGE DOWN (%s): limits now count per process, in memory, until "
                "it answers again. %s", uri, text)
        elif "recovered" in text:
            current_app.logger.warning("rate-limit storage answers again (%s): %s", uri, text)
