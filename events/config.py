"""Configuration: defaults, then instance/config.py, then the environment, then test overrides."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "LANGUAGES": ["en", "ru"],
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Moscow",
    "DEFAULT_EVENT_TIMEZONE": "Europe/Moscow",
    # Contribution reports and agreements count calendar dates (periods, years) in this zone.
    "REPORT_TIMEZONE": "Europe/Moscow",
    # Used in iCalendar UIDs. SITE_URL (absolute links) has no default here: see load_config.
    "SITE_DOMAIN": "joint-events.local",
    # Feeds cover this many days back, and keep cancelled events this long.
    "FEED_PAST_DAYS": 90,
    "FEED_CANCELLED_DAYS": 30,
    # How long a worker trusts its remembered feed fingerprint (a write in another worker
    # shows in ETags after at most this long; writes in the same worker show at once).
    "FEED_FINGERPRINT_SECONDS": 30,
    "AGENDA_PAGE_SIZE": 12,
    # Mail: "smtp" sends through MAIL_SERVER; "console" prints; "record" only lets Flask-Mail
    # record it (tests). Whichever it is, the worker (`flask worker`) sends from the outbox.
    "MAIL_BACKEND": "smtp",
    # Seconds an SMTP connect, command or reply may take before the attempt counts as failed.
    "MAIL_TIMEOUT": 10,
    # Where the web app wakes the worker: "" (instance/task-queue.sqlite3: one host),
    # redis://host:port/db (several hosts), or "immediate" (tasks run in the caller at once).
    "TASK_QUEUE_URL": "",
    # A worker's claim on the messages it is sending; after it, another worker may retry them.
    "OUTBOX_LEASE_SECONDS": 600,
    # Sent mail is kept this many days on the admin's outbox page, then deleted.
    "OUTBOX_KEEP_DAYS": 30,
    # Seconds a webhook delivery (resolve, connect, send, answer) may take before the attempt
    # counts as failed; failed deliveries are retried on the outbox's schedule.
    "WEBHOOK_TIMEOUT": 10,
    # Confirmed attendees are reminded this many hours before the start (0: no reminders);
    # events created, and seats taken, inside that window get none.
    "REMINDER_HOURS": 24,
    # Check-in at the door opens this many hours before the start and closes at the end.
    "CHECKIN_OPENS_HOURS": 2,
    # Invited partners that have not answered after this many days are reminded once (0: never).
    "NUDGE_AFTER_DAYS": 3,
    # The people who came are asked for feedback this many hours after the end (0: never);
    # the form stays open FEEDBACK_DAYS days after the end.
    "FEEDBACK_AFTER_HOURS": 2,
    "FEEDBACK_DAYS": 14,
    "MAIL_DEFAULT_SENDER": "Joint Events <no-reply@joint-events.local>",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    # Rate-limit storage down or hanging (Redis): count per process in memory and log it,
    # never fail the request; see README "Production".
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    # Sign-in attempts per client address, and per account whatever the address.
    "SIGNIN_RATE_LIMIT": "10 per minute",
    "SIGNIN_ACCOUNT_RATE_LIMIT": "20 per hour",
    "SIGNUP_RATE_LIMIT": "10 per hour",
    "PASSWORD_RESET_RATE_LIMIT": "5 per hour",
    "VERIFY_RESEND_RATE_LIMIT": "5 per hour",
    # "Send my confirmation again" on My events, per account.
    "RESEND_CONFIRMATION_RATE_LIMIT": "10 per hour",
    "IMPORT_RATE_LIMIT": "30 per hour",
    # JSON API requests per personal token (per client address without one).
    "API_RATE_LIMIT": "120 per minute",
    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0: none).
    "PROXY_FIX_HOPS": 0,
    # Bodies larger than this are refused (413) before they are read.
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # ...except a signed-in person's calendar import (a whole calendar export).
    "IMPORT_MAX_CONTENT_LENGTH": 21 * 1000 * 1000,
    # ...and a signed agreement's PDF (the file itself, and the request that carries it).
    "AGREEMENT_FILE_MAX_BYTES": 10 * 1000 * 1000,
    "AGREEMENT_MAX_CONTENT_LENGTH": 10 * 1000 * 1000 + 100_000,
    # "Keep me signed in" lasts this long; its cookie is Secure when SESSION_COOKIE_SECURE is.
    "REMEMBER_COOKIE_DAYS": 14,
    "REMEMBER_COOKIE_HTTPONLY": True,
    # Signed links: seconds they stay valid.
    "EMAIL_VERIFY_MAX_AGE": 3 * 24 * 3600,
    "PASSWORD_RESET_MAX_AGE": 3600,
    "INVITATION_MAX_AGE": 7 * 24 * 3600,
    # Attendee names of events that ended more than this many days ago are anonymised by
    # `flask accounts anonymise-attendees` (0: never).
    "ATTENDEE_RETENTION_DAYS": 0,
    # Where people write about the site (the accessibility statement names it).
    "CONTACT_EMAIL": "support@joint-events.local",
}

# Environment variables read as they are (strings) or converted.
ENV_STRINGS = (
    "SECRET_KEY", "SITE_DOMAIN", "SITE_URL", "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER", "MAIL_BACKEND", "RATELIMIT_STORAGE_URI", "SIGNIN_RATE_LIMIT",
    "DEFAULT_EVENT_TIMEZONE", "REPORT_TIMEZONE", "SIGNIN_ACCOUNT_RATE_LIMIT", "SIGNUP_RATE_LIMIT",
    "PASSWORD_RESET_RATE_LIMIT", "VERIFY_RESEND_RATE_LIMIT", "IMPORT_RATE_LIMIT",
    "TASK_QUEUE_URL", "API_RATE_LIMIT",
)
ENV_INTS = ("MAIL_PORT", "FEED_PAST_DAYS", "FEED_CANCELLED_DAYS", "FEED_FINGERPRINT_SECONDS",
            "AGENDA_PAGE_SIZE", "PROXY_FIX_HOPS", "MAX_CONTENT_LENGTH",
            "IMPORT_MAX_CONTENT_LENGTH", "AGREEMENT_FILE_MAX_BYTES",
            "AGREEMENT_MAX_CONTENT_LENGTH", "REMEMBER_COOKIE_DAYS",
            "ATTENDEE_RETENTION_DAYS", "MAIL_TIMEOUT", "OUTBOX_LEASE_SECONDS",
            "OUTBOX_KEEP_DAYS", "REMINDER_HOURS", "NUDGE_AFTER_DAYS",
            "CHECKIN_OPENS_HOURS", "FEEDBACK_AFTER_HOURS", "FEEDBACK_DAYS",
            "WEBHOOK_TIMEOUT")
ENV_BOOLS = ("MAIL_USE_TLS", "MAIL_USE_SSL", "SESSION_COOKIE_SECURE")

# Where links point when SITE_URL is not set and there is no request to follow (CLI, mail
# built outside a request): `make run`'s default address.
DEFAULT_SITE_URL = "http://127.0.0.1:5000"
# A Redis that hangs must not hold a request for long: give up after this, then fall back.
REDIS_TIMEOUT_SECONDS = 0.5


def database_url(raw: str | None, instance_path: str) -> str:
    """Normalise DATABASE_URL so that PostgreSQL always goes through psycopg 3."""
    if not raw:
        return "sqlite:///" + os.path.join(instance_path, "joint_events.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def secret_key_from_instance(instance_path: str) -> str:
    """Read instance/secret_key, creating it (0600) with a fresh random key the first time."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def load_config(app: Flask, test_config: dict | None) -> None:
    """Fill app.config from the four layers, most specific last."""
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    env = os.environ
    for name in ENV_STRINGS:
        if env.get(name):
            app.config[name] = env[name]
    for name in ENV_INTS:
        if env.get(name):
            app.config[name] = int(env[name])
    for name in ENV_BOOLS:
        if env.get(name):
            app.config[name] = env[name].lower() in ("1", "true", "yes", "on")
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(env.get("DATABASE_URL"), app.instance_path)
    if test_config:
        app.config.update(test_config)
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(
            app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path
        )
    # The remember cookie follows the session cookie's Secure switch unless set on its own.
    app.config.setdefault("REMEMBER_COOKIE_SECURE", bool(app.config.get("SESSION_COOKIE_SECURE")))
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=app.config["REMEMBER_COOKIE_DAYS"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key_from_instance(app.instance_path)
    # SITE_URL set (instance/config.py or the environment) is the production address and every
    # absolute link uses it; unset, links follow the host each request came to.
    app.config["SITE_URL_EXPLICIT"] = bool(app.config.get("SITE_URL"))
    if not app.config["SITE_URL_EXPLICIT"]:
        app.config["SITE_URL"] = DEFAULT_SITE_URL
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://", "unix://")):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
        })
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")
