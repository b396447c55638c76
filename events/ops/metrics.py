"""Prometheus metrics with the maintained client library, prometheus_client.

Counted in the process (request latency, sign-in failures, feed builds): under several
gunicorn workers set PROMETHEUS_MULTIPROC_DIR to an empty directory, writable by the workers
and emptied before each start; prometheus_client then keeps each worker's values in files
there and /metrics sums them. Read from the database at scrape time (outbox, registrations,
heartbeat): the same in every process, so no multiprocess handling."""

import os
import time

import sqlalchemy as sa
from flask import Flask, g, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from events.db import utcnow

REQUEST_SECONDS = Histogram(
    "joint_events_request_seconds", "Time to answer a request, by endpoint and method.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RESPONSES = Counter(
    "joint_events_responses", "Responses by endpoint and status class (2xx…5xx).",
    ["endpoint", "status"],
)
SIGNIN_FAILURES = Counter(
    "joint_events_signin_failures", "Sign-ins refused for a wrong email or password.")
FEED_BUILD_SECONDS = Histogram(
    "joint_events_feed_build_seconds", "Time to build a calendar feed or .ics body.",
    ["endpoint"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
FEED_BYTES = Histogram(
    "joint_events_feed_bytes", "Size of a built calendar feed or .ics body, before gzip.",
    ["endpoint"], buckets=(1_000, 10_000, 100_000, 1_000_000, 10_000_000),
)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def init_metrics(app: Flask) -> None:
    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
            REQUEST_SECONDS.labels(endpoint, request.method).observe(
                time.perf_counter() - started)
            RESPONSES.labels(endpoint, f"{response.status_code // 100}xx").inc()
        return response


def feed_built(seconds: float, size: int) -> None:
    endpoint = request.endpoint if request else "none"
    FEED_BUILD_SECONDS.labels(endpoint or "none").observe(seconds)
    FEED_BYTES.labels(endpoint or "none").observe(size)


class DatabaseCollector:
    """Figures read from the database at each scrape."""

    def collect(self):
        from events.extensions import db
        from events.ops.checks import outbox_figures
        from events.ops.models import WorkerHeartbeat
        from events.registrations.models import Registration

        now = utcnow()
        outbox = outbox_figures(now)
        depth = GaugeMetricFamily("joint_events_outbox_messages",
                                  "Outbox messages by status.", labels=["status"])
        for status, count in sorted(outbox["depth"].items()):
            depth.add_metric([status], count)
        yield depth
        yield GaugeMetricFamily("joint_events_outbox_oldest_waiting_seconds",
                                "Age of the oldest mail not yet sent (0: none).",
                                value=outbox["oldest_waiting_seconds"])
        yield GaugeMetricFamily("joint_events_outbox_dead_messages",
                                "Mail refused for good or out of retries.",
                                value=outbox["dead"])
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Registration))
        recent = db.session.scalar(
            sa.select(sa.func.count()).select_from(Registration)
            .where(Registration.registered_at >= now - _one_minute()))
        family = CounterMetricFamily("joint_events_registrations",
                                     "Registrations ever made (all statuses).")
        family.add_metric([], total)
        yield family
        yield GaugeMetricFamily("joint_events_registrations_last_minute",
                                "Registrations made in the last minute.", value=recent)
        last = db.session.scalar(sa.select(sa.func.max(WorkerHeartbeat.last_seen)))
        yield GaugeMetricFamily(
            "joint_events_worker_heartbeat_age_seconds",
            "Seconds since a worker last swept (-1: never).",
            value=(now - last).total_seconds() if last is not None else -1)
        db.session.rollback()


def _one_minute():
    from datetime import timedelta

    return timedelta(minutes=1)


def exposition() -> bytes:
    """The text format: the process's (or, in multiprocess mode, every worker's) metrics,
    then the database's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        own = generate_latest(registry)
    else:
        own = generate_latest(REGISTRY)
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector())
    return own + generate_latest(database)
