"""The worker's heartbeat: one row per worker host, its last sweep."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from events.db import UTCDateTime, utcnow
from events.extensions import db


class WorkerHeartbeat(db.Model):
    """Written by the worker at each minute's sweep; read by /readyz in every web process."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
