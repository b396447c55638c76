"""events.recurrence_start: the pattern's date an occurrence of a series stands for

Revision ID: 0012_series_slots
Revises: 0011_series
Create Date: 2026-11-27

"""
import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_series_slots'
down_revision = '0011_series'
branch_labels = None
depends_on = None


@contextmanager
def _quiet():
    """SQLite's batch mode copies the events table, reflecting the users table it points to;
    the functional lower(email) index there cannot be reflected and is not touched."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        yield


def upgrade():
    with _quiet(), op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recurrence_start', sa.DateTime(timezone=True),
                                      nullable=True))
    # Existing occurrences stand for the date they are on (a date moved alone before this
    # release then reads as the pattern's date being moved: feeds show it apart).
    op.execute("UPDATE events SET recurrence_start = starts_at WHERE series_id IS NOT NULL")


def downgrade():
    with _quiet(), op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('recurrence_start')
