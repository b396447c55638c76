"""What /readyz and /metrics report, as plain functions.

Required for readiness (any one failing answers 503):
- database: one trivial query within READYZ_TIMEOUT_SECONDS;
- redis: when RATELIMIT_STORAGE_URI or TASK_QUEUE_URL point at Redis, a PING;
- worker: a heartbeat within WORKER_HEARTBEAT_MAX_AGE_SECONDS (the worker beats every
  minute) — unless TASK_QUEUE_URL is `immediate`, where tasks run in the web process;
- outbox: the oldest mail waiting to be sent is younger than OUTBOX_MAX_AGE_SECONDS.
Reported only: the outbox depth by status and the dead count (dead mail needs an admin, not
a restart, so it must not take the web process out of a load balancer)."""

import os
import socket
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from events.db import utcnow
from events.enums import OutboxStatus
from events.extensions import db
from events.ops.models import WorkerHeartbeat
from events.outbox.models import OutboxMessage

REDIS_PREFIXES = ("redis://", "rediss://", "unix://")
WAITING = (OutboxStatus.QUEUED, OutboxStatus.SENDING)


@dataclass
class Check:
    status: str  # "ok", "failing", or "skipped" (not configured here)
    required: bool
    figures: dict = field(default_factory=dict)
    error: str = ""

    @property
    def failing(self) -> bool:
        return self.required and self.status == "failing"

    def as_json(self) -> dict:
        data = asdict(self)
        if not data["error"]:
            del data["error"]
        return data


def worker_name() -> str:
    return os.environ.get("WORKER_NAME") or socket.gethostname()


def record_heartbeat(name: str | None = None, *, now: datetime | None = None) -> None:
    """The worker is alive: upsert its row and commit."""
    name = name or worker_name()
    now = now or utcnow()
    updated = db.session.execute(
        sa.update(WorkerHeartbeat).where(WorkerHeartbeat.name == name).values(last_seen=now))
    if not updated.rowcount:
        try:
            with db.session.begin_nested():
                db.session.add(WorkerHeartbeat(name=name, last_seen=now))
        except IntegrityError:  # another worker of that name inserted it just now
            db.session.execute(sa.update(WorkerHeartbeat)
                               .where(WorkerHeartbeat.name == name).values(last_seen=now))
    db.session.commit()


def _timeout_ms() -> int:
    return int(current_app.config["READYZ_TIMEOUT_SECONDS"] * 1000)


def check_database() -> Check:
    """SELECT 1, bounded by a statement timeout on PostgreSQL (SQLite is a local file)."""
    started = time.perf_counter()
    try:
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET statement_timeout = {_timeout_ms()}")
            conn.exec_driver_sql("SELECT 1").scalar()
            conn.rollback()
    except Exception as error:
        return Check("failing", True, error=type(error).__name__)
    return Check("ok", True, {"seconds": round(time.perf_counter() - started, 4)})


def redis_urls() -> list[str]:
    config = current_app.config
    urls = [config.get("RATELIMIT_STORAGE_URI") or "", config.get("TASK_QUEUE_URL") or ""]
    return sorted({url for url in urls if url.startswith(REDIS_PREFIXES)})


def check_redis() -> Check:
    urls = redis_urls()
    if not urls:
        return Check("skipped", False)
    import redis

    timeout = current_app.config["READYZ_TIMEOUT_SECONDS"]
    for url in urls:
        try:
            client = redis.Redis.from_url(url, socket_timeout=timeout,
                                          socket_connect_timeout=timeout)
            try:
                client.ping()
            finally:
                client.close()
        except Exception as error:
            return Check("failing", True, {"servers": len(urls)}, error=type(error).__name__)
    return Check("ok", True, {"servers": len(urls)})


def check_worker(now: datetime | None = None) -> Check:
    """The newest heartbeat of any worker."""
    now = now or utcnow()
    required = (current_app.config.get("TASK_QUEUE_URL") or "") != "immediate"
    try:
        last = db.session.scalar(sa.select(sa.func.max(WorkerHeartbeat.last_seen)))
        workers = db.session.scalar(sa.select(sa.func.count()).select_from(WorkerHeartbeat))
    except Exception as error:
        db.session.rollback()
        return Check("failing", required, error=type(error).__name__)
    limit = current_app.config["WORKER_HEARTBEAT_MAX_AGE_SECONDS"]
    if last is None:
        return Check("failing" if required else "skipped", required,
                     {"last_seen_seconds_ago": None, "max_age_seconds": limit,
                      "workers": workers})
    age = max(0, int((now - last).total_seconds()))
    status = "ok" if age <= limit else "failing"
    return Check(status, required, {"last_seen_seconds_ago": age, "max_age_seconds": limit,
                                    "workers": workers})


def outbox_figures(now: datetime | None = None) -> dict:
    """Messages by status, the age in seconds of the oldest one still waiting to be sent
    (queued or being sent; 0 when none), and the dead ones."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all()
    depth = {status.value: 0 for status in OutboxStatus}
    for status, count in rows:
        depth[OutboxStatus(status).value] = count
    oldest = db.session.scalar(sa.select(sa.func.min(OutboxMessage.created_at))
                               .where(OutboxMessage.status.in_(WAITING)))
    age = max(0, int((now - oldest).total_seconds())) if oldest is not None else 0
    return {"depth": depth, "oldest_waiting_seconds": age, "dead": depth["dead"]}


def check_outbox(now: datetime | None = None) -> Check:
    limit = current_app.config["OUTBOX_MAX_AGE_SECONDS"]
    try:
        figures = outbox_figures(now)
    except Exception as error:
        db.session.rollback()
        return Check("failing", True, error=type(error).__name__)
    figures["max_age_seconds"] = limit
    status = "ok" if figures["oldest_waiting_seconds"] <= limit else "failing"
    return Check(status, True, figures)


def readiness() -> tuple[bool, dict[str, Check]]:
    """Every check; ready when no required one fails. The database first: when it is down,
    the checks that read it fail without waiting again."""
    checks = {"database": check_database(), "redis": check_redis()}
    if checks["database"].status == "failing":
        checks["worker"] = Check("failing", True, error="database unavailable")
        checks["outbox"] = Check("failing", True, error="database unavailable")
    else:
        checks["worker"] = check_worker()
        checks["outbox"] = check_outbox()
    return not any(check.failing for check in checks.values()), checks
