"""series contributions: rows recorded once for a whole series share a key

Revision ID: 0017_series_contributions
Revises: 0016_feedback
Create Date: 2026-11-27

"""
import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_series_contributions'
down_revision = '0016_feedback'
branch_labels = None
depends_on = None


@contextmanager
def _quiet():
    """SQLite's batch mode copies the table, reflecting the users table it points to; the
    functional lower(email) index there cannot be reflected and is not touched."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        yield


def upgrade():
    with _quiet(), op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_share', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_contributions_series_share'), ['series_share'],
                              unique=False)


def downgrade():
    with _quiet(), op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contributions_series_share'))
        batch_op.drop_column('series_share')
